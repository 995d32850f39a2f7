// What can be done with experiments, whoever asks (the HTTP routes and the command line
// check who may): create one, change it while it is a draft, make a new version of a
// started one, start, stop, and judge it.
//
// Thread-safety: the functions are; the store serializes the writes.
#pragma once

#include <optional>

#include "core/clock.h"
#include "experiments/experiment_store.h"
#include "experiments/results.h"

namespace tandem {

class ExperimentService {
 public:
  explicit ExperimentService(ExperimentStore& store) : store_(store) {}

  // A new draft, version 1. 409 experiment_exists when the key has one (make a new
  // version of it instead); 400 naming the field when it is not valid.
  StatusOr<Experiment> Create(Experiment draft, std::optional<int64_t> by, TimePoint now) const;
  // Replaces a draft's fields by `changed`'s (its id, key, version, state and times stay).
  // 409 experiment_started once it has started.
  StatusOr<Experiment> Change(int64_t id, Experiment changed) const;
  // A new draft version of experiment `id`'s key with `changed`'s fields, numbered after
  // the key's latest; the earlier versions and their persons stay as they are.
  StatusOr<Experiment> NewVersion(int64_t id, Experiment changed, std::optional<int64_t> by,
                                  TimePoint now) const;
  // draft -> running; 409 otherwise, or while another version of its key or another
  // experiment on its target runs.
  StatusOr<Experiment> Start(int64_t id, TimePoint now) const;
  // running -> stopped: no one new is assigned; the exposed go on counting in their window.
  StatusOr<Experiment> Stop(int64_t id, TimePoint now) const;
  StatusOr<Experiment> GetOr404(int64_t id) const;
  StatusOr<ExperimentResult> Results(const Experiment& experiment) const;

 private:
  StatusOr<Experiment> Move(int64_t id, ExperimentState from, ExperimentState to,
                            TimePoint now) const;

  ExperimentStore& store_;
};

}  // namespace tandem
