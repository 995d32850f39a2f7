// LeadEngine: everything that changes a lead, applied inside a store transaction.
//
// The pipeline calls OnEvent for each processed event; the API calls the user actions
// (outcome, stage change, reassignment). Each step reads and writes through the LeadTxn
// it is given, so a lead's score, stage, owner, log and outbox messages change together
// or not at all. Policy (scoring, routing, webhooks) is configuration; the decisions
// themselves are the pure functions of scoring/, routing/ and leads/lifecycle. The
// engine decides when a lead is routed and what a due SLA timer does to it; who gets
// the lead is routing's (routing/routing_service.h), the timers are sla's
// (sla/sla_timers.h), and its messages go through the outbox (outbox/outbox_writer.h).
//
// Invariant: a lead has at most one owner at any moment. Every assignment ends the
// previous one in the same transaction, and the store refuses a second open one.
//
// Thread-safety: immutable after construction; transactions serialize the writes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contact/contact_policy.h"
#include "contact/contact_service.h"
#include "contact/gate.h"
#include "core/clock.h"
#include "identity/identity.h"
#include "leads/lead_store.h"
#include "leads/lifecycle.h"
#include "outbox/outbox_writer.h"
#include "routing/routing_service.h"
#include "scoring/scoring_config.h"
#include "sla/sla_timers.h"

namespace tandem {

// Who does something: a user, or the system (rules, the pipeline).
struct Actor {
  std::optional<UserRecord> user;
  // Without a user: the automation acting, as the lead's log names it ("inbound:in_…"
  // for a received email); "" for the system at large.
  std::string automation;
  std::string Name() const;  // "user:<id>", the automation, or "system"
};

// What recording a touch did to the lead (contact/contact_service.h has the touch's own
// types: TouchInput, PreferencesChange, OptOut, ResubscribeMail, ResubscribeEvidence).
struct TouchResult {
  ContactDecision decision;
  std::optional<TouchRecord> touch;  // set when the gate let it through
  LeadRecord lead;
};

// The lead as the contact domain sees it.
ContactSubject ContactSubjectOf(const LeadRecord& lead);

class LeadEngine;

// What a lead's new owner is told in the assignment notice: the handoff brief, its
// why-now line (the subject's) and the brief as Markdown.
struct OwnerBrief {
  nlohmann::json brief;
  std::string why_now;
  std::string text;
};
// Builds the OwnerBrief of a lead being assigned (where `lead` holds changes not
// written yet), read in `txn`. The brief sits above leads/, so the application hands
// it in (brief/brief_input.h: OwnerBriefFor); without one the notice names the lead
// only.
using OwnerBriefSource = std::function<StatusOr<OwnerBrief>(const LeadEngine& engine, LeadTxn& txn,
                                                            const LeadRecord& lead, TimePoint now)>;

// The scoring and routing rules in force, replaced whole when they change: whatever
// reads them holds one snapshot for its whole piece of work.
struct RulesInForce {
  ScoringConfig scoring;
  RoutingService router;
};

class LeadEngine {
 public:
  LeadEngine(ScoringConfig scoring, RoutingConfig routing, std::vector<WebhookConfig> webhooks,
             ContactConfig contact = {}, SlaConfig sla = {}, OwnerBriefSource owner_brief = {});

  // Applies a processed event to its person's lead: creates the lead when the person
  // becomes one (an email, or traits.lead = true), folds leads of merged persons,
  // updates traits, attribution and scores, qualifies and routes. Gives whether the
  // person is a lead now.
  StatusOr<bool> OnEvent(LeadTxn& txn, const StoredEvent& event, int64_t person_id,
                         const StitchPlan& plan, TimePoint now) const;

  // Recomputes a lead's traits, attribution and scores from its events under the
  // current rules; stage and owner stay.
  Status Rescore(LeadTxn& txn, int64_t lead_id, TimePoint now) const;
  // The lead clicked, opened or replied to an email (an EmailSignal, recorded in `txn`):
  // its engagement is counted again and it may qualify. A lead that is no more is left.
  Status OnEmailSignal(LeadTxn& txn, int64_t lead_id, TimePoint now) const;

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

