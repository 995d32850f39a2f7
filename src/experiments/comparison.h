// Comparing one variant's arm with the control's on one metric: the difference of
// their means (variant − control) with an interval and a p-value, by two tests.
//
// - SequentialEffect: the mixture sequential probability ratio test (mSPRT) with a
//   normal mixture N(0, tau²) over the difference, on the normal approximation of the
//   difference of means. Its interval is a confidence sequence and its p-value is
//   always valid: the chance that it ever falls below alpha at any look, however often
//   the result is looked at, is at most alpha when the arms do not differ. tau is the
//   size of difference the test is tuned to find soonest (the smallest lift worth
//   finding, in the metric's units).
// - FixedHorizonEffect: the two-sample z-test, valid once, at the sample size planned
//   before the experiment (PlanSampleSize); looking at it every day calls false winners.
//
// Pure.
#pragma once

#include <cstdint>

namespace tandem {

// The persons of one arm and the sum of one metric's values over them (and of their
// squares). A count metric (reached MQL within the window: 0 or 1) is binary: its
// variance is that of a proportion, smoothed by one success and one failure so that an
// arm with none yet does not look certain.
struct ArmSample {
  int64_t n = 0;
  double sum = 0;
  double sum_squares = 0;
  bool binary = true;

  double Mean() const { return n > 0 ? sum / n : 0.0; }
  // The variance of one person's value, estimated from the arm.
  double Variance() const;
};

struct Effect {
  double estimate = 0;  // variant's mean − control's mean
  double low = 0;       // the interval at level 1 − alpha
  double high = 0;
  double p_value = 1;  // of "no difference"
};

// REQUIRES: both arms have n >= 2; tau > 0; 0 < alpha < 1.
Effect SequentialEffect(const ArmSample& control, const ArmSample& variant, double tau,
                        double alpha);
Effect FixedHorizonEffect(const ArmSample& control, const ArmSample& variant, double alpha);

// The confidence sequence's half-width for a difference whose estimate has variance
// `variance`: where the mixture likelihood ratio reaches 1/alpha.
double SequentialHalfWidth(double variance, double tau, double alpha);

}  // namespace tandem
