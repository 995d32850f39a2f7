// ContactService: the gate's facts, and touches checked, recorded and confirmed.
// Preferences, consents and the opt-out are in contact_preferences.cpp.
#include "contact/contact_service.h"

#include <fmt/format.h>

#include <algorithm>

#include "auth/permissions.h"
#include "contact/contact_checks.h"
#include "core/ids.h"

namespace tandem {
namespace {

using contact_checks::CheckOneOf;
using contact_checks::Contains;
using contact_checks::TraitsObject;

std::vector<std::string_view> RoleNames(const std::vector<Role>& roles) {
  std::vector<std::string_view> names;
  for (Role role : roles) names.push_back(RoleName(role));
  return names;
}

GateRefusal RefusalOf(const ContactSubject& subject, const std::optional<UserRecord>& user,
                      const TouchInput& input, const ContactDecision& decision, TimePoint now) {
  GateRefusal refusal;
  refusal.lead_id = subject.lead_id;
  if (user) refusal.user_id = user->id;
  refusal.channel = input.channel;
  refusal.purpose = input.purpose;
  nlohmann::json codes = nlohmann::json::array();
  for (const ContactReason& r : decision.reasons) {
    if (r.severity == "block") codes.push_back(r.code);
  }
  refusal.codes = codes.dump();
  refusal.concurrent = decision.concurrent;
  refusal.at = now;
  return refusal;
}

TouchRecord TouchOf(const ContactSubject& subject, const std::optional<UserRecord>& user,
                    const TouchInput& input, const ContactDecision& decision, TimePoint now) {
  TouchRecord touch;
  touch.lead_id = subject.lead_id;
  if (user) touch.user_id = user->id;
  touch.channel = input.channel;
  touch.purpose = input.purpose;
  touch.direction = input.direction;
  touch.note = input.note;
  touch.override_reason = decision.overridden.empty() ? "" : input.override_reason;
  touch.overridden = nlohmann::json(decision.overridden).dump();
  nlohmann::json warnings = nlohmann::json::array();
  for (const ContactReason& r : decision.reasons) {
    if (r.severity == "warn") warnings.push_back(r.code);
  }
  touch.warnings = warnings.dump();
  touch.at = now;
  if (touch.direction == "inbound") {
    touch.score_status = !user || InboundTouchCountsAtOnce(*user, subject.owner_id)
                             ? "counted"
                             : "awaiting_confirmation";
  }
  return touch;
}

}  // namespace

StatusOr<ContactFacts> ContactService::FactsFor(const ContactStores& stores,
                                                const ContactSubject& subject,
                                                TimePoint now) const {
  ContactFacts facts;
  facts.subject = subject;
  TANDEM_ASSIGN_OR_RETURN(facts.prefs, stores.reads.GetContactPrefs(subject.lead_id));
  TANDEM_ASSIGN_OR_RETURN(facts.consents, stores.reads.ListConsents(subject.lead_id));
  TANDEM_ASSIGN_OR_RETURN(facts.touches,
                          stores.reads.ListTouches(subject.lead_id, now - TouchLookback(policy_)));
  TANDEM_ASSIGN_OR_RETURN(auto assignments, stores.assignments.ListAssignments(subject.lead_id));
  for (const AssignmentRecord& a : assignments) {
    if (!a.ended_at) facts.open_assignment = a;
  }
  const bool touched_by_users = std::any_of(facts.touches.begin(), facts.touches.end(),
                                            [](const TouchRecord& t) { return t.user_id; });
  if (subject.owner_id || touched_by_users) {
    TANDEM_ASSIGN_OR_RETURN(auto users, stores.users.ListUsers());
    for (const UserRecord& u : users) {
      if (subject.owner_id && u.id == *subject.owner_id) facts.owner = u;
      facts.user_names[u.id] = u.name.empty() ? u.email : u.name;
    }
  }
  facts.zone = FindLeadZone(facts.prefs, TraitsObject(subject.traits));
  return facts;
}

Status ContactService::CheckTouchInput(const TouchInput& input) {
  return CheckOneOf("direction", input.direction, {"outbound", "inbound"});
}

StatusOr<ContactDecision> ContactService::Check(const ContactStores& stores,
                                                const ContactSubject& subject,
                                                const std::optional<UserRecord>& user,
                                                const TouchInput& input, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(ContactFacts facts, FactsFor(stores, subject, now));
  ContactRequest request{input.channel, input.purpose, input.direction, user, false};
  return DecideContact(policy_, facts, request, now);
}

Status ContactService::CheckMayRecordTouch(const std::optional<UserRecord>& user,
                                           const TouchInput& input) const {
  TANDEM_RETURN_IF_ERROR(CheckTouchInput(input));
  if (user && user->role == Role::kViewer) {
    return PermissionDenied("forbidden", "role viewer may not record touches");
  }
  if (!input.override && input.override_reason.empty()) return OkStatus();
  if (!user || !Contains(policy_.override_roles, user->role)) {
    return PermissionDenied("override_not_allowed",
                            fmt::format("role {} may not override the contact gate (allowed: {})",
                                        user ? RoleName(user->role) : "system",
                                        fmt::join(RoleNames(policy_.override_roles), ", ")));
  }
  if (input.override_reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Unprocessable("override_reason_required",
                         "an override needs override_reason: why this contact must happen");
  }
  return OkStatus();
}

StatusOr<TouchOutcome> ContactService::RecordTouch(const ContactStores& stores,
                                                   const ContactSubject& subject,
                                                   const std::optional<UserRecord>& user,
                                                   const TouchInput& input, TimePoint now) const {
  TouchOutcome out;
  TANDEM_ASSIGN_OR_RETURN(out.facts, FactsFor(stores, subject, now));
  ContactRequest request{input.channel, input.purpose, input.direction, user,
                         !input.override_reason.empty()};
  out.decision = DecideContact(policy_, out.facts, request, now);
  if (!out.decision.allowed) {
    TANDEM_RETURN_IF_ERROR(
        stores.writes.AddRefusal(RefusalOf(subject, user, input, out.decision, now)));
    return out;
  }
  TouchRecord touch = TouchOf(subject, user, input, out.decision, now);
  TANDEM_ASSIGN_OR_RETURN(touch.id, stores.writes.AddTouch(touch));
  out.touch = std::move(touch);
  return out;
}

Status ContactService::CheckMayConfirmTouch(const std::optional<UserRecord>& user) {
  if (!user) return PermissionDenied("forbidden", "a touch is confirmed by a person");
  return CheckCanConfirmTouch(*user);
}

StatusOr<TouchRecord> ContactService::ConfirmInboundTouch(const ContactStores& stores,
                                                          const ContactSubject& subject,
                                                          int64_t touch_id) const {
  TANDEM_ASSIGN_OR_RETURN(auto touches, stores.reads.ListTouches(subject.lead_id, TimePoint{}));
  auto it = std::find_if(touches.begin(), touches.end(),
                         [&](const TouchRecord& t) { return t.id == touch_id; });
  if (it == touches.end()) {
    return NotFound("not_found", fmt::format("lead {} has no touch tch_{}",
                                             LeadIdText(subject.lead_id), touch_id));
  }
  TouchRecord touch = *it;
  if (touch.direction != "inbound") {
    return Conflict("not_inbound", fmt::format("tch_{} is an outbound touch; only inbound "
                                               "touches earn engagement points",
                                               touch_id));
  }
  // The update is conditional, so of two managers confirming at once one grants.
  TANDEM_ASSIGN_OR_RETURN(bool confirmed,
                          stores.writes.ConfirmTouchScore(subject.lead_id, touch_id));
  if (!confirmed) {
    return Conflict(
        "already_counted",
        fmt::format(
            "tch_{} has earned its points already ({})", touch_id,
            touch.score_status == "awaiting_confirmation" ? "confirmed" : touch.score_status));
  }
  touch.score_status = "confirmed";
  return touch;
}

}  // namespace tandem
