// LeadEngine: the contact gate, contact preferences and consent.
#include <fmt/format.h>

#include <algorithm>

#include "auth/permissions.h"
#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"

namespace tandem {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Status CheckOneOf(std::string_view field, std::string_view value,
                  const std::vector<std::string>& allowed) {
  if (Contains(allowed, value)) return OkStatus();
  return Unprocessable("invalid_field", fmt::format("{} \"{}\" is not one of {}", field, value,
                                                    fmt::join(allowed, ", ")));
}

Status CheckTouchInput(const TouchInput& in) {
  TANDEM_RETURN_IF_ERROR(CheckOneOf("channel", in.channel, ContactChannels()));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("purpose", in.purpose, ContactPurposes()));
  return CheckOneOf("direction", in.direction, {"outbound", "inbound"});
}

// Preferences and consents: the owner, managers, admins and marketing.
Status CheckCanSetContact(const Actor& actor, const LeadRecord& lead) {
  if (!actor.user || actor.user->role == "marketing") return OkStatus();
  return CheckCanWorkLead(*actor.user, lead);
}

StatusOr<LeadRecord> MustExist(StatusOr<std::optional<LeadRecord>> lead, int64_t id) {
  TANDEM_RETURN_IF_ERROR(lead.status());
  if (!*lead) return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(id)));
  return **lead;
}

// A granted email_marketing consent recorded by staff after the person opted out
// (unsubscribed, or withdrew that consent) must be a fresh one the person gave: on a
// form, with the evidence (the submission, the signed page), dated after the opt-out.
// True when it then ends the person's unsubscribe.
StatusOr<bool> CheckFreshEmailConsent(const ConsentRecord& consent,
                                      const std::vector<ConsentRecord>& before,
                                      const ContactPrefs& prefs) {
  if (consent.status != "granted" || consent.purpose != "email_marketing") return false;
  // An import is kept on record but never outranks a withdrawal (ConsentState).
  if (consent.method == "import") return false;
  std::optional<TimePoint> opted_out = prefs.unsubscribed_at;
  for (const ConsentRecord& c : before) {
    if (c.purpose == "email_marketing" && c.status == "withdrawn" &&
        (!opted_out || c.at > *opted_out)) {
      opted_out = c.at;
    }
  }
  if (!opted_out) return false;
  if (consent.method != "form" ||
      consent.evidence.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Unprocessable(
        "fresh_consent_required",
        fmt::format("the person opted out on {}; only a new consent they gave can subscribe them "
                    "again: method form, with evidence (the form submission or signed record) "
                    "and at after the opt-out — or they confirm from their own preference page",
                    FormatIsoTime(*opted_out)));
  }
  if (consent.at <= *opted_out) {
    return Unprocessable("fresh_consent_required",
                         fmt::format("a consent given at {} is older than the person's opt-out "
                                     "({}) and cannot undo it",
                                     FormatIsoTime(consent.at), FormatIsoTime(*opted_out)));
  }
  return prefs.unsubscribed_at.has_value();
}

}  // namespace

StatusOr<ContactFacts> LeadEngine::ContactFactsFor(LeadTxn& txn, const LeadRecord& lead,
                                                   TimePoint now) const {
  ContactFacts facts;
  facts.lead = &lead;
  TANDEM_ASSIGN_OR_RETURN(facts.prefs, txn.GetContactPrefs(lead.id));
  TANDEM_ASSIGN_OR_RETURN(facts.consents, txn.ListConsents(lead.id));
  TANDEM_ASSIGN_OR_RETURN(facts.touches, txn.ListTouches(lead.id, now - TouchLookback(contact_)));
  TANDEM_ASSIGN_OR_RETURN(facts.open_assignment, txn.OpenAssignment(lead.id));
  if (lead.owner_id) {
    TANDEM_ASSIGN_OR_RETURN(auto users, txn.ListUsers());
    for (const UserRecord& u : users) {
      if (u.id == *lead.owner_id) facts.owner = u;
    }
  }
  nlohmann::json traits = nlohmann::json::parse(lead.traits, nullptr, false);
  facts.zone = FindLeadZone(facts.prefs, traits.is_object() ? traits : nlohmann::json::object());
  return facts;
}

