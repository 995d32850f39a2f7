// An experiment's result: its counts per arm as kept per day (ExperimentStore), added up
// into one look per day, judged (verdict.h), with the sample size the plan needs beside
// them. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "experiments/experiment.h"
#include "experiments/experiment_store.h"
#include "experiments/sample_size.h"
#include "experiments/verdict.h"

namespace tandem {

struct ArmTotals {
  int64_t assigned = 0;
  int64_t exposed = 0;  // exposed and not conflicted: the primary's persons
  int64_t conflicted = 0;
  int64_t primary_sum = 0;
  double primary_squares = 0;
  int64_t side[std::size(kSideMetrics)] = {};
};

struct ExperimentResult {
  std::vector<ArmTotals> arms;  // as of the last day, control first
  Verdict verdict;
  // The secondary metrics' effects (clicks, replies) of each variant against the
  // control: shown, never decided on. [variant - 1][0: clicks, 1: replies].
  std::vector<std::vector<Effect>> secondary;
  double tau = 0;  // the primary's mixture, as used
  // The persons the plan needs in all arms together; none when it cannot be computed
  // yet (no baseline given and no outcome observed).
  std::optional<SampleSizes> sample_size;
};

// REQUIRES: `days` are the experiment's (by day, then arm) and their arms are the
// experiment's.
ExperimentResult JudgeExperiment(const Experiment& experiment,
                                 const std::vector<ExperimentDay>& days);

// The arm a broadcast's held-back recipients get (Experiment::test_share): the verdict's
// winner once it names one; the control once the experiment stopped without one (no
// difference, a guardrail, a sample-ratio mismatch); none while it runs undecided.
std::optional<size_t> RestArm(const Experiment& experiment, const Verdict& verdict);

// The start of UTC day `day` (days since 1970-01-01).
TimePoint DayStart(int64_t day);

}  // namespace tandem
