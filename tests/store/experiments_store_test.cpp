// The counts that judge experiments, on SQLite and on a real PostgreSQL server: kept per
// day and arm as persons are assigned, exposed and reach outcomes, they equal a count
// made independently over the raw facts (who was exposed when, which stage moves came
// after), conflicts taken out.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <set>

#include "app/open_store.h"
#include "core/time_format.h"
#include "experiments/results.h"
#include "store/store.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

constexpr int64_t kDay = 86'400'000;

TimePoint At(int64_t day, int64_t hour = 12) {
  return FromUnixMillis(day * kDay + hour * 3'600'000);
}

class ExperimentsStoreTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    auto store = OpenStore(dir_.Url(), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  Experiment Started(std::string key, ExperimentMetric metric, int window_days = 30) {
    Experiment e;
    e.key = std::move(key);
    e.name = "Pricing headline";
    e.kind = ExperimentKind::kWeb;
    e.variants = {{"a", 0.5, "", ""}, {"b", 0.5, "", ""}};
    e.metric = metric;
    e.window_days = window_days;
    e.created_at = At(0);
    auto created = store_->CreateExperiment(e);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    Experiment started = *created;
    started.state = ExperimentState::kRunning;
    started.started_at = At(0);
    EXPECT_TRUE(store_->UpdateExperiment(started, ExperimentState::kDraft).value());
    return started;
  }

  template <typename Work>
  void InTxn(Work work) {
    auto txn = store_->BeginLeadTxn();
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    work(**txn);
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  ArmTotals Totals(const Experiment& e, size_t arm) {
    return JudgeExperiment(e, store_->ExperimentDays(e.id).value()).arms.at(arm);
  }

  testing::TestStore dir_{GetParam()};
  std::unique_ptr<Store> store_;
};

TEST_P(ExperimentsStoreTest, OutcomesCountOnceWithinTheWindowAfterTheExposure) {
  const Experiment e = Started("pricing", ExperimentMetric::kSal, 30);
  InTxn([&](LeadTxn& txn) {
    for (int64_t p = 1; p <= 5; ++p) ASSERT_FALSE(txn.ExposePerson(e.id, p, 1, At(1)).value());
    // 1: accepted (SAL) on day 5, then qualified: counted once.
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kSal, At(5), std::nullopt).ok());
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kSql, At(6), std::nullopt).ok());
    // 2: straight to opportunity (past SAL): counted.
    ASSERT_TRUE(txn.NoteStageReached(2, Stage::kOpportunity, At(9), 50000).ok());
    // 3: MQL only: not SAL. 4: SAL after the window. 5: nothing.
    ASSERT_TRUE(txn.NoteStageReached(3, Stage::kMql, At(2), std::nullopt).ok());
    ASSERT_TRUE(txn.NoteStageReached(4, Stage::kSal, At(31, 13), std::nullopt).ok());
    // A person never exposed counts nowhere.
    ASSERT_TRUE(txn.NoteStageReached(9, Stage::kSal, At(2), std::nullopt).ok());
    // A side outcome counts once per exposed person.
    ASSERT_TRUE(txn.NoteSideOutcome(1, SideMetric::kClicks, At(2)).ok());
    ASSERT_TRUE(txn.NoteSideOutcome(1, SideMetric::kClicks, At(3)).ok());
    ASSERT_TRUE(txn.NoteSideOutcome(5, SideMetric::kUnsubscribes, At(4)).ok());
  });
  const ArmTotals b = Totals(e, 1);
  EXPECT_EQ(b.assigned, 5);
  EXPECT_EQ(b.exposed, 5);
  EXPECT_EQ(b.primary_sum, 2);
  EXPECT_EQ(b.primary_squares, 2);
  EXPECT_EQ(b.side[static_cast<size_t>(SideMetric::kClicks)], 1);
  EXPECT_EQ(b.side[static_cast<size_t>(SideMetric::kUnsubscribes)], 1);
  EXPECT_EQ(Totals(e, 0).exposed, 0);
}

TEST_P(ExperimentsStoreTest, APersonExposedToBothArmsIsTakenOutAndCounted) {
  const Experiment e = Started("pricing", ExperimentMetric::kMql);
  InTxn([&](LeadTxn& txn) {
    ASSERT_FALSE(txn.ExposePerson(e.id, 7, 0, At(1)).value());
    ASSERT_TRUE(txn.NoteStageReached(7, Stage::kMql, At(2), std::nullopt).ok());
    ASSERT_FALSE(txn.ExposePerson(e.id, 8, 0, At(1)).value());
  });
  EXPECT_EQ(Totals(e, 0).primary_sum, 1);
  InTxn([&](LeadTxn& txn) {
    // The first exposure wins: the same arm again changes nothing; the other conflicts.
    ASSERT_FALSE(txn.ExposePerson(e.id, 7, 0, At(3)).value());
    ASSERT_TRUE(txn.ExposePerson(e.id, 7, 1, At(3)).value());
    ASSERT_TRUE(txn.ExposePerson(e.id, 7, 1, At(4)).value());
    // Nothing of a conflicted person counts again.
    ASSERT_TRUE(txn.NoteSideOutcome(7, SideMetric::kReplies, At(4)).ok());
  });
  const ArmTotals a = Totals(e, 0);
  EXPECT_EQ(a.assigned, 1);
  EXPECT_EQ(a.exposed, 1);
  EXPECT_EQ(a.conflicted, 1);
  EXPECT_EQ(a.primary_sum, 0);
  EXPECT_EQ(a.side[static_cast<size_t>(SideMetric::kReplies)], 0);
  EXPECT_EQ(Totals(e, 1).exposed, 0);
}