StatusOr<ContactDecision> LeadEngine::CheckContact(LeadTxn& txn, int64_t lead_id,
                                                   const Actor& actor, const TouchInput& input,
                                                   TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckTouchInput(input));
  TANDEM_ASSIGN_OR_RETURN(LeadRecord lead, MustExist(txn.GetLead(lead_id), lead_id));
  TANDEM_ASSIGN_OR_RETURN(ContactFacts facts, ContactFactsFor(txn, lead, now));
  ContactRequest request{input.channel, input.purpose, input.direction, actor.user, false};
  return DecideContact(contact_, facts, request, now);
}

StatusOr<TouchResult> LeadEngine::RecordTouch(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                              const TouchInput& input, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckTouchInput(input));
  if (actor.user && actor.user->role == "viewer") {
    return PermissionDenied("forbidden", "role viewer may not record touches");
  }
  if (input.override || !input.override_reason.empty()) {
    if (!actor.user || !Contains(contact_.override_roles, actor.user->role)) {
      return PermissionDenied("override_not_allowed",
                              fmt::format("role {} may not override the contact gate (allowed: {})",
                                          actor.user ? actor.user->role : "system",
                                          fmt::join(contact_.override_roles, ", ")));
    }
    if (input.override_reason.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Unprocessable("override_reason_required",
                           "an override needs override_reason: why this contact must happen");
    }
  }
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TouchResult result;
  TANDEM_ASSIGN_OR_RETURN(ContactFacts facts, ContactFactsFor(txn, session.lead(), now));
  ContactRequest request{input.channel, input.purpose, input.direction, actor.user,
                         !input.override_reason.empty()};
  result.decision = DecideContact(contact_, facts, request, now);
  if (!result.decision.allowed) {
    GateRefusal refusal;
    refusal.lead_id = lead_id;
    if (actor.user) refusal.user_id = actor.user->id;
    refusal.channel = input.channel;
    refusal.purpose = input.purpose;
    nlohmann::json codes = nlohmann::json::array();
    for (const ContactReason& r : result.decision.reasons) {
      if (r.severity == "block") codes.push_back(r.code);
    }
    refusal.codes = codes.dump();
    refusal.concurrent = result.decision.concurrent;
    refusal.at = now;
    TANDEM_RETURN_IF_ERROR(txn.AddRefusal(refusal));
    result.lead = session.lead();
    return result;
  }

  TouchRecord touch;
  touch.lead_id = lead_id;
  if (actor.user) touch.user_id = actor.user->id;
  touch.channel = input.channel;
  touch.purpose = input.purpose;
  touch.direction = input.direction;
  touch.note = input.note;
  touch.override_reason = result.decision.overridden.empty() ? "" : input.override_reason;
  touch.overridden = nlohmann::json(result.decision.overridden).dump();
  nlohmann::json warnings = nlohmann::json::array();
  for (const ContactReason& r : result.decision.reasons) {
    if (r.severity == "warn") warnings.push_back(r.code);
  }
  touch.warnings = warnings.dump();
  touch.at = now;
  if (touch.direction == "inbound") {
    touch.score_status = !actor.user || InboundTouchCountsAtOnce(*actor.user, session.lead())
                             ? "counted"
                             : "awaiting_confirmation";
  }
  TANDEM_ASSIGN_OR_RETURN(touch.id, txn.AddTouch(touch));

  LeadRecord& lead = session.lead();
  if (touch.direction == "outbound") {
    if (!lead.contacted_at) lead.contacted_at = now;
    // The first outbound touch of an assignment meets its SLA.
    if (facts.open_assignment && !facts.open_assignment->first_touch_at) {
      AssignmentRecord a = *facts.open_assignment;
      a.first_touch_at = now;
      TANDEM_RETURN_IF_ERROR(txn.UpdateAssignmentSla(a));
      if (lead.sla_due_at && !lead.sla_met_at) lead.sla_met_at = now;
    }
  } else if (touch.score_status == "counted") {
    TANDEM_RETURN_IF_ERROR(session.CountInboundTouch(touch));
    TANDEM_RETURN_IF_ERROR(session.Qualify(actor));
  }
  lead.last_activity_at = now;
  nlohmann::json data = TouchToJson(touch);
  data.erase("lead_id");
  data.erase("at");
  if (!result.decision.overridden.empty()) data["reasons"] = ReasonsToJson(result.decision.reasons);
  TANDEM_RETURN_IF_ERROR(session.Log(
      result.decision.overridden.empty() ? "touch" : "touch_override", actor, std::move(data)));
  TANDEM_RETURN_IF_ERROR(session.Save());
  result.touch = touch;
  result.lead = session.lead();
  return result;
}

