// How many persons an experiment needs: the sample size calculator shown beside its
// results. For the fixed-horizon z-test, the size at which it finds the planned lift
// with the planned power (with Fleiss' continuity correction, so the figure errs on
// the large side); for the sequential test, the size at which its confidence sequence
// excludes zero with that power at the last look — looks before add to the power, so
// this errs on the large side too. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"

namespace tandem {

struct SamplePlan {
  // The control's expected mean of the metric: a rate for a count metric (0 < rate < 1),
  // the amount per exposed person (cents) otherwise.
  double baseline = 0;
  double minimum_lift = 0.1;  // the smallest relative lift worth finding (0.1: +10%)
  double alpha = 0.05;        // before the correction for several variants
  double power = 0.8;
  // The arms' shares, control first; they sum to 1.
  std::vector<double> weights = {0.5, 0.5};
  bool binary = true;
  // A mean metric's standard deviation per person (binary metrics derive theirs).
  double standard_deviation = 0;
};

struct SampleSizes {
  // Persons to expose in all arms together, so that every variant's comparison with the
  // control reaches the power.
  int64_t fixed_horizon = 0;
  int64_t sequential = 0;
};

// InvalidArgument naming the field when the plan cannot be met (a baseline outside
// (0, 1) for a rate, a lift that leaves it, weights that do not sum to 1, ...).
StatusOr<SampleSizes> PlanSampleSize(const SamplePlan& plan);

// The mixture's tau for a plan: the absolute difference the planned lift makes.
inline double MixtureTau(double baseline, double minimum_lift) { return baseline * minimum_lift; }

}  // namespace tandem
