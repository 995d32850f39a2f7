#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "analytics/funnel_report.h"
#include "core/csv_cell.h"
#include "core/time_format.h"

namespace tandem {
namespace {

constexpr std::array<std::pair<Dimension, std::string_view>, 15> kDimensions = {{
    {Dimension::kNone, ""},
    {Dimension::kSource, "source"},
    {Dimension::kMedium, "medium"},
    {Dimension::kCampaign, "campaign"},
    {Dimension::kKeyword, "keyword"},
    {Dimension::kReferrerDomain, "referrer_domain"},
    {Dimension::kLandingPage, "landing_page"},
    {Dimension::kForm, "form"},
    {Dimension::kContentItem, "content_item"},
    {Dimension::kTeam, "team"},
    {Dimension::kRep, "rep"},
    {Dimension::kCountry, "country"},
    {Dimension::kCompanySize, "company_size"},
    {Dimension::kCohort, "cohort"},
    {Dimension::kVariant, "variant"},
}};

constexpr size_t kSteps = kFunnelStages.size();

void Add(FunnelRow& row, const FunnelCount& count) {
  // Every lead is one: it is created in the lead stage.
  const int deepest = std::max({1, count.current_rank, count.transition_rank});
  for (size_t i = 0; i < kSteps && static_cast<int>(i) < deepest; ++i)
    row.reached[i] += count.leads;
}

nlohmann::json Rounded(double value) { return std::round(value * 1e6) / 1e6; }

// The leads that made step i and the median and p90 hours they took.
struct Velocity {
  int64_t leads = 0;
  std::optional<int64_t> median, p90;
};

Velocity VelocityOf(const FunnelRow& row, size_t i) {
  const std::vector<std::pair<int64_t, int64_t>> hours(row.hours[i].begin(), row.hours[i].end());
  Velocity v;
  for (const auto& [h, n] : hours) v.leads += n;
  v.median = Percentile(hours, 0.5);
  v.p90 = Percentile(hours, 0.9);
  return v;
}

// Hours as days to two decimals; null for none.
nlohmann::json Days(std::optional<int64_t> hours) {
  if (!hours) return nullptr;
  return std::round(static_cast<double>(*hours) / 24 * 100) / 100;
}

std::string DaysCell(std::optional<int64_t> hours) {
  return hours ? fmt::format("{:.2f}", static_cast<double>(*hours) / 24) : "";
}

nlohmann::json RowToJson(const FunnelRow& row) {
  nlohmann::json counts = nlohmann::json::object();
  for (size_t i = 0; i < kSteps; ++i)
    counts[std::string(StageName(kFunnelStages[i]))] = row.reached[i];
  nlohmann::json conversions = nlohmann::json::array();
  for (size_t i = 0; i + 1 < kSteps; ++i) {
    const Velocity v = VelocityOf(row, i);
    nlohmann::json step = {{"from", StageName(kFunnelStages[i])},
                           {"to", StageName(kFunnelStages[i + 1])},
                           {"converted", row.reached[i + 1]},
                           {"of", row.reached[i]},
                           {"rate", nullptr},
                           {"low", nullptr},
                           {"high", nullptr},
                           {"leads", v.leads},
                           {"median_days", Days(v.median)},
                           {"p90_days", Days(v.p90)}};
    if (row.reached[i] > 0) {
      const Interval ci = WilsonInterval(row.reached[i + 1], row.reached[i]);
      step["rate"] =
          Rounded(static_cast<double>(row.reached[i + 1]) / static_cast<double>(row.reached[i]));
      step["low"] = Rounded(ci.low);
      step["high"] = Rounded(ci.high);
    }
    conversions.push_back(std::move(step));
  }
  return {{"group", row.group}, {"counts", counts}, {"conversions", conversions}};
}

void CsvRow(std::string& out, std::string_view scope, const FunnelRow& row) {
  out += fmt::format("{},{}", scope, CsvCell(row.group));
  for (int64_t n : row.reached) out += fmt::format(",{}", n);
  for (size_t i = 0; i + 1 < kSteps; ++i) {
    if (row.reached[i] == 0) {
      out += ",,,";
      continue;
    }
    const Interval ci = WilsonInterval(row.reached[i + 1], row.reached[i]);
    out +=
        fmt::format(",{:.6f},{:.6f},{:.6f}",
                    static_cast<double>(row.reached[i + 1]) / static_cast<double>(row.reached[i]),
                    ci.low, ci.high);
  }
  for (size_t i = 0; i + 1 < kSteps; ++i) {
    const Velocity v = VelocityOf(row, i);
    out += fmt::format(",{},{}", DaysCell(v.median), DaysCell(v.p90));
  }
  out += "\r\n";
}

}  // namespace

std::string_view DimensionName(Dimension dimension) {
  for (const auto& [d, name] : kDimensions) {
    if (d == dimension) return name;
  }
  return "";
}

bool IsLeadDimension(Dimension dimension) {
  return dimension == Dimension::kTeam || dimension == Dimension::kRep ||
         dimension == Dimension::kCountry || dimension == Dimension::kCompanySize ||
         dimension == Dimension::kCohort || dimension == Dimension::kVariant;
}

std::optional<Dimension> ParseDimension(std::string_view name) {
  for (const auto& [d, known] : kDimensions) {
    if (d != Dimension::kNone && known == name) return d;
  }
  return std::nullopt;
}

namespace {

StatusOr<TimePoint> TimeParameter(const char* name, std::string_view text) {
  if (text.empty()) {
    return InvalidArgument(
        "invalid_parameter",
        fmt::format("{} is required: a date (YYYY-MM-DD) or an ISO 8601 time", name));
  }
  std::optional<TimePoint> at = ParseIsoTime(text);
  if (!at) {
    return InvalidArgument(
        "invalid_parameter",
        fmt::format("{}=\"{}\" is not a date (YYYY-MM-DD) or an ISO 8601 time", name, text));
  }
  return *at;
}

}  // namespace

StatusOr<FunnelQuery> ParseReportScope(std::string_view from, std::string_view to,
                                       std::string_view by, std::string_view as_of) {
  FunnelQuery query;
  TANDEM_ASSIGN_OR_RETURN(query.from, TimeParameter("from", from));
  TANDEM_ASSIGN_OR_RETURN(query.to, TimeParameter("to", to));
  if (query.to <= query.from) {
    return InvalidArgument("invalid_parameter", "to must be later than from");
  }
  if (query.to - query.from > std::chrono::hours(24 * 3661)) {
    return InvalidArgument("invalid_parameter", "the range from from to to is at most 10 years");
  }
  if (!as_of.empty()) {
    TANDEM_ASSIGN_OR_RETURN(query.as_of, TimeParameter("as_of", as_of));
    if (*query.as_of <= query.from) {
      return InvalidArgument("invalid_parameter",
                             "as_of must be later than from: nothing had happened before it");
    }
  }
  if (!by.empty()) {
    std::optional<Dimension> dimension = ParseDimension(by);
    if (!dimension) {
      return InvalidArgument(
          "invalid_parameter",
          fmt::format("by=\"{}\" is not one of source, medium, campaign, keyword, "
                      "referrer_domain, landing_page, form, content_item, team, rep, country, "
                      "company_size, cohort, variant",
                      by));
    }
    query.by = *dimension;
  }
  return query;
}

Status ScopeVariants(ExperimentStore& store, std::string_view experiment, FunnelQuery& query) {
  if (query.by != Dimension::kVariant) {
    if (experiment.empty()) return OkStatus();
    return InvalidArgument("invalid_parameter", "experiment is only for by=variant");
  }
  if (experiment.empty()) {
    return InvalidArgument("invalid_parameter",
                           "by=variant needs experiment=ex_<n>: whose variants group the leads");
  }
  int64_t id = 0;
  const std::string_view digits = experiment.starts_with("ex_") ? experiment.substr(3) : experiment;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || id <= 0) {
    return InvalidArgument(
        "invalid_parameter",
        fmt::format("experiment=\"{}\" is not an experiment id (ex_<n>)", experiment));
  }
  TANDEM_ASSIGN_OR_RETURN(auto found, store.GetExperiment(id));
  if (!found) return NotFound("not_found", fmt::format("experiment ex_{} does not exist", id));
  FunnelQuery::Variants variants{id, {}};
  for (const ExperimentVariant& v : found->variants) variants.keys.push_back(v.key);
  query.variants = std::move(variants);
  return OkStatus();
}

