// LeadEngine: the SLA timers — the owner's reminder and the breach.
#include <fmt/format.h>

#include "core/time_format.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"

namespace tandem {

Status LeadEngine::FireSlaTimer(LeadTxn& txn, int64_t lead_id, TimePoint now) const {
  Session session(*this, txn, now);
  TANDEM_ASSIGN_OR_RETURN(bool exists, session.Load(lead_id));
  if (!exists) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(auto open, txn.OpenAssignment(lead_id));
  if (!open || open->first_touch_at || open->sla_breached_at || !open->sla_due_at) {
    return OkStatus();
  }
  AssignmentRecord a = *open;
  const Actor system;
  std::optional<UserRecord> owner = session.UserById(a.user_id);
  nlohmann::json owner_json = owner ? OwnerToJson(*owner) : nlohmann::json(UserIdText(a.user_id));
  const std::string lead_text = LeadIdText(lead_id);
  const std::string who = session.lead().name.empty() ? session.lead().email : session.lead().name;
  if (*a.sla_due_at <= now) {
    a.sla_breached_at = now;
    if (!a.sla_reminded_at) a.sla_reminded_at = now;
    TANDEM_RETURN_IF_ERROR(txn.UpdateAssignmentSla(a));
    session.lead().sla_breached_at = now;
    TANDEM_ASSIGN_OR_RETURN(auto managers, session.Managers(owner));
    nlohmann::json to = nlohmann::json::array();
    for (const UserRecord& m : managers) to.push_back(OwnerToJson(m));
    TANDEM_RETURN_IF_ERROR(session.Log(
        "sla_breached", system,
        {{"owner", owner_json}, {"due_at", FormatIsoTime(*a.sla_due_at)}, {"notified", to}}));
    TANDEM_RETURN_IF_ERROR(session.Emit(
        "lead.sla_breached",
        {{"owner", owner_json},
         {"due_at", FormatIsoTime(*a.sla_due_at)},
         {"action", sla_.on_breach},
         {"notify", to},
         {"subject", fmt::format("Missed follow-up: {} ({})", who, lead_text)},
         {"text",
          fmt::format("{} was due a first contact by {} at {} and has had none. {}", who,
                      owner ? owner->name : UserIdText(a.user_id), FormatIsoTime(*a.sla_due_at),
                      sla_.on_breach == "reassign"
                          ? "Tandem is giving the lead to the next available rep."
                          : "Please follow up or reassign it.")}},
        /*keep=*/true));
    if (sla_.on_breach == "reassign") {
      TANDEM_ASSIGN_OR_RETURN(bool moved, session.Reroute(a.user_id, system));
      (void)moved;
    }
    return session.Save();
  }
  if (a.sla_warn_at && *a.sla_warn_at <= now && !a.sla_reminded_at) {
    a.sla_reminded_at = now;
    TANDEM_RETURN_IF_ERROR(txn.UpdateAssignmentSla(a));
    TANDEM_RETURN_IF_ERROR(session.Log(
        "sla_reminder", system, {{"owner", owner_json}, {"due_at", FormatIsoTime(*a.sla_due_at)}}));
    nlohmann::json to = nlohmann::json::array();
    if (owner) to.push_back(OwnerToJson(*owner));
    TANDEM_RETURN_IF_ERROR(session.Emit(
        "lead.sla_warning",
        {{"owner", owner_json},
         {"due_at", FormatIsoTime(*a.sla_due_at)},
         {"notify", to},
         {"subject", fmt::format("Follow up with {} by {}", who, FormatIsoTime(*a.sla_due_at))},
         {"text", fmt::format("{} ({}) has not been contacted yet; the first contact is due by {}.",
                              who, lead_text, FormatIsoTime(*a.sla_due_at))}},
        /*keep=*/true));
    return session.Save();
  }
  return OkStatus();
}

StatusOr<std::vector<UserRecord>> LeadEngine::Session::Managers(
    const std::optional<UserRecord>& owner) {
  TANDEM_ASSIGN_OR_RETURN(const std::vector<UserRecord>* users, Users());
  std::vector<UserRecord> team, all, admins;
  for (const UserRecord& u : *users) {
    if (!u.active) continue;
    if (u.role == "sales_manager") {
      all.push_back(u);
      if (owner && !owner->team.empty() && u.team == owner->team) team.push_back(u);
    }
    if (u.role == "admin") admins.push_back(u);
  }
  if (!team.empty()) return team;
  if (!all.empty()) return all;
  return admins;
}

}  // namespace tandem
