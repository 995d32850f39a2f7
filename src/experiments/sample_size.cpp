// Both sizes by bisection over the total: each comparison's power is monotone in it.
#include "experiments/sample_size.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "experiments/comparison.h"
#include "experiments/distributions.h"

namespace tandem {
namespace {

constexpr int64_t kMaxTotal = int64_t{1} << 40;

struct Pair {
  double control_variance = 0;
  double variant_variance = 0;
  double pooled_variance = 0;  // under "no difference"
  double difference = 0;
  double control_weight = 0;
  double variant_weight = 0;
  bool binary = true;  // a difference of proportions (the correction applies)
};

// The smallest total for which `enough` holds, or kMaxTotal.
int64_t SmallestTotal(const std::function<bool(double)>& enough) {
  int64_t low = 2;
  int64_t high = 4;
  while (high < kMaxTotal && !enough(static_cast<double>(high))) high *= 2;
  if (high >= kMaxTotal) return kMaxTotal;
  while (high - low > 1) {
    const int64_t middle = low + (high - low) / 2;
    (enough(static_cast<double>(middle)) ? high : low) = middle;
  }
  return high;
}

int64_t FixedHorizonTotal(const Pair& pair, double alpha, double power) {
  const double z_alpha = NormalQuantile(1.0 - alpha / 2.0);
  const double z_power = NormalQuantile(power);
  const auto enough = [&](double total) {
    const double nc = total * pair.control_weight;
    const double nv = total * pair.variant_weight;
    const double v0 = pair.pooled_variance * (1.0 / nc + 1.0 / nv);
    const double v1 = pair.control_variance / nc + pair.variant_variance / nv;
    return std::fabs(pair.difference) >= z_alpha * std::sqrt(v0) + z_power * std::sqrt(v1);
  };
  const int64_t total = SmallestTotal(enough);
  if (total >= kMaxTotal || !pair.binary) return total;
  // Fleiss' continuity correction of the control's arm, for arms in ratio r.
  const double nc = total * pair.control_weight;
  const double r = pair.variant_weight / pair.control_weight;
  const double grown =
      nc / 4.0 *
      std::pow(1.0 + std::sqrt(1.0 + 2.0 * (r + 1.0) / (r * nc * std::fabs(pair.difference))), 2.0);
  return static_cast<int64_t>(std::ceil(grown / pair.control_weight));
}

int64_t SequentialTotal(const Pair& pair, double tau, double alpha, double power) {
  const auto enough = [&](double total) {
    const double v = pair.control_variance / (total * pair.control_weight) +
                     pair.variant_variance / (total * pair.variant_weight);
    const double reach =
        (std::fabs(pair.difference) - SequentialHalfWidth(v, tau, alpha)) / std::sqrt(v);
    return NormalCdf(reach) >= power;
  };
  return SmallestTotal(enough);
}

Status CheckPlan(const SamplePlan& plan) {
  if (plan.weights.size() < 2) {
    return InvalidArgument("invalid_variants", "an experiment needs at least two variants");
  }
  double total = 0;
  for (const double w : plan.weights) {
    if (!(w > 0 && w < 1)) {
      return InvalidArgument("invalid_weights", "every variant's weight must be in (0, 1)");
    }
    total += w;
  }
  if (std::fabs(total - 1.0) > 1e-9) {
    return InvalidArgument("invalid_weights",
                           fmt::format("the variants' weights sum to {:g}, not 1", total));
  }
  if (!(plan.alpha > 0 && plan.alpha < 0.5)) {
    return InvalidArgument("invalid_alpha", "alpha must be in (0, 0.5)");
  }
  if (!(plan.power >= 0.5 && plan.power < 1)) {
    return InvalidArgument("invalid_power", "power must be in [0.5, 1)");
  }
  if (!(plan.minimum_lift > 0 && plan.minimum_lift <= 10)) {
    return InvalidArgument("invalid_minimum_lift", "minimum_lift must be in (0, 10]");
  }
  if (plan.binary) {
    const double lifted = plan.baseline * (1.0 + plan.minimum_lift);
    if (!(plan.baseline > 0 && lifted < 1)) {
      return InvalidArgument("invalid_baseline",
                             "the baseline rate and the rate the lift makes must lie in (0, 1)");
    }
  } else if (!(plan.baseline > 0 && plan.standard_deviation > 0)) {
    return InvalidArgument("invalid_baseline",
                           "an amount's plan needs a baseline and a standard deviation above 0");
  }
  return OkStatus();
}

}  // namespace

StatusOr<SampleSizes> PlanSampleSize(const SamplePlan& plan) {
  TANDEM_RETURN_IF_ERROR(CheckPlan(plan));
  const double comparisons = static_cast<double>(plan.weights.size() - 1);
  const double alpha = plan.alpha / comparisons;  // Bonferroni over the variants
  const double p0 = plan.baseline;
  const double p1 = plan.baseline * (1.0 + plan.minimum_lift);
  const double tau = MixtureTau(plan.baseline, plan.minimum_lift);
  SampleSizes sizes;
  for (size_t i = 1; i < plan.weights.size(); ++i) {
    Pair pair;
    pair.difference = p1 - p0;
    pair.control_weight = plan.weights[0];
    pair.variant_weight = plan.weights[i];
    pair.binary = plan.binary;
    if (plan.binary) {
      pair.control_variance = p0 * (1 - p0);
      pair.variant_variance = p1 * (1 - p1);
      const double mean = (p0 * pair.control_weight + p1 * pair.variant_weight) /
                          (pair.control_weight + pair.variant_weight);
      pair.pooled_variance = mean * (1 - mean);
    } else {
      const double v = plan.standard_deviation * plan.standard_deviation;
      pair.control_variance = pair.variant_variance = pair.pooled_variance = v;
    }
    sizes.fixed_horizon = std::max(sizes.fixed_horizon, FixedHorizonTotal(pair, alpha, plan.power));
    sizes.sequential = std::max(sizes.sequential, SequentialTotal(pair, tau, alpha, plan.power));
  }
  return sizes;
}

}  // namespace tandem
