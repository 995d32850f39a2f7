// The mSPRT with a normal mixture has a closed form. With d the estimated difference and
// V its variance, the likelihood ratio of "difference theta" mixed over N(0, tau²)
// against "difference 0" is
//   L(d) = sqrt(V / (V + tau²)) · exp(tau² d² / (2 V (V + tau²))),
// the always-valid p-value is min(1, 1/L), and the confidence sequence is every theta
// whose ratio at d − theta stays below 1/alpha.
#include "experiments/comparison.h"

#include <algorithm>
#include <cmath>

#include "experiments/distributions.h"

namespace tandem {
namespace {

double DifferenceVariance(const ArmSample& control, const ArmSample& variant) {
  return control.Variance() / control.n + variant.Variance() / variant.n;
}

// Two proportions differ by at most 1 either way: an interval of rates is kept within
// [-1, 1], which every difference they can have lies in (so it covers as often).
void KeepWithinRates(const ArmSample& control, const ArmSample& variant, Effect& effect) {
  if (!control.binary || !variant.binary) return;
  effect.low = std::max(effect.low, -1.0);
  effect.high = std::min(effect.high, 1.0);
}

}  // namespace

double ArmSample::Variance() const {
  if (binary) {
    const double p = (sum + 1.0) / (n + 2.0);
    return p * (1.0 - p);
  }
  if (n < 2) return 0;
  return std::max(0.0, (sum_squares - sum * sum / n) / (n - 1));
}

double SequentialHalfWidth(double variance, double tau, double alpha) {
  const double tau2 = tau * tau;
  const double spread = variance * (variance + tau2) / tau2;
  return std::sqrt(2.0 * spread *
                   (std::log(1.0 / alpha) + 0.5 * std::log((variance + tau2) / variance)));
}

Effect SequentialEffect(const ArmSample& control, const ArmSample& variant, double tau,
                        double alpha) {
  Effect effect;
  effect.estimate = variant.Mean() - control.Mean();
  const double v = DifferenceVariance(control, variant);
  if (!(v > 0)) {  // both arms constant (a mean metric with no spread yet): no evidence
    effect.low = -INFINITY;
    effect.high = INFINITY;
    return effect;
  }
  const double tau2 = tau * tau;
  const double d = effect.estimate;
  const double log_ratio = 0.5 * std::log(v / (v + tau2)) + tau2 * d * d / (2.0 * v * (v + tau2));
  effect.p_value = std::min(1.0, std::exp(-log_ratio));
  const double half = SequentialHalfWidth(v, tau, alpha);
  effect.low = d - half;
  effect.high = d + half;
  KeepWithinRates(control, variant, effect);
  return effect;
}

Effect FixedHorizonEffect(const ArmSample& control, const ArmSample& variant, double alpha) {
  Effect effect;
  effect.estimate = variant.Mean() - control.Mean();
  const double v = DifferenceVariance(control, variant);
  if (!(v > 0)) {
    effect.low = -INFINITY;
    effect.high = INFINITY;
    return effect;
  }
  const double se = std::sqrt(v);
  const double z = effect.estimate / se;
  effect.p_value = std::min(1.0, 2.0 * NormalCdf(-std::fabs(z)));
  const double half = NormalQuantile(1.0 - alpha / 2.0) * se;
  effect.low = effect.estimate - half;
  effect.high = effect.estimate + half;
  KeepWithinRates(control, variant, effect);
  return effect;
}

}  // namespace tandem
