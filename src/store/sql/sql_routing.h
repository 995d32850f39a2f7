// Assignments, the owners' load and the teams' round-robin state: the queries behind
// AssignmentReads (written once: AssignmentReadsOn) and the lead transaction's routing
// writes. Writes REQUIRE a write transaction open on the connection.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

extern const char* const kAssignmentColumns;
// Reads a row selected with kAssignmentColumns.
AssignmentRecord ReadAssignment(const Statement& row);

StatusOr<std::vector<AssignmentRecord>> ListAssignments(Db& db, int64_t lead_id);

StatusOr<int> CountOpenLeads(Db& db, int64_t user_id);
// The owner of the account's most recently assigned lead but `except_lead` that is still
// someone's (from account_owners, schema 0019_pipeline_lookups.sql).
StatusOr<std::optional<int64_t>> FindAccountOwner(Db& db, std::string_view domain,
                                                  int64_t except_lead);
// Keeps account_owners' row of the lead true to leads and assignments: written with every
// assignment started or ended (here) and every lead written (NoteLeadOwnership, which
// skips a write that changes neither its account nor its owner).
Status NoteAccountOwner(Db& db, int64_t lead_id);
Status NoteLeadOwnership(Db& db, const LeadRecord& lead);
StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(Db& db, std::string_view team);
Status SetRoutingPass(Db& db, std::string_view team, int64_t user_id, double pass);
StatusOr<double> VirtualTime(Db& db, std::string_view team);
Status SetVirtualTime(Db& db, std::string_view team, double virtual_time);
Status StartAssignment(Db& db, const AssignmentRecord& assignment);
Status EndAssignment(Db& db, int64_t lead_id, TimePoint at, std::string_view reason);
StatusOr<std::optional<AssignmentRecord>> OpenAssignment(Db& db, int64_t lead_id);
Status UpdateAssignmentSla(Db& db, const AssignmentRecord& assignment);
StatusOr<std::vector<AssignmentRecord>> AssignmentsSince(Db& db, TimePoint since);

// AssignmentReads on the connection to read on (see sql_reads.h).
template <typename Base>
class AssignmentReadsOn : public Base {
 public:
  StatusOr<std::vector<AssignmentRecord>> ListAssignments(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::ListAssignments(db, lead_id); });
  }
};

}  // namespace tandem::sql
