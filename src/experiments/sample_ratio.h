// The sample-ratio-mismatch check: whether the arms' counts fit the weights the
// experiment assigns by (Pearson's chi-square goodness of fit). A mismatch means the
// comparison is not between like groups and no winner may be called from it.
//
// It is run twice: on the persons assigned (every recipient the experiment chose a
// variant for, and every web exposure) and on the persons exposed (the messages the
// relay accepted after the gate let them through). Assigned counts that fit while
// exposed counts do not say the gate or the relay refused more in one arm; assigned
// counts that do not fit say the assignment itself is at fault. Pure.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tandem {

// The p-value below which the counts are taken not to fit.
inline constexpr double kSampleRatioAlarm = 0.001;

struct SampleRatio {
  double chi_square = 0;
  double p_value = 1;
  bool mismatch = false;  // p_value < kSampleRatioAlarm
};

// REQUIRES: counts.size() == weights.size() >= 2; the weights sum to 1.
SampleRatio CheckSampleRatio(const std::vector<int64_t>& counts,
                             const std::vector<double>& weights);

// Where a mismatch comes from, from the two checks.
enum class MismatchCause { kNone, kAssignment, kRefusals };
MismatchCause ExplainMismatch(const SampleRatio& assigned, const SampleRatio& exposed);
std::string_view MismatchCauseName(MismatchCause cause);

}  // namespace tandem
