#include "experiments/results.h"

#include <algorithm>
#include <cmath>

namespace tandem {
namespace {

constexpr size_t kClicks = static_cast<size_t>(SideMetric::kClicks);
constexpr size_t kReplies = static_cast<size_t>(SideMetric::kReplies);

void Add(ArmTotals& total, const ExperimentDay& d) {
  total.assigned += d.assigned;
  total.exposed += d.exposed;
  total.conflicted += d.conflicted;
  total.primary_sum += d.primary_sum;
  total.primary_squares += d.primary_squares;
  for (size_t i = 0; i < std::size(d.side); ++i) total.side[i] += d.side[i];
}

ArmSample Rate(int64_t n, int64_t count) {
  return ArmSample{n, static_cast<double>(count), static_cast<double>(count), true};
}

ArmLook LookOf(const ArmTotals& t, bool binary) {
  ArmLook look;
  look.assigned = t.assigned;
  look.exposed = t.exposed;
  look.primary =
      ArmSample{t.exposed, static_cast<double>(t.primary_sum), t.primary_squares, binary};
  for (const SideMetric g : kGuardrails) {
    look.guardrails.push_back(Rate(t.exposed, t.side[static_cast<size_t>(g)]));
  }
  return look;
}

// The mixture's tau: the planned lift of the baseline given, else of the mean over every
// arm at the first look where each arm had its minimum (at least one outcome counted, so
// it is never zero). Fixed from that look on, as the always-valid test needs: later data
// never changes the mixture an earlier look was judged with.
double TauFor(const Experiment& e, const std::vector<Look>& looks) {
  if (e.baseline) return MixtureTau(*e.baseline, e.minimum_lift);
  const auto reached = [&](const Look& look) {
    return std::all_of(look.arms.begin(), look.arms.end(), [&](const ArmLook& a) {
      return a.exposed >= std::max<int64_t>(e.minimum_per_arm, 2);
    });
  };
  auto first = std::find_if(looks.begin(), looks.end(), reached);
  if (first == looks.end() && !looks.empty()) first = looks.end() - 1;  // still collecting
  int64_t n = 0;
  double sum = 0;
  if (first != looks.end()) {
    for (const ArmLook& a : first->arms) {
      n += a.primary.n;
      sum += a.primary.sum;
    }
  }
  const double mean = std::max(sum, 1.0) / static_cast<double>(std::max<int64_t>(n, 1) + 2);
  return MixtureTau(mean, e.minimum_lift);
}

std::optional<SampleSizes> PlanFor(const Experiment& e, const std::vector<ArmTotals>& arms) {
  SamplePlan plan;
  plan.minimum_lift = e.minimum_lift;
  plan.alpha = e.alpha;
  plan.weights = e.Weights();
  plan.binary = e.metric != ExperimentMetric::kPipeline;
  int64_t n = 0;
  double sum = 0;
  double squares = 0;
  for (const ArmTotals& a : arms) {
    n += a.exposed;
    sum += static_cast<double>(a.primary_sum);
    squares += a.primary_squares;
  }
  if (e.baseline) {
    plan.baseline = *e.baseline;
  } else if (n > 0 && sum > 0) {
    plan.baseline = sum / static_cast<double>(n);
  } else {
    return std::nullopt;
  }
  if (!plan.binary) {
    if (n < 2) return std::nullopt;
    plan.standard_deviation =
        std::sqrt(std::max(0.0, (squares - sum * sum / static_cast<double>(n)) / (n - 1)));
  }
  StatusOr<SampleSizes> sizes = PlanSampleSize(plan);
  if (!sizes.ok()) return std::nullopt;
  return *sizes;
}

}  // namespace

std::optional<size_t> RestArm(const Experiment& e, const Verdict& verdict) {
  if (verdict.winner && (verdict.decision == Decision::kVariantBetter ||
                         verdict.decision == Decision::kControlBetter)) {
    return verdict.winner;
  }
  if (e.state == ExperimentState::kStopped) return size_t{0};
  return std::nullopt;
}

TimePoint DayStart(int64_t day) { return FromUnixMillis(day * 86'400'000); }

ExperimentResult JudgeExperiment(const Experiment& e, const std::vector<ExperimentDay>& days) {
  ExperimentResult result;
  const size_t arms = e.variants.size();
  const bool binary = e.metric != ExperimentMetric::kPipeline;
  result.arms.resize(arms);
  std::vector<Look> looks;
  for (size_t i = 0; i < days.size();) {
    const int64_t day = days[i].day;
    for (; i < days.size() && days[i].day == day; ++i) {
      if (days[i].arm < arms) Add(result.arms[days[i].arm], days[i]);
    }
    Look look{DayStart(day + 1), {}};  // as of the end of the day
    for (const ArmTotals& t : result.arms) look.arms.push_back(LookOf(t, binary));
    looks.push_back(std::move(look));
  }
  VerdictRules rules;
  rules.weights = e.Weights();
  rules.alpha = e.alpha;
  rules.minimum_per_arm = e.minimum_per_arm;
  result.tau = TauFor(e, looks);
  rules.tau = result.tau;
  result.verdict = Judge(rules, looks);
  const double alpha = e.alpha / static_cast<double>(arms - 1);
  for (size_t v = 1; v < arms; ++v) {
    std::vector<Effect> effects;
    for (const size_t side : {kClicks, kReplies}) {
      const ArmTotals& c = result.arms[0];
      const ArmTotals& t = result.arms[v];
      int64_t pooled = 0;
      for (const ArmTotals& a : result.arms) pooled += a.side[side];
      const double rate =
          (static_cast<double>(pooled) + 1) / static_cast<double>(c.exposed + t.exposed + 2);
      if (c.exposed < 2 || t.exposed < 2) {
        effects.push_back(Effect{0, -INFINITY, INFINITY, 1});
        continue;
      }
      effects.push_back(SequentialEffect(Rate(c.exposed, c.side[side]),
                                         Rate(t.exposed, t.side[side]),
                                         MixtureTau(rate, e.minimum_lift), alpha));
    }
    result.secondary.push_back(std::move(effects));
  }
  result.sample_size = PlanFor(e, result.arms);
  return result;
}

}  // namespace tandem
