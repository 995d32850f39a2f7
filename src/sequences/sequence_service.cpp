#include "sequences/sequence_service.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "contact/gate.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"

namespace tandem {

using nlohmann::json;

std::string SequenceRef(int64_t id) { return fmt::format("sq_{}", id); }
std::string EnrolmentRef(int64_t id) { return fmt::format("en_{}", id); }

namespace {

Status Invalid(std::string message) { return Unprocessable("invalid_field", std::move(message)); }

bool IsManager(const UserRecord& u) {
  return u.role == Role::kAdmin || u.role == Role::kSalesManager;
}

}  // namespace

Status SequenceService::CheckMayEdit(const UserRecord& actor, const Sequence& s) {
  if (s.kind == SequenceKind::kNurture) {
    return Require(actor, Permission::kSendBroadcasts, "edit nurture sequences");
  }
  if (IsManager(actor) || (actor.role == Role::kSalesRep && s.owner_id == actor.id)) {
    return OkStatus();
  }
  return PermissionDenied(
      "forbidden",
      fmt::format("role {} may not edit another rep's one-to-one sequence", RoleName(actor.role)));
}

Status SequenceService::CheckSteps(const Sequence& s) const {
  if (s.steps.empty() || s.steps.size() > SequencesConfig::kMaxSteps) {
    return Invalid(fmt::format("steps must hold 1 to {} steps", SequencesConfig::kMaxSteps));
  }
  const Purpose wanted =
      s.kind == SequenceKind::kNurture ? Purpose::kEmailMarketing : Purpose::kSalesOutreach;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const SequenceStep& step = s.steps[i];
    const std::string where = fmt::format("steps[{}]", i);
    if (step.wait_days < 0 || step.wait_days > SequencesConfig::kMaxWaitDays) {
      return Invalid(fmt::format("{}.wait_days must be 0 to {} business days", where,
                                 SequencesConfig::kMaxWaitDays));
    }
    if (step.kind != StepKind::kEmail) {
      if (TrimSpace(step.note).empty() || step.note.size() > 2000) {
        return Invalid(fmt::format("{}.note must say what to do (1 to 2000 characters)", where));
      }
      if (!step.template_key.empty()) {
        return Invalid(fmt::format("{}.template is for email steps only", where));
      }
      continue;
    }
    ComposeRequest request;
    request.template_key = step.template_key;
    auto source = email_.Resolve(request);
    if (!source.ok())
      return Invalid(fmt::format("{}.template: {}", where, source.status().message()));
    if (source->purpose != wanted) {
      return Invalid(fmt::format("{}.template \"{}\" is for {}; a {} sequence sends {} templates",
                                 where, step.template_key, PurposeName(source->purpose),
                                 SequenceKindName(s.kind), PurposeName(wanted)));
    }
    if (Status bad = CheckStoredTemplate(*source); !bad.ok()) {
      return Invalid(fmt::format("{}.template: {}", where, bad.message()));
    }
  }
  return OkStatus();
}

StatusOr<Sequence> SequenceService::Save(Sequence s, const UserRecord& actor, TimePoint now) const {
  s.name = std::string(TrimSpace(s.name));
  if (s.name.empty() || s.name.size() > 200) return Invalid("name must be 1 to 200 characters");
  if (s.kind == SequenceKind::kOneToOne) {
    if (!s.owner_id) s.owner_id = actor.id;
    TANDEM_ASSIGN_OR_RETURN(auto owner, email_.stores().users.GetUser(*s.owner_id));
    if (!owner || !owner->active) {
      return Invalid(fmt::format("owner usr_{} is not an active user", *s.owner_id));
    }
    if (s.filter_id) {
      return Invalid("filter: a one-to-one sequence is enrolled into by hand, by its rep");
    }
  } else if (s.owner_id) {
    return Invalid("owner: a nurture sequence has no owner; one_to_one sequences do");
  }
  TANDEM_RETURN_IF_ERROR(CheckMayEdit(actor, s));
  if (s.filter_id) {
    TANDEM_ASSIGN_OR_RETURN(auto filter, email_.stores().email.GetFilter(*s.filter_id));
    if (!filter) return Invalid(fmt::format("filter flt_{} does not exist", *s.filter_id));
  }
  TANDEM_RETURN_IF_ERROR(CheckSteps(s));
  if (s.id != 0) {
    TANDEM_ASSIGN_OR_RETURN(Sequence before, GetOr404(s.id));
    TANDEM_RETURN_IF_ERROR(CheckMayEdit(actor, before));
    if (before.kind != s.kind) return Invalid("kind cannot change once a sequence is saved");
    s.created_by = before.created_by;
    s.created_at = before.created_at;
    // A new rule (or none) is looked at from the start again.
    s.enrolled_through = before.filter_id == s.filter_id ? before.enrolled_through : std::nullopt;
  } else {
    s.created_by = actor.id;
    s.created_at = now;
    s.enrolled_through.reset();
  }
  s.updated_at = now;
  return store_.PutSequence(s);
}

