// SlaScheduler: fires the follow-up SLA timers — the owner's reminder at the warning
// point, the breach at the deadline — as the store reports them due, and sends recycled
// leads whose revisit date came back to sales.
//
// FireDue(now) does one pass and is what tests drive with a manual clock; Start() runs
// passes on a thread every `period` with the clock's time. Each timer fires inside its
// own lead transaction that re-checks it, so a timer fires once even when passes
// overlap (or, with a shared database, run on several instances).
#pragma once

#include <concepts>
#include <thread>

#include "core/clock.h"
#include "core/wake_signal.h"
#include "leads/lead_engine.h"
#include "leads/lead_store.h"

namespace tandem {

class SlaScheduler {
 public:
  // Due leads come from `leads`, each timer fires in a transaction of `txns`.
  // Everything must outlive the scheduler.
  SlaScheduler(LeadListing& leads, LeadTxnSource& txns, const LeadEngine& engine,
               const Clock& clock)
      : leads_(leads), txns_(txns), engine_(engine), clock_(clock) {}
  // The same over a store that is both.
  template <typename S>
  requires std::derived_from<S, LeadListing> && std::derived_from<S, LeadTxnSource> SlaScheduler(
      S& store, const LeadEngine& engine, const Clock& clock)
      : SlaScheduler(static_cast<LeadListing&>(store), static_cast<LeadTxnSource&>(store), engine,
                     clock) {}
  ~SlaScheduler();  // Stop()s

  // Fires every timer due at `now` and every revisit; returns how many leads it looked
  // at.
  StatusOr<size_t> FireDue(TimePoint now);

  void Start(std::chrono::milliseconds period);
  void Stop();

 private:
  LeadListing& leads_;
  LeadTxnSource& txns_;
  const LeadEngine& engine_;
  const Clock& clock_;
  WakeSignal signal_;
  std::thread thread_;
};

}  // namespace tandem
