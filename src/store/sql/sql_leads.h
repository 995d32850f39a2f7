// Lead, user and outbox rows: the queries behind SqlStore's lead reads and
// its lead transactions. Each function runs on the connection it is given; writes
// REQUIRE a write transaction open on it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

// Row helpers shared by the query files.
extern const char* const kLeadColumns;
extern const char* const kUserColumns;
extern const char* const kAssignmentColumns;
std::optional<TimePoint> OptionalTime(const Statement& row, int column);
std::optional<int64_t> OptionalMillis(const std::optional<TimePoint>& t);
LeadRecord ReadLead(const Statement& row);
UserRecord ReadUser(const Statement& row);
AssignmentRecord ReadAssignment(const Statement& row);

// Steps `stmt` to the end, reading each row with `read`.
template <typename T, typename Reader>
StatusOr<std::vector<T>> Collect(Statement* stmt, Reader read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back(read(*stmt));
  }
  stmt->Reset();
  return out;
}

StatusOr<std::optional<LeadRecord>> GetLead(Db& db, int64_t lead_id);
Status PutLead(Db& db, const LeadRecord& lead);
Status FoldLead(Db& db, int64_t from, int64_t into, TimePoint now);
Status EnsureAccount(Db& db, std::string_view domain, std::string_view name, TimePoint now);
StatusOr<std::vector<LeadRecord>> ListLeads(Db& db, const LeadQuery& query);
StatusOr<std::optional<int64_t>> ResolveLeadId(Db& db, int64_t person_id);

StatusOr<std::vector<ScoreItem>> ListScoreItems(Db& db, int64_t lead_id);
Status AddScoreItem(Db& db, int64_t lead_id, const ScoreItem& item);
Status DeleteScoreItems(Db& db, int64_t lead_id, std::optional<ScoreAxis> axis);
StatusOr<double> RulePointsOnDay(Db& db, int64_t lead_id, std::string_view rule, int64_t day);

Status AddTraitHistory(Db& db, int64_t lead_id, std::string_view trait, std::string_view value,
                       std::optional<int64_t> event_id, TimePoint at);
Status AppendLog(Db& db, const LeadLogEntry& entry);
StatusOr<std::vector<LeadLogEntry>> ListLeadLog(Db& db, int64_t lead_id);
StatusOr<std::vector<StoredEvent>> PersonEvents(Db& db, int64_t person_id, size_t limit);

StatusOr<std::vector<UserRecord>> ListUsers(Db& db);
StatusOr<std::optional<UserRecord>> GetUser(Db& db, int64_t user_id);
// `column` is "email", or "token" for the user of an API token hash.
StatusOr<std::optional<UserRecord>> FindUserBy(Db& db, std::string_view column,
                                               std::string_view value);
StatusOr<int> CountOpenLeads(Db& db, int64_t user_id);
StatusOr<std::optional<int64_t>> FindAccountOwner(Db& db, std::string_view domain,
                                                  int64_t except_lead);
StatusOr<std::vector<std::pair<int64_t, double>>> RoutingPasses(Db& db, std::string_view team);
Status SetRoutingPass(Db& db, std::string_view team, int64_t user_id, double pass);
StatusOr<double> VirtualTime(Db& db, std::string_view team);
Status SetVirtualTime(Db& db, std::string_view team, double virtual_time);
Status StartAssignment(Db& db, const AssignmentRecord& assignment);
Status EndAssignment(Db& db, int64_t lead_id, TimePoint at, std::string_view reason);
StatusOr<std::vector<AssignmentRecord>> ListAssignments(Db& db, int64_t lead_id);

Status Enqueue(Db& db, const OutboxMessage& message, std::span<const std::string> endpoints,
               TimePoint now);

}  // namespace tandem::sql
