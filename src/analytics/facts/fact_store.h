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
  // A touchpoint already kept for its event is left as it is.
  virtual Status AddTouchpoint(const Touchpoint& touchpoint) = 0;
};

}  // namespace tandem
