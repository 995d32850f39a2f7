// What experiments ask of the store: the experiments themselves, and per person the
// arm, the exposure and the outcomes, kept as counts per experiment, day and arm so a
// result reads a few hundred rows however many persons were exposed.
//
// Counting rules the store keeps (experiments/experiment.h says why):
// - assigned: a person's first assignment (AssignPerson, or a web exposure) counts once,
//   on its day; exposed: a person's first exposure, on its day.
// - A person exposed to a second arm becomes conflicted: every count of theirs (assigned,
//   exposed, outcomes) is taken back from the days it was counted on, conflicted counts
//   one on the day of the conflict, and nothing of theirs is counted again.
// - The primary: a person whose lead reaches the metric's stage within the window after
//   their exposure counts once (the first time), on that day; for pipeline, each move to
//   opportunity in the window adds its amount, and the person's sum of squares follows
//   their running total.
// - A side metric (clicks, replies, unsubscribes, bounces, complaints) counts once per
//   exposed person, within the window after the exposure, on its day.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/stage.h"
#include "core/status.h"
#include "experiments/experiment.h"

namespace tandem {

// What an email experiment varies, or the key a page asks the snippet for.
struct ExperimentTarget {
  std::optional<int64_t> broadcast_id;
  std::optional<int64_t> sequence_id;
  std::optional<int> sequence_step;
  std::string web_key;
};

// One day's counts of one arm.
struct ExperimentDay {
  int64_t day = 0;  // UTC days since 1970-01-01
  size_t arm = 0;
  int64_t assigned = 0;
  int64_t exposed = 0;
  int64_t conflicted = 0;
  int64_t primary_sum = 0;                     // persons reaching it, or cents of pipeline
  double primary_squares = 0;                  // the sum of the persons' squared values
  int64_t side[std::size(kSideMetrics)] = {};  // in kSideMetrics' order
};

// Inside a lead transaction (and those built on it: processing, email, sequences).
class ExperimentWrites {
 public:
  virtual ~ExperimentWrites() = default;
  // The running experiment on `target`, if any.
  virtual StatusOr<std::optional<Experiment>> RunningExperiment(const ExperimentTarget& target) = 0;
  // The person's arm: the one they already have, else `arm`, kept as assigned at `at`
  // (when the experiment no longer runs, `arm`, keeping nothing).
  virtual StatusOr<size_t> AssignPerson(int64_t experiment_id, int64_t person_id, size_t arm,
                                        TimePoint at) = 0;
  // The person exposed to `arm` at `at` (assigned first if they were not, while the
  // experiment runs): the first exposure counts; one to another arm than theirs makes them
  // conflicted. Returns whether the person is conflicted now.
  virtual StatusOr<bool> ExposePerson(int64_t experiment_id, int64_t person_id, size_t arm,
                                      TimePoint at) = 0;
  // The person's lead reached `stage` at `at` (with the amount of an opportunity): counted
  // for every experiment whose primary it is and in whose window it falls.
  virtual Status NoteStageReached(int64_t person_id, Stage stage, TimePoint at,
                                  std::optional<int64_t> amount_cents) = 0;
  // A side outcome of the person at `at` (a click, a reply, an unsubscribe, a bounce
  // reported after the relay took a message, a complaint): counted for every experiment
  // that exposed them, within its window.
  virtual Status NoteSideOutcome(int64_t person_id, SideMetric metric, TimePoint at) = 0;
};

class ExperimentStore {
 public:
  virtual ~ExperimentStore() = default;
  // A new experiment (its id set); Conflict ("experiment_exists") when its key and version
  // are taken.
  virtual StatusOr<Experiment> CreateExperiment(const Experiment& experiment) = 0;
  virtual StatusOr<std::optional<Experiment>> GetExperiment(int64_t id) = 0;
  // Every version of every experiment, newest first.
  virtual StatusOr<std::vector<Experiment>> ListExperiments() = 0;
  // The latest version of `key`.
  virtual StatusOr<std::optional<Experiment>> LatestExperiment(std::string_view key) = 0;
  // Replaces the experiment while its state is `expected`; false, changing nothing,
  // otherwise. Starting it is refused (Conflict "experiment_running") while another version
  // of its key, or another experiment on its target, runs.
  virtual StatusOr<bool> UpdateExperiment(const Experiment& experiment,
                                          ExperimentState expected) = 0;
  // The running experiment on `target`, if any.
  virtual StatusOr<std::optional<Experiment>> FindRunningExperiment(
      const ExperimentTarget& target) = 0;
  // The running web experiments, for the snippet.
  virtual StatusOr<std::vector<Experiment>> RunningWebExperiments() = 0;
  // The experiment's counts, by day then arm.
  virtual StatusOr<std::vector<ExperimentDay>> ExperimentDays(int64_t experiment_id) = 0;
};

}  // namespace tandem