StatusOr<TouchRecord> LeadEngine::ConfirmInboundTouch(LeadTxn& txn, int64_t lead_id,
                                                      const Actor& actor, int64_t touch_id,
                                                      TimePoint now) const {
  if (!actor.user) return PermissionDenied("forbidden", "a touch is confirmed by a person");
  TANDEM_RETURN_IF_ERROR(CheckCanConfirmTouch(*actor.user));
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_ASSIGN_OR_RETURN(auto touches, txn.ListTouches(lead_id, TimePoint{}));
  auto it = std::find_if(touches.begin(), touches.end(),
                         [&](const TouchRecord& t) { return t.id == touch_id; });
  if (it == touches.end()) {
    return NotFound("not_found",
                    fmt::format("lead {} has no touch tch_{}", LeadIdText(lead_id), touch_id));
  }
  TouchRecord touch = *it;
  if (touch.direction != "inbound") {
    return Conflict("not_inbound", fmt::format("tch_{} is an outbound touch; only inbound "
                                               "touches earn engagement points",
                                               touch_id));
  }
  // The update is conditional, so of two managers confirming at once one grants.
  TANDEM_ASSIGN_OR_RETURN(bool confirmed, txn.ConfirmTouchScore(lead_id, touch_id));
  if (!confirmed) {
    return Conflict(
        "already_counted",
        fmt::format(
            "tch_{} has earned its points already ({})", touch_id,
            touch.score_status == "awaiting_confirmation" ? "confirmed" : touch.score_status));
  }
  touch.score_status = "confirmed";
  TANDEM_RETURN_IF_ERROR(session.CountInboundTouch(touch));
  TANDEM_RETURN_IF_ERROR(session.Log(
      "touch_confirmed", actor,
      {{"touch_id", fmt::format("tch_{}", touch_id)},
       {"recorded_by", touch.user_id ? nlohmann::json(UserIdText(*touch.user_id)) : nullptr},
       {"channel", touch.channel},
       {"points", contact_.inbound_touch_points}}));
  TANDEM_RETURN_IF_ERROR(session.Qualify(actor));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return touch;
}

