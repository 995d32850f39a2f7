// What writing the analytics facts asks of the store: inside the transaction that
// moves a lead (its stage transitions) or processes an event (its touchpoint), so a
// fact exists exactly when what it records does.
#pragma once

#include "analytics/facts/stage_transition.h"
#include "analytics/facts/touchpoint.h"
#include "core/status.h"

namespace tandem {

// Inside a lead transaction.
class StageTransitionWrites {
 public:
  virtual ~StageTransitionWrites() = default;
  virtual Status AddStageTransition(const StageTransition& transition) = 0;
};

// Inside the pipeline's processing transaction.
class TouchpointWrites {
 public:
  virtual ~TouchpointWrites() = default;
  // A touchpoint already kept for its event is left as it is. Only the touchpoints of
  // persons who have a lead are kept (the reports read no other): one whose person has
  // none is not, and a lead's creation keeps those of its person's events so far.
  virtual Status AddTouchpoint(const Touchpoint& touchpoint) = 0;
  // Whether the store keeps touchpoints at all (StoreOptions::keep_reports): when it does
  // not, a writer need not derive them.
  virtual bool KeepsTouchpoints() const = 0;
};

}  // namespace tandem
