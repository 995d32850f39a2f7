// GET /api/v1/reports/attribution and /attribution/leads/{id} over a real server:
// deals credited to the touchpoints before them by each model, sums to the cent, one
// deal explained touch by touch, what each role sees, CSV, and bad input as 400s.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/report_fixture.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

class AttributionApiTest : public ReportFixture {
 protected:
  void SetUp() override {
    OpenStoreWithTeam();
    Start();
    // u0 came from a Google ad on the 10th and back by the newsletter on the 15th; u1
    // came with no touchpoint. Both ask for a demo today (the 22nd).
    Ingest(R"({"batch":[
      {"type":"page","userId":"u0","messageId":"p0","timestamp":"2026-11-10T09:00:00Z",
       "properties":{"path":"/pricing"},
       "context":{"campaign":{"source":"google","medium":"cpc","name":"spring"}}},
      {"type":"page","userId":"u0","messageId":"p1","timestamp":"2026-11-15T09:00:00Z",
       "properties":{"path":"/blog"},
       "context":{"campaign":{"source":"newsletter","medium":"email","name":"nov"}}},
      {"type":"identify","userId":"u0","messageId":"i0","traits":{"email":"u0@acme.example"}},
      {"type":"track","userId":"u0","messageId":"t0","event":"Demo Requested"},
      {"type":"identify","userId":"u1","messageId":"i1","traits":{"email":"u1@beta.example"}},
      {"type":"track","userId":"u1","messageId":"t1","event":"Demo Requested"}]})");
    lead0_ = LeadIdOf("u0");
    lead1_ = LeadIdOf("u1");
    clock_.Advance(std::chrono::hours(1));
    Outcome(lead0_, R"({"disposition":"accepted"})");
    Outcome(lead0_, R"({"disposition":"qualified"})");
    Outcome(lead0_, R"({"disposition":"opportunity","amount":1000.5})");
    clock_.Advance(std::chrono::hours(24));
    Outcome(lead0_, R"({"disposition":"won","amount":1200})");
    Outcome(lead1_, R"({"disposition":"accepted"})");
    Outcome(lead1_, R"({"disposition":"qualified"})");
    Outcome(lead1_, R"({"disposition":"opportunity","amount":500})");
  }

  json Report(const std::string& query, const std::string& token) {
    HttpResult r = Call("GET", "/api/v1/reports/attribution?" + query, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body, nullptr, false);
  }

  std::string lead0_, lead1_;
};

constexpr const char* kRange = "from=2026-11-01&to=2026-12-01";

