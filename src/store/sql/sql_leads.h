// The lead's rows: the queries behind LeadReads (written once, for the store and its
// transactions: LeadReadsOn), the lead transaction's writes and the lists of leads.
// Each function runs on the connection it is given; writes REQUIRE a write transaction
// open on it.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

extern const char* const kLeadColumns;
// Reads a row selected with kLeadColumns.
StatusOr<LeadRecord> ReadLead(const Statement& row);

StatusOr<std::optional<LeadRecord>> GetLead(Db& db, int64_t lead_id);
StatusOr<std::vector<ScoreItem>> ListScoreItems(Db& db, int64_t lead_id);
StatusOr<std::map<int64_t, std::vector<ScoreItem>>> ListScoreItemsOf(
    Db& db, std::span<const int64_t> lead_ids);
StatusOr<std::vector<LeadLogEntry>> ListLeadLog(Db& db, int64_t lead_id);

Status PutLead(Db& db, const LeadRecord& lead);
// Moves the rows of lead `from` to `into` (see LeadWrites::FoldLead).
Status FoldLead(Db& db, int64_t from, int64_t into, TimePoint now);
Status EnsureAccount(Db& db, std::string_view domain, std::string_view name, TimePoint now);
Status AddScoreItem(Db& db, int64_t lead_id, const ScoreItem& item);
Status DeleteScoreItems(Db& db, int64_t lead_id, std::optional<ScoreAxis> axis);
StatusOr<double> RulePointsOnDay(Db& db, int64_t lead_id, std::string_view rule, int64_t day);
Status AddTraitHistory(Db& db, int64_t lead_id, std::string_view trait, std::string_view value,
                       std::optional<int64_t> event_id, TimePoint at);
Status AppendLog(Db& db, const LeadLogEntry& entry);

StatusOr<std::vector<LeadRecord>> ListLeads(Db& db, const LeadQuery& query);
StatusOr<std::optional<int64_t>> ResolveLeadId(Db& db, int64_t person_id);
StatusOr<std::vector<int64_t>> DueSlaLeads(Db& db, TimePoint now, size_t limit);
StatusOr<std::vector<LeadRecord>> NeverTouchedLeads(Db& db, size_t limit);
StatusOr<int64_t> CountNeverTouchedLeads(Db& db);
// In sql_email_engagement.cpp, beside the rows it reads.
StatusOr<std::vector<EmailSignal>> ListEmailSignals(Db& db, int64_t lead_id);

// LeadReads on the connection to read on (see sql_reads.h).
template <typename Base>
class LeadReadsOn : public Base {
 public:
  StatusOr<std::optional<LeadRecord>> GetLead(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::GetLead(db, lead_id); });
  }
  StatusOr<std::vector<ScoreItem>> ListScoreItems(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::ListScoreItems(db, lead_id); });
  }
  StatusOr<std::map<int64_t, std::vector<ScoreItem>>> ListScoreItemsOf(
      std::span<const int64_t> lead_ids) override {
    return this->Reading([&](Db& db) { return sql::ListScoreItemsOf(db, lead_ids); });
  }
  StatusOr<std::vector<LeadLogEntry>> ListLeadLog(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::ListLeadLog(db, lead_id); });
  }
  StatusOr<std::vector<EmailSignal>> ListEmailSignals(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::ListEmailSignals(db, lead_id); });
  }
};

}  // namespace tandem::sql
