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

TEST(Dimension, NamesRoundTripAndUnknownOnesAreNone) {
  for (Dimension d : {Dimension::kSource, Dimension::kKeyword, Dimension::kReferrerDomain,
                      Dimension::kContentItem, Dimension::kRep}) {
    EXPECT_EQ(ParseDimension(DimensionName(d)), d);
  }
  EXPECT_FALSE(ParseDimension("term"));
  EXPECT_FALSE(ParseDimension(""));
}

}  // namespace
}  // namespace tandem
