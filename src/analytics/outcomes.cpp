#include "analytics/outcomes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "analytics/funnel_report.h"
#include "core/csv_cell.h"
#include "core/time_format.h"

namespace tandem {
namespace {

using Key = std::pair<std::string, std::string>;  // outcome, reason

double Rounded(double value) { return std::round(value * 1e6) / 1e6; }

void Add(OutcomeGroup& group, std::map<Key, int64_t>& reasons, const OutcomeCount& count) {
  group.total += count.count;
  reasons[{count.outcome, count.reason}] += count.count;
}

void Finish(OutcomeGroup& group, const std::map<Key, int64_t>& reasons) {
  for (const auto& [key, n] : reasons) group.reasons.push_back({key.first, key.second, n});
  std::stable_sort(
      group.reasons.begin(), group.reasons.end(),
      [](const OutcomeReason& a, const OutcomeReason& b) { return a.count > b.count; });
}

// The share of `reason` among all outcomes, for comparison with a group's.
double OverallShare(const OutcomesReport& report, const OutcomeReason& reason) {
  for (const OutcomeReason& r : report.total.reasons) {
    if (r.outcome == reason.outcome && r.reason == reason.reason) {
      return static_cast<double>(r.count) / static_cast<double>(report.total.total);
    }
  }
  return 0;
}

nlohmann::json GroupToJson(const OutcomesReport& report, const OutcomeGroup& group) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const OutcomeReason& r : group.reasons) {
    const Interval interval = WilsonInterval(r.count, group.total);
    reasons.push_back(
        {{"outcome", r.outcome},
         {"reason", r.reason},
         {"count", r.count},
         {"share", Rounded(static_cast<double>(r.count) / static_cast<double>(group.total))},
         {"low", Rounded(interval.low)},
         {"high", Rounded(interval.high)},
         {"overall_share", Rounded(OverallShare(report, r))}});
  }
  return {{"group", group.group},
          {"outcomes", group.total},
          {"small", group.small},
          {"reasons", std::move(reasons)}};
}

void CsvLines(std::string& out, const OutcomesReport& report, std::string_view scope,
              const OutcomeGroup& group) {
  for (const OutcomeReason& r : group.reasons) {
    const Interval interval = WilsonInterval(r.count, group.total);
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{}\r\n", scope, CsvCell(group.group),
        group.small ? "true" : "false", CsvCell(r.outcome), CsvCell(r.reason), r.count,
        Rounded(static_cast<double>(r.count) / static_cast<double>(group.total)),
        Rounded(interval.low), Rounded(interval.high), Rounded(OverallShare(report, r)));
  }
}

}  // namespace

OutcomesReport BuildOutcomes(const OutcomeQuery& query, std::span<const OutcomeCount> counts) {
  OutcomesReport report;
  report.query = query;
  std::map<Key, int64_t> total_reasons;
  std::map<std::string, std::pair<OutcomeGroup, std::map<Key, int64_t>>> groups;
  for (const OutcomeCount& count : counts) {
    Add(report.total, total_reasons, count);
    if (query.scope.by == Dimension::kNone) continue;
    auto& [group, reasons] = groups[count.group];
    group.group = count.group;
    Add(group, reasons, count);
  }
  Finish(report.total, total_reasons);
  for (auto& [name, entry] : groups) {
    Finish(entry.first, entry.second);
    entry.first.small = entry.first.total < query.min_group;
    report.groups.push_back(std::move(entry.first));
  }
  // Ranked groups by their outcomes, most first; the small ones after them, by name
  // (the map's order, kept by the stable sort).
  std::stable_sort(report.groups.begin(), report.groups.end(),
                   [](const OutcomeGroup& a, const OutcomeGroup& b) {
                     if (a.small != b.small) return !a.small;
                     return !a.small && a.total > b.total;
                   });
  return report;
}

nlohmann::json OutcomesToJson(const OutcomesReport& report) {
  nlohmann::json groups = nlohmann::json::array();
  for (const OutcomeGroup& g : report.groups) groups.push_back(GroupToJson(report, g));
  const std::string_view by = DimensionName(report.query.scope.by);
  return {{"from", FormatIsoTime(report.query.scope.from)},
          {"to", FormatIsoTime(report.query.scope.to)},
          {"by", by.empty() ? nlohmann::json() : nlohmann::json(by)},
          {"min_group", report.query.min_group},
          {"total", GroupToJson(report, report.total)},
          {"groups", std::move(groups)},
          {"next_cursor", NextCursor(report.next_after)}};
}

std::string OutcomesToCsv(const OutcomesReport& report) {
  std::string out =
      "scope,group,small,outcome,reason,count,share,share_low,share_high,overall_share\r\n";
  CsvLines(out, report, "total", report.total);
  for (const OutcomeGroup& g : report.groups) CsvLines(out, report, "group", g);
  return out;
}

}  // namespace tandem