StatusOr<Sequence> SequenceService::GetOr404(int64_t id) const {
  TANDEM_ASSIGN_OR_RETURN(auto found, store_.GetSequence(id));
  if (!found)
    return NotFound("not_found", fmt::format("sequence {} does not exist", SequenceRef(id)));
  return std::move(*found);
}

Status SequenceService::CheckMayEnrol(const UserRecord& actor, const Sequence& s,
                                      const LeadRecord& lead) const {
  if (s.kind == SequenceKind::kNurture) return CheckCanWorkLead(actor, lead.id, lead.owner_id);
  if (!(IsManager(actor) || s.owner_id == actor.id)) {
    return PermissionDenied("forbidden",
                            fmt::format("only usr_{}, whose one-to-one sequence {} is, or a "
                                        "sales manager may enrol leads in it",
                                        s.owner_id.value_or(0), SequenceRef(s.id)));
  }
  if (lead.owner_id != s.owner_id) {
    return Unprocessable("not_owner",
                         fmt::format("lead ld_{} is not owned by usr_{}: a one-to-one sequence "
                                     "takes only its rep's own leads",
                                     lead.id, s.owner_id.value_or(0)));
  }
  return OkStatus();
}

StatusOr<TimePoint> SequenceService::DueFor(LeadTxn& txn, const LeadRecord& lead, TimePoint from,
                                            int wait_days) const {
  TANDEM_ASSIGN_OR_RETURN(ContactPrefs prefs, txn.GetContactPrefs(lead.id));
  json traits = json::parse(lead.traits, nullptr, false);
  if (!traits.is_object()) traits = json::object();
  const LeadZone zone = FindLeadZone(prefs, traits);
  return StepDueAt(zone.zone.value_or(TimeZone::Utc()), from, wait_days, config_.window);
}

StatusOr<std::optional<Enrolment>> SequenceService::EnrolInTxn(SequenceTxn& txn, const Sequence& s,
                                                               const LeadRecord& lead,
                                                               std::optional<int64_t> by,
                                                               TimePoint now) const {
  Enrolment e;
  e.sequence_id = s.id;
  e.lead_id = lead.id;
  e.state = EnrolmentState::kActive;
  TANDEM_ASSIGN_OR_RETURN(e.due_at, DueFor(txn, lead, now, s.steps.front().wait_days));
  e.enrolled_by = by;
  e.enrolled_at = now;
  e.updated_at = now;
  TANDEM_ASSIGN_OR_RETURN(auto id, txn.AddEnrolment(e));
  if (!id) return std::optional<Enrolment>();
  e.id = *id;
  LeadLogEntry entry;
  entry.lead_id = lead.id;
  entry.at = now;
  entry.kind = "sequence_enrolled";
  entry.actor = by ? "user:" + UserIdText(*by) : "rule:" + SequenceRef(s.id);
  entry.data = json{{"sequence_id", SequenceRef(s.id)},
                    {"sequence", s.name},
                    {"enrolment_id", EnrolmentRef(e.id)},
                    {"by", by ? "hand" : "rule"}}
                   .dump();
  TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  return std::optional<Enrolment>(std::move(e));
}

StatusOr<Enrolment> SequenceService::EnrolByHand(const Sequence& s, int64_t lead_id,
                                                 const UserRecord& actor, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(auto lead, email_.stores().leads.GetLead(lead_id));
  if (!lead) return NotFound("not_found", fmt::format("lead ld_{} does not exist", lead_id));
  TANDEM_RETURN_IF_ERROR(CheckMayEnrol(actor, s, *lead));
  if (s.state != SequenceState::kActive) {
    return Unprocessable("sequence_not_active",
                         fmt::format("sequence {} is {}: it takes no new enrolments",
                                     SequenceRef(s.id), SequenceStateName(s.state)));
  }
  TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginSequenceTxn());
  TANDEM_ASSIGN_OR_RETURN(auto e, EnrolInTxn(*txn, s, *lead, actor.id, now));
  if (!e) {
    return Conflict("already_enrolled", fmt::format("lead ld_{} is in sequence {} already", lead_id,
                                                    SequenceRef(s.id)));
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return std::move(*e);
}

