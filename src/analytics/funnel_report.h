// The funnel report, built from what the store counts (analytics/funnel.h): of the
// leads created in a date range, how many reached each stage of lead → MQL → SAL → SQL
// → opportunity → customer, and the conversion from each stage to the next with its
// 95% Wilson score interval; in all, and per value of one dimension. A lead has reached
// a stage when it was ever there or further down. Pure; JSON and CSV renderings.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
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

struct FunnelRow {
  std::string group;
  std::array<int64_t, kFunnelStages.size()> reached{};  // leads that reached each stage
};

struct FunnelReport {
  FunnelQuery query;
  FunnelRow total;
  std::vector<FunnelRow> groups;  // most leads first, then by group; empty for kNone
};

FunnelReport BuildFunnel(const FunnelQuery& query, std::span<const FunnelCount> counts);

// {"from","to","by","stages","total","groups"}; each row {"group","counts",
// "conversions":[{"from","to","converted","of","rate","low","high"}]}, rate and bounds
// null where no lead reached the earlier stage.
nlohmann::json FunnelToJson(const FunnelReport& report);
// One line per row: scope (total|group), group, the counts, then per step its rate,
// low and high bound. Text cells that a spreadsheet would run as a formula get a
// leading apostrophe.
std::string FunnelToCsv(const FunnelReport& report);

}  // namespace tandem