StatusOr<ContactPrefs> LeadEngine::UpdatePreferences(LeadTxn& txn, int64_t lead_id,
                                                     const Actor& actor,
                                                     const PreferencesChange& change,
                                                     TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_RETURN_IF_ERROR(CheckCanSetContact(actor, session.lead()));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
  nlohmann::json changed = nlohmann::json::object();
  if (change.preferred_channel) {
    if (!change.preferred_channel->empty()) {
      TANDEM_RETURN_IF_ERROR(
          CheckOneOf("preferred_channel", *change.preferred_channel, ContactChannels()));
    }
    prefs.preferred_channel = *change.preferred_channel;
    changed["preferred_channel"] = prefs.preferred_channel;
  }
  if (change.timezone) {
    if (!change.timezone->empty() && !TimeZone::Find(*change.timezone)) {
      return Unprocessable("invalid_field",
                           fmt::format("timezone \"{}\" is not a time zone such as "
                                       "America/New_York",
                                       *change.timezone));
    }
    prefs.timezone = *change.timezone;
    changed["timezone"] = prefs.timezone;
  }
  if (change.address_source) {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("address_source", *change.address_source, AddressSources()));
    prefs.address_source = *change.address_source;
    changed["address_source"] = prefs.address_source;
  }
  if (change.do_not_contact) {
    std::vector<std::string> allowed = ContactChannels();
    allowed.push_back("all");
    nlohmann::json dnc = nlohmann::json::object();
    for (const auto& [channel, reason] : *change.do_not_contact) {
      TANDEM_RETURN_IF_ERROR(CheckOneOf("do_not_contact channel", channel, allowed));
      dnc[channel] = reason;
    }
    prefs.do_not_contact = dnc.dump();
    changed["do_not_contact"] = dnc;
  }
  if (change.out_of_office) {
    if (*change.out_of_office) {
      // Dates are the lead's days: its zone as this change leaves it.
      ContactPrefs zoned = prefs;
      nlohmann::json traits = nlohmann::json::parse(session.lead().traits, nullptr, false);
      const LeadZone zone =
          FindLeadZone(zoned, traits.is_object() ? traits : nlohmann::json::object());
      const auto [from, until] =
          ResolveOutOfOffice(**change.out_of_office, zone.zone.value_or(TimeZone::Utc()));
      if (until <= from) {
        return Unprocessable("invalid_field",
                             fmt::format("out_of_office ends ({}) before it starts ({})",
                                         FormatIsoTime(until), FormatIsoTime(from)));
      }
      prefs.ooo_from = from;
      prefs.ooo_until = until;
      changed["out_of_office"] = {{"from", FormatIsoTime(from)}, {"until", FormatIsoTime(until)}};
    } else {
      prefs.ooo_from.reset();
      prefs.ooo_until.reset();
      changed["out_of_office"] = nullptr;
    }
  }
  if (change.unsubscribed) {
    if (!*change.unsubscribed && prefs.unsubscribed_at) {
      return Unprocessable("unsubscribe_is_the_persons",
                           "only the person can undo an unsubscribe, from the preference page "
                           "their unsubscribe link opens");
    }
    if (*change.unsubscribed && !prefs.unsubscribed_at) {
      prefs.unsubscribed_at = now;
      changed["unsubscribed"] = true;
    }
  }
  prefs.updated_at = now;
  TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
  TANDEM_RETURN_IF_ERROR(session.Log("preferences_changed", actor, {{"changed", changed}}));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return prefs;
}

