// Attribution: how much of each deal — a lead's move to opportunity (pipeline) or to
// customer (won revenue) — each of its person's touchpoints before it earns, by one of
// six models, summed per value of one dimension.
//
// Models, over a deal's touchpoints at or before the deal, oldest first:
//   first_touch   all to the first;            last_touch  all to the last;
//   linear        equal shares;
//   u_shaped      40% first, 40% last, 20% shared by those between;
//   w_shaped      30% first, 30% the touch that made the lead (the last at or before the
//                 lead was created), 30% the touch that made the opportunity (the last at
//                 or before the lead's latest move to opportunity up to the deal), 10%
//                 shared by the others;
//   time_decay    weight 2^(-age / half-life), age the time from touch to deal.
// Where roles fall on one touch their weights add up; where a share has nobody to go to
// (no touch between, no other), the weights are scaled to sum to one. A deal without a
// touchpoint is credited whole to the group "" (no touchpoint).
//
// Exact sums: a deal's credit is split in millionths and its amount in cents by the
// largest remainder (ties to the earlier touch), so each deal's credits sum to exactly
// 1.000000 and its amounts to the deal's amount to the cent. Pure; the store streams
// the deals, this credits and sums them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/facts/touchpoint.h"
#include "analytics/funnel.h"
#include "core/stage.h"

namespace tandem {

enum class AttributionModel { kFirstTouch, kLastTouch, kLinear, kUShaped, kWShaped, kTimeDecay };

std::string_view ModelName(AttributionModel model);
std::optional<AttributionModel> ParseModel(std::string_view name);

struct AttributionQuery {
  // from, to: when the deals were made; by: a touchpoint field, or a lead dimension
  // (the whole deal to the lead's group); owner_id: only this user's leads.
  FunnelQuery scope;
  AttributionModel model = AttributionModel::kLinear;
  std::chrono::milliseconds half_life = std::chrono::hours(24 * 7);
};

// The model, half-life and scope from a request's parameters: model (default linear),
// half_life_days (0 < days <= 3650, default 7; only time_decay reads it).
// InvalidArgument ("invalid_parameter") naming the parameter otherwise.
StatusOr<AttributionQuery> ParseAttribution(FunnelQuery scope, std::string_view model,
                                            std::string_view half_life_days);

// One deal and the touchpoints that may earn credit for it.
struct Deal {
  int64_t lead_id = 0;
  int64_t transition_id = 0;
  Stage stage = Stage::kOpportunity;  // kOpportunity or kCustomer
  TimePoint at;
  int64_t amount_cents = 0;  // as recorded with the outcome; 0 when none was
  TimePoint lead_created_at;
  TimePoint opportunity_at;  // the lead's latest move to opportunity up to the deal, else `at`
  std::string lead_group;    // the lead's value for a lead dimension (funnel.h IsLeadDimension)
  std::vector<Touchpoint> touches;  // at or before `at`, oldest first
};

// One touch's part of a deal (or, for a deal without touches, the one part with
// touch = -1).
struct Credit {
  int touch = -1;      // index into Deal::touches
  double weight = 0;   // the model's share before rounding
  int64_t micros = 0;  // millionths of the deal
  int64_t cents = 0;
  std::vector<std::string_view> roles;  // first, last, lead_creation, opportunity_creation
};

// REQUIRES: query.half_life > 0.
std::vector<Credit> CreditDeal(const Deal& deal, const AttributionQuery& query);

// The value of a dimension on a touch; the lead's group for a lead dimension.
std::string GroupOfTouch(const Deal& deal, int touch, Dimension by);

// A deal's credits summed by the group of `by` each goes to: millionths and cents. A
// group given neither is left out (the deal is not that group's).
std::map<std::string, std::pair<int64_t, int64_t>> CreditsByGroup(
    const Deal& deal, const std::vector<Credit>& credits, Dimension by);

struct AttributionRow {
  std::string group;
  int64_t opportunity_micros = 0, pipeline_cents = 0;
  int64_t won_micros = 0, revenue_cents = 0;
  int64_t opportunity_deals = 0, won_deals = 0;  // deals that gave this group any credit
};

// What a store keeps summed as deals are made: the deals of [from, to) credited by the
// query's model, summed per group of its dimension and in total.
struct AttributionSums {
  TimePoint from, to;
  AttributionRow total;
  std::vector<AttributionRow> groups;
};

class AttributionBuilder {
 public:
  explicit AttributionBuilder(AttributionQuery query) : query_(std::move(query)) {}
  void Add(const Deal& deal);
  // Deals credited and summed elsewhere, by the query's model and dimension.
  void AddSums(const AttributionSums& sums);
  const AttributionQuery& query() const { return query_; }
  const AttributionRow& total() const { return total_; }
  const std::map<std::string, AttributionRow>& groups() const { return groups_; }
  // The last group of the query's page when another page follows.
  std::optional<std::string> next_after() const;

 private:
  AttributionQuery query_;
  AttributionRow total_;
  std::map<std::string, AttributionRow> groups_;
};

// {"from","to","by","model","half_life_days","total","groups"}; a row {"group",
// "opportunities","pipeline","won","revenue","opportunity_deals","won_deals"}: credits
// to six decimals, amounts in currency units to the cent. Groups by most revenue,
// then pipeline, then name.
nlohmann::json AttributionToJson(const AttributionBuilder& report);
// scope, group, opportunities, pipeline, won, revenue, opportunity_deals, won_deals.
std::string AttributionToCsv(const AttributionBuilder& report);
// One deal touch by touch: {"lead","stage","at","amount","touches":[{"at","event",
// "type","source",…,"roles","weight","credit","amount"}]}.
nlohmann::json DealToJson(const Deal& deal, const AttributionQuery& query);

}  // namespace tandem
