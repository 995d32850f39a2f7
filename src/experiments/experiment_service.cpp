#include "experiments/experiment_service.h"

#include <fmt/format.h>

namespace tandem {
namespace {

// `changed`'s fields a caller may set, onto `base`.
Experiment WithFields(Experiment base, const Experiment& changed) {
  base.name = changed.name;
  base.kind = changed.kind;
  base.broadcast_id = changed.broadcast_id;
  base.sequence_id = changed.sequence_id;
  base.sequence_step = changed.sequence_step;
  base.variants = changed.variants;
  base.metric = changed.metric;
  base.window_days = changed.window_days;
  base.alpha = changed.alpha;
  base.minimum_lift = changed.minimum_lift;
  base.baseline = changed.baseline;
  base.minimum_per_arm = changed.minimum_per_arm;
  base.test_share = changed.test_share;
  return base;
}

// `e` as a new draft of `version`, made by `by` at `now`.
Experiment AsNewDraft(Experiment e, int version, std::optional<int64_t> by, TimePoint now) {
  e.id = 0;
  e.version = version;
  e.state = ExperimentState::kDraft;
  e.created_by = by;
  e.created_at = now;
  e.started_at.reset();
  e.stopped_at.reset();
  return e;
}

Status StateConflict(const Experiment& e, std::string_view wanted) {
  return Conflict("invalid_state",
                  fmt::format("experiment \"{}\" version {} is {}; it cannot be {}", e.key,
                              e.version, ExperimentStateName(e.state), wanted));
}

}  // namespace

StatusOr<Experiment> ExperimentService::GetOr404(int64_t id) const {
  TANDEM_ASSIGN_OR_RETURN(auto found, store_.GetExperiment(id));
  if (!found) return NotFound("not_found", fmt::format("experiment ex_{} does not exist", id));
  return std::move(*found);
}

StatusOr<Experiment> ExperimentService::Create(Experiment draft, std::optional<int64_t> by,
                                               TimePoint now) const {
  draft = AsNewDraft(std::move(draft), 1, by, now);
  TANDEM_RETURN_IF_ERROR(ValidateExperiment(draft));
  TANDEM_ASSIGN_OR_RETURN(auto latest, store_.LatestExperiment(draft.key));
  if (latest) {
    return Conflict("experiment_exists",
                    fmt::format("experiment \"{}\" exists (ex_{}); change it while it is a "
                                "draft, or make a new version of it",
                                draft.key, latest->id));
  }
  return store_.CreateExperiment(draft);
}

StatusOr<Experiment> ExperimentService::Change(int64_t id, Experiment changed) const {
  TANDEM_ASSIGN_OR_RETURN(Experiment before, GetOr404(id));
  TANDEM_RETURN_IF_ERROR(CheckRevisable(before));
  Experiment after = WithFields(before, changed);
  TANDEM_RETURN_IF_ERROR(ValidateExperiment(after));
  TANDEM_ASSIGN_OR_RETURN(bool updated, store_.UpdateExperiment(after, ExperimentState::kDraft));
  if (!updated) return StateConflict(after, "changed (it started meanwhile)");
  return after;
}

StatusOr<Experiment> ExperimentService::NewVersion(int64_t id, Experiment changed,
                                                   std::optional<int64_t> by, TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(Experiment before, GetOr404(id));
  TANDEM_ASSIGN_OR_RETURN(auto latest, store_.LatestExperiment(before.key));
  const int version = (latest ? latest->version : before.version) + 1;
  const Experiment next = AsNewDraft(WithFields(before, changed), version, by, now);
  TANDEM_RETURN_IF_ERROR(ValidateExperiment(next));
  return store_.CreateExperiment(next);
}

StatusOr<Experiment> ExperimentService::Move(int64_t id, ExperimentState from, ExperimentState to,
                                             TimePoint now) const {
  TANDEM_ASSIGN_OR_RETURN(Experiment e, GetOr404(id));
  const std::string_view wanted = to == ExperimentState::kRunning ? "started" : "stopped";
  if (e.state != from) return StateConflict(e, wanted);
  Experiment moved = e;
  moved.state = to;
  (to == ExperimentState::kRunning ? moved.started_at : moved.stopped_at) = now;
  TANDEM_ASSIGN_OR_RETURN(bool done, store_.UpdateExperiment(moved, from));
  if (!done)
    return Conflict("invalid_state", fmt::format("experiment \"{}\" version {} changed "
                                                 "meanwhile; read it again",
                                                 e.key, e.version));
  return moved;
}

StatusOr<Experiment> ExperimentService::Start(int64_t id, TimePoint now) const {
  return Move(id, ExperimentState::kDraft, ExperimentState::kRunning, now);
}

StatusOr<Experiment> ExperimentService::Stop(int64_t id, TimePoint now) const {
  return Move(id, ExperimentState::kRunning, ExperimentState::kStopped, now);
}

StatusOr<ExperimentResult> ExperimentService::Results(const Experiment& experiment) const {
  TANDEM_ASSIGN_OR_RETURN(auto days, store_.ExperimentDays(experiment.id));
  return JudgeExperiment(experiment, days);
}

}  // namespace tandem