std::optional<int64_t> Percentile(const std::vector<std::pair<int64_t, int64_t>>& values,
                                  double share) {
  int64_t total = 0;
  for (const auto& [value, n] : values) total += n;
  if (total == 0) return std::nullopt;
  const auto rank = static_cast<int64_t>(std::ceil(share * static_cast<double>(total)));
  int64_t seen = 0;
  for (const auto& [value, n] : values) {
    seen += n;
    if (seen >= rank) return value;
  }
  return values.back().first;
}

Interval WilsonInterval(int64_t successes, int64_t trials) {
  constexpr double z = 1.959963984540054;  // the 97.5th percentile of the normal
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double denominator = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denominator;
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

FunnelReport BuildFunnel(const FunnelQuery& query, std::span<const FunnelCount> counts,
                         std::span<const VelocityCount> velocity) {
  FunnelReport report;
  report.query = query;
  std::map<std::string, FunnelRow> groups;
  for (const FunnelCount& count : counts) {
    Add(report.total, count);
    if (query.by == Dimension::kNone) continue;
    FunnelRow& row = groups[count.group];
    row.group = count.group;
    Add(row, count);
  }
  for (const VelocityCount& v : velocity) {
    if (v.step < 1 || v.step >= static_cast<int>(kSteps)) continue;
    const auto step = static_cast<size_t>(v.step - 1);
    report.total.hours[step][v.hours] += v.leads;
    if (query.by == Dimension::kNone) continue;
    FunnelRow& row = groups[v.group];
    row.group = v.group;
    row.hours[step][v.hours] += v.leads;
  }
  for (auto& [group, row] : groups) report.groups.push_back(std::move(row));
  std::stable_sort(
      report.groups.begin(), report.groups.end(),
      [](const FunnelRow& a, const FunnelRow& b) { return a.reached[0] > b.reached[0]; });
  return report;
}

nlohmann::json FunnelToJson(const FunnelReport& report) {
  nlohmann::json stages = nlohmann::json::array();
  for (Stage s : kFunnelStages) stages.push_back(StageName(s));
  nlohmann::json groups = nlohmann::json::array();
  for (const FunnelRow& row : report.groups) groups.push_back(RowToJson(row));
  const std::string_view by = DimensionName(report.query.by);
  return {{"from", FormatIsoTime(report.query.from)},
          {"to", FormatIsoTime(report.query.to)},
          {"as_of", report.query.as_of ? nlohmann::json(FormatIsoTime(*report.query.as_of))
                                       : nlohmann::json()},
          {"by", by.empty() ? nlohmann::json() : nlohmann::json(by)},
          {"stages", stages},
          {"total", RowToJson(report.total)},
          {"groups", groups},
          {"next_cursor", NextCursor(report.next_after)}};
}

std::string FunnelToCsv(const FunnelReport& report) {
  std::string out = "scope,group";
  for (Stage s : kFunnelStages) out += fmt::format(",{}", StageName(s));
  for (size_t i = 0; i + 1 < kSteps; ++i) {
    const auto from = StageName(kFunnelStages[i]);
    const auto to = StageName(kFunnelStages[i + 1]);
    out += fmt::format(",{0}_to_{1},{0}_to_{1}_low,{0}_to_{1}_high", from, to);
  }
  for (size_t i = 0; i + 1 < kSteps; ++i) {
    out += fmt::format(",{0}_to_{1}_median_days,{0}_to_{1}_p90_days", StageName(kFunnelStages[i]),
                       StageName(kFunnelStages[i + 1]));
  }
  out += "\r\n";
  CsvRow(out, "total", report.total);
  for (const FunnelRow& row : report.groups) CsvRow(out, "group", row);
  return out;
}

}  // namespace tandem
