// LeadEngine: what a due SLA timer does to the lead — the owner's reminder, or the
// breach (managers told; the lead rerouted when the policy says so). Which timer is due
// is sla's decision (sla/sla_timers.h).
#include <fmt/format.h>

#include "core/time_format.h"
#include "core/zones.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"

namespace tandem {

Status LeadEngine::FireSlaTimer(LeadTxn& txn, int64_t lead_id, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(std::optional<DueSlaTimer> due, sla_timers_.Due(txn, lead_id, now));
  if (!due) return OkStatus();
  TANDEM_RETURN_IF_ERROR(sla_timers_.MarkFired(txn, *due, now));
  if (due->timer == SlaTimer::kBreach) {
    TANDEM_RETURN_IF_ERROR(session.SlaBreached(due->assignment));
  } else {
    TANDEM_RETURN_IF_ERROR(session.SlaReminder(due->assignment));
  }
  return session.Save();
}

namespace {

// The owner's zone, for the deadline in what people read (UTC without an owner).
TimeZone ZoneOf(const std::optional<UserRecord>& owner) {
  if (!owner) return TimeZone::Utc();
  return TimeZone::Find(owner->timezone).value_or(TimeZone::Utc());
}

}  // namespace

Status LeadEngine::Session::SlaBreached(const AssignmentRecord& a) {
  const Actor system;
  const SlaConfig& sla = engine_.sla_timers_.config();
  std::optional<UserRecord> owner = UserById(a.user_id);
  nlohmann::json owner_json = owner ? OwnerToJson(*owner) : nlohmann::json(UserIdText(a.user_id));
  const std::string who = lead_.name.empty() ? lead_.email : lead_.name;
  lead_.sla_breached_at = a.sla_breached_at;
  TANDEM_ASSIGN_OR_RETURN(const std::vector<UserRecord>* users, Users());
  nlohmann::json to = nlohmann::json::array();
  for (const UserRecord& m : SlaManagers(*users, owner)) to.push_back(OwnerToJson(m));
  TANDEM_RETURN_IF_ERROR(
      Log("sla_breached", system,
          {{"owner", owner_json}, {"due_at", FormatIsoTime(*a.sla_due_at)}, {"notified", to}}));
  TANDEM_RETURN_IF_ERROR(
      Emit("lead.sla_breached",
           {{"owner", owner_json},
            {"due_at", FormatIsoTime(*a.sla_due_at)},
            {"action", sla.on_breach},
            {"notify", to},
            {"subject", fmt::format("Missed follow-up: {}", who)},
            {"text", fmt::format("{} was due a first contact by {} at {} and has had none. {}", who,
                                 owner ? owner->name : "a user no longer here",
                                 LocalMinuteText(ZoneOf(owner), *a.sla_due_at),
                                 sla.on_breach == "reassign"
                                     ? "Tandem is giving the lead to the next available rep."
                                     : "Please follow up or reassign it.")}},
           /*keep=*/true));
  if (sla.on_breach == "reassign") {
    TANDEM_ASSIGN_OR_RETURN(bool moved, Reroute(a.user_id, system));
    (void)moved;
  }
  return OkStatus();
}

Status LeadEngine::Session::SlaReminder(const AssignmentRecord& a) {
  const Actor system;
  std::optional<UserRecord> owner = UserById(a.user_id);
  nlohmann::json owner_json = owner ? OwnerToJson(*owner) : nlohmann::json(UserIdText(a.user_id));
  const std::string who = lead_.name.empty() ? lead_.email : lead_.name;
  TANDEM_RETURN_IF_ERROR(Log("sla_reminder", system,
                             {{"owner", owner_json}, {"due_at", FormatIsoTime(*a.sla_due_at)}}));
  nlohmann::json to = nlohmann::json::array();
  if (owner) to.push_back(OwnerToJson(*owner));
  return Emit(
      "lead.sla_warning",
      {{"owner", owner_json},
       {"due_at", FormatIsoTime(*a.sla_due_at)},
       {"notify", to},
       {"subject",
        fmt::format("Follow up with {} by {}", who, LocalMinuteText(ZoneOf(owner), *a.sla_due_at))},
       {"text", fmt::format("{} has not been contacted yet; the first contact is due by {}.", who,
                            LocalMinuteText(ZoneOf(owner), *a.sla_due_at))}},
      /*keep=*/true);
}

}  // namespace tandem