StatusOr<bool> SequenceService::MoveInTxn(SequenceTxn& txn, const Sequence& s,
                                          const Enrolment& from, const Enrolment& to,
                                          std::string_view kind, const Actor& actor) const {
  TANDEM_ASSIGN_OR_RETURN(bool moved, txn.MoveEnrolment(to, from.state, from.next_step));
  if (!moved) return false;
  json data = {{"sequence_id", SequenceRef(s.id)},
               {"sequence", s.name},
               {"enrolment_id", EnrolmentRef(to.id)},
               {"state", EnrolmentStateName(to.state)}};
  if (!to.reason.empty()) data["reason"] = to.reason;
  if (!to.detail.empty()) data["detail"] = to.detail;
  if (to.paused_until) data["until"] = FormatIsoTime(*to.paused_until);
  LeadLogEntry entry;
  entry.lead_id = to.lead_id;
  entry.at = to.updated_at;
  entry.kind = std::string(kind);
  entry.actor = actor.Name();
  entry.data = data.dump();
  TANDEM_RETURN_IF_ERROR(txn.AppendLog(entry));
  return true;
}

StatusOr<Enrolment> SequenceService::Act(int64_t enrolment_id, Action action,
                                         const UserRecord& actor, TimePoint now) const {
  // The runner may move the enrolment between the read and the write: read it again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    TANDEM_ASSIGN_OR_RETURN(auto moved, TryAct(enrolment_id, action, actor, now));
    if (moved) return std::move(*moved);
  }
  return Conflict("conflict", fmt::format("enrolment {} keeps changing; try again",
                                          EnrolmentRef(enrolment_id)));
}

StatusOr<std::optional<Enrolment>> SequenceService::TryAct(int64_t enrolment_id, Action action,
                                                           const UserRecord& actor,
                                                           TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(auto found, store_.GetEnrolment(enrolment_id));
  if (!found) {
    return NotFound("not_found",
                    fmt::format("enrolment {} does not exist", EnrolmentRef(enrolment_id)));
  }
  const Enrolment& e = *found;
  TANDEM_ASSIGN_OR_RETURN(Sequence s, GetOr404(e.sequence_id));
  TANDEM_ASSIGN_OR_RETURN(auto lead, email_.stores().leads.GetLead(e.lead_id));
  if (!lead) return NotFound("not_found", fmt::format("lead ld_{} does not exist", e.lead_id));
  if (Status may = CheckMayEnrol(actor, s, *lead);
      !may.ok() && may.code() == StatusCode::kPermissionDenied) {
    return may;
  }
  const bool allowed = action == Action::kPause    ? e.state == EnrolmentState::kActive
                       : action == Action::kResume ? e.state == EnrolmentState::kPaused
                                                   : IsOpen(e.state);
  if (!allowed) {
    return Conflict("invalid_state", fmt::format("enrolment {} is {}", EnrolmentRef(e.id),
                                                 EnrolmentStateName(e.state)));
  }
  TANDEM_ASSIGN_OR_RETURN(auto txn, store_.BeginSequenceTxn());
  Enrolment to = e;
  to.updated_at = now;
  to.paused_until.reset();
  if (action == Action::kStop) {
    to.state = EnrolmentState::kExited;
    to.reason = "stopped";
    to.detail = fmt::format("usr_{}", actor.id);
    to.due_at.reset();
    to.ended_at = now;
  } else if (action == Action::kPause) {
    to.state = EnrolmentState::kPaused;
    to.reason = "paused";
    to.detail = fmt::format("usr_{}", actor.id);
  } else {
    to.state = EnrolmentState::kActive;
    to.reason.clear();
    to.detail.clear();
    TANDEM_ASSIGN_OR_RETURN(to.due_at, DueFor(*txn, *lead, now, 0));
  }
  const std::string_view kind = action == Action::kStop    ? "sequence_exited"
                                : action == Action::kPause ? "sequence_paused"
                                                           : "sequence_resumed";
  TANDEM_ASSIGN_OR_RETURN(bool moved, MoveInTxn(*txn, s, e, to, kind, Actor{actor, ""}));
  if (!moved) return std::optional<Enrolment>();
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  return std::optional<Enrolment>(std::move(to));
}

}  // namespace tandem
