// Sequences' rows: sequences and their steps, enrolments, step runs
// (sql_sequences.cpp), and what a sequence transaction writes and finds
// (sql_sequence_txn.cpp). Writes REQUIRE a write transaction open on the connection.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <vector>

#include "sequences/sequence_store.h"
#include "store/sql/sql_db.h"

namespace tandem::sql {

extern const char* const kEnrolmentColumns;
StatusOr<Enrolment> ReadEnrolment(const Statement& s);

StatusOr<std::optional<int64_t>> AddEnrolment(Db& db, const Enrolment& e);
StatusOr<bool> MoveEnrolment(Db& db, const Enrolment& e, EnrolmentState expected_state,
                             int expected_step);
StatusOr<int64_t> AddStepRun(Db& db, const StepRun& run);
StatusOr<std::map<int64_t, ExitFact>> FindExitFacts(Db& db, std::span<const int64_t> ids,
                                                    TimePoint now);

}  // namespace tandem::sql
