// An experiment's verdict: from its arms' figures at each look (the cumulative counts
// at the end of each day), the effect of every variant against the control with its
// always-valid interval over time, the fixed-horizon test beside it, the sample-ratio
// checks, the guardrails, and the decision. Pure: the caller reads the counts, this
// judges them.
//
// Rules:
// - Arm 0 is the control. With k arms, each of the k − 1 comparisons runs at
//   alpha / (k − 1) (Bonferroni), so the chance of any false winner stays below alpha.
// - Nothing is decided, and no interval is kept, before every arm has at least
//   minimum_per_arm persons exposed ("collecting").
// - From then, each variant's interval is the intersection of its confidence sequence's
//   intervals at every look so far, and its p-value the smallest so far: both stay valid
//   however often the result is looked at, and a decision once reached stands.
// - A sample ratio mismatch of the assigned or the exposed counts stops any decision
//   ("sample ratio mismatch", with its cause).
// - A guardrail (unsubscribes, bounces, complaints: rates where more is worse) whose
//   interval for a variant lies wholly above zero stops the experiment ("stopped by
//   guardrail"), whatever the primary metric says. The guardrails split the variant's
//   alpha between them.
// - A variant whose interval lies wholly above zero is better than the control; the
//   best of those wins ("variant better"). When every variant's lies wholly below, the
//   control wins ("control better"). Otherwise "no difference yet".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "experiments/comparison.h"
#include "experiments/sample_ratio.h"

namespace tandem {

enum class Decision {
  kCollecting,
  kNoDifferenceYet,
  kVariantBetter,
  kControlBetter,
  kStoppedByGuardrail,
  kSampleRatioMismatch,
};
std::string_view DecisionName(Decision decision);

// One arm's cumulative figures at one look.
struct ArmLook {
  int64_t assigned = 0;  // persons assigned (for email: chosen, before the gate)
  int64_t exposed = 0;   // persons exposed and not excluded (the primary's n)
  ArmSample primary;
  std::vector<ArmSample> guardrails;  // one per guardrail, in the rules' order
};

struct Look {
  TimePoint at;
  std::vector<ArmLook> arms;  // control first
};

struct VerdictRules {
  std::vector<double> weights;  // the arms' shares, control first; sum to 1
  double alpha = 0.05;
  double tau = 0;  // the primary's mixture (MixtureTau); > 0
  int64_t minimum_per_arm = 100;
  // The guardrails' mixture: the rise in an unsubscribe, bounce or complaint rate the
  // guardrails are tuned to catch soonest.
  double guardrail_tau = 0.005;
};

struct VariantVerdict {
  Effect sequential;     // the running interval and p-value (see above)
  Effect fixed_horizon;  // at the latest look only
  // The first guardrail (its index in ArmLook::guardrails) this variant breached.
  std::optional<size_t> guardrail_breached;
};

// A variant's running effect at one look, for the interval over time.
struct LookEffects {
  TimePoint at;
  std::vector<Effect> effects;  // one per variant (arm 1, 2, ...)
};

struct Verdict {
  Decision decision = Decision::kCollecting;
  std::optional<size_t> winner;          // the winning arm (0: the control)
  std::vector<VariantVerdict> variants;  // arm 1, 2, ...
  SampleRatio assigned_ratio;
  SampleRatio exposed_ratio;
  MismatchCause mismatch = MismatchCause::kNone;
  std::vector<LookEffects> history;  // the looks since the minimum was reached
};

// REQUIRES: rules.weights.size() >= 2 and every look has that many arms.
Verdict Judge(const VerdictRules& rules, const std::vector<Look>& looks);

}  // namespace tandem
