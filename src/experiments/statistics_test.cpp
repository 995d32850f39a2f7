// The experiments' statistics against what they promise, by simulation with fixed
// seeds: at most alpha false winners however often an A/A experiment is looked at, the
// calculator's sizes reaching their power, skewed assignments caught.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "experiments/comparison.h"
#include "experiments/distributions.h"
#include "experiments/sample_ratio.h"
#include "experiments/sample_size.h"
#include "experiments/verdict.h"

namespace tandem {
namespace {

TEST(DistributionsTest, KnownValues) {
  EXPECT_NEAR(NormalCdf(1.959963985), 0.975, 1e-9);
  EXPECT_NEAR(NormalCdf(0), 0.5, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(NormalQuantile(0.8), 0.841621234, 1e-8);
  EXPECT_NEAR(ChiSquareSurvival(3.841458821, 1), 0.05, 1e-8);
  EXPECT_NEAR(ChiSquareSurvival(10.82756617, 1), 0.001, 1e-8);
  EXPECT_NEAR(ChiSquareSurvival(5.991464547, 2), 0.05, 1e-8);
  EXPECT_NEAR(ChiSquareSurvival(124.3421134, 100), 0.05, 1e-7);
  EXPECT_NEAR(ChiSquareSurvival(0.5, 3), 0.918891412, 1e-8);
  EXPECT_EQ(ChiSquareSurvival(0, 1), 1.0);
}

// An experiment simulated batch by batch: each batch exposes `batch` persons split by
// the weights, each arm converting at its rate; a look after every batch.
struct Simulation {
  std::vector<double> weights = {0.5, 0.5};
  std::vector<double> rates = {0.05, 0.05};
  int64_t batch = 400;
  int looks = 100;
};

std::vector<Look> Simulate(const Simulation& sim, std::mt19937_64& random) {
  std::vector<Look> looks;
  std::vector<ArmLook> arms(sim.weights.size());
  for (int l = 0; l < sim.looks; ++l) {
    int64_t left = sim.batch;
    double share_left = 1.0;
    for (size_t a = 0; a < arms.size(); ++a) {
      int64_t n = left;
      if (a + 1 < arms.size()) {
        n = std::binomial_distribution<int64_t>(left, sim.weights[a] / share_left)(random);
      }
      left -= n;
      share_left -= sim.weights[a];
      const int64_t converted = std::binomial_distribution<int64_t>(n, sim.rates[a])(random);
      arms[a].assigned += n;
      arms[a].exposed += n;
      arms[a].primary.n += n;
      arms[a].primary.sum += static_cast<double>(converted);
      arms[a].primary.sum_squares += static_cast<double>(converted);
    }
    looks.push_back(Look{TimePoint{} + std::chrono::hours(24 * l), arms});
  }
  return looks;
}

VerdictRules RulesFor(const Simulation& sim, double minimum_lift = 0.2) {
  VerdictRules rules;
  rules.weights = sim.weights;
  rules.tau = MixtureTau(sim.rates[0], minimum_lift);
  return rules;
}

// The simulation's error of a share measured over `runs` experiments, for a true share p.
double TwoStandardErrors(double p, int runs) { return 2 * std::sqrt(p * (1 - p) / runs); }

bool FixedHorizonEverSignificant(const std::vector<Look>& looks, const VerdictRules& rules) {
  for (const Look& look : looks) {
    if (look.arms[0].exposed < rules.minimum_per_arm) continue;
    for (size_t a = 1; a < look.arms.size(); ++a) {
      if (FixedHorizonEffect(look.arms[0].primary, look.arms[a].primary, rules.alpha).p_value <
          rules.alpha) {
        return true;
      }
    }
  }
  return false;
}

// A small arm with a tiny mixture makes a wide interval; one of rates never leaves what
// two rates can differ by, and one of amounts is not bounded.
TEST(SequentialTestTest, AnIntervalOfRatesStaysWithinWhatTwoRatesCanDifferBy) {
  const ArmSample control{30, 0, 0, true};
  const ArmSample variant{30, 1, 1, true};
  const Effect wide = SequentialEffect(control, variant, MixtureTau(0.01, 0.2), 0.05);
  EXPECT_DOUBLE_EQ(wide.low, -1.0);
  EXPECT_DOUBLE_EQ(wide.high, 1.0);
  const Effect fixed = FixedHorizonEffect({2, 0, 0, true}, {2, 2, 2, true}, 0.001);
  EXPECT_DOUBLE_EQ(fixed.high, 1.0);
  EXPECT_GT(fixed.low, -1.0);
  const ArmSample amounts{30, 100, 10000, false};
  const ArmSample more{30, 300, 90000, false};
  const Effect unbounded = SequentialEffect(amounts, more, 0.01, 0.05);
  EXPECT_LT(unbounded.low, -1.0);
  EXPECT_GT(unbounded.high, 1.0);
}

TEST(SequentialTestTest, AnAaExperimentLookedAtAfterEveryBatchCallsAtMostAlphaFalseWinners) {
  std::mt19937_64 random(20261205);
  const Simulation sim;  // 100 looks, 40,000 persons, 5% convert in both arms
  const VerdictRules rules = RulesFor(sim);
  constexpr int kRuns = 2000;
  int false_winners = 0;
  int peeking_false_winners = 0;
  for (int run = 0; run < kRuns; ++run) {
    const std::vector<Look> looks = Simulate(sim, random);
    const Verdict verdict = Judge(rules, looks);
    ASSERT_NE(verdict.decision, Decision::kCollecting);
    false_winners += verdict.decision == Decision::kVariantBetter ||
                     verdict.decision == Decision::kControlBetter;
    peeking_false_winners += FixedHorizonEverSignificant(looks, rules);
  }
  const double share = static_cast<double>(false_winners) / kRuns;
  const double peeking = static_cast<double>(peeking_false_winners) / kRuns;
  std::printf("A/A, 100 looks: sequential %.2f%% false winners, fixed-horizon peeking %.2f%%\n",
              share * 100, peeking * 100);
  EXPECT_LE(share, 0.05 + TwoStandardErrors(0.05, kRuns));
  // The same experiments judged by the fixed-horizon test at every look: the problem the
  // sequential test solves.
  EXPECT_GT(peeking, 0.15);
}

TEST(SequentialTestTest, ThreeArmsStayWithinAlphaThroughTheCorrection) {
  std::mt19937_64 random(7);
  Simulation sim;
  sim.weights = {0.4, 0.3, 0.3};
  sim.rates = {0.1, 0.1, 0.1};
  sim.looks = 50;
  const VerdictRules rules = RulesFor(sim);
  constexpr int kRuns = 2000;
  int false_winners = 0;
  for (int run = 0; run < kRuns; ++run) {
    const Verdict verdict = Judge(rules, Simulate(sim, random));
    false_winners += verdict.decision == Decision::kVariantBetter ||
                     verdict.decision == Decision::kControlBetter;
  }
  EXPECT_LE(static_cast<double>(false_winners) / kRuns, 0.05 + TwoStandardErrors(0.05, kRuns));
}

TEST(SequentialTestTest, AKnownLiftIsFoundWithThePowerAtTheCalculatorsSize) {
  SamplePlan plan;
  plan.baseline = 0.05;
  plan.minimum_lift = 0.2;  // 5% -> 6%
  const StatusOr<SampleSizes> sizes = PlanSampleSize(plan);
  ASSERT_TRUE(sizes.ok()) << sizes.status().message();
  std::printf("5%% -> 6%%, 80%% power: fixed horizon %lld persons, sequential %lld\n",
              static_cast<long long>(sizes->fixed_horizon),
              static_cast<long long>(sizes->sequential));
  EXPECT_GT(sizes->sequential, sizes->fixed_horizon);

  std::mt19937_64 random(42);
  Simulation sim;
  sim.rates = {0.05, 0.06};
  sim.looks = 50;
  sim.batch = (sizes->sequential + sim.looks - 1) / sim.looks;
  const VerdictRules rules = RulesFor(sim);
  constexpr int kRuns = 1000;
  int found = 0;
  int wrong_way = 0;
  for (int run = 0; run < kRuns; ++run) {
    const Verdict verdict = Judge(rules, Simulate(sim, random));
    found += verdict.decision == Decision::kVariantBetter;
    wrong_way += verdict.decision == Decision::kControlBetter;
  }
  std::printf("sequential power at its size: %.1f%%\n", 100.0 * found / kRuns);
  EXPECT_GE(static_cast<double>(found) / kRuns, 0.80);
  EXPECT_EQ(wrong_way, 0);

  // The fixed-horizon test, looked at once at its size.
  Simulation once = sim;
  once.looks = 1;
  once.batch = sizes->fixed_horizon;
  int fixed_found = 0;
  for (int run = 0; run < kRuns; ++run) {
    const Look look = Simulate(once, random).back();
    const Effect e = FixedHorizonEffect(look.arms[0].primary, look.arms[1].primary, 0.05);
    fixed_found += e.p_value < 0.05 && e.estimate > 0;
  }
  std::printf("fixed-horizon power at its size: %.1f%%\n", 100.0 * fixed_found / kRuns);
  EXPECT_GE(static_cast<double>(fixed_found) / kRuns, 0.80);
}

TEST(SampleRatioTest, ASkewedAssignmentIsCaughtAndAFairOneRarelyIs) {
  // 50/50 planned, 51/49 delivered over 40,000 persons.
  const SampleRatio skewed = CheckSampleRatio({20400, 19600}, {0.5, 0.5});
  EXPECT_TRUE(skewed.mismatch) << skewed.p_value;
  std::mt19937_64 random(3);
  Simulation sim;
  sim.looks = 1;
  sim.batch = 40000;
  constexpr int kRuns = 2000;
  int alarms = 0;
  for (int run = 0; run < kRuns; ++run) {
    const Look look = Simulate(sim, random).back();
    alarms +=
        CheckSampleRatio({look.arms[0].assigned, look.arms[1].assigned}, sim.weights).mismatch;
  }
  EXPECT_LE(alarms, 10);  // 0.1% of 2,000 is 2
  const SampleRatio three = CheckSampleRatio({5000, 2500, 2500}, {0.5, 0.25, 0.25});
  EXPECT_FALSE(three.mismatch);
  EXPECT_NEAR(three.p_value, 1.0, 1e-12);
}

TEST(SampleRatioTest, RefusalsAreToldApartFromAnAssignmentFault) {
  Simulation sim;
  sim.looks = 1;
  sim.batch = 0;
  std::vector<Look> looks(1);
  looks[0].arms.resize(2);
  for (ArmLook& arm : looks[0].arms) {
    arm.assigned = 10000;
    arm.exposed = 10000;
    arm.primary = {10000, 500, 500, true};
  }
  looks[0].arms[1].exposed = 9400;  // the gate refused 6% more of B's recipients
  looks[0].arms[1].primary.n = 9400;
  VerdictRules rules;
  rules.weights = {0.5, 0.5};
  rules.tau = 0.01;
  Verdict verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.decision, Decision::kSampleRatioMismatch);
  EXPECT_EQ(verdict.mismatch, MismatchCause::kRefusals);
  looks[0].arms[1].assigned = 9400;
  verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.mismatch, MismatchCause::kAssignment);
  EXPECT_EQ(MismatchCauseName(verdict.mismatch), "assignment");
}

TEST(VerdictTest, CollectsUntilEveryArmHasTheMinimum) {
  std::vector<Look> looks(1);
  looks[0].arms = {ArmLook{60, 60, {60, 3, 3, true}, {}}, ArmLook{40, 40, {40, 9, 9, true}, {}}};
  VerdictRules rules;
  rules.weights = {0.5, 0.5};
  rules.tau = 0.01;
  const Verdict verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.decision, Decision::kCollecting);
  EXPECT_TRUE(verdict.history.empty());
  EXPECT_EQ(DecisionName(verdict.decision), "collecting");
}

