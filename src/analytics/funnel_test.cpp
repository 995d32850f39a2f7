// The funnel report from the store's counts: stages reached, Wilson intervals, CSV.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analytics/funnel_report.h"

namespace tandem {
namespace {

TEST(WilsonInterval, KnownValuesAndTheEdges) {
  Interval half = WilsonInterval(5, 10);
  EXPECT_NEAR(half.low, 0.236593, 1e-6);
  EXPECT_NEAR(half.high, 0.763407, 1e-6);
  Interval none = WilsonInterval(0, 10);
  EXPECT_NEAR(none.low, 0, 1e-12);
  EXPECT_NEAR(none.high, 0.277533, 1e-6);
  Interval all = WilsonInterval(10, 10);
  EXPECT_NEAR(all.low, 0.722467, 1e-6);
  EXPECT_NEAR(all.high, 1, 1e-12);
}

TEST(Funnel, ALeadCountsAtEveryStageUpToTheDeepestItReached) {
  FunnelQuery query;
  query.by = Dimension::kCampaign;
  // Recycled now (rank 0) after reaching SQL; a customer; two plain leads; a lead the
  // store found with no rank at all still counts as a lead.
  const FunnelCount counts[] = {
      {"spring", 0, 4, 1}, {"spring", 6, 6, 1}, {"", 1, 0, 2}, {"fall", 0, 0, 1}};
  FunnelReport report = BuildFunnel(query, counts);
  EXPECT_EQ(report.total.reached, (std::array<int64_t, 6>{5, 2, 2, 2, 1, 1}));
  ASSERT_EQ(report.groups.size(), 3u);
  EXPECT_EQ(report.groups[0].group, "");  // two leads
  EXPECT_EQ(report.groups[1].group, "spring");
  EXPECT_EQ(report.groups[1].reached, (std::array<int64_t, 6>{2, 2, 2, 2, 1, 1}));
  EXPECT_EQ(report.groups[2].group, "fall");

  nlohmann::json json = FunnelToJson(report);
  EXPECT_EQ(json["by"], "campaign");
  EXPECT_EQ(json["total"]["counts"]["opportunity"], 1);
  EXPECT_EQ(json["total"]["conversions"][0]["converted"], 2);
  EXPECT_EQ(json["total"]["conversions"][0]["of"], 5);
  EXPECT_DOUBLE_EQ(json["total"]["conversions"][0]["rate"].get<double>(), 0.4);
  EXPECT_TRUE(json["groups"][2]["conversions"][0]["low"].is_number());
  EXPECT_TRUE(json["groups"][2]["conversions"][1]["rate"].is_null());  // nobody reached MQL
}

TEST(Funnel, WithoutADimensionOnlyTheTotal) {
  const FunnelCount counts[] = {{"", 2, 2, 3}};
  FunnelReport report = BuildFunnel(FunnelQuery{}, counts);
  EXPECT_TRUE(report.groups.empty());
  EXPECT_EQ(report.total.reached[1], 3);
  EXPECT_TRUE(FunnelToJson(report)["by"].is_null());
}

TEST(Funnel, CsvQuotesAndDefusesWhatASpreadsheetWouldRun) {
  FunnelQuery query;
  query.by = Dimension::kKeyword;
  const FunnelCount counts[] = {{"=HYPERLINK(\"x\")", 2, 2, 1}, {"a,b", 1, 0, 1}};
  std::string csv = FunnelToCsv(BuildFunnel(query, counts));
  EXPECT_NE(csv.find("\r\ngroup,\"'=HYPERLINK(\"\"x\"\")\",1,1,0,0,0,0,1.000000,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\r\ngroup,\"a,b\",1,0,0,0,0,0,0.000000,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\ntotal,,2,1,0,0,0,0,0.500000,"), std::string::npos) << csv;
}

TEST(Funnel, VelocityIsTheMedianAndP90DaysOfEachStepToTheHour) {
  FunnelQuery query;
  query.by = Dimension::kCohort;
  // Lead → MQL: 10 leads, 6 in 2 hours, 3 in 48 hours, 1 in 240 hours; MQL → SAL: none.
  const FunnelCount counts[] = {{"2026-11", 2, 2, 10}};
  const VelocityCount velocity[] = {
      {"2026-11", 1, 2, 6}, {"2026-11", 1, 48, 3}, {"2026-11", 1, 240, 1}, {"2026-11", 9, 1, 5}};
  const FunnelReport report = BuildFunnel(query, counts, velocity);
  const nlohmann::json json = FunnelToJson(report);
  const nlohmann::json& step = json["groups"][0]["conversions"][0];
  EXPECT_EQ(json["groups"][0]["group"], "2026-11");
  EXPECT_EQ(step["leads"], 10);
  EXPECT_DOUBLE_EQ(step["median_days"].get<double>(), 0.08);  // 2 hours
  EXPECT_DOUBLE_EQ(step["p90_days"].get<double>(), 2.0);      // the 9th of 10: 48 hours
  EXPECT_TRUE(json["total"]["conversions"][1]["median_days"].is_null());
  EXPECT_EQ(json["total"]["conversions"][1]["leads"], 0);
  EXPECT_TRUE(json["as_of"].is_null());
  const std::string csv = FunnelToCsv(report);
  EXPECT_NE(csv.find(",lead_to_mql_median_days,lead_to_mql_p90_days,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0.08,2.00,,,"), std::string::npos) << csv;
}

TEST(Funnel, AsOfIsADateOrTimeAfterFrom) {
  auto scope = ParseReportScope("2026-11-01", "2026-12-01", "cohort", "2026-11-15");
  ASSERT_TRUE(scope.ok()) << scope.status().ToString();
  EXPECT_EQ(scope->by, Dimension::kCohort);
  ASSERT_TRUE(scope->as_of);
  for (const char* bad : {"2026-10-01", "2026-11-01", "yesterday"}) {
    auto parsed = ParseReportScope("2026-11-01", "2026-12-01", "", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("as_of"), std::string::npos) << bad;
  }
}

TEST(Dimension, NamesRoundTripAndUnknownOnesAreNone) {
  for (Dimension d : {Dimension::kSource, Dimension::kKeyword, Dimension::kReferrerDomain,
                      Dimension::kContentItem, Dimension::kRep, Dimension::kCountry,
                      Dimension::kCompanySize, Dimension::kCohort}) {
    EXPECT_EQ(ParseDimension(DimensionName(d)), d);
  }
  EXPECT_FALSE(ParseDimension("term"));
  EXPECT_FALSE(ParseDimension(""));
}

}  // namespace
}  // namespace tandem
