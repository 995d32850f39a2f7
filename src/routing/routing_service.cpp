#include "routing/routing_service.h"

#include <fmt/format.h>

namespace tandem {
namespace {

// The rotation key of a team; "" (every sales rep) has its own.
std::string RotationKey(const std::string& team) { return team.empty() ? "*" : team; }

const UserRecord* FindUser(std::span<const UserRecord> users, int64_t id) {
  for (const UserRecord& u : users) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

RoutingNote Note(const UserRecord& user, bool eligible, std::string why) {
  return RoutingNote{CandidateNote{user.id, user.email, eligible, std::move(why)}, std::nullopt};
}

// The owner of another lead at the lead's account, when it can take this one too.
std::optional<UserRecord> AccountOwner(std::span<const UserRecord> users, int64_t owner_id,
                                       const RoutingSubject& lead, TimePoint now,
                                       RoutingDecision& decision) {
  const UserRecord* owner = FindUser(users, owner_id);
  if (owner == nullptr) return std::nullopt;
  if (owner->active && !owner->OutOfOfficeAt(now)) {
    decision.candidates.push_back(
        Note(*owner, true, "owns another lead at " + lead.account_domain));
    return *owner;
  }
  decision.candidates.push_back(
      Note(*owner, false,
           fmt::format("owns another lead at {} but is {}", lead.account_domain,
                       owner->active ? "out_of_office" : "inactive")));
  return std::nullopt;
}

// The rep who owned a lead that came back from nurture, when they can take it again.
StatusOr<std::optional<UserRecord>> PreviousOwner(RoutingWrites& txn,
                                                  std::span<const UserRecord> users,
                                                  const RoutingSubject& lead, TimePoint now,
                                                  RoutingDecision& decision) {
  const UserRecord* owner = FindUser(users, *lead.previous_owner);
  if (owner == nullptr || owner->role != Role::kSalesRep) return std::optional<UserRecord>();
  std::string why;
  if (!owner->active) {
    why = "owned it before it was recycled but is inactive";
  } else if (owner->OutOfOfficeAt(now)) {
    why = "owned it before it was recycled but is out_of_office";
  } else {
    TANDEM_ASSIGN_OR_RETURN(int open, txn.CountOpenLeads(owner->id));
    if (open >= owner->capacity) {
      why = fmt::format("owned it before it was recycled but is at capacity ({} of {})", open,
                        owner->capacity);
    }
  }
  decision.candidates.push_back(
      Note(*owner, why.empty(), why.empty() ? "owned it before it was recycled" : why));
  if (!why.empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(*owner);
}

}  // namespace

StatusOr<RoutingDecision> RoutingService::Route(RoutingWrites& txn,
                                                std::span<const UserRecord> users,
                                                const RoutingSubject& lead, TimePoint now) const {
  RoutingDecision decision;
  if (config_.account_match && !lead.account_domain.empty()) {
    TANDEM_ASSIGN_OR_RETURN(auto owner_id, txn.FindAccountOwner(lead.account_domain, lead.lead_id));
    std::optional<UserRecord> owner;
    if (owner_id && *owner_id != lead.exclude) {
      owner = AccountOwner(users, *owner_id, lead, now, decision);
    }
    if (owner) {
      decision.owner = std::move(owner);
      decision.rule = "account_match";
      decision.reason = fmt::format("owner of another lead at {}", lead.account_domain);
      return decision;
    }
  }
  if (lead.previous_owner && lead.previous_owner != lead.exclude) {
    TANDEM_ASSIGN_OR_RETURN(auto owner, PreviousOwner(txn, users, lead, now, decision));
    if (owner) {
      decision.owner = std::move(owner);
      decision.rule = "previous_owner";
      decision.reason = "owned the lead before it went back to nurture";
      return decision;
    }
  }
  TeamChoice choice = ChooseTeam(config_, lead.traits);
  decision.rule = choice.rule;
  decision.team = choice.team;
  TANDEM_RETURN_IF_ERROR(RouteInTeam(txn, users, lead, choice.team, choice.rule, now, decision));
  if (decision.owner) return decision;
  if (!config_.fallback_team.empty() && config_.fallback_team != choice.team) {
    TANDEM_RETURN_IF_ERROR(
        RouteInTeam(txn, users, lead, config_.fallback_team, "fallback", now, decision));
    if (decision.owner) return decision;
  }
  return decision;
}

Status RoutingService::RouteInTeam(RoutingWrites& txn, std::span<const UserRecord> users,
                                   const RoutingSubject& lead, const std::string& team,
                                   const std::string& rule, TimePoint now,
                                   RoutingDecision& decision) const {
  const std::string key = RotationKey(team);
  TANDEM_ASSIGN_OR_RETURN(auto passes, txn.RoutingPasses(key));
  TANDEM_ASSIGN_OR_RETURN(double virtual_time, txn.VirtualTime(key));
  std::vector<RoutingCandidate> candidates;
  std::vector<const UserRecord*> members;
  for (const UserRecord& u : users) {
    if (u.role != Role::kSalesRep || (!team.empty() && u.team != team)) continue;
    if (lead.exclude && u.id == *lead.exclude) {
      decision.candidates.push_back(Note(u, false, "missed the follow-up SLA on this lead"));
      continue;
    }
    RoutingCandidate c;
    c.user_id = u.id;
    c.email = u.email;
    c.capacity = u.capacity;
    c.active = u.active;
    c.out_of_office = u.OutOfOfficeAt(now);
    if (c.active && !c.out_of_office) {
      TANDEM_ASSIGN_OR_RETURN(c.open_leads, txn.CountOpenLeads(u.id));
    }
    for (const auto& [user_id, pass] : passes) {
      if (user_id == u.id) c.pass = pass;
    }
    candidates.push_back(c);
    members.push_back(&u);
  }
  RoundRobinPick pick = PickRoundRobin(candidates, virtual_time);
  for (CandidateNote& note : pick.notes) {
    decision.candidates.push_back({std::move(note), team.empty() ? "(all sales reps)" : team});
  }
  if (!pick.chosen) return OkStatus();
  const UserRecord& chosen = *members[*pick.chosen];
  TANDEM_RETURN_IF_ERROR(txn.SetRoutingPass(key, chosen.id, pick.new_pass));
  TANDEM_RETURN_IF_ERROR(txn.SetVirtualTime(key, pick.new_virtual_time));
  decision.owner = chosen;
  decision.rule = rule;
  decision.reason = fmt::format("round robin by capacity in {}",
                                team.empty() ? "all sales reps" : "team " + team);
  return OkStatus();
}

AssignmentRecord RoutingService::NewAssignment(int64_t lead_id, const UserRecord& owner,
                                               std::string_view rule, std::string_view reason,
                                               std::string candidates, std::string actor,
                                               TimePoint now) {
  AssignmentRecord a;
  a.lead_id = lead_id;
  a.user_id = owner.id;
  a.rule = std::string(rule);
  a.reason = std::string(reason);
  a.candidates = std::move(candidates);
  a.actor = std::move(actor);
  a.started_at = now;
  return a;
}

Status RoutingService::EndAssignment(RoutingWrites& txn, int64_t lead_id, TimePoint now,
                                     std::string_view reason) {
  return txn.EndAssignment(lead_id, now, reason);
}

Status RoutingService::StartAssignment(RoutingWrites& txn, const AssignmentRecord& assignment) {
  return txn.StartAssignment(assignment);
}

std::vector<UserRecord> SlaManagers(std::span<const UserRecord> users,
                                    const std::optional<UserRecord>& owner) {
  std::vector<UserRecord> team, all, admins;
  for (const UserRecord& u : users) {
    if (!u.active) continue;
    if (u.role == Role::kSalesManager) {
      all.push_back(u);
      if (owner && !owner->team.empty() && u.team == owner->team) team.push_back(u);
    }
    if (u.role == Role::kAdmin) admins.push_back(u);
  }
  if (!team.empty()) return team;
  if (!all.empty()) return all;
  return admins;
}

}  // namespace tandem
