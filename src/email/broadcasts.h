// Broadcasts: a marketing email to the leads of a saved filter.
//
// A broadcast is drafted (a template version and a filter), then scheduled for a time
// or started now; it can be paused, resumed and cancelled. While it sends, the runner
// takes its recipients from the filter in lead id order, a batch at a time and only as
// fast as the sender drains them, so a recipient who unsubscribes after the start is
// still respected. Each recipient's message is rendered, checked and put through the
// compliance rules and the contact gate at that moment (EmailService); a recipient it
// may not go to gets a refused send with the reasons, never silently dropped. When the
// filter has no more leads and nothing waits, the broadcast is done.
//
// Thread-safety: the functions are; a runner is used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "email/broadcast_steps.h"
#include "email/email_service.h"

namespace tandem {

struct Metrics;

// Who is in a broadcast's audience right now, without sending: each lead of the filter
// either included or excluded with its reasons (render problems, the check's errors,
// compliance, the gate).
struct AudienceCount {
  int64_t leads = 0;
  int64_t included = 0;
  std::map<std::string, int64_t> excluded_by_reason;  // a lead counts under each reason
  int64_t excluded = 0;
};

// A new draft: 422 when the template is not a marketing template or has problems, or
// the filter does not exist or no longer parses.
StatusOr<Broadcast> DraftBroadcast(const EmailService& service, Broadcast draft, TimePoint now);
// State changes, each from the states it makes sense in (409 otherwise, naming both):
// schedule (draft, paused → scheduled at `at`, or sending when `at` is not after now),
// pause (scheduled, sending), resume (paused → sending), cancel (draft, scheduled,
// sending, paused; its waiting sends are cancelled).
StatusOr<Broadcast> ScheduleBroadcast(EmailStore& store, int64_t id, TimePoint at, TimePoint now);
StatusOr<Broadcast> PauseBroadcast(EmailStore& store, int64_t id, TimePoint now);
StatusOr<Broadcast> ResumeBroadcast(EmailStore& store, int64_t id, TimePoint now);
StatusOr<Broadcast> CancelBroadcast(EmailStore& store, int64_t id, TimePoint now);
StatusOr<Broadcast> GetBroadcastOr404(EmailStore& store, int64_t id);

// Counts the audience of `broadcast` at `now` (reads only; the gate's facts are read in
// transactions that are rolled back).
StatusOr<AudienceCount> CountAudience(const EmailService& service, const Broadcast& broadcast,
                                      TimePoint now);

class BroadcastRunner {
 public:
  static constexpr size_t kBatch = 200;    // recipients taken at once
  static constexpr int64_t kAhead = 1000;  // most sends waiting before more are taken

  // `service`, `clock` and `metrics` must outlive the runner.
  BroadcastRunner(const EmailService& service, const Clock& clock, Metrics& metrics)
      : service_(service), clock_(clock), metrics_(metrics) {}

  // One step of every broadcast due now; returns the recipients taken.
  StatusOr<size_t> RunDue();
  // Takes `broadcast`'s next recipients (when few of its sends wait) or finishes it. A
  // broadcast whose experiment holds a share back sends the test share, waits for the
  // experiment's decision, then sends the rest the winning arm (Broadcast::test_phase).
  StatusOr<size_t> Step(const Broadcast& broadcast, TimePoint now);

 private:
  struct Batch {
    std::vector<LeadRecord> leads;  // those who go now
    std::vector<Composition> composed;
    std::optional<int64_t> start_test;  // a test share to begin first: its experiment
  };
  StatusOr<Batch> BatchOf(const Broadcast& b, const broadcast_steps::BroadcastTemplate& tmpl,
                          std::vector<LeadRecord> leads) const;
  StatusOr<bool> Move(Broadcast next, TimePoint now) const;
  StatusOr<size_t> AwaitWinner(const Broadcast& b, TimePoint now) const;

  const EmailService& service_;
  const Clock& clock_;
  Metrics& metrics_;
};

}  // namespace tandem