TEST_F(AttributionApiTest, LinearSplitsEachDealOverItsTouchesToTheCent) {
  json report = Report(std::string(kRange) + "&by=source&model=linear", token_marketing_);
  EXPECT_EQ(report["model"], "linear");
  EXPECT_EQ(report["total"]["opportunity_deals"], 2);
  EXPECT_EQ(report["total"]["won_deals"], 1);
  EXPECT_DOUBLE_EQ(report["total"]["pipeline"].get<double>(), 1500.5);
  EXPECT_DOUBLE_EQ(report["total"]["revenue"].get<double>(), 1200.0);
  const json google = Group(report, "google");
  const json newsletter = Group(report, "newsletter");
  ASSERT_TRUE(google.is_object()) << report.dump();
  // 1000.50 in two: the odd cent to the earlier touch.
  EXPECT_DOUBLE_EQ(google["pipeline"].get<double>(), 500.25);
  EXPECT_DOUBLE_EQ(newsletter["pipeline"].get<double>(), 500.25);
  EXPECT_DOUBLE_EQ(google["won"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(google["revenue"].get<double>(), 600.0);
  // u1's deal had no touchpoint: credited whole to "".
  EXPECT_DOUBLE_EQ(Group(report, "")["pipeline"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(Group(report, "")["opportunities"].get<double>(), 1.0);

  // By campaign, first touch: all of u0's deals to spring.
  json first = Report(std::string(kRange) + "&by=campaign&model=first_touch", token_manager_);
  EXPECT_DOUBLE_EQ(Group(first, "spring")["revenue"].get<double>(), 1200.0);
  EXPECT_TRUE(Group(first, "nov").is_null()) << first.dump();
  // Deals made outside the range count nowhere.
  EXPECT_EQ(Report("from=2026-12-01&to=2027-01-01", token_manager_)["total"]["won_deals"], 0);
}

TEST_F(AttributionApiTest, OneLeadsDealsExplainedTouchByTouch) {
  HttpResult r = Call("GET", "/api/v1/reports/attribution/leads/" + lead0_ + "?model=w_shaped",
                      token_marketing_);
  ASSERT_EQ(r.status, 200u) << r.body;
  json explained = json::parse(r.body);
  EXPECT_EQ(explained["lead"], lead0_);
  ASSERT_EQ(explained["deals"].size(), 2u) << r.body;
  const json& won = explained["deals"][1];
  EXPECT_EQ(won["stage"], "customer");
  EXPECT_DOUBLE_EQ(won["amount"].get<double>(), 1200.0);
  ASSERT_EQ(won["touches"].size(), 2u);
  EXPECT_EQ(won["touches"][0]["source"], "google");
  EXPECT_EQ(won["touches"][0]["roles"], json({"first"}));
  // The newsletter touch made the lead and the opportunity: 0.6 against 0.3, scaled.
  EXPECT_EQ(won["touches"][1]["roles"], json({"lead_creation", "opportunity_creation"}));
  EXPECT_DOUBLE_EQ(won["touches"][0]["credit"].get<double>(), 0.333333);
  EXPECT_DOUBLE_EQ(won["touches"][1]["credit"].get<double>(), 0.666667);
  EXPECT_DOUBLE_EQ(won["touches"][0]["amount"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(won["touches"][1]["amount"].get<double>(), 800.0);

  // The report by source with the same model says the same.
  json report = Report(std::string(kRange) + "&by=source&model=w_shaped", token_marketing_);
  EXPECT_DOUBLE_EQ(Group(report, "newsletter")["revenue"].get<double>(), 800.0);
}

TEST_F(AttributionApiTest, ARepSeesTheRepsOwnDealsAndAViewerNothing) {
  const std::string& token0 = OwnerToken(lead0_);
  json own = Report(kRange, token0);
  const bool same_owner = OwnerToken(lead1_) == token0;
  EXPECT_EQ(own["total"]["opportunity_deals"], same_owner ? 2 : 1);
  EXPECT_EQ(Call("GET", "/api/v1/reports/attribution/leads/" + lead0_, token0).status, 200u);
  const std::string& other = token0 == token_rep_a_ ? token_rep_b_ : token_rep_a_;
  HttpResult refused = Call("GET", "/api/v1/reports/attribution/leads/" + lead0_, other);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(Call("GET", std::string("/api/v1/reports/attribution?") + kRange, token_viewer_).status,
            403u);
  EXPECT_EQ(Call("GET", "/api/v1/reports/attribution/leads/" + lead0_, token_viewer_).status, 403u);
  EXPECT_EQ(Call("GET", "/api/v1/reports/attribution/leads/ld_999999", token_manager_).status,
            404u);
}

TEST_F(AttributionApiTest, CsvHasExactDecimals) {
  HttpResult r = Call(
      "GET",
      std::string("/api/v1/reports/attribution?") + kRange + "&by=source&model=u_shaped&format=csv",
      token_manager_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.headers["Content-Type"], "text/csv; charset=utf-8");
  EXPECT_TRUE(r.body.starts_with(
      "scope,group,opportunities,pipeline,won,revenue,opportunity_deals,won_deals\r\n"
      "total,,2.000000,1500.50,1.000000,1200.00,2,1\r\n"))
      << r.body;
  EXPECT_NE(r.body.find("group,google,0.500000,500.25,0.500000,600.00,1,1\r\n"), std::string::npos)
      << r.body;
}

TEST_F(AttributionApiTest, BadInputIsA400NamingTheParameter) {
  for (const auto& [query, names] : std::vector<std::pair<std::string, std::string>>{
           {"model=last_click", "model=\"last_click\""},
           {"model=time_decay&half_life_days=0", "half_life_days=\"0\""},
           {"model=time_decay&half_life_days=-3", "half_life_days=\"-3\""},
           {"half_life_days=week", "half_life_days=\"week\""},
           {"by=planet", "by=\"planet\""},
       }) {
    HttpResult r = Call("GET", std::string("/api/v1/reports/attribution?") + kRange + "&" + query,
                        token_manager_);
    EXPECT_EQ(r.status, 400u) << query;
    const std::string message =
        json::parse(r.body, nullptr, false)["error"]["message"].get<std::string>();
    EXPECT_NE(message.find(names), std::string::npos) << query << ": " << r.body;
  }
  HttpResult unbounded = Call("GET", "/api/v1/reports/attribution?from=2026-11-01", token_manager_);
  EXPECT_EQ(unbounded.status, 400u);
  HttpResult explain =
      Call("GET", "/api/v1/reports/attribution/leads/" + lead0_ + "?model=nope", token_manager_);
  EXPECT_EQ(explain.status, 400u) << explain.body;
}

}  // namespace
}  // namespace tandem::testing