TEST_P(ExperimentsStoreTest, PipelineAddsEachPersonsAmountsAndTheirSquares) {
  const Experiment e = Started("pricing", ExperimentMetric::kPipeline);
  InTxn([&](LeadTxn& txn) {
    ASSERT_FALSE(txn.ExposePerson(e.id, 1, 0, At(1)).value());
    ASSERT_FALSE(txn.ExposePerson(e.id, 2, 0, At(1)).value());
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kOpportunity, At(2), 300).ok());
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kOpportunity, At(3), 200).ok());  // reopened
    ASSERT_TRUE(txn.NoteStageReached(2, Stage::kOpportunity, At(3), 100).ok());
    ASSERT_TRUE(txn.NoteStageReached(2, Stage::kCustomer, At(4), 900).ok());  // won: not pipeline
  });
  const ArmTotals a = Totals(e, 0);
  EXPECT_EQ(a.primary_sum, 600);
  EXPECT_DOUBLE_EQ(a.primary_squares, 500.0 * 500 + 100.0 * 100);
}

// A conflicted person's pipeline is taken back from each day it was counted on, so every
// day's counts stay those of the persons who count (the interval over time reads them).
TEST_P(ExperimentsStoreTest, AConflictedPersonsPipelineIsTakenBackDayByDay) {
  const Experiment e = Started("pricing", ExperimentMetric::kPipeline);
  InTxn([&](LeadTxn& txn) {
    ASSERT_FALSE(txn.ExposePerson(e.id, 1, 0, At(1)).value());
    ASSERT_FALSE(txn.ExposePerson(e.id, 2, 0, At(1)).value());
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kOpportunity, At(2), 300).ok());
    ASSERT_TRUE(txn.NoteStageReached(1, Stage::kOpportunity, At(3), 200).ok());
    ASSERT_TRUE(txn.NoteStageReached(2, Stage::kOpportunity, At(3), 100).ok());
    ASSERT_TRUE(txn.ExposePerson(e.id, 1, 1, At(5)).value());
  });
  std::map<int64_t, std::pair<int64_t, double>> by_day;  // day -> (sum, squares), arm 0
  auto days = store_->ExperimentDays(e.id);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  for (const ExperimentDay& d : *days) {
    if (d.arm == 0) by_day[d.day] = {d.primary_sum, d.primary_squares};
  }
  EXPECT_EQ(by_day[2].first, 0);
  EXPECT_DOUBLE_EQ(by_day[2].second, 0);
  EXPECT_EQ(by_day[3].first, 100);
  EXPECT_DOUBLE_EQ(by_day[3].second, 100.0 * 100);
  // The person's outcomes stay recorded, day by day, so they are never counted again.
  auto db = dir_.OpenDb().value();
  auto rows = db->Prepare(
                    "SELECT day, amount_cents FROM experiment_outcomes WHERE experiment_id = ? "
                    "AND person_id = 1 ORDER BY day")
                  .value();
  rows->Bind(1, e.id);
  std::vector<std::pair<int64_t, int64_t>> kept;
  while (rows->Step().value()) kept.emplace_back(rows->Int(0), rows->Int(1));
  EXPECT_EQ(kept, (std::vector<std::pair<int64_t, int64_t>>{{2, 300}, {3, 200}}));
}

TEST_P(ExperimentsStoreTest, OnlyOneVersionOfAKeyAndOneExperimentPerTargetRun) {
  const Experiment first = Started("pricing", ExperimentMetric::kMql);
  Experiment second = first;
  second.id = 0;
  second.version = 2;
  second.state = ExperimentState::kDraft;
  auto created = store_->CreateExperiment(second);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(store_->CreateExperiment(second).status().error_code(), "experiment_exists");
  Experiment start = *created;
  start.state = ExperimentState::kRunning;
  const auto refused = store_->UpdateExperiment(start, ExperimentState::kDraft);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().error_code(), "experiment_running");
  EXPECT_EQ(store_->LatestExperiment("pricing").value()->version, 2);
  EXPECT_EQ(store_->FindRunningExperiment({.web_key = "pricing"}).value()->version, 1);
  ASSERT_EQ(store_->RunningWebExperiments().value().size(), 1u);
  // A change from a state it is no longer in changes nothing.
  Experiment stale = first;
  stale.name = "Renamed as a draft";
  auto stale_update = store_->UpdateExperiment(stale, ExperimentState::kDraft);
  ASSERT_TRUE(stale_update.ok()) << stale_update.status().ToString();
  EXPECT_FALSE(*stale_update);
  EXPECT_EQ(store_->GetExperiment(first.id).value()->name, "Pricing headline");
}

