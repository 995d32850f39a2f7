// SequenceRunner: moves every enrolment along as its steps come due.
//
// Every `sweep_every` it enrols the leads the active sequences' rules newly match and
// ends or pauses the enrolments whose leads did something that stops them; every round
// it runs one batch of due steps. A due step is looked at again inside its transaction: a
// lead that replied, met someone, was touched by sales, changed stage, unsubscribed or
// bounced leaves the sequence then instead; one out of office is paused until its
// return. An email step is rendered, checked and put through compliance and the gate
// like any email (EmailService::AdmitInTxn); a call step asks the gate whether the
// assignee may call now; a task is handed over. A refused step is recorded with its
// codes, and the enrolment goes on or pauses as the sequence says.
//
// Thread-safety: one thread at a time per runner; several runners (instances) may run
// at once: an enrolment's step is taken by moving it from the step it was at, once.
#pragma once

#include <map>
#include <optional>

#include "metrics/metrics.h"
#include "sequences/sequence_service.h"

namespace tandem {

class SequenceRunner {
 public:
  static constexpr size_t kBatch = 200;        // due steps taken at once
  static constexpr int64_t kAhead = 1000;      // most sequence emails waiting before more are taken
  static constexpr size_t kRuleBatch = 500;    // leads of a rule looked at at once
  static constexpr size_t kSweepBatch = 1000;  // enrolments the sweep looks at at once

  // `service`, `clock` and `metrics` must outlive the runner.
  SequenceRunner(const SequenceService& service, const Clock& clock, Metrics& metrics)
      : service_(service), clock_(clock), metrics_(metrics) {}

  // One round: the rules and the sweep when they are due, one batch of due steps.
  // Returns the enrolments made or moved and the steps run.
  StatusOr<size_t> RunDue();
  // Enrols the leads of `sequence`'s rule changed since it last looked.
  StatusOr<size_t> EnrolByRule(const Sequence& sequence, TimePoint now);
  // Ends or pauses the open enrolments whose leads stopped them; resumes the ones whose
  // pause is over. Returns the enrolments moved.
  StatusOr<size_t> Sweep(TimePoint now);
  // Runs one batch of due steps; returns the steps taken.
  StatusOr<size_t> RunSteps(TimePoint now);

 private:
  struct Batch;  // a batch of due steps and what they need
  StatusOr<bool> ApplyFact(SequenceTxn& txn, const Sequence& s, const Enrolment& e,
                           const ExitFact& fact, TimePoint now) const;
  Status RunStep(SequenceTxn& txn, Batch& batch, const Enrolment& e, TimePoint now) const;
  StatusOr<StepRun> RunEmail(SequenceTxn& txn, Batch& batch, const Sequence& s, const Enrolment& e,
                             const LeadRecord& lead, TimePoint now) const;
  StatusOr<StepRun> RunReminder(SequenceTxn& txn, Batch& batch, const Sequence& s,
                                const SequenceStep& step, const LeadRecord& lead,
                                TimePoint now) const;

  const SequenceService& service_;
  const Clock& clock_;
  Metrics& metrics_;
  std::optional<TimePoint> last_sweep_;
};

}  // namespace tandem
