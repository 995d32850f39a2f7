// The normal distribution through erfc; the chi-square tail through the regularized
// incomplete gamma function: its power series below a + 1, Lentz's continued fraction
// above (where each converges fast).
#include "experiments/distributions.h"

#include <cmath>
#include <limits>

namespace tandem {
namespace {

constexpr double kEpsilon = 1e-15;
constexpr int kMaxTerms = 10000;

// P(a, x), the regularized lower incomplete gamma function, by its series.
double LowerGammaSeries(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < kMaxTerms; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEpsilon) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Q(a, x), the regularized upper incomplete gamma function, by its continued fraction.
double UpperGammaFraction(double a, double x) {
  constexpr double kTiny = std::numeric_limits<double>::min() / kEpsilon;
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double fraction = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    fraction *= delta;
    if (std::fabs(delta - 1.0) < kEpsilon) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * fraction;
}

}  // namespace

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  // Bisection: the quantile is read a few times per report, never in a loop over data,
  // so plain and sure beats fast.
  double low = -40.0;
  double high = 40.0;
  for (int i = 0; i < 200 && high - low > 1e-13; ++i) {
    const double middle = 0.5 * (low + high);
    (NormalCdf(middle) < p ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

double ChiSquareSurvival(double x, double degrees) {
  if (x <= 0) return 1.0;
  const double a = degrees / 2.0;
  const double half_x = x / 2.0;
  if (half_x < a + 1.0) return 1.0 - LowerGammaSeries(a, half_x);
  return UpperGammaFraction(a, half_x);
}

}  // namespace tandem
