// The funnel report, built from what the store counts (analytics/funnel.h): of the
// leads created in a date range, how many reached each stage of lead → MQL → SAL → SQL
// → opportunity → customer, and the conversion from each stage to the next with its
// 95% Wilson score interval; in all, and per value of one dimension. A lead has reached
// a stage when it was ever there or further down. Pure; JSON and CSV renderings.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/funnel.h"
#include "core/stage.h"

namespace tandem {

inline constexpr std::array<Stage, 6> kFunnelStages = {
    Stage::kLead, Stage::kMql, Stage::kSal, Stage::kSql, Stage::kOpportunity, Stage::kCustomer};

// The 95% Wilson score interval of a proportion.
struct Interval {
  double low = 0;
  double high = 0;
};
// REQUIRES: 0 <= successes <= trials, trials > 0.
Interval WilsonInterval(int64_t successes, int64_t trials);

// The smallest value with at least `share` (0 < share <= 1) of the weight at or below it,
// over (value, weight) pairs in ascending order of value; nullopt when they weigh nothing.
std::optional<int64_t> Percentile(const std::vector<std::pair<int64_t, int64_t>>& values,
                                  double share);

struct FunnelRow {
  std::string group;
  std::array<int64_t, kFunnelStages.size()> reached{};  // leads that reached each stage
  // Per step (lead → MQL … opportunity → customer): whole hours taken → leads.
  std::array<std::map<int64_t, int64_t>, kFunnelStages.size() - 1> hours;
};

struct FunnelReport {
  FunnelQuery query;
  FunnelRow total;
  std::vector<FunnelRow> groups;  // most leads first, then by group; empty for kNone
  // The last group of this page when another page follows (analytics/group_page.h).
  std::optional<std::string> next_after;
};

FunnelReport BuildFunnel(const FunnelQuery& query, std::span<const FunnelCount> counts,
                         std::span<const VelocityCount> velocity = {});

// {"from","to","as_of","by","stages","total","groups"}; each row {"group","counts",
// "conversions":[{"from","to","converted","of","rate","low","high","leads",
// "median_days","p90_days"}]}: rate and bounds null where no lead reached the earlier
// stage; leads that made the step and the median and 90th percentile days they took
// (to the hour; null when none did).
nlohmann::json FunnelToJson(const FunnelReport& report);
// One line per row: scope (total|group), group, the counts, then per step its rate,
// low and high bound, then per step its median and p90 days. Text cells that a spreadsheet would
// run as a formula get a leading apostrophe.
std::string FunnelToCsv(const FunnelReport& report);

}  // namespace tandem