// Many persons, exposures, conflicts and outcomes at random: the kept counts equal an
// independent count over the raw facts.
TEST_P(ExperimentsStoreTest, KeptCountsEqualACountOverTheRawFacts) {
  const Experiment e = Started("pricing", ExperimentMetric::kSql, 14);
  std::mt19937_64 random(11);
  struct Move {
    int64_t person;
    Stage stage;
    int64_t at;
  };
  std::vector<Move> moves;
  std::map<int64_t, std::pair<int64_t, int64_t>> first_exposure;  // person -> (arm, at)
  std::set<int64_t> conflicted;
  // Actions at random, applied in time order as the pipeline and the lead work apply
  // them: exposures at noon, stage moves at one.
  struct Action {
    int64_t person;
    int64_t day;
    bool exposure;
    size_t arm;
    Stage stage;
  };
  std::vector<Action> actions;
  for (int i = 0; i < 3000; ++i) {
    Action a{1 + static_cast<int64_t>(random() % 800), static_cast<int64_t>(random() % 40),
             random() % 3 == 0, 0, Stage::kMql};
    a.arm = random() % 50 == 0 ? 1 - (a.person % 2) : a.person % 2;
    a.stage =
        std::array{Stage::kMql, Stage::kSql, Stage::kOpportunity, Stage::kRecycled}[random() % 4];
    actions.push_back(a);
  }
  std::stable_sort(actions.begin(), actions.end(), [](const Action& x, const Action& y) {
    return std::pair(x.day, !x.exposure) < std::pair(y.day, !y.exposure);
  });
  InTxn([&](LeadTxn& txn) {
    for (const Action& a : actions) {
      if (a.exposure) {
        const TimePoint at = At(a.day);
        ASSERT_TRUE(txn.ExposePerson(e.id, a.person, a.arm, at).ok());
        auto [it, fresh] = first_exposure.try_emplace(a.person, a.arm, ToUnixMillis(at));
        if (!fresh && it->second.first != static_cast<int64_t>(a.arm)) {
          conflicted.insert(a.person);
        }
      } else {
        ASSERT_TRUE(txn.NoteStageReached(a.person, a.stage, At(a.day, 13), std::nullopt).ok());
        moves.push_back({a.person, a.stage, ToUnixMillis(At(a.day, 13))});
      }
    }
  });
  // The independent count: who was exposed first to which arm, not conflicted, and whose
  // stage moves (the test's own list) reached SQL within 14 days after that exposure.
  std::array<int64_t, 2> exposed{};
  std::array<int64_t, 2> reached{};
  for (const auto& [person, first] : first_exposure) {
    if (conflicted.contains(person)) continue;
    ++exposed[first.first];
    for (const Move& m : moves) {
      if (m.person == person && FunnelRank(m.stage) >= FunnelRank(Stage::kSql) &&
          m.at >= first.second && m.at < first.second + 14 * kDay) {
        ++reached[first.first];
        break;
      }
    }
  }
  ASSERT_GT(conflicted.size(), 0u);
  int64_t conflicts = 0;
  for (size_t arm = 0; arm < 2; ++arm) {
    const ArmTotals t = Totals(e, arm);
    EXPECT_EQ(t.exposed, exposed[arm]) << "arm " << arm;
    EXPECT_EQ(t.primary_sum, reached[arm]) << "arm " << arm;
    conflicts += t.conflicted;
  }
  EXPECT_EQ(conflicts, static_cast<int64_t>(conflicted.size()));
  // And the store's own raw rows say the same, in SQL.
  auto db = dir_.OpenDb().value();
  auto count = db->Prepare(
                     "SELECT arm, count(*) FROM experiment_persons WHERE experiment_id = ? AND "
                     "exposed_at IS NOT NULL AND conflicted_at IS NULL GROUP BY arm ORDER BY arm")
                   .value();
  count->Bind(1, e.id);
  for (size_t arm = 0; arm < 2; ++arm) {
    ASSERT_TRUE(count->Step().value());
    EXPECT_EQ(count->Int(1), exposed[static_cast<size_t>(count->Int(0))]);
  }
  count->Reset();
}

INSTANTIATE_TEST_SUITE_P(BothBackends, ExperimentsStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const ::testing::TestParamInfo<testing::Backend>& backend) {
                           return testing::BackendName(backend.param);
                         });

}  // namespace
}  // namespace tandem
