// The runner: takes each sending broadcast's next recipients as the sender drains them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/bulk_reads.h"
#include "core/random.h"
#include "email/broadcast_steps.h"
#include "email/broadcasts.h"
#include "email/experiment_arms.h"
#include "experiments/results.h"
#include "leads/lead_filter.h"
#include "metrics/metrics.h"

namespace tandem {
using namespace broadcast_steps;

StatusOr<size_t> BroadcastRunner::RunDue() {
  const TimePoint now = clock_.Now();
  EmailStore& store = service_.stores().email;
  TANDEM_ASSIGN_OR_RETURN(auto due, store.BroadcastsToRun(now));
  size_t taken = 0;
  for (Broadcast& b : due) {
    if (b.state == BroadcastState::kScheduled) {
      Broadcast started = b;
      started.state = BroadcastState::kSending;
      started.started_at = now;
      started.updated_at = now;
      TANDEM_ASSIGN_OR_RETURN(bool ok,
                              store.UpdateBroadcast(started, {BroadcastState::kScheduled}));
      if (!ok) continue;  // paused or cancelled meanwhile
      b = started;
    }
    auto step = Step(b, now);
    if (!step.ok()) {
      spdlog::error("broadcast bc_{}: {}", b.id, step.status().message());
      continue;
    }
    taken += *step;
  }
  return taken;
}

namespace {

constexpr std::string_view kTestPhase = "test";
constexpr std::string_view kWaitingPhase = "waiting";
constexpr std::string_view kRestPhase = "rest";

// The experiment a broadcast's test share belongs to.
StatusOr<Experiment> TestExperimentOf(const EmailService& service, const Broadcast& b) {
  TANDEM_ASSIGN_OR_RETURN(auto found,
                          service.stores().experiments.GetExperiment(*b.test_experiment_id));
  if (!found) {
    return Internal(
        fmt::format("broadcast bc_{}'s experiment ex_{} is gone", b.id, *b.test_experiment_id));
  }
  return std::move(*found);
}

// The arms to send, or none (the broadcast's own email) when a variant cannot be sent: a
// broken variant stops the experiment's part of the broadcast, not the broadcast.
EmailArms Sendable(const Broadcast& b, StatusOr<EmailArms> arms) {
  if (arms.ok()) return std::move(*arms);
  spdlog::error("broadcast bc_{}: {}", b.id, arms.status().message());
  return EmailArms{};
}

}  // namespace

// Which of the batch's leads go now, and with which email: without a test share, every
// lead with its arm (or the broadcast's own email); in the test phase the test share with
// its arms; in the rest phase the others with the winning arm's email, outside the
// experiment.
StatusOr<BroadcastRunner::Batch> BroadcastRunner::BatchOf(const Broadcast& b,
                                                          const BroadcastTemplate& tmpl,
                                                          std::vector<LeadRecord> leads) const {
  Batch batch;
  if (b.test_phase.empty()) {
    EmailArms arms =
        Sendable(b, EmailArmsFor(service_, ExperimentTarget{.broadcast_id = b.id}, tmpl.source));
    if (arms.experiment && arms.experiment->test_share < 1) {
      batch.start_test = arms.experiment->id;  // held back: the test share first
    } else {
      TANDEM_ASSIGN_OR_RETURN(batch.composed,
                              ComposeArmed(service_, leads, arms, tmpl.source, tmpl.compiled));
      batch.leads = std::move(leads);
    }
    return batch;
  }
  TANDEM_ASSIGN_OR_RETURN(Experiment e, TestExperimentOf(service_, b));
  const bool rest = b.test_phase == kRestPhase;
  for (LeadRecord& lead : leads) {
    if (InTestShare(e, std::to_string(lead.id)) != rest) batch.leads.push_back(std::move(lead));
  }
  if (batch.leads.empty()) return batch;
  EmailArms arms = Sendable(b, EmailArmsOf(service_, e, tmpl.source));
  if (rest && arms.arms.empty()) {
    // The winner can no longer be sent: the rest get the broadcast's own email.
    TANDEM_ASSIGN_OR_RETURN(batch.composed,
                            service_.ComposeEach(batch.leads, tmpl.source, tmpl.compiled));
    return batch;
  }
  if (rest) {
    const ArmTemplate& winner = arms.arms.at(b.rest_arm.value_or(0));
    TANDEM_ASSIGN_OR_RETURN(batch.composed,
                            service_.ComposeEach(batch.leads, winner.source, winner.compiled));
    return batch;
  }
  // The test share: its arms while the experiment runs, the broadcast's own email after.
  if (e.state != ExperimentState::kRunning) arms = EmailArms{};
  TANDEM_ASSIGN_OR_RETURN(batch.composed,
                          ComposeArmed(service_, batch.leads, arms, tmpl.source, tmpl.compiled));
  return batch;
}

// Moves a sending broadcast on to `next`; false when another runner or a person moved it
// meanwhile (paused or cancelled it).
StatusOr<bool> BroadcastRunner::Move(Broadcast next, TimePoint now) const {
  next.updated_at = now;
  return service_.stores().email.UpdateBroadcast(next, {BroadcastState::kSending});
}

// Waiting for the experiment's decision: the rest of the recipients get the winning arm
// once the verdict names one, or the control once the experiment stops without one.
StatusOr<size_t> BroadcastRunner::AwaitWinner(const Broadcast& b, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(Experiment e, TestExperimentOf(service_, b));
  TANDEM_ASSIGN_OR_RETURN(auto days, service_.stores().experiments.ExperimentDays(e.id));
  const std::optional<size_t> arm = RestArm(e, JudgeExperiment(e, days).verdict);
  if (!arm) return 0;
  Broadcast rest = b;
  rest.test_phase = std::string(kRestPhase);
  rest.rest_arm = *arm;
  rest.next_lead_id = 0;
  TANDEM_ASSIGN_OR_RETURN(bool moved, Move(rest, now));
  if (moved) {
    spdlog::info("broadcast bc_{}: the rest get variant \"{}\" of experiment ex_{}", b.id,
                 e.variants.at(*arm).key, e.id);
  }
  return 0;
}

StatusOr<size_t> BroadcastRunner::Step(const Broadcast& b, TimePoint now) {
  const BulkReads bulk;  // every recipient is read once: keep none of it mapped
  EmailStore& store = service_.stores().email;
  if (b.test_phase == kWaitingPhase) return AwaitWinner(b, now);
  TANDEM_ASSIGN_OR_RETURN(int64_t waiting, store.CountWaitingSends(b.id));
  if (waiting >= kAhead) return 0;
  TANDEM_ASSIGN_OR_RETURN(BroadcastTemplate tmpl, TemplateOf(service_, b));
  TANDEM_ASSIGN_OR_RETURN(auto leads, NextRecipients(service_, b, b.next_lead_id, kBatch, now));
  if (leads.empty()) {
    if (waiting > 0) return 0;
    Broadcast next = b;
    if (b.test_phase == kTestPhase) {
      next.test_phase = std::string(kWaitingPhase);  // the test share has it
    } else {
      next.state = BroadcastState::kDone;
      next.finished_at = now;
    }
    TANDEM_ASSIGN_OR_RETURN(bool moved, Move(next, now));
    if (moved && next.state == BroadcastState::kDone) spdlog::info("broadcast bc_{} is done", b.id);
    return 0;
  }
  const int64_t last = leads.back().id;
  // Rendered and checked before the transaction, which then only gates and writes.
  TANDEM_ASSIGN_OR_RETURN(Batch batch, BatchOf(b, tmpl, std::move(leads)));
  if (batch.start_test) {
    Broadcast test = b;
    test.test_phase = std::string(kTestPhase);
    test.test_experiment_id = batch.start_test;
    TANDEM_RETURN_IF_ERROR(Move(test, now).status());
    return 0;  // the next step takes the batch again, in the test phase
  }
  std::vector<std::string> refusals;
  TANDEM_ASSIGN_OR_RETURN(auto txn, store.BeginEmailTxn());
  // First, under the write lock: the batch is this runner's alone (rolled back if not).
  TANDEM_ASSIGN_OR_RETURN(bool mine, txn->AdvanceBroadcastCursor(b.id, b.next_lead_id, last, now));
  if (!mine) return 0;
  const AdmitAs as{.kind = SendKind::kBroadcast,
                   .actor = Actor{},
                   .user_id = b.created_by,
                   .broadcast_id = b.id};
  for (size_t i = 0; i < batch.leads.size(); ++i) {
    TANDEM_ASSIGN_OR_RETURN(Admission a,
                            service_.AdmitInTxn(*txn, batch.leads[i], batch.composed[i], as, now));
    refusals.insert(refusals.end(), a.refused.begin(), a.refused.end());
  }
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  for (const std::string& code : refusals) metrics_.email_refused.Increment({code});
  return batch.leads.size();
}

}  // namespace tandem
