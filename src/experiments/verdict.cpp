#include "experiments/verdict.h"

#include <algorithm>
#include <cmath>

namespace tandem {
namespace {

bool MinimumReached(const VerdictRules& rules, const Look& look) {
  return std::all_of(look.arms.begin(), look.arms.end(), [&](const ArmLook& arm) {
    return arm.exposed >= std::max<int64_t>(rules.minimum_per_arm, 2);
  });
}

// Narrows a running effect by one look's.
void Intersect(Effect& running, const Effect& now) {
  running.estimate = now.estimate;
  running.low = std::max(running.low, now.low);
  running.high = std::min(running.high, now.high);
  running.p_value = std::min(running.p_value, now.p_value);
}

std::optional<size_t> BreachedGuardrail(const VerdictRules& rules, const Look& look, size_t arm,
                                        double alpha) {
  const ArmLook& control = look.arms[0];
  const ArmLook& variant = look.arms[arm];
  const size_t count = std::min(control.guardrails.size(), variant.guardrails.size());
  // Each guardrail takes its share of alpha, so a false stop stays as rare as a false winner.
  alpha /= static_cast<double>(std::max<size_t>(count, 1));
  for (size_t g = 0; g < count; ++g) {
    const Effect effect =
        SequentialEffect(control.guardrails[g], variant.guardrails[g], rules.guardrail_tau, alpha);
    if (effect.low > 0) return g;
  }
  return std::nullopt;
}

std::vector<int64_t> Counts(const Look& look, int64_t ArmLook::*field) {
  std::vector<int64_t> counts;
  for (const ArmLook& arm : look.arms) counts.push_back(arm.*field);
  return counts;
}

Decision Decide(const Verdict& verdict, std::optional<size_t>& winner) {
  for (const VariantVerdict& v : verdict.variants) {
    if (v.guardrail_breached) return Decision::kStoppedByGuardrail;
  }
  std::optional<size_t> best;
  bool all_worse = true;
  for (size_t i = 0; i < verdict.variants.size(); ++i) {
    const Effect& e = verdict.variants[i].sequential;
    if (e.low > 0 && (!best || e.estimate > verdict.variants[*best].sequential.estimate)) {
      best = i;
    }
    all_worse = all_worse && e.high < 0;
  }
  if (best) {
    winner = *best + 1;
    return Decision::kVariantBetter;
  }
  if (all_worse) {
    winner = 0;
    return Decision::kControlBetter;
  }
  return Decision::kNoDifferenceYet;
}

}  // namespace

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kCollecting:
      return "collecting";
    case Decision::kNoDifferenceYet:
      return "no difference yet";
    case Decision::kVariantBetter:
      return "variant better";
    case Decision::kControlBetter:
      return "control better";
    case Decision::kStoppedByGuardrail:
      return "stopped by guardrail";
    case Decision::kSampleRatioMismatch:
      return "sample ratio mismatch";
  }
  return "collecting";
}

Verdict Judge(const VerdictRules& rules, const std::vector<Look>& looks) {
  Verdict verdict;
  const size_t variants = rules.weights.size() - 1;
  const double alpha = rules.alpha / static_cast<double>(variants);
  verdict.variants.resize(variants);
  for (VariantVerdict& v : verdict.variants) v.sequential = {0, -INFINITY, INFINITY, 1};
  if (looks.empty()) return verdict;
  const Look& last = looks.back();
  verdict.assigned_ratio = CheckSampleRatio(Counts(last, &ArmLook::assigned), rules.weights);
  verdict.exposed_ratio = CheckSampleRatio(Counts(last, &ArmLook::exposed), rules.weights);
  verdict.mismatch = ExplainMismatch(verdict.assigned_ratio, verdict.exposed_ratio);
  for (const Look& look : looks) {
    if (!MinimumReached(rules, look)) continue;
    LookEffects now{look.at, {}};
    for (size_t i = 0; i < variants; ++i) {
      VariantVerdict& v = verdict.variants[i];
      Intersect(v.sequential,
                SequentialEffect(look.arms[0].primary, look.arms[i + 1].primary, rules.tau, alpha));
      now.effects.push_back(v.sequential);
      if (!v.guardrail_breached)
        v.guardrail_breached = BreachedGuardrail(rules, look, i + 1, alpha);
    }
    verdict.history.push_back(std::move(now));
  }
  if (verdict.mismatch != MismatchCause::kNone) {
    verdict.decision = Decision::kSampleRatioMismatch;
    return verdict;
  }
  if (verdict.history.empty() || !MinimumReached(rules, last)) {
    verdict.decision = Decision::kCollecting;
    return verdict;
  }
  for (size_t i = 0; i < variants; ++i) {
    verdict.variants[i].fixed_horizon =
        FixedHorizonEffect(last.arms[0].primary, last.arms[i + 1].primary, alpha);
  }
  verdict.decision = Decide(verdict, verdict.winner);
  return verdict;
}

}  // namespace tandem
