#include "routing/router.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

namespace tandem {
namespace {

// Runs `leads` decisions, feeding passes back as the engine does.
std::map<int64_t, int> Simulate(
    std::vector<RoutingCandidate> reps, int leads,
    const std::function<void(int, std::vector<RoutingCandidate>&)>& tweak = {}) {
  double vt = 0;
  std::map<int64_t, int> got;
  for (int i = 0; i < leads; ++i) {
    if (tweak) tweak(i, reps);
    RoundRobinPick pick = PickRoundRobin(reps, vt);
    if (!pick.chosen) continue;
    vt = pick.new_virtual_time;
    reps[*pick.chosen].pass = pick.new_pass;
    ++got[reps[*pick.chosen].user_id];
  }
  return got;
}

TEST(RoundRobin, SharesFollowCapacityWithin2Percent) {
  const int capacities[] = {10, 20, 30, 40, 50, 60, 90};
  std::vector<RoutingCandidate> reps;
  int total_capacity = 0;
  for (int i = 0; i < 7; ++i) {
    reps.push_back({100 - i, "r" + std::to_string(i), capacities[i], 0, true, false, {}});
    total_capacity += capacities[i];
  }
  auto got = Simulate(reps, 10000);
  for (int i = 0; i < 7; ++i) {
    double share = got[100 - i] / 10000.0;
    double expected = static_cast<double>(capacities[i]) / total_capacity;
    EXPECT_NEAR(share, expected, 0.02 * expected) << "rep with capacity " << capacities[i];
  }
}

TEST(RoundRobin, JoinOrderDoesNotFavourAnyone) {
  // Three equal reps; one joins after 3,000 leads and is not flooded on arrival.
  std::vector<RoutingCandidate> reps = {{1, "a", 10, 0, true, false, {}},
                                        {2, "b", 10, 0, true, false, {}},
                                        {3, "c", 10, 0, false, false, {}}};
  std::map<int64_t, int> first_hundred_after_join;
  double vt = 0;
  for (int i = 0; i < 6000; ++i) {
    if (i == 3000) reps[2].active = true;
    RoundRobinPick pick = PickRoundRobin(reps, vt);
    vt = pick.new_virtual_time;
    reps[*pick.chosen].pass = pick.new_pass;
    if (i >= 3000 && i < 3099) ++first_hundred_after_join[reps[*pick.chosen].user_id];
  }
  EXPECT_EQ(first_hundred_after_join[3], 33);
  EXPECT_EQ(first_hundred_after_join[1], 33);
}

TEST(RoundRobin, SkipsOutOfOfficeAndFullRepsAndSaysWhy) {
  std::vector<RoutingCandidate> reps = {{1, "away@x", 10, 0, true, true, {}},
                                        {2, "full@x", 5, 5, true, false, {}},
                                        {3, "free@x", 5, 1, true, false, {}}};
  RoundRobinPick pick = PickRoundRobin(reps, 0);
  ASSERT_TRUE(pick.chosen);
  EXPECT_EQ(reps[*pick.chosen].user_id, 3);
  EXPECT_EQ(pick.notes[0].why, "out_of_office");
  EXPECT_EQ(pick.notes[1].why, "at_capacity (5/5)");
  EXPECT_EQ(pick.notes[2].why, "chosen");
  reps[2].open_leads = 5;
  EXPECT_FALSE(PickRoundRobin(reps, 0).chosen);  // nobody: the fallback queue's turn
}

TEST(RoundRobin, ReturningRepIsNotStarvedNorFlooded) {
  std::vector<RoutingCandidate> reps = {{1, "a", 10, 0, true, false, {}},
                                        {2, "b", 10, 0, true, false, {}}};
  auto got = Simulate(reps, 2000, [](int i, std::vector<RoutingCandidate>& r) {
    r[1].out_of_office = i >= 500 && i < 1000;
  });
  // b missed 500 leads while away, and afterwards gets its half again, not a burst.
  EXPECT_NEAR(got[2], 750, 2);
  EXPECT_NEAR(got[1], 1250, 2);
}

TEST(Teams, FirstMatchingRuleWinsElseEverySalesRep) {
  RoutingConfig config;
  Condition big;
  big.field = "company.size";
  big.op = ConditionOp::kGte;
  big.number = 1000;
  Condition de;
  de.field = "country";
  de.op = ConditionOp::kIn;
  de.texts = {"DE", "AT", "CH"};
  config.rules = {{"enterprise", {big}, "enterprise", 0}, {"dach", {de}, "dach", 0}};
  EXPECT_EQ(ChooseTeam(config, {{"company", {{"size", 5000}}}, {"country", "DE"}}).team,
            "enterprise");
  EXPECT_EQ(ChooseTeam(config, {{"company", {{"size", 50}}}, {"country", "at"}}).team, "dach");
  TeamChoice none = ChooseTeam(config, {{"country", "FR"}});
  EXPECT_EQ(none.team, "");
  EXPECT_EQ(none.rule, "default");
}

}  // namespace
}  // namespace tandem
