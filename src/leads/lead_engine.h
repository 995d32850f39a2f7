// LeadEngine: everything that changes a lead, applied inside a store transaction.
//
// The pipeline calls OnEvent for each processed event; the API calls the user actions
// (outcome, stage change, reassignment). Each step reads and writes through the LeadTxn
// it is given, so a lead's score, stage, owner, log and outbox messages change together
// or not at all. Policy (scoring, routing, webhooks) is configuration; the decisions
// themselves are the pure functions of scoring/, routing/ and leads/lifecycle.
//
// Invariant: a lead has at most one owner at any moment. Every assignment ends the
// previous one in the same transaction, and the store refuses a second open one.
//
// Thread-safety: immutable after construction; transactions serialize the writes.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "identity/identity.h"
#include "leads/lifecycle.h"
#include "store/store.h"

namespace tandem {

// Who does something: a user, or the system (rules, the pipeline).
struct Actor {
  std::optional<UserRecord> user;
  std::string Name() const;  // "user:<id>" or "system"
};

class LeadEngine {
 public:
  LeadEngine(ScoringConfig scoring, RoutingConfig routing, std::vector<WebhookConfig> webhooks);

  // Applies a processed event to its person's lead: creates the lead when the person
  // becomes one (an email, or traits.lead = true), folds leads of merged persons,
  // updates traits, attribution and scores, qualifies and routes.
  Status OnEvent(LeadTxn& txn, const StoredEvent& event, int64_t person_id, const StitchPlan& plan,
                 TimePoint now) const;

  // Recomputes a lead's traits, attribution and scores from its events under the
  // current rules; stage and owner stay.
  Status Rescore(LeadTxn& txn, int64_t lead_id, TimePoint now) const;

  // Records a sales disposition. REQUIRES: the actor may act on the lead.
  StatusOr<LeadRecord> RecordOutcome(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                     const Outcome& outcome, TimePoint now) const;
  // Moves a lead to another stage by hand, with a reason.
  StatusOr<LeadRecord> ChangeStage(LeadTxn& txn, int64_t lead_id, const Actor& actor, Stage to,
                                   std::string_view reason, std::optional<TimePoint> revisit_on,
                                   TimePoint now) const;
  // Edits traits by hand (merged into the current ones) and/or the priority.
  StatusOr<LeadRecord> EditLead(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                const nlohmann::json& traits, std::optional<std::string> priority,
                                TimePoint now) const;
  // Gives a lead to `user_id` (a manager's decision), ending the current assignment.
  StatusOr<LeadRecord> Reassign(LeadTxn& txn, int64_t lead_id, const Actor& actor, int64_t user_id,
                                std::string_view reason, TimePoint now) const;
  // Runs routing for a lead without an owner (e.g. from the queue).
  StatusOr<LeadRecord> RouteNow(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                TimePoint now) const;

  // The lead's score explained at `now`.
  StatusOr<ScoreExplanation> ExplainScore(std::vector<ScoreItem> items, TimePoint now) const;

  const ScoringConfig& scoring() const { return scoring_; }
  const RoutingConfig& routing() const { return routing_; }

 private:
  struct Applied;  // what one event changed
  class Session;   // one lead's changes within a transaction

  const ScoringConfig scoring_;
  const RoutingConfig routing_;
  const std::vector<WebhookConfig> webhooks_;

  friend class Session;
};

// A hash of the scoring policy; scores computed under another hash are stale.
std::string ScoringPolicyHash(const ScoringConfig& scoring);

}  // namespace tandem
