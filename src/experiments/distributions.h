// The few distribution functions the experiments' statistics need: the standard
// normal's CDF and quantile, and the chi-square distribution's upper tail. Pure.
#pragma once

namespace tandem {

// P(Z <= z) for a standard normal Z.
double NormalCdf(double z);

// The z with NormalCdf(z) == p, for 0 < p < 1 (accurate to about 1e-12).
double NormalQuantile(double p);

// P(X >= x) for X chi-square distributed with `degrees` degrees of freedom (> 0);
// 1 for x <= 0.
double ChiSquareSurvival(double x, double degrees);

}  // namespace tandem
