// Experiments: their records, and the per-person facts and per-day counts that judge
// them (experiments/experiment_store.h says what is counted when). The writes REQUIRE a
// write transaction open on the connection.
#pragma once

#include "experiments/experiment_store.h"
#include "store/sql/sql_db.h"

namespace tandem::sql {

StatusOr<std::optional<Experiment>> RunningExperiment(Db& db, const ExperimentTarget& target);
StatusOr<size_t> AssignPerson(Db& db, int64_t experiment_id, int64_t person_id, size_t arm,
                              TimePoint at);
StatusOr<bool> ExposePerson(Db& db, int64_t experiment_id, int64_t person_id, size_t arm,
                            TimePoint at);
Status NoteStageReached(Db& db, int64_t person_id, Stage stage, TimePoint at,
                        std::optional<int64_t> amount_cents);
Status NoteSideOutcome(Db& db, int64_t person_id, SideMetric metric, TimePoint at);
// Before person `from` merges into `into`: each experiment's facts of `from` become
// `into`'s. Where both were assigned, the earlier assignment stays the person's and the
// other is taken back; where they were assigned different arms and either was exposed,
// the person is conflicted.
Status MergeExperimentPersons(Db& db, int64_t from, int64_t into, TimePoint at);

}  // namespace tandem::sql