StatusOr<ConsentRecord> LeadEngine::RecordConsent(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                                  ConsentRecord consent, TimePoint now) const {
  TANDEM_RETURN_IF_ERROR(CheckOneOf("purpose", consent.purpose, ContactPurposes()));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("status", consent.status, {"granted", "withdrawn"}));
  TANDEM_RETURN_IF_ERROR(CheckOneOf("method", consent.method, {"form", "import", "api"}));
  if (!consent.address_source.empty()) {
    TANDEM_RETURN_IF_ERROR(CheckOneOf("source", consent.address_source, AddressSources()));
  }
  if (consent.status == "granted" && consent.wording.empty()) {
    return Unprocessable("wording_required",
                         "a granted consent needs wording: the exact text the person agreed to");
  }
  if (consent.at > now) {
    return Unprocessable("invalid_field", "a consent's time (at) cannot be in the future");
  }
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_RETURN_IF_ERROR(CheckCanSetContact(actor, session.lead()));
  consent.lead_id = lead_id;
  consent.actor = actor.Name();
  TANDEM_ASSIGN_OR_RETURN(auto before, txn.ListConsents(lead_id));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs_before, txn.GetContactPrefs(lead_id));
  TANDEM_ASSIGN_OR_RETURN(bool resubscribes, CheckFreshEmailConsent(consent, before, prefs_before));
  TANDEM_RETURN_IF_ERROR(txn.AddConsent(consent));
  TANDEM_ASSIGN_OR_RETURN(auto after, txn.ListConsents(lead_id));
  std::string state = ConsentState(after, consent.purpose);
  if (!consent.address_source.empty()) {
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
    prefs.address_source = consent.address_source;
    prefs.updated_at = now;
    TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
  }
  nlohmann::json data = {{"purpose", consent.purpose},
                         {"status", consent.status},
                         {"method", consent.method},
                         {"effective", state.empty() ? "none" : state}};
  if (consent.status == "granted" && state == "withdrawn" &&
      ConsentState(before, consent.purpose) == "withdrawn") {
    data["note"] = "an import does not undo the person's withdrawal";
  }
  TANDEM_RETURN_IF_ERROR(session.Log("consent", actor, std::move(data)));
  if (resubscribes) {
    // Not a reversal of the person's opt-out (it stays on record): a new consent they
    // gave, with its evidence, supersedes it.
    TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
    prefs.unsubscribed_at.reset();
    prefs.updated_at = now;
    TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
    TANDEM_RETURN_IF_ERROR(session.Log("resubscribed", actor,
                                       {{"how", "consent_recorded"},
                                        {"method", consent.method},
                                        {"form_id", consent.form_id},
                                        {"evidence", consent.evidence},
                                        {"given_at", FormatIsoTime(consent.at)}}));
  }
  TANDEM_RETURN_IF_ERROR(session.Save());
  return consent;
}

Status LeadEngine::ApplyOptOut(LeadTxn& txn, int64_t lead_id, OptOut choice, std::string_view how,
                               TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
  ConsentRecord consent;
  consent.lead_id = lead_id;
  consent.purpose = "email_marketing";
  consent.status = "withdrawn";
  consent.at = now;
  consent.method = std::string(how);
  consent.actor = "person";
  // The address they opted out with: a confirmation to subscribe again goes only there.
  consent.evidence = nlohmann::json{{"address", session.lead().email}}.dump();
  const std::string kind = "unsubscribed";
  switch (choice) {
    case OptOut::kAllEmail:
      if (!prefs.unsubscribed_at) prefs.unsubscribed_at = now;
      consent.wording = "Unsubscribed from all email";
      break;
    case OptOut::kMarketingEmail:
      consent.wording = "Unsubscribed from marketing email";
      break;
    case OptOut::kEverything: {
      if (!prefs.unsubscribed_at) prefs.unsubscribed_at = now;
      nlohmann::json dnc = nlohmann::json::parse(prefs.do_not_contact, nullptr, false);
      if (!dnc.is_object()) dnc = nlohmann::json::object();
      dnc["all"] = "asked not to be contacted at all (preference page)";
      prefs.do_not_contact = dnc.dump();
      consent.wording = "Asked not to be contacted at all";
      break;
    }
  }
  prefs.updated_at = now;
  TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
  TANDEM_RETURN_IF_ERROR(txn.AddConsent(consent));
  TANDEM_RETURN_IF_ERROR(session.Log(kind, Actor{}, {{"how", how}, {"choice", consent.wording}}));
  return session.Save();
}

