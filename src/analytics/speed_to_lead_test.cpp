// The speed-to-lead report from the store's counts: buckets, conversions, percentiles.
#include "analytics/speed_to_lead.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem {
namespace {

TEST(SpeedToLead, BucketsHaveTheirEdgesWhereTheyAreNamed) {
  EXPECT_EQ(SpeedBucketOf(0), 0u);
  EXPECT_EQ(SpeedBucketOf(4), 0u);
  EXPECT_EQ(SpeedBucketOf(5), 1u);
  EXPECT_EQ(SpeedBucketOf(59), 1u);
  EXPECT_EQ(SpeedBucketOf(60), 2u);
  EXPECT_EQ(SpeedBucketOf(24 * 60 - 1), 2u);
  EXPECT_EQ(SpeedBucketOf(24 * 60), 3u);
  EXPECT_EQ(SpeedBucketOf(std::nullopt), 4u);
}

TEST(SpeedToLead, FastResponsesConvertBetterAndThePercentilesAreTheMinutesOfRanks) {
  FunnelQuery query;
  query.by = Dimension::kRep;
  const SpeedCount counts[] = {
      // usr_1 calls within 2 minutes: 8 of 10 accepted, 4 qualified, 1 won.
      {"usr_1", 2, true, true, true, 1},
      {"usr_1", 2, true, true, false, 3},
      {"usr_1", 3, true, false, false, 4},
      {"usr_1", 3, false, false, false, 2},
      // usr_2 the next day, or never.
      {"usr_2", 30 * 60, true, false, false, 1},
      {"usr_2", 30 * 60, false, false, false, 3},
      {"usr_2", std::nullopt, false, false, false, 6}};
  SpeedReport report = BuildSpeedToLead(query, counts);
  EXPECT_EQ(report.total.mqls, 20);
  ASSERT_EQ(report.groups.size(), 2u);
  nlohmann::json json = SpeedToLeadToJson(report);
  const nlohmann::json& fast = json["groups"][0];
  EXPECT_EQ(fast["group"], "usr_1");
  EXPECT_EQ(fast["responded"], 10);
  EXPECT_EQ(fast["median_minutes"], 3);  // ranks 1-4 at 2 min, 5-10 at 3
  EXPECT_EQ(fast["p90_minutes"], 3);
  const nlohmann::json& under5 = fast["buckets"][0];
  EXPECT_EQ(under5["bucket"], "under_5_min");
  EXPECT_EQ(under5["mqls"], 10);
  EXPECT_EQ(under5["accepted"]["converted"], 8);
  EXPECT_DOUBLE_EQ(under5["accepted"]["rate"].get<double>(), 0.8);
  EXPECT_EQ(under5["won"]["converted"], 1);
  EXPECT_TRUE(fast["buckets"][1]["accepted"]["rate"].is_null());  // nobody in 5-60 min
  const nlohmann::json& slow = json["groups"][1];
  EXPECT_EQ(slow["responded"], 4);
  EXPECT_EQ(slow["median_minutes"], 1800);
  EXPECT_EQ(slow["buckets"][3]["mqls"], 4);
  EXPECT_EQ(slow["buckets"][4]["mqls"], 6);
  EXPECT_DOUBLE_EQ(slow["buckets"][4]["share"].get<double>(), 0.6);
  // In all: the median of 14 responses is the 7th smallest (3 min), p90 the 13th (30 h).
  EXPECT_EQ(json["total"]["median_minutes"], 3);
  EXPECT_EQ(json["total"]["p90_minutes"], 1800);

  std::string csv = SpeedToLeadToCsv(report);
  EXPECT_NE(csv.find("\r\ngroup,usr_1,under_5_min,10,8,4,1,0.8,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\ngroup,usr_1,5_to_60_min,0,0,0,0,,,,,,,,,\r\n"), std::string::npos) << csv;
}

TEST(SpeedToLead, NoMqlsGiveNullPercentilesAndEmptyBuckets) {
  nlohmann::json json = SpeedToLeadToJson(BuildSpeedToLead(FunnelQuery{}, {}));
  EXPECT_EQ(json["total"]["mqls"], 0);
  EXPECT_TRUE(json["total"]["median_minutes"].is_null());
  EXPECT_EQ(json["total"]["buckets"].size(), 5u);
  EXPECT_EQ(json["total"]["buckets"][0]["share"], 0.0);
}

}  // namespace
}  // namespace tandem
