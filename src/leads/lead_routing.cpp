// LeadEngine::Session: when a lead is routed and what its assignment changes on the
// lead — its owner, its SLA clock, its log and the new owner's notice. Who gets the
// lead is routing's decision (routing/routing_service.h); the timers are sla's
// (sla/sla_timers.h).
#include <fmt/format.h>

#include "core/time_format.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"

namespace tandem {
namespace {

nlohmann::json NotesToJson(const std::vector<RoutingNote>& notes) {
  nlohmann::json out = nlohmann::json::array();
  for (const RoutingNote& n : notes) {
    nlohmann::json note = {{"user", UserIdText(n.note.user_id)},
                           {"email", n.note.email},
                           {"eligible", n.note.eligible},
                           {"why", n.note.why}};
    if (n.team) note["team"] = *n.team;
    out.push_back(std::move(note));
  }
  return out;
}

}  // namespace

Status LeadEngine::Session::Route(const Actor& actor) {
  if (lead_.owner_id && !exclude_) return OkStatus();  // an existing owner is kept
  TANDEM_ASSIGN_OR_RETURN(const std::vector<UserRecord>* users, Users());
  RoutingSubject subject{lead_.id, lead_.account_domain, traits_, exclude_, std::nullopt};
  if (returning_) {
    // Back from nurture: the rep who had it last, when they still can.
    TANDEM_ASSIGN_OR_RETURN(auto assignments, txn_.ListAssignments(lead_.id));  // oldest first
    if (!assignments.empty()) subject.previous_owner = assignments.back().user_id;
  }
  TANDEM_ASSIGN_OR_RETURN(RoutingDecision decision,
                          rules_->router.Route(txn_, *users, subject, now_));
  nlohmann::json notes = NotesToJson(decision.candidates);
  if (decision.owner) {
    return Assign(*decision.owner, decision.rule, decision.reason, std::move(notes), actor);
  }
  if (exclude_ && lead_.owner_id) {
    return Log("reassign_skipped", actor,
               {{"reason", "nobody else can take the lead now; the owner keeps it"},
                {"candidates", notes}});
  }
  lead_.queued = true;
  lead_.team = decision.team;
  return Log("queued", actor,
             {{"rule", decision.rule},
              {"team", decision.team},
              {"reason", "nobody in the team can take the lead now"},
              {"candidates", notes}});
}

Status LeadEngine::Session::Assign(const UserRecord& user, std::string_view rule,
                                   std::string_view reason, nlohmann::json candidates,
                                   const Actor& actor) {
  std::optional<int64_t> previous = lead_.owner_id;
  if (previous) {
    TANDEM_RETURN_IF_ERROR(
        RoutingService::EndAssignment(txn_, lead_.id, now_, fmt::format("reassigned: {}", reason)));
  }
  AssignmentRecord a = RoutingService::NewAssignment(lead_.id, user, rule, reason,
                                                     candidates.dump(), actor.Name(), now_);
  TANDEM_ASSIGN_OR_RETURN(std::optional<TimePoint> sla_from, StartSla(a, user));
  TANDEM_RETURN_IF_ERROR(RoutingService::StartAssignment(txn_, a));
  lead_.owner_id = user.id;
  lead_.team = user.team;
  lead_.queued = false;
  nlohmann::json data = {{"owner", UserIdText(user.id)},
                         {"rule", rule},
                         {"reason", reason},
                         {"candidates", candidates}};
  if (previous) data["previous_owner"] = UserIdText(*previous);
  data["sla_due_at"] = FormatIsoTime(*a.sla_due_at);
  if (sla_from) data["sla_counts_from"] = FormatIsoTime(*sla_from);
  TANDEM_RETURN_IF_ERROR(Log("assigned", actor, data));
  nlohmann::json extra = {{"rule", rule}, {"reason", reason}};
  if (previous) extra["previous_owner"] = OwnerToJson(UserById(*previous));
  TANDEM_RETURN_IF_ERROR(AddOwnerNotice(user, extra));
  return Emit("lead.assigned", std::move(extra), /*keep=*/true);
}

Status LeadEngine::Session::AddOwnerNotice(const UserRecord& owner, nlohmann::json& extra) {
  // The new owner hears why to call, in the same message the webhooks get.
  lead_.traits = traits_.dump();
  const std::string who = lead_.name.empty() ? lead_.email : lead_.name;
  extra["notify"] = nlohmann::json::array({OwnerToJson(owner)});
  if (!engine_.owner_brief_) {
    extra["subject"] = fmt::format("New lead for you: {}", who);
    return OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(OwnerBrief brief, engine_.owner_brief_(engine_, txn_, lead_, now_));
  extra["subject"] = fmt::format("New lead for you: {} — {}", who, brief.why_now);
  extra["text"] = std::move(brief.text);
  extra["brief"] = std::move(brief.brief);
  return OkStatus();
}

Status LeadEngine::Session::Unassign(std::string_view reason, const Actor& actor) {
  if (!lead_.owner_id) return OkStatus();
  TANDEM_RETURN_IF_ERROR(RoutingService::EndAssignment(txn_, lead_.id, now_, reason));
  TANDEM_RETURN_IF_ERROR(Log(
      "unassigned", actor, {{"previous_owner", UserIdText(*lead_.owner_id)}, {"reason", reason}}));
  lead_.owner_id.reset();
  lead_.queued = false;
  // Without an owner no SLA clock runs; each assignment keeps its own record.
  lead_.sla_due_at.reset();
  lead_.sla_met_at.reset();
  lead_.sla_breached_at.reset();
  return OkStatus();
}

StatusOr<std::optional<TimePoint>> LeadEngine::Session::StartSla(AssignmentRecord& a,
                                                                 const UserRecord& owner) {
  // The gate as the new owner will meet it.
  LeadRecord owned = lead_;
  owned.owner_id = owner.id;
  owned.traits = traits_.dump();
  TANDEM_ASSIGN_OR_RETURN(ContactFacts facts, engine_.ContactFactsFor(txn_, owned, now_));
  std::optional<TimePoint> from =
      engine_.sla_timers_.Start(a, lead_.priority, std::move(facts), owner, now_);
  lead_.sla_due_at = a.sla_due_at;
  lead_.sla_met_at.reset();
  lead_.sla_breached_at.reset();
  return from;
}

StatusOr<bool> LeadEngine::Session::Reroute(int64_t exclude, const Actor& actor) {
  exclude_ = exclude;
  Status routed = Route(actor);
  exclude_.reset();
  TANDEM_RETURN_IF_ERROR(routed);
  return lead_.owner_id != exclude;
}

}  // namespace tandem
