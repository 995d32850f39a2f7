#include "experiments/sample_ratio.h"

#include "experiments/distributions.h"

namespace tandem {

SampleRatio CheckSampleRatio(const std::vector<int64_t>& counts,
                             const std::vector<double>& weights) {
  SampleRatio ratio;
  int64_t total = 0;
  for (const int64_t count : counts) total += count;
  if (total == 0) return ratio;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double expected = weights[i] * static_cast<double>(total);
    const double gap = static_cast<double>(counts[i]) - expected;
    ratio.chi_square += gap * gap / expected;
  }
  ratio.p_value = ChiSquareSurvival(ratio.chi_square, static_cast<double>(counts.size() - 1));
  ratio.mismatch = ratio.p_value < kSampleRatioAlarm;
  return ratio;
}

MismatchCause ExplainMismatch(const SampleRatio& assigned, const SampleRatio& exposed) {
  if (assigned.mismatch) return MismatchCause::kAssignment;
  if (exposed.mismatch) return MismatchCause::kRefusals;
  return MismatchCause::kNone;
}

std::string_view MismatchCauseName(MismatchCause cause) {
  switch (cause) {
    case MismatchCause::kNone:
      return "none";
    case MismatchCause::kAssignment:
      return "assignment";
    case MismatchCause::kRefusals:
      return "refusals";
  }
  return "none";
}

}  // namespace tandem
