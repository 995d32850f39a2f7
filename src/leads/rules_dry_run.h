// What new scoring and routing rules would change, before they are saved: each lead's
// score recomputed under the new rules inside a transaction that is rolled back, and the
// team each lead's traits choose under the old rules and the new.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "leads/lead_engine.h"
#include "leads/lead_store.h"

namespace tandem {

struct RuleChange {
  LeadRecord lead;  // as it is now
  double fit_before = 0, engagement_before = 0;
  double fit_after = 0, engagement_after = 0;
  // A lead not yet qualified whose new score reaches the MQL thresholds: it becomes an
  // MQL (and is routed) at its next activity.
  bool qualifies = false;
  TeamChoice team_before, team_after;  // the team routing would choose, and by which rule
};

struct RulesDryRun {
  size_t leads = 0;                 // every lead
  size_t examined = 0;              // the newest `limit` of them
  std::vector<RuleChange> changes;  // leads whose score, qualification or team changes
};

// Compares `candidate`'s rules with `live`'s over the newest `limit` leads. Writes
// nothing: every transaction it opens is rolled back.
StatusOr<RulesDryRun> DryRunRules(LeadListing& leads, LeadTxnSource& txns, const LeadEngine& live,
                                  const LeadEngine& candidate, TimePoint now, size_t limit);

}  // namespace tandem
