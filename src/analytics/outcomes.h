// The outcomes report: why leads left sales — rejected, lost, recycled, disqualified —
// and the reason given, counted per value of one dimension over the date range in
// which they were recorded, so marketing sees which keyword, form or source brings
// students, competitors or no budget. Each reason's share of its group's outcomes comes
// with its 95% Wilson interval and the share it has over all groups; groups with fewer
// outcomes than `min_group` are flagged as small and listed after the ranked ones, by
// name, rather than ranked on noise. Pure; the store counts, this builds.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/funnel.h"

namespace tandem {

struct OutcomeQuery {
  // from, to: when the outcome was recorded; by; owner_id: outcomes on the leads this
  // user owns or that this user recorded. A group by rep is the user who recorded it.
  FunnelQuery scope;
  int64_t min_group = 20;  // fewer outcomes than this: a small group, flagged
};

// Outcomes of one group with one disposition and reason.
struct OutcomeCount {
  std::string group;    // "" when the lead has no value for the dimension
  std::string outcome;  // rejected | lost | recycled | disqualified
  std::string reason;   // as recorded ("" when none was given)
  int64_t count = 0;
};

struct OutcomeReason {
  std::string outcome;
  std::string reason;
  int64_t count = 0;
};

struct OutcomeGroup {
  std::string group;
  int64_t total = 0;
  std::vector<OutcomeReason> reasons;  // most first, then by outcome and reason
  bool small = false;
};

struct OutcomesReport {
  OutcomeQuery query;
  OutcomeGroup total;
  std::vector<OutcomeGroup> groups;  // ranked (most outcomes first), then the small ones
  // The last group of this page when another page follows (analytics/group_page.h).
  std::optional<std::string> next_after;
};

OutcomesReport BuildOutcomes(const OutcomeQuery& query, std::span<const OutcomeCount> counts);

// {"from","to","by","min_group","total","groups"}; each group {"group","outcomes",
// "small","reasons":[{"outcome","reason","count","share","low","high","overall_share"}]}.
nlohmann::json OutcomesToJson(const OutcomesReport& report);
// One line per group and reason: scope, group, small, outcome, reason, count, share,
// low, high, overall_share.
std::string OutcomesToCsv(const OutcomesReport& report);

}  // namespace tandem
