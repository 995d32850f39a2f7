// The speed-to-lead report: for each lead that became an MQL (a hand-raise, or a score
// that crossed the threshold) in a date range, how long until someone from sales first
// reached it — the first outbound touch by a user that the contact gate let through,
// email marketing aside — and what became of it: accepted (SAL or further), qualified
// (SQL or further), won. Per response bucket (under 5 minutes, 5–60 minutes, 1–24 hours,
// over 24 hours, never) the conversions with their 95% Wilson intervals, in all and per
// group (by rep: the lead's owner); median and p90 minutes to the first touch. Pure; the
// store counts, this builds.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analytics/funnel.h"

namespace tandem {

// MQLs of one group with the same minutes to the first touch and the same fate.
struct SpeedCount {
  std::string group;
  std::optional<int64_t> minutes;  // to the first touch, kept to a step; none: never touched
  bool accepted = false;           // reached SAL or further afterwards
  bool qualified = false;          // reached SQL or further
  bool won = false;                // became a customer
  int64_t count = 0;
};

inline constexpr std::array<const char*, 5> kSpeedBuckets = {"under_5_min", "5_to_60_min",
                                                             "1_to_24_h", "over_24_h", "never"};

struct SpeedBucket {
  int64_t mqls = 0, accepted = 0, qualified = 0, won = 0;
};

struct SpeedRow {
  std::string group;
  int64_t mqls = 0;
  std::array<SpeedBucket, kSpeedBuckets.size()> buckets{};
  // Minutes to the first touch of the MQLs that had one: value → MQLs.
  std::vector<std::pair<int64_t, int64_t>> minutes;
};

struct SpeedReport {
  FunnelQuery query;
  SpeedRow total;
  std::vector<SpeedRow> groups;  // most MQLs first
  // The last group of this page when another page follows (analytics/group_page.h).
  std::optional<std::string> next_after;
};

// The bucket of a response after `minutes` (none: never).
size_t SpeedBucketOf(std::optional<int64_t> minutes);

SpeedReport BuildSpeedToLead(const FunnelQuery& query, std::span<const SpeedCount> counts);

// {"from","to","by","buckets","total","groups"}; each row {"group","mqls","responded",
// "median_minutes","p90_minutes","buckets":[{"bucket","mqls","share","accepted",
// "qualified","won"}]}, each conversion {"converted","of","rate","low","high"} (rate and
// bounds null for an empty bucket).
nlohmann::json SpeedToLeadToJson(const SpeedReport& report);
// One line per row and bucket: scope, group, bucket, mqls, accepted, qualified, won and
// each rate with its bounds.
std::string SpeedToLeadToCsv(const SpeedReport& report);

}  // namespace tandem