TEST(VerdictTest, AGuardrailStopsTheExperimentWhateverThePrimarySays) {
  std::vector<Look> looks(1);
  ArmLook control{20000, 20000, {20000, 1000, 1000, true}, {{20000, 20, 20, true}}};
  ArmLook variant{20000, 20000, {20000, 1400, 1400, true}, {{20000, 200, 200, true}}};
  looks[0].arms = {control, variant};
  VerdictRules rules;
  rules.weights = {0.5, 0.5};
  rules.tau = 0.01;
  Verdict verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.decision, Decision::kStoppedByGuardrail);
  ASSERT_TRUE(verdict.variants[0].guardrail_breached.has_value());
  EXPECT_EQ(*verdict.variants[0].guardrail_breached, 0u);
  // Without the guardrail's rise the same primary is a win.
  looks[0].arms[1].guardrails[0] = {20000, 20, 20, true};
  verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.decision, Decision::kVariantBetter);
  EXPECT_EQ(verdict.winner, 1u);
  EXPECT_GT(verdict.variants[0].sequential.low, 0);
}

TEST(VerdictTest, ADecisionOnceReachedStands) {
  // A strong early lead that fades: the running interval keeps the decision.
  std::vector<Look> looks(2);
  looks[0].arms = {ArmLook{5000, 5000, {5000, 250, 250, true}, {}},
                   ArmLook{5000, 5000, {5000, 450, 450, true}, {}}};
  looks[1].arms = {ArmLook{50000, 50000, {50000, 2500, 2500, true}, {}},
                   ArmLook{50000, 50000, {50000, 2560, 2560, true}, {}}};
  VerdictRules rules;
  rules.weights = {0.5, 0.5};
  rules.tau = 0.01;
  const Verdict verdict = Judge(rules, looks);
  EXPECT_EQ(verdict.decision, Decision::kVariantBetter);
  ASSERT_EQ(verdict.history.size(), 2u);
  EXPECT_LE(verdict.history[1].effects[0].high - verdict.history[1].effects[0].low,
            verdict.history[0].effects[0].high - verdict.history[0].effects[0].low);
}

