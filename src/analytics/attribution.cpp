#include "analytics/attribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/csv_cell.h"
#include "core/time_format.h"

namespace tandem {
namespace {

constexpr std::array<std::pair<AttributionModel, std::string_view>, 6> kModels = {{
    {AttributionModel::kFirstTouch, "first_touch"},
    {AttributionModel::kLastTouch, "last_touch"},
    {AttributionModel::kLinear, "linear"},
    {AttributionModel::kUShaped, "u_shaped"},
    {AttributionModel::kWShaped, "w_shaped"},
    {AttributionModel::kTimeDecay, "time_decay"},
}};

constexpr int64_t kWhole = 1'000'000;  // a deal in millionths

// The last touch at or before `at`, or the first when none is.
int LastAtOrBefore(const std::vector<Touchpoint>& touches, TimePoint at) {
  int found = 0;
  for (size_t i = 0; i < touches.size(); ++i) {
    if (touches[i].at <= at) found = static_cast<int>(i);
  }
  return found;
}

// Splits `whole` in proportion to `weights` (summing to one) by the largest remainder,
// ties to the earlier index.
std::vector<int64_t> Apportion(int64_t whole, const std::vector<double>& weights) {
  std::vector<int64_t> parts(weights.size());
  std::vector<std::pair<double, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(whole) * weights[i];
    parts[i] = static_cast<int64_t>(std::floor(exact));
    given += parts[i];
    remainders.emplace_back(exact - static_cast<double>(parts[i]), i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  // Floating error can leave the floors a part or two off; the remainders settle it.
  for (size_t k = 0; given < whole; k = (k + 1) % remainders.size(), ++given) {
    ++parts[remainders[k].second];
  }
  for (size_t k = remainders.size(); given > whole && k > 0; --k) {
    int64_t& part = parts[remainders[k - 1].second];
    if (part > 0) {
      --part;
      --given;
    }
  }
  return parts;
}

// Model weights and roles for n > 0 touches.
void Weigh(const Deal& deal, const AttributionQuery& query, std::vector<Credit>& credits) {
  const int n = static_cast<int>(credits.size());
  auto role = [&](int i, std::string_view name, double weight) {
    credits[i].weight += weight;
    credits[i].roles.push_back(name);
  };
  auto share_rest = [&](double weight) {
    int others = 0;
    for (const Credit& c : credits) others += c.roles.empty() ? 1 : 0;
    for (Credit& c : credits) {
      if (c.roles.empty()) c.weight += weight / others;
    }
  };
  switch (query.model) {
    case AttributionModel::kFirstTouch:
      role(0, "first", 1);
      break;
    case AttributionModel::kLastTouch:
      role(n - 1, "last", 1);
      break;
    case AttributionModel::kLinear:
      for (Credit& c : credits) c.weight = 1.0 / n;
      break;
    case AttributionModel::kUShaped:
      role(0, "first", 0.4);
      role(n - 1, "last", 0.4);
      if (n > 2) share_rest(0.2);
      break;
    case AttributionModel::kWShaped:
      role(0, "first", 0.3);
      role(LastAtOrBefore(deal.touches, deal.lead_created_at), "lead_creation", 0.3);
      role(LastAtOrBefore(deal.touches, deal.opportunity_at), "opportunity_creation", 0.3);
      if (std::any_of(credits.begin(), credits.end(),
                      [](const Credit& c) { return c.roles.empty(); })) {
        share_rest(0.1);
      }
      break;
    case AttributionModel::kTimeDecay: {
      // Halved per half-life the touch is older than the newest, so that the newest
      // weighs one and old touches cannot all underflow to nothing.
      const double half_life = static_cast<double>(query.half_life.count());
      const TimePoint newest = deal.touches.back().at;
      for (int i = 0; i < n; ++i) {
        const auto older =
            std::chrono::duration_cast<std::chrono::milliseconds>(newest - deal.touches[i].at);
        credits[i].weight = std::exp2(-static_cast<double>(older.count()) / half_life);
      }
      break;
    }
  }
}

std::string Fixed(int64_t units, int decimals) {
  const int64_t scale = decimals == 6 ? kWhole : 100;
  const char* sign = units < 0 ? "-" : "";
  const int64_t abs = units < 0 ? -units : units;
  return fmt::format("{}{}.{:0{}}", sign, abs / scale, abs % scale, decimals);
}

nlohmann::json RowToJson(const AttributionRow& row) {
  return {{"group", row.group},
          {"opportunities", static_cast<double>(row.opportunity_micros) / kWhole},
          {"pipeline", static_cast<double>(row.pipeline_cents) / 100},
          {"won", static_cast<double>(row.won_micros) / kWhole},
          {"revenue", static_cast<double>(row.revenue_cents) / 100},
          {"opportunity_deals", row.opportunity_deals},
          {"won_deals", row.won_deals}};
}

void CsvRow(std::string& out, std::string_view scope, const AttributionRow& row) {
  out += fmt::format("{},{},{},{},{},{},{},{}\r\n", scope, CsvCell(row.group),
                     Fixed(row.opportunity_micros, 6), Fixed(row.pipeline_cents, 2),
                     Fixed(row.won_micros, 6), Fixed(row.revenue_cents, 2), row.opportunity_deals,
                     row.won_deals);
}

// The page of groups the query asks for (analytics/group_page.h), most revenue first.
std::vector<const AttributionRow*> Ranked(const AttributionBuilder& report) {
  std::vector<const AttributionRow*> rows;
  const GroupPage& page = report.query().scope.groups;
  const auto& groups = report.groups();
  for (auto it = page.after ? groups.upper_bound(*page.after) : groups.begin();
       it != groups.end() && rows.size() < page.limit; ++it) {
    rows.push_back(&it->second);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const AttributionRow* a, const AttributionRow* b) {
    if (a->revenue_cents != b->revenue_cents) return a->revenue_cents > b->revenue_cents;
    return a->pipeline_cents > b->pipeline_cents;
  });
  return rows;
}

}  // namespace

std::string_view ModelName(AttributionModel model) {
  for (const auto& [m, name] : kModels) {
    if (m == model) return name;
  }
  return "";
}

std::optional<AttributionModel> ParseModel(std::string_view name) {
  for (const auto& [m, known] : kModels) {
    if (known == name) return m;
  }
  return std::nullopt;
}

StatusOr<AttributionQuery> ParseAttribution(FunnelQuery scope, std::string_view model,
                                            std::string_view half_life_days) {
  AttributionQuery query;
  query.scope = std::move(scope);
  if (!model.empty()) {
    std::optional<AttributionModel> parsed = ParseModel(model);
    if (!parsed) {
      return InvalidArgument("invalid_parameter",
                             fmt::format("model=\"{}\" is not one of first_touch, last_touch, "
                                         "linear, u_shaped, w_shaped, time_decay",
                                         model));
    }
    query.model = *parsed;
  }
  if (!half_life_days.empty()) {
    double days = 0;
    size_t used = 0;
    try {
      days = std::stod(std::string(half_life_days), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != half_life_days.size() || !std::isfinite(days) || days <= 0 || days > 3650) {
      return InvalidArgument(
          "invalid_parameter",
          fmt::format("half_life_days=\"{}\" is not a number of days above 0 and at most 3650",
                      half_life_days));
    }
    query.half_life = std::chrono::milliseconds(std::llround(days * 86'400'000));
    if (query.half_life.count() <= 0) {
      return InvalidArgument("invalid_parameter", "half_life_days is below a millisecond");
    }
  }
  return query;
}

std::vector<Credit> CreditDeal(const Deal& deal, const AttributionQuery& query) {
  if (deal.touches.empty())
    return {Credit{.weight = 1, .micros = kWhole, .cents = deal.amount_cents}};
  std::vector<Credit> credits(deal.touches.size());
  for (size_t i = 0; i < credits.size(); ++i) credits[i].touch = static_cast<int>(i);
  Weigh(deal, query, credits);
  double sum = 0;
  for (const Credit& c : credits) sum += c.weight;
  std::vector<double> weights;
  for (Credit& c : credits) {
    c.weight /= sum;
    weights.push_back(c.weight);
  }
  const std::vector<int64_t> micros = Apportion(kWhole, weights);
  const std::vector<int64_t> cents = Apportion(deal.amount_cents, weights);
  for (size_t i = 0; i < credits.size(); ++i) {
    credits[i].micros = micros[i];
    credits[i].cents = cents[i];
  }
  return credits;
}

std::string GroupOfTouch(const Deal& deal, int touch, Dimension by) {
  if (by == Dimension::kNone) return "";
  if (IsLeadDimension(by)) return deal.lead_group;
  if (touch < 0) return "";
  const Touchpoint& t = deal.touches[static_cast<size_t>(touch)];
  switch (by) {
    case Dimension::kSource:
      return t.source;
    case Dimension::kMedium:
      return t.medium;
    case Dimension::kCampaign:
      return t.campaign;
    case Dimension::kKeyword:
      return t.term;
    case Dimension::kReferrerDomain:
      return t.referrer_domain;
    case Dimension::kLandingPage:
      return t.landing_page;
    case Dimension::kForm:
      return t.form;
    case Dimension::kContentItem:
      return t.content_item;
    default:
      return "";
  }
}

std::map<std::string, std::pair<int64_t, int64_t>> CreditsByGroup(
    const Deal& deal, const std::vector<Credit>& credits, Dimension by) {
  std::map<std::string, std::pair<int64_t, int64_t>> by_group;  // micros, cents
  for (const Credit& c : credits) {
    auto& [micros, cents] = by_group[GroupOfTouch(deal, c.touch, by)];
    micros += c.micros;
    cents += c.cents;
  }
  std::erase_if(by_group, [](const auto& group) {
    return group.second.first == 0 && group.second.second == 0;
  });
  return by_group;
}

namespace {

void AddSum(AttributionRow& to, const AttributionRow& row) {
  to.opportunity_micros += row.opportunity_micros;
  to.pipeline_cents += row.pipeline_cents;
  to.won_micros += row.won_micros;
  to.revenue_cents += row.revenue_cents;
  to.opportunity_deals += row.opportunity_deals;
  to.won_deals += row.won_deals;
}

}  // namespace

void AttributionBuilder::Add(const Deal& deal) {
  const bool won = deal.stage == Stage::kCustomer;
  auto add = [&](AttributionRow& row, int64_t micros, int64_t cents) {
    (won ? row.won_micros : row.opportunity_micros) += micros;
    (won ? row.revenue_cents : row.pipeline_cents) += cents;
    (won ? row.won_deals : row.opportunity_deals) += 1;
  };
  add(total_, kWhole, deal.amount_cents);
  if (query_.scope.by == Dimension::kNone) return;
  for (const auto& [group, parts] :
       CreditsByGroup(deal, CreditDeal(deal, query_), query_.scope.by)) {
    AttributionRow& row = groups_[group];
    row.group = group;
    add(row, parts.first, parts.second);
  }
}

void AttributionBuilder::AddSums(const AttributionSums& sums) {
  AddSum(total_, sums.total);
  if (query_.scope.by == Dimension::kNone) return;
  for (const AttributionRow& row : sums.groups) {
    AttributionRow& to = groups_[row.group];
    to.group = row.group;
    AddSum(to, row);
  }
}

std::optional<std::string> AttributionBuilder::next_after() const {
  const GroupPage& page = query_.scope.groups;
  auto it = page.after ? groups_.upper_bound(*page.after) : groups_.begin();
  for (size_t n = 0; it != groups_.end(); ++it, ++n) {
    if (n + 1 == page.limit)
      return std::next(it) == groups_.end() ? std::nullopt : std::optional(it->first);
  }
  return std::nullopt;
}

nlohmann::json AttributionToJson(const AttributionBuilder& report) {
  const AttributionQuery& q = report.query();
  nlohmann::json groups = nlohmann::json::array();
  for (const AttributionRow* row : Ranked(report)) groups.push_back(RowToJson(*row));
  const std::string_view by = DimensionName(q.scope.by);
  return {{"from", FormatIsoTime(q.scope.from)},
          {"to", FormatIsoTime(q.scope.to)},
          {"by", by.empty() ? nlohmann::json() : nlohmann::json(by)},
          {"model", ModelName(q.model)},
          {"half_life_days", static_cast<double>(q.half_life.count()) / 86'400'000},
          {"total", RowToJson(report.total())},
          {"groups", groups},
          {"next_cursor", NextCursor(report.next_after())}};
}

std::string AttributionToCsv(const AttributionBuilder& report) {
  std::string out =
      "scope,group,opportunities,pipeline,won,revenue,opportunity_deals,won_deals\r\n";
  CsvRow(out, "total", report.total());
  for (const AttributionRow* row : Ranked(report)) CsvRow(out, "group", *row);
  return out;
}

nlohmann::json DealToJson(const Deal& deal, const AttributionQuery& query) {
  nlohmann::json touches = nlohmann::json::array();
  for (const Credit& c : CreditDeal(deal, query)) {
    nlohmann::json item = {{"roles", c.roles},
                           {"weight", std::round(c.weight * 1e9) / 1e9},
                           {"credit", static_cast<double>(c.micros) / kWhole},
                           {"amount", static_cast<double>(c.cents) / 100}};
    if (c.touch >= 0) {
      const Touchpoint& t = deal.touches[static_cast<size_t>(c.touch)];
      item.update({{"at", FormatIsoTime(t.at)},
                   {"event", t.event_id},
                   {"type", t.type},
                   {"source", t.source},
                   {"medium", t.medium},
                   {"campaign", t.campaign},
                   {"keyword", t.term},
                   {"content", t.content},
                   {"referrer_domain", t.referrer_domain},
                   {"landing_page", t.landing_page},
                   {"form", t.form},
                   {"content_item", t.content_item}});
    }
    touches.push_back(std::move(item));
  }
  return {{"stage", StageName(deal.stage)},
          {"at", FormatIsoTime(deal.at)},
          {"amount", static_cast<double>(deal.amount_cents) / 100},
          {"lead_created_at", FormatIsoTime(deal.lead_created_at)},
          {"opportunity_at", FormatIsoTime(deal.opportunity_at)},
          {"touches", touches}};
}

}  // namespace tandem