  // Contact: the contact service (contacts()) checks and records, inside `txn`; these
  // load the lead, hand it over as a ContactSubject and apply what the contact does to
  // the lead — engagement for an inbound touch, the SLA met and contacted_at for the
  // first outbound one, the timeline, qualification — then save it.
  //
  // The contact gate's answer for a contact now, without recording anything.
  StatusOr<ContactDecision> CheckContact(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                         const TouchInput& input, TimePoint now) const;
  // Checks and records a touch in one step: the touch is recorded only when the gate
  // lets it through; a refusal is recorded for the reports. Commit either way.
  StatusOr<TouchResult> RecordTouch(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                    const TouchInput& input, TimePoint now) const;
  // A sales manager or admin confirms an inbound touch someone other than the owner
  // recorded: its engagement points are granted then, once (409 already_counted after).
  StatusOr<TouchRecord> ConfirmInboundTouch(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                            int64_t touch_id, TimePoint now) const;
  StatusOr<ContactPrefs> UpdatePreferences(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                           const PreferencesChange& change, TimePoint now) const;
  // Records a consent given or withdrawn. An import never re-grants a withdrawal.
  StatusOr<ConsentRecord> RecordConsent(LeadTxn& txn, int64_t lead_id, const Actor& actor,
                                        ConsentRecord consent, TimePoint now) const;
  // The person's own choice, from their unsubscribe link.
  Status ApplyOptOut(LeadTxn& txn, int64_t lead_id, OptOut choice, std::string_view how,
                     TimePoint now) const;
  // Someone on the person's preference page asked to subscribe again. Nothing changes
  // but the timeline: a confirmation message goes to the lead's address through the
  // outbox (to no webhook; the mailer sends it). False when there is no address, or one
  // was sent within the last 15 minutes (nothing is sent then).
  StatusOr<bool> RequestResubscribe(LeadTxn& txn, int64_t lead_id, const ResubscribeMail& mail,
                                    TimePoint now) const;
  // The person opened the confirmation sent to their address and confirmed: the
  // unsubscribe ends and a fresh email_marketing consent is recorded with its evidence.
  Status ConfirmResubscribe(LeadTxn& txn, int64_t lead_id, const ResubscribeEvidence& evidence,
                            TimePoint now) const;
  // A recycled lead's revisit date came: it is qualified again and routed (to its last
  // owner first). A lead no longer recycled, or whose date moved on, is left.
  Status Revisit(LeadTxn& txn, int64_t lead_id, TimePoint now) const;
  // Fires the lead's due SLA timer, if any: the reminder to the owner, or the breach
  // (managers notified; reassigned when the policy says so). Idempotent.
  Status FireSlaTimer(LeadTxn& txn, int64_t lead_id, TimePoint now) const;
  // The facts the gate decides on, read in `txn`.
  StatusOr<ContactFacts> ContactFactsFor(LeadTxn& txn, const LeadRecord& lead, TimePoint now) const;

  // The lead's score explained at `now`.
  StatusOr<ScoreExplanation> ExplainScore(std::vector<ScoreItem> items, TimePoint now) const;

  // The rules in force now. Thread-safe.
  std::shared_ptr<const RulesInForce> rules() const;
  // The scoring rules in force now (a part of rules()).
  std::shared_ptr<const ScoringConfig> scoring() const;
  // Puts new rules in force: what starts after this call uses them. Thread-safe.
  void SetRules(ScoringConfig scoring, RoutingConfig routing);
  const ContactConfig& contact() const { return contact_; }
  // The contact domain's operations, under this engine's contact policy.
  const ContactService& contacts() const { return contacts_; }
  const SlaConfig& sla() const { return sla_timers_.config(); }

 private:
  struct Applied;  // what one event changed
  class Session;   // one lead's changes within a transaction

  mutable std::mutex rules_mu_;
  std::shared_ptr<const RulesInForce> rules_;  // guarded by rules_mu_
  const OutboxWriter outbox_;
  const ContactConfig contact_;
  const SlaTimers sla_timers_;
  const OwnerBriefSource owner_brief_;
  const ContactService contacts_{contact_};

  friend class Session;
};

// A hash of the scoring policy; scores computed under another hash are stale.
std::string ScoringPolicyHash(const ScoringConfig& scoring);

}  // namespace tandem
