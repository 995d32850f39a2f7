// The outcomes report from the store's counts: shares, intervals, small groups, CSV.
#include "analytics/outcomes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem {
namespace {

OutcomeQuery ByKeyword(int64_t min_group) {
  OutcomeQuery query;
  query.scope.by = Dimension::kKeyword;
  query.min_group = min_group;
  return query;
}

TEST(Outcomes, SharesPerGroupWithTheirIntervalsAndTheOverallShare) {
  // "free crm" brings students; "crm pricing" brings no budget and competitors.
  const OutcomeCount counts[] = {
      {"free crm", "rejected", "student", 18},      {"free crm", "rejected", "no_budget", 2},
      {"crm pricing", "rejected", "no_budget", 10}, {"crm pricing", "lost", "competitor", 15},
      {"crm pricing", "rejected", "student", 5},    {"", "recycled", "not_ready", 3}};
  OutcomesReport report = BuildOutcomes(ByKeyword(10), counts);
  EXPECT_EQ(report.total.total, 53);
  ASSERT_EQ(report.groups.size(), 3u);
  EXPECT_EQ(report.groups[0].group, "crm pricing");  // 30 outcomes
  EXPECT_EQ(report.groups[1].group, "free crm");     // 20
  EXPECT_EQ(report.groups[2].group, "");             // 3: small, after the ranked ones
  EXPECT_TRUE(report.groups[2].small);
  EXPECT_FALSE(report.groups[0].small);
  ASSERT_EQ(report.groups[1].reasons.size(), 2u);
  EXPECT_EQ(report.groups[1].reasons[0].reason, "student");

  nlohmann::json json = OutcomesToJson(report);
  EXPECT_EQ(json["by"], "keyword");
  EXPECT_EQ(json["min_group"], 10);
  const nlohmann::json& student = json["groups"][1]["reasons"][0];
  EXPECT_EQ(student["count"], 18);
  EXPECT_DOUBLE_EQ(student["share"].get<double>(), 0.9);
  EXPECT_NEAR(student["low"].get<double>(), 0.698966, 1e-6);  // Wilson, 18 of 20
  EXPECT_NEAR(student["high"].get<double>(), 0.972134, 1e-6);
  EXPECT_NEAR(student["overall_share"].get<double>(), 23.0 / 53.0, 1e-6);
  // The total's shares add up to one.
  double sum = 0;
  for (const auto& r : json["total"]["reasons"]) sum += r["share"].get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-5);
}

TEST(Outcomes, SmallGroupsAreListedByNameNotRankedByCount) {
  const OutcomeCount counts[] = {{"b", "rejected", "spam", 2},
                                 {"a", "rejected", "spam", 1},
                                 {"big", "lost", "competitor", 25},
                                 {"c", "rejected", "spam", 3}};
  OutcomesReport report = BuildOutcomes(ByKeyword(20), counts);
  ASSERT_EQ(report.groups.size(), 4u);
  EXPECT_EQ(report.groups[0].group, "big");
  EXPECT_EQ(report.groups[1].group, "a");
  EXPECT_EQ(report.groups[2].group, "b");
  EXPECT_EQ(report.groups[3].group, "c");
}

TEST(Outcomes, NoDimensionGivesTheTotalOnlyAndNothingGivesAnEmptyReport) {
  OutcomeQuery query;
  const OutcomeCount counts[] = {{"", "lost", "price", 4}};
  OutcomesReport report = BuildOutcomes(query, counts);
  EXPECT_TRUE(report.groups.empty());
  EXPECT_EQ(report.total.total, 4);
  OutcomesReport empty = BuildOutcomes(query, {});
  nlohmann::json json = OutcomesToJson(empty);
  EXPECT_EQ(json["total"]["outcomes"], 0);
  EXPECT_TRUE(json["total"]["reasons"].empty());
  EXPECT_TRUE(json["by"].is_null());
}

TEST(Outcomes, CsvQuotesAndDefusesWhatASpreadsheetWouldRun) {
  const OutcomeCount counts[] = {{"=HYPERLINK(\"x\")", "rejected", "other, see note", 1}};
  std::string csv = OutcomesToCsv(BuildOutcomes(ByKeyword(1), counts));
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "scope,group,small,outcome,reason,count,share,share_low,share_high,overall_share");
  EXPECT_NE(csv.find("group,\"'=HYPERLINK(\"\"x\"\")\",false,rejected,\"other, see note\",1,1,"),
            std::string::npos)
      << csv;
}

}  // namespace
}  // namespace tandem