StatusOr<bool> LeadEngine::RequestResubscribe(LeadTxn& txn, int64_t lead_id,
                                              const ResubscribeMail& mail, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  const std::string to = session.lead().email;
  if (to.empty()) return false;
  TANDEM_ASSIGN_OR_RETURN(auto log, txn.ListLeadLog(lead_id));
  for (const LeadLogEntry& entry : log) {
    if (entry.kind == "resubscribe_requested" && entry.at > now - std::chrono::minutes(15)) {
      return false;  // one message a quarter hour: the page cannot be used to flood them
    }
  }
  const std::string link = mail.confirm_url.empty() ? mail.confirm_path : mail.confirm_url;
  nlohmann::json data = {
      {"to", to},
      {"lead_id", LeadIdText(lead_id)},
      {"subject", HeaderText("Please confirm: subscribe again to our emails")},
      {"text", fmt::format("Someone asked to subscribe {} to our emails again. If it was you, "
                           "open this link and confirm before {}:\n\n{}\n\nIf it was not you, "
                           "ignore this message: nothing changes.",
                           to, FormatIsoTime(mail.expires), link)},
      {"confirm_path", mail.confirm_path},
      {"confirm_url", mail.confirm_url.empty() ? nlohmann::json() : nlohmann::json(link)},
      {"expires_at", FormatIsoTime(mail.expires)}};
  OutboxMessage message;
  message.uid = "evt_" + RandomUuid();
  message.type = "person.resubscribe_confirmation";
  message.lead_id = lead_id;
  message.created_at = now;
  message.payload = nlohmann::json{
      {"id", message.uid},
      {"type", message.type},
      {"created_at", FormatIsoTime(now)},
      {"data",
       std::move(data)}}.dump();
  // No webhook endpoint: the link is the person's, for their mailbox only.
  TANDEM_RETURN_IF_ERROR(txn.Enqueue(message, {}, now));
  TANDEM_RETURN_IF_ERROR(
      session.Log("resubscribe_requested", Actor{},
                  {{"how", "preference_page"},
                   {"note", "not confirmed: a confirmation was sent to the address"},
                   {"expires_at", FormatIsoTime(mail.expires)}}));
  TANDEM_RETURN_IF_ERROR(session.Save());
  return true;
}

Status LeadEngine::ConfirmResubscribe(LeadTxn& txn, int64_t lead_id,
                                      const ResubscribeEvidence& evidence, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead_id));
  prefs.unsubscribed_at.reset();
  prefs.updated_at = now;
  ConsentRecord consent;
  consent.lead_id = lead_id;
  consent.purpose = "email_marketing";
  consent.status = "granted";
  consent.at = now;
  consent.method = "email_confirmation";
  consent.actor = "person";
  consent.wording = "Subscribe again to our emails (confirmed from the link sent to this address)";
  consent.evidence = nlohmann::json{{"confirmation_sent_to", evidence.sent_to},
                                    {"link_expires_at", FormatIsoTime(evidence.link_expires)},
                                    {"confirmed_at", FormatIsoTime(now)},
                                    {"ip", evidence.ip},
                                    {"user_agent", evidence.user_agent}}
                         .dump();
  TANDEM_RETURN_IF_ERROR(txn.PutContactPrefs(prefs));
  TANDEM_RETURN_IF_ERROR(txn.AddConsent(consent));
  TANDEM_RETURN_IF_ERROR(session.Log(
      "resubscribed", Actor{},
      {{"how", "email_confirmation"}, {"choice", consent.wording}, {"sent_to", evidence.sent_to}}));
  return session.Save();
}

Status LeadEngine::Session::CountInboundTouch(const TouchRecord& touch) {
  const double points = engine_.contact_.inbound_touch_points;
  if (points == 0) return OkStatus();
  ScoreItem item;
  item.axis = ScoreAxis::kEngagement;
  item.rule = "inbound_" + touch.channel;
  item.points = points;
  item.at = touch.at;
  item.trait = fmt::format("touch=tch_{}", touch.id);
  TANDEM_RETURN_IF_ERROR(txn_.AddScoreItem(lead_.id, item));
  lead_.engagement_ref += EngagementRef(points, touch.at, now_, engine_.scoring_.half_life_days);
  return OkStatus();
}

}  // namespace tandem
