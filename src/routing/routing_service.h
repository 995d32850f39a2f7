// RoutingService: who owns a lead, decided and recorded in the lead's transaction.
//
// The lead's lifecycle (leads/) decides when a lead is routed; this service decides who
// gets it — the owner of another lead at the same account, else round robin by capacity
// in the team the rules choose, else in the fallback team — over the users and the
// teams' rotation state (RoutingWrites), with the pure decisions of routing/router.h.
// It also opens and ends the assignment rows that say who owns a lead and since when.
//
// Thread-safety: immutable after construction; the transaction serializes the writes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "core/status.h"
#include "routing/assignment.h"
#include "routing/router.h"
#include "routing/routing_store.h"

namespace tandem {

// The lead being routed, as routing sees it.
struct RoutingSubject {
  int64_t lead_id = 0;
  std::string account_domain;
  nlohmann::json traits = nlohmann::json::object();
  // A user who must not get the lead (its owner after a missed SLA).
  std::optional<int64_t> exclude;
  // Who owned the lead before it went back to nurture: it returns to them first when
  // they can still take it (an active sales rep, in the office, below capacity).
  std::optional<int64_t> previous_owner;
};

// One candidate considered, for the assignment's record; `team` is set for the
// candidates of a round robin ("(all sales reps)" for every sales rep).
struct RoutingNote {
  CandidateNote note;
  std::optional<std::string> team;
};

struct RoutingDecision {
  std::optional<UserRecord> owner;  // empty: nobody can take the lead now
  std::string rule;                 // the rule that chose the owner (or the team)
  std::string team;                 // the team the rules chose ("" = every sales rep)
  std::string reason;               // why the owner was chosen
  std::vector<RoutingNote> candidates;
};

class RoutingService {
 public:
  explicit RoutingService(RoutingConfig config) : config_(std::move(config)) {}

  // Chooses the lead's owner among `users`. When a round robin chose, the team's
  // rotation has moved on in `txn`; the caller assigns the owner in the same
  // transaction.
  StatusOr<RoutingDecision> Route(RoutingWrites& txn, std::span<const UserRecord> users,
                                  const RoutingSubject& lead, TimePoint now) const;

  // A new assignment of `lead_id` to `owner` (not yet written): its SLA timers are
  // still to be set (sla/sla_timers.h).
  static AssignmentRecord NewAssignment(int64_t lead_id, const UserRecord& owner,
                                        std::string_view rule, std::string_view reason,
                                        std::string candidates, std::string actor, TimePoint now);
  // Ends the lead's open assignment, if any, with `reason`.
  static Status EndAssignment(RoutingWrites& txn, int64_t lead_id, TimePoint now,
                              std::string_view reason);
  // Opens `assignment`; fails with a conflict when the lead has an open one.
  static Status StartAssignment(RoutingWrites& txn, const AssignmentRecord& assignment);

  const RoutingConfig& config() const { return config_; }

 private:
  // Round robin within `team` ("" = every sales rep); sets decision.owner when a rep
  // can take the lead.
  Status RouteInTeam(RoutingWrites& txn, std::span<const UserRecord> users,
                     const RoutingSubject& lead, const std::string& team, const std::string& rule,
                     TimePoint now, RoutingDecision& decision) const;

  const RoutingConfig config_;
};

// Who hears about a missed SLA: the active managers of the owner's team, else every
// active sales manager, else the active admins.
std::vector<UserRecord> SlaManagers(std::span<const UserRecord> users,
                                    const std::optional<UserRecord>& owner);

}  // namespace tandem
