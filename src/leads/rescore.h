// Rescoring every lead under the current scoring rules, and knowing when it is due.
#pragma once

#include "core/clock.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem {

// Recomputes every lead (LeadEngine::Rescore), a batch of leads per transaction so
// ingest is not held up, then records the policy's hash. Returns how many leads.
StatusOr<size_t> RescoreAll(Store& store, const LeadEngine& engine, const Clock& clock);
// Whether the stored scores were computed under another scoring policy.
StatusOr<bool> RescoreNeeded(Store& store, const LeadEngine& engine);

}  // namespace tandem
