// Attribution: each model's weights, exact sums in millionths and cents, the W's key
// touches, time decay, sums per group, and the parameters' checks.
#include "analytics/attribution.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace tandem {
namespace {

const TimePoint kDay0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01

TimePoint Day(int n) { return kDay0 + std::chrono::hours(24 * n); }

Touchpoint Touch(int day, std::string source, int64_t event) {
  Touchpoint t;
  t.person_id = 7;
  t.event_id = event;
  t.at = Day(day);
  t.type = "page";
  t.source = std::move(source);
  return t;
}

// Touches on days 0 (ads), 2 (email, the lead is created on day 2), 5 (webinar),
// 9 (email, the opportunity on day 9), 12 (partner); the deal won on day 14.
Deal FiveTouchDeal(int64_t amount_cents) {
  Deal deal;
  deal.lead_id = 7;
  deal.stage = Stage::kCustomer;
  deal.at = Day(14);
  deal.amount_cents = amount_cents;
  deal.lead_created_at = Day(2);
  deal.opportunity_at = Day(9);
  deal.touches = {Touch(0, "ads", 1), Touch(2, "email", 2), Touch(5, "webinar", 3),
                  Touch(9, "email", 4), Touch(12, "partner", 5)};
  return deal;
}

AttributionQuery Model(AttributionModel model, Dimension by = Dimension::kSource) {
  AttributionQuery query;
  query.model = model;
  query.scope.by = by;
  return query;
}

std::vector<int64_t> Micros(const std::vector<Credit>& credits) {
  std::vector<int64_t> out;
  for (const Credit& c : credits) out.push_back(c.micros);
  return out;
}

std::vector<int64_t> Cents(const std::vector<Credit>& credits) {
  std::vector<int64_t> out;
  for (const Credit& c : credits) out.push_back(c.cents);
  return out;
}

TEST(Attribution, EachModelSplitsTheDealAsItsRuleSays) {
  const Deal deal = FiveTouchDeal(1000000);  // $10,000.00
  using V = std::vector<int64_t>;
  EXPECT_EQ(Micros(CreditDeal(deal, Model(AttributionModel::kFirstTouch))),
            (V{1000000, 0, 0, 0, 0}));
  EXPECT_EQ(Micros(CreditDeal(deal, Model(AttributionModel::kLastTouch))),
            (V{0, 0, 0, 0, 1000000}));
  EXPECT_EQ(Micros(CreditDeal(deal, Model(AttributionModel::kLinear))),
            (V{200000, 200000, 200000, 200000, 200000}));
  // 40% first, 40% last, 20% over the three between.
  EXPECT_EQ(Micros(CreditDeal(deal, Model(AttributionModel::kUShaped))),
            (V{400000, 66667, 66667, 66666, 400000}));
  // 30% first (day 0), lead creation (day 2), opportunity creation (day 9); 10% over the
  // other two.
  const auto w = CreditDeal(deal, Model(AttributionModel::kWShaped));
  EXPECT_EQ(Micros(w), (V{300000, 300000, 50000, 300000, 50000}));
  EXPECT_EQ(Cents(w), (V{300000, 300000, 50000, 300000, 50000}));
  EXPECT_EQ(w[1].roles, (std::vector<std::string_view>{"lead_creation"}));
  EXPECT_EQ(w[3].roles, (std::vector<std::string_view>{"opportunity_creation"}));
}

TEST(Attribution, RolesOnOneTouchAddUpAndAShareWithNobodyToGoToIsScaledAway) {
  Deal deal = FiveTouchDeal(999);
  deal.touches.resize(2);  // days 0 and 2: first and lead creation; opportunity on 2 too
  const auto w = CreditDeal(deal, Model(AttributionModel::kWShaped));
  // 0.3 : 0.6 with no others, scaled to one.
  EXPECT_EQ(Micros(w), (std::vector<int64_t>{333333, 666667}));
  EXPECT_EQ(Cents(w), (std::vector<int64_t>{333, 666}));
  const auto u = CreditDeal(deal, Model(AttributionModel::kUShaped));
  EXPECT_EQ(Micros(u), (std::vector<int64_t>{500000, 500000}));
  deal.touches.resize(1);
  EXPECT_EQ(Micros(CreditDeal(deal, Model(AttributionModel::kUShaped))),
            (std::vector<int64_t>{1000000}));
}

TEST(Attribution, TimeDecayHalvesPerHalfLifeAndOldTouchesDoNotVanish) {
  Deal deal = FiveTouchDeal(700);
  deal.touches = {Touch(0, "a", 1), Touch(7, "b", 2), Touch(14, "c", 3)};
  AttributionQuery query = Model(AttributionModel::kTimeDecay);
  query.half_life = std::chrono::hours(24 * 7);
  const auto credits = CreditDeal(deal, query);  // weights 1 : 2 : 4
  EXPECT_EQ(Micros(credits), (std::vector<int64_t>{142857, 285714, 571429}));
  EXPECT_EQ(Cents(credits), (std::vector<int64_t>{100, 200, 400}));
  // Touches years apart with a one-day half-life: the newest takes it all, no NaN.
  deal.touches = {Touch(-3000, "a", 1), Touch(0, "b", 2)};
  query.half_life = std::chrono::hours(24);
  EXPECT_EQ(Micros(CreditDeal(deal, query)), (std::vector<int64_t>{0, 1000000}));
}

TEST(Attribution, EveryDealSumsToExactlyOneAndItsAmountToTheCent) {
  std::mt19937_64 random(19);
  for (int round = 0; round < 2000; ++round) {
    Deal deal;
    deal.at = Day(400);
    deal.amount_cents = static_cast<int64_t>(random() % 100'000'000'00ULL);
    const int n = static_cast<int>(random() % 12);
    for (int i = 0; i < n; ++i) {
      deal.touches.push_back(Touch(static_cast<int>(random() % 400), "s", i));
    }
    std::sort(deal.touches.begin(), deal.touches.end(),
              [](const Touchpoint& a, const Touchpoint& b) { return a.at < b.at; });
    deal.lead_created_at = Day(static_cast<int>(random() % 400));
    deal.opportunity_at = Day(static_cast<int>(random() % 400));
    for (auto model :
         {AttributionModel::kFirstTouch, AttributionModel::kLastTouch, AttributionModel::kLinear,
          AttributionModel::kUShaped, AttributionModel::kWShaped, AttributionModel::kTimeDecay}) {
      AttributionQuery query = Model(model);
      query.half_life = std::chrono::hours(1 + static_cast<int>(random() % 5000));
      int64_t micros = 0, cents = 0;
      for (const Credit& c : CreditDeal(deal, query)) {
        EXPECT_GE(c.micros, 0);
        EXPECT_GE(c.cents, 0);
        micros += c.micros;
        cents += c.cents;
      }
      ASSERT_EQ(micros, 1'000'000) << ModelName(model) << " with " << n << " touches";
      ASSERT_EQ(cents, deal.amount_cents) << ModelName(model) << " with " << n << " touches";
    }
  }
}

TEST(Attribution, GroupsSumTheirTouchesAndADealWithoutTouchesGoesToNone) {
  AttributionBuilder report(Model(AttributionModel::kWShaped));
  report.Add(FiveTouchDeal(1000000));
  Deal opportunity = FiveTouchDeal(250050);
  opportunity.stage = Stage::kOpportunity;
  opportunity.touches.clear();
  report.Add(opportunity);

  EXPECT_EQ(report.total().won_micros, 1000000);
  EXPECT_EQ(report.total().revenue_cents, 1000000);
  EXPECT_EQ(report.total().pipeline_cents, 250050);
  const auto& email = report.groups().at("email");
  EXPECT_EQ(email.won_micros, 600000);  // lead creation and opportunity creation
  EXPECT_EQ(email.revenue_cents, 600000);
  EXPECT_EQ(email.won_deals, 1);
  EXPECT_EQ(report.groups().at("").pipeline_cents, 250050);

  nlohmann::json json = AttributionToJson(report);
  EXPECT_EQ(json["model"], "w_shaped");
  EXPECT_EQ(json["groups"][0]["group"], "email");  // most revenue first
  EXPECT_DOUBLE_EQ(json["groups"][0]["won"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(json["groups"][0]["revenue"].get<double>(), 6000.0);
  const std::string csv = AttributionToCsv(report);
  EXPECT_NE(csv.find("group,email,0.000000,0.00,0.600000,6000.00,0,1\r\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("total,,1.000000,2500.50,1.000000,10000.00,1,1\r\n"), std::string::npos)
      << csv;
}

TEST(Attribution, OneDealExplainedTouchByTouch) {
  nlohmann::json json = DealToJson(FiveTouchDeal(1000000), Model(AttributionModel::kWShaped));
  ASSERT_EQ(json["touches"].size(), 5u);
  EXPECT_EQ(json["stage"], "customer");
  EXPECT_EQ(json["touches"][0]["source"], "ads");
  EXPECT_EQ(json["touches"][0]["roles"], nlohmann::json({"first"}));
  EXPECT_DOUBLE_EQ(json["touches"][2]["credit"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(json["touches"][3]["amount"].get<double>(), 3000.0);
}

TEST(Attribution, ParametersAreCheckedAndNamed) {
  FunnelQuery scope;
  EXPECT_EQ(ParseAttribution(scope, "", "").value().model, AttributionModel::kLinear);
  auto query = ParseAttribution(scope, "time_decay", "1.5");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->half_life, std::chrono::hours(36));
  for (const char* bad : {"0", "-1", "abc", "3651", "nan", "inf", "1e400", "7 "}) {
    auto parsed = ParseAttribution(scope, "time_decay", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("half_life_days"), std::string::npos);
  }
  auto model = ParseAttribution(scope, "last_click", "");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("model=\"last_click\""), std::string::npos);
}

}  // namespace
}  // namespace tandem
