// LeadEngine::Session: routing a lead to one owner, and the assignment records.
#include <fmt/format.h>

#include "core/time_format.h"
#include "leads/lead_json.h"
#include "leads/lead_session.h"
#include "routing/router.h"
#include "sla/business_hours.h"

namespace tandem {
namespace {

// The rotation key of a team; "" (every sales rep) has its own.
std::string RotationKey(const std::string& team) { return team.empty() ? "*" : team; }

nlohmann::json NotesToJson(const std::vector<CandidateNote>& notes) {
  nlohmann::json out = nlohmann::json::array();
  for (const CandidateNote& n : notes) {
    out.push_back({{"user", UserIdText(n.user_id)},
                   {"email", n.email},
                   {"eligible", n.eligible},
                   {"why", n.why}});
  }
  return out;
}

}  // namespace

Status LeadEngine::Session::Route(const Actor& actor) {
  if (lead_.owner_id && !exclude_) return OkStatus();  // an existing owner is kept
  nlohmann::json notes = nlohmann::json::array();
  const RoutingConfig& config = engine_.routing_;

  if (config.account_match && !lead_.account_domain.empty()) {
    TANDEM_ASSIGN_OR_RETURN(auto owner_id, txn_.FindAccountOwner(lead_.account_domain, lead_.id));
    if (owner_id && *owner_id != exclude_) {
      std::optional<UserRecord> owner = UserById(*owner_id);
      if (owner && owner->active && !owner->OutOfOfficeAt(now_)) {
        notes.push_back({{"user", UserIdText(owner->id)},
                         {"email", owner->email},
                         {"eligible", true},
                         {"why", "owns another lead at " + lead_.account_domain}});
        return Assign(*owner, "account_match",
                      fmt::format("owner of another lead at {}", lead_.account_domain), notes,
                      actor);
      }
      if (owner) {
        notes.push_back(
            {{"user", UserIdText(owner->id)},
             {"email", owner->email},
             {"eligible", false},
             {"why", fmt::format("owns another lead at {} but is {}", lead_.account_domain,
                                 owner->active ? "out_of_office" : "inactive")}});
      }
    }
  }

  TeamChoice choice = ChooseTeam(config, traits_);
  TANDEM_ASSIGN_OR_RETURN(bool assigned, RouteInTeam(choice.team, choice.rule, notes, actor));
  if (assigned) return OkStatus();
  if (!config.fallback_team.empty() && config.fallback_team != choice.team) {
    TANDEM_ASSIGN_OR_RETURN(assigned, RouteInTeam(config.fallback_team, "fallback", notes, actor));
    if (assigned) return OkStatus();
  }
  if (exclude_ && lead_.owner_id) {
    return Log("reassign_skipped", actor,
               {{"reason", "nobody else can take the lead now; the owner keeps it"},
                {"candidates", notes}});
  }
  lead_.queued = true;
  lead_.team = choice.team;
  return Log("queued", actor,
             {{"rule", choice.rule},
              {"team", choice.team},
              {"reason", "nobody in the team can take the lead now"},
              {"candidates", notes}});
}

StatusOr<bool> LeadEngine::Session::RouteInTeam(const std::string& team, const std::string& rule,
                                                nlohmann::json& notes, const Actor& actor) {
  TANDEM_ASSIGN_OR_RETURN(const std::vector<UserRecord>* users, Users());
  const std::string key = RotationKey(team);
  TANDEM_ASSIGN_OR_RETURN(auto passes, txn_.RoutingPasses(key));
  TANDEM_ASSIGN_OR_RETURN(double virtual_time, txn_.VirtualTime(key));
  std::vector<RoutingCandidate> candidates;
  std::vector<const UserRecord*> members;
  for (const UserRecord& u : *users) {
    if (u.role != "sales_rep" || (!team.empty() && u.team != team)) continue;
    if (exclude_ && u.id == *exclude_) {
      notes.push_back({{"user", UserIdText(u.id)},
                       {"email", u.email},
                       {"eligible", false},
                       {"why", "missed the follow-up SLA on this lead"}});
      continue;
    }
    RoutingCandidate c;
    c.user_id = u.id;
    c.email = u.email;
    c.capacity = u.capacity;
    c.active = u.active;
    c.out_of_office = u.OutOfOfficeAt(now_);
    if (c.active && !c.out_of_office) {
      TANDEM_ASSIGN_OR_RETURN(c.open_leads, txn_.CountOpenLeads(u.id));
    }
    for (const auto& [user_id, pass] : passes) {
      if (user_id == u.id) c.pass = pass;
    }
    candidates.push_back(c);
    members.push_back(&u);
  }
  RoundRobinPick pick = PickRoundRobin(candidates, virtual_time);
  for (auto& note : NotesToJson(pick.notes)) {
    note["team"] = team.empty() ? "(all sales reps)" : team;
    notes.push_back(std::move(note));
  }
  if (!pick.chosen) return false;
  const UserRecord& chosen = *members[*pick.chosen];
  TANDEM_RETURN_IF_ERROR(txn_.SetRoutingPass(key, chosen.id, pick.new_pass));
  TANDEM_RETURN_IF_ERROR(txn_.SetVirtualTime(key, pick.new_virtual_time));
  std::string reason = fmt::format("round robin by capacity in {}",
                                   team.empty() ? "all sales reps" : "team " + team);
  TANDEM_RETURN_IF_ERROR(Assign(chosen, rule, reason, notes, actor));
  return true;
}

Status LeadEngine::Session::Assign(const UserRecord& user, std::string_view rule,
                                   std::string_view reason, nlohmann::json candidates,
                                   const Actor& actor) {
  std::optional<int64_t> previous = lead_.owner_id;
  if (previous) {
    TANDEM_RETURN_IF_ERROR(
        txn_.EndAssignment(lead_.id, now_, fmt::format("reassigned: {}", reason)));
  }
  AssignmentRecord a;
  a.lead_id = lead_.id;
  a.user_id = user.id;
  a.rule = std::string(rule);
  a.reason = std::string(reason);
  a.candidates = candidates.dump();
  a.actor = actor.Name();
  a.started_at = now_;
  TANDEM_ASSIGN_OR_RETURN(std::optional<TimePoint> sla_from, StartSla(a, user));
  TANDEM_RETURN_IF_ERROR(txn_.StartAssignment(a));
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
  // The new owner hears why to call, in the same message the webhooks get.
  lead_.traits = traits_.dump();
  TANDEM_ASSIGN_OR_RETURN(BriefInput input, engine_.BriefInputFor(txn_, lead_, now_));
  nlohmann::json brief = BuildBrief(input);
  const std::string who = lead_.name.empty() ? lead_.email : lead_.name;
  extra["notify"] = nlohmann::json::array({OwnerToJson(user)});
  extra["subject"] =
      fmt::format("New lead for you: {} — {}", who, brief["why_now"]["text"].get<std::string>());
  extra["text"] = RenderBriefMarkdown(brief);
  extra["brief"] = std::move(brief);
  return Emit("lead.assigned", std::move(extra), /*keep=*/true);
}

Status LeadEngine::Session::Unassign(std::string_view reason, const Actor& actor) {
  if (!lead_.owner_id) return OkStatus();
  TANDEM_RETURN_IF_ERROR(txn_.EndAssignment(lead_.id, now_, reason));
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
  const SlaConfig& sla = engine_.sla_;
  // The gate as the new owner will meet it.
  LeadRecord owned = lead_;
  owned.owner_id = owner.id;
  owned.traits = traits_.dump();
  TANDEM_ASSIGN_OR_RETURN(ContactFacts facts, engine_.ContactFactsFor(txn_, owned, now_));
  facts.owner = owner;
  facts.open_assignment.reset();  // the one being started
  std::optional<TimePoint> gate_opens = EarliestOwnerContact(engine_.contact_, facts, owner, now_);
  const TimePoint from = gate_opens && *gate_opens > now_ ? *gate_opens : now_;
  const SlaTarget& target = lead_.priority == "hot"   ? sla.hot
                            : lead_.priority == "mql" ? sla.mql
                                                      : sla.other;
  WorkWeek week;
  week.start_minute = owner.hours_start;
  week.end_minute = owner.hours_end;
  week.days = sla.business_days;
  const TimeZone zone = TimeZone::Find(owner.timezone).value_or(TimeZone::Utc());
  const double minutes = target.minutes + target.days * static_cast<double>(week.DayMinutes());
  a.sla_due_at = AddBusinessMinutes(zone, week, from, minutes);
  a.sla_warn_at = AddBusinessMinutes(zone, week, from, minutes * sla.warning_at);
  lead_.sla_due_at = a.sla_due_at;
  lead_.sla_met_at.reset();
  lead_.sla_breached_at.reset();
  if (from > now_) return std::optional<TimePoint>(from);
  return std::optional<TimePoint>();
}

StatusOr<bool> LeadEngine::Session::Reroute(int64_t exclude, const Actor& actor) {
  exclude_ = exclude;
  Status routed = Route(actor);
  exclude_.reset();
  TANDEM_RETURN_IF_ERROR(routed);
  return lead_.owner_id != exclude;
}

}  // namespace tandem