TEST(SampleSizeTest, RefusesAPlanThatCannotBeMet) {
  SamplePlan plan;
  plan.baseline = 0.05;
  plan.weights = {0.5, 0.4};
  StatusOr<SampleSizes> sizes = PlanSampleSize(plan);
  ASSERT_FALSE(sizes.ok());
  EXPECT_EQ(sizes.status().error_code(), "invalid_weights");
  EXPECT_NE(sizes.status().message().find("0.9"), std::string::npos);
  plan.weights = {0.5, 0.5};
  plan.baseline = 0.9;
  plan.minimum_lift = 0.2;  // 90% -> 108%
  sizes = PlanSampleSize(plan);
  ASSERT_FALSE(sizes.ok());
  EXPECT_EQ(sizes.status().error_code(), "invalid_baseline");
  plan.baseline = 0.05;
  plan.minimum_lift = 0.1;
  plan.weights = {0.8, 0.2};  // unequal arms need more in all
  const StatusOr<SampleSizes> unequal = PlanSampleSize(plan);
  plan.weights = {0.5, 0.5};
  const StatusOr<SampleSizes> equal = PlanSampleSize(plan);
  ASSERT_TRUE(unequal.ok() && equal.ok());
  EXPECT_GT(unequal->fixed_horizon, equal->fixed_horizon);
  EXPECT_GT(unequal->sequential, equal->sequential);
}

}  // namespace
}  // namespace tandem
