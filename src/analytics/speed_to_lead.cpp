#include "analytics/speed_to_lead.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "analytics/funnel_report.h"
#include "core/csv_cell.h"
#include "core/time_format.h"

namespace tandem {
namespace {

double Rounded(double value) { return std::round(value * 1e6) / 1e6; }

// Adds the count to the row; its minutes, when it had an answer, to `minutes` (sorted
// and added up once all are in: SortedMinutes).
void Add(SpeedRow& row, std::vector<std::pair<int64_t, int64_t>>& minutes, const SpeedCount& c) {
  row.mqls += c.count;
  SpeedBucket& b = row.buckets[SpeedBucketOf(c.minutes)];
  b.mqls += c.count;
  b.accepted += c.accepted ? c.count : 0;
  b.qualified += c.qualified ? c.count : 0;
  b.won += c.won ? c.count : 0;
  if (c.minutes) minutes.emplace_back(*c.minutes, c.count);
}

// (minutes, MQLs) in order of minutes, one pair per value.
std::vector<std::pair<int64_t, int64_t>> SortedMinutes(
    std::vector<std::pair<int64_t, int64_t>> minutes) {
  std::sort(minutes.begin(), minutes.end());
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [value, n] : minutes) {
    if (!out.empty() && out.back().first == value) {
      out.back().second += n;
    } else {
      out.emplace_back(value, n);
    }
  }
  return out;
}

nlohmann::json Conversion(int64_t converted, int64_t of) {
  nlohmann::json out = {{"converted", converted}, {"of", of}};
  if (of == 0) {
    out["rate"] = out["low"] = out["high"] = nullptr;
    return out;
  }
  const Interval interval = WilsonInterval(converted, of);
  out["rate"] = Rounded(static_cast<double>(converted) / static_cast<double>(of));
  out["low"] = Rounded(interval.low);
  out["high"] = Rounded(interval.high);
  return out;
}

nlohmann::json OrNull(std::optional<int64_t> value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json RowToJson(const SpeedRow& row) {
  nlohmann::json buckets = nlohmann::json::array();
  for (size_t i = 0; i < kSpeedBuckets.size(); ++i) {
    const SpeedBucket& b = row.buckets[i];
    buckets.push_back({{"bucket", kSpeedBuckets[i]},
                       {"mqls", b.mqls},
                       {"share", row.mqls ? Rounded(static_cast<double>(b.mqls) / row.mqls) : 0.0},
                       {"accepted", Conversion(b.accepted, b.mqls)},
                       {"qualified", Conversion(b.qualified, b.mqls)},
                       {"won", Conversion(b.won, b.mqls)}});
  }
  const int64_t responded = row.mqls - row.buckets.back().mqls;
  return {{"group", row.group},
          {"mqls", row.mqls},
          {"responded", responded},
          {"median_minutes", OrNull(Percentile(row.minutes, 0.5))},
          {"p90_minutes", OrNull(Percentile(row.minutes, 0.9))},
          {"buckets", std::move(buckets)}};
}

std::string RateCells(int64_t converted, int64_t of) {
  if (of == 0) return ",,";
  const Interval interval = WilsonInterval(converted, of);
  return fmt::format("{},{},{}", Rounded(static_cast<double>(converted) / of),
                     Rounded(interval.low), Rounded(interval.high));
}

void CsvLines(std::string& out, std::string_view scope, const SpeedRow& row) {
  for (size_t i = 0; i < kSpeedBuckets.size(); ++i) {
    const SpeedBucket& b = row.buckets[i];
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\r\n", scope, CsvCell(row.group),
                       kSpeedBuckets[i], b.mqls, b.accepted, b.qualified, b.won,
                       RateCells(b.accepted, b.mqls), RateCells(b.qualified, b.mqls),
                       RateCells(b.won, b.mqls));
  }
}

}  // namespace

size_t SpeedBucketOf(std::optional<int64_t> minutes) {
  if (!minutes) return 4;
  if (*minutes < 5) return 0;
  if (*minutes < 60) return 1;
  if (*minutes < 24 * 60) return 2;
  return 3;
}

SpeedReport BuildSpeedToLead(const FunnelQuery& query, std::span<const SpeedCount> counts) {
  SpeedReport report;
  report.query = query;
  std::vector<std::pair<int64_t, int64_t>> total_minutes;
  std::map<std::string, std::pair<SpeedRow, std::vector<std::pair<int64_t, int64_t>>>> groups;
  std::pair<SpeedRow, std::vector<std::pair<int64_t, int64_t>>>* group = nullptr;
  for (const SpeedCount& c : counts) {
    Add(report.total, total_minutes, c);
    if (query.by == Dimension::kNone) continue;
    if (group == nullptr || group->first.group != c.group) {  // counts come by group
      group = &groups[c.group];
      group->first.group = c.group;
    }
    Add(group->first, group->second, c);
  }
  report.total.minutes = SortedMinutes(std::move(total_minutes));
  for (auto& [name, entry] : groups) {
    entry.first.minutes = SortedMinutes(std::move(entry.second));
    report.groups.push_back(std::move(entry.first));
  }
  std::stable_sort(report.groups.begin(), report.groups.end(),
                   [](const SpeedRow& a, const SpeedRow& b) { return a.mqls > b.mqls; });
  return report;
}

nlohmann::json SpeedToLeadToJson(const SpeedReport& report) {
  nlohmann::json groups = nlohmann::json::array();
  for (const SpeedRow& row : report.groups) groups.push_back(RowToJson(row));
  const std::string_view by = DimensionName(report.query.by);
  return {{"from", FormatIsoTime(report.query.from)},
          {"to", FormatIsoTime(report.query.to)},
          {"by", by.empty() ? nlohmann::json() : nlohmann::json(by)},
          {"buckets", kSpeedBuckets},
          {"total", RowToJson(report.total)},
          {"groups", std::move(groups)},
          {"next_cursor", NextCursor(report.next_after)}};
}

std::string SpeedToLeadToCsv(const SpeedReport& report) {
  std::string out =
      "scope,group,bucket,mqls,accepted,qualified,won,accepted_rate,accepted_low,"
      "accepted_high,qualified_rate,qualified_low,qualified_high,won_rate,won_low,won_high\r\n";
  CsvLines(out, "total", report.total);
  for (const SpeedRow& row : report.groups) CsvLines(out, "group", row);
  return out;
}

}  // namespace tandem
