#include "routing/router.h"

#include <gtest/gtest.h>

#include "routing/routing_service.h"

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

// The rows routing reads and writes, in memory.
class MemoryRouting : public RoutingWrites {
 public:
  std::map<int64_t, int> open_leads;
  std::optional<int64_t> account_owner;
  std::map<std::string, std::map<int64_t, double>> passes;
  std::map<std::string, double> virtual_times;
  std::vector<AssignmentRecord> started;

  StatusOr<int> CountOpenLeads(int64_t user_id) override { return open_leads[user_id]; }
  StatusOr<std::optional<int64_t>> FindAccountOwner(std::string_view, int64_t) override {
    return account_owner;
  }
  StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(std::string_view team) override {
    auto& p = passes[std::string(team)];
    return std::vector<std::pair<int64_t, double>>(p.begin(), p.end());
  }
  Status SetRoutingPass(std::string_view team, int64_t user_id, double pass) override {
    passes[std::string(team)][user_id] = pass;
    return OkStatus();
  }
  StatusOr<double> VirtualTime(std::string_view team) override {
    return virtual_times[std::string(team)];
  }
  Status SetVirtualTime(std::string_view team, double virtual_time) override {
    virtual_times[std::string(team)] = virtual_time;
    return OkStatus();
  }
  Status StartAssignment(const AssignmentRecord& a) override {
    started.push_back(a);
    return OkStatus();
  }
  Status EndAssignment(int64_t, TimePoint, std::string_view) override { return OkStatus(); }
  StatusOr<std::optional<AssignmentRecord>> OpenAssignment(int64_t) override {
    return std::optional<AssignmentRecord>();
  }
  Status UpdateAssignmentSla(const AssignmentRecord&) override { return OkStatus(); }
};

UserRecord Rep(int64_t id, std::string team, std::string role = "sales_rep") {
  UserRecord u;
  u.id = id;
  u.email = "u" + std::to_string(id) + "@example.com";
  u.role = *ParseRole(role);
  u.team = std::move(team);
  return u;
}

TEST(RoutingService, TheAccountsOwnerComesFirst) {
  MemoryRouting txn;
  txn.account_owner = 2;
  std::vector<UserRecord> users = {Rep(1, ""), Rep(2, "")};
  RoutingService service(RoutingConfig{});
  RoutingSubject lead{7, "acme.com", nlohmann::json::object(), std::nullopt};
  RoutingDecision d = service.Route(txn, users, lead, TimePoint{}).value();
  ASSERT_TRUE(d.owner);
  EXPECT_EQ(d.owner->id, 2);
  EXPECT_EQ(d.rule, "account_match");
  EXPECT_TRUE(txn.passes.empty());  // the rotation did not move
}

TEST(RoutingService, RoundRobinMovesTheRotationAndSkipsTheExcluded) {
  MemoryRouting txn;
  std::vector<UserRecord> users = {Rep(1, ""), Rep(2, "")};
  RoutingService service(RoutingConfig{});
  RoutingSubject lead{7, "", nlohmann::json::object(), 1};
  RoutingDecision d = service.Route(txn, users, lead, TimePoint{}).value();
  ASSERT_TRUE(d.owner);
  EXPECT_EQ(d.owner->id, 2);
  EXPECT_EQ(d.rule, "default");
  EXPECT_EQ(txn.passes["*"].count(2), 1u);
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_FALSE(d.candidates[0].team);  // the excluded rep is noted without a team
  EXPECT_EQ(d.candidates[1].team, "(all sales reps)");
}

TEST(RoutingService, NobodyAvailableLeavesTheTeamForTheQueue) {
  MemoryRouting txn;
  std::vector<UserRecord> users = {Rep(1, "emea")};
  users[0].active = false;
  RoutingConfig config;
  config.rules.push_back({"europe", {}, "emea", 1});
  RoutingService service(config);
  RoutingSubject lead{7, "", nlohmann::json::object(), std::nullopt};
  RoutingDecision d = service.Route(txn, users, lead, TimePoint{}).value();
  EXPECT_FALSE(d.owner);
  EXPECT_EQ(d.team, "emea");
  EXPECT_EQ(d.rule, "europe");
}

TEST(RoutingService, MissedSlasGoToTheOwnersTeamManagersElseAllElseAdmins) {
  std::vector<UserRecord> users = {Rep(1, "emea"), Rep(2, "emea", "sales_manager"),
                                   Rep(3, "us", "sales_manager"), Rep(4, "", "admin")};
  auto ids = [](const std::vector<UserRecord>& us) {
    std::vector<int64_t> out;
    for (const UserRecord& u : us) out.push_back(u.id);
    return out;
  };
  EXPECT_EQ(ids(SlaManagers(users, users[0])), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(SlaManagers(users, std::nullopt)), (std::vector<int64_t>{2, 3}));
  users[1].active = users[2].active = false;
  EXPECT_EQ(ids(SlaManagers(users, users[0])), (std::vector<int64_t>{4}));
}

}  // namespace
}  // namespace tandem
