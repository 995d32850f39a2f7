// The analytics facts: the queries behind StageTransitionWrites and TouchpointWrites
// (run inside a lead or processing transaction) and AnalyticsReads (written once:
// AnalyticsReadsOn, the store's reads; see sql_reads.h).
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

// REQUIRES: a write transaction is open on `db`. On a connection that does not keep the
// reports (Db::keeps_reports) these and the recounts below write nothing, and the
// reports' queries fail with ReportsKept's error.
Status AddStageTransition(Db& db, const StageTransition& transition);
// Keeps the touchpoint when its person has a lead (NoteTouchpoint): the reports read the
// touchpoints of leads only, so those of persons who never become one (most visitors)
// are not written; a lead's creation keeps those of its person's earlier events.
Status AddTouchpoint(Db& db, const Touchpoint& touchpoint);
// Writes one touchpoint (none when its person has one for its event already); Changes()
// then says whether it did. `batched`: the write may wait (Db::PrepareBatched), and
// Changes() says nothing.
Status InsertTouchpoint(Db& db, const Touchpoint& touchpoint, bool batched = false);
// Writes as `person_id`'s the touchpoints of the events of `events_of` (the same person,
// or one about to be merged into it) that `events_of` has none of yet.
Status KeepTouchpointsOf(Db& db, int64_t events_of, int64_t person_id);

// The reports' kept counts (sql_funnel_facts.cpp), kept in the transaction that
// changes what they count. REQUIRES: a write transaction is open on `db`.
//
// The dimensions the store keeps counts by: the touchpoints columns a lead is grouped by
// through its first touchpoint, then the lead's own owner, team, country and size band.
inline constexpr size_t kTouchDimensions = 8;
inline constexpr std::array<const char*, kTouchDimensions + 4> kKeptDimensions = {
    "source", "medium",       "campaign", "term", "referrer_domain", "landing_page",
    "form",   "content_item", "rep",      "team", "country",         "company_size"};
// A day table of the kept counts: the statement that adds to a count (the key's values,
// then the amounts), the column of its last amount, the number of leads or deals; and
// the statement that drops the count of a key when that has come to nothing; and, when
// given, both for arrays of rows (BatchedWrite::many; `add_many` sums the rows of a key
// first), so a batch's counts go together on PostgreSQL.
struct DayTable {
  const char* add;
  const char* count;
  const char* drop;
  const char* add_many = nullptr;
  const char* drop_many = nullptr;
  // Not 0: batched rows wait for the commit, by this rank among the tables (additions,
  // then drops); `add_many` takes the keys in order, so batches that run beside each
  // other lock a day's counts in one order.
  int at_commit = 0;
};
// Adds `amounts` to a count of `table` whose key `bind` binds (`places` values from place
// 1 on), and drops the count when it comes to nothing: the tables keep only counts that
// count, so a report reads no more rows than there are groups of a day. A count that
// grows cannot come to nothing, so only one that shrinks may be dropped: where writes
// are batched, the drop goes after the additions (its rows always follow theirs); else
// the count is read back, and dropped only when it came to nothing.
template <typename Bind>
Status AddToCount(Db& db, const DayTable& table, int places, std::initializer_list<int64_t> amounts,
                  Bind bind) {
  const bool grows = *(amounts.end() - 1) > 0;
  const bool batched = table.add_many && table.drop_many && db.batches_writes();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * add, batched ? db.PrepareBatched({table.add, table.add_many, 2 * table.at_commit})
                       : grows ? db.Prepare(table.add)
                               : db.Prepare(std::string(table.add) + " RETURNING " + table.count));
  bind(*add);
  int place = places;
  for (int64_t amount : amounts) add->Bind(++place, amount);
  if (grows || batched) TANDEM_RETURN_IF_ERROR(add->Run());
  if (grows) return OkStatus();
  if (!batched) {
    StatusOr<bool> row = add->Step();
    const bool nothing = row.ok() && *row && add->Int(0) == 0;
    add->Reset();
    TANDEM_RETURN_IF_ERROR(row.status());
    if (!nothing) return OkStatus();
  }
  TANDEM_ASSIGN_OR_RETURN(
      Statement * drop,
      batched ? db.PrepareBatched({table.drop, table.drop_many,
                                   table.at_commit == 0 ? 0 : 2 * table.at_commit + 1})
              : db.Prepare(table.drop));
  bind(*drop);
  return drop->Run();
}
// After the lead's moves, touchpoints or existence changed (a move, a merge, a fold).
Status RecountReportsOf(Db& db, int64_t lead_id);
// After a touch of the lead was recorded.
Status RecountMqlResponses(Db& db, int64_t lead_id);
// After the lead's row was written (a new lead: after its person's touchpoints are
// kept), or a touchpoint of a person who has a lead kept.
Status NoteLeadWritten(Db& db, const LeadRecord& lead);
Status NoteTouchpoint(Db& db, const Touchpoint& touchpoint);
// Before person `from` is merged into `into` (its events and touchpoints move): when
// `into` has a lead, the touchpoints of the events it gains. After: both recounted
// (`into` only for its touchpoints when `from` had no lead, which had nothing else).
Status NotePersonsMerging(Db& db, int64_t from, int64_t into);
Status NotePersonsMerged(Db& db, int64_t from, int64_t into);
// stage_transitions as `alias`, read by lead: SQLite, which keeps no statistics of the
// tables, would otherwise look for one lead's moves to a stage among every lead's.
std::string TransitionsOfLead(Dialect dialect, std::string_view alias);
// For a move to MQL `s`, moves and touches before `bound` (SQL; "" for all): whether the
// lead moved on to one of `stages` (1 or 0), and the minutes to the first outbound touch
// a user made after it (the gate recorded only what it let through; email marketing is no
// answer) to the step 0024_speed_minutes.sql states, or NULL.
std::string MovedOnSql(Dialect dialect, std::string_view stages, std::string_view bound);
std::string AnswerMinutesSql(std::string_view bound);
// A lead's funnel rank (leads/lifecycle.h FunnelRank) from a stage column.
std::string StageRankSql(std::string_view column);

StatusOr<std::vector<StageTransition>> StageTransitionsOf(Db& db, int64_t lead_id);
StatusOr<std::vector<Touchpoint>> TouchpointsOf(Db& db, int64_t person_id);
StatusOr<std::vector<StageTransition>> ListStageTransitions(Db& db, const FactRange& range);
StatusOr<std::vector<Touchpoint>> ListTouchpoints(Db& db, const FactRange& range);
// The touchpoint in the 13 columns from `first` on: person_id, event_id, at, type,
// source, medium, campaign, term, content, referrer_domain, landing_page, form,
// content_item.
Touchpoint ReadTouchpointAt(const Statement& s, int first);

// The reports' queries (sql_reports.cpp).
Status ReportsKept(const Db& db);
StatusOr<std::vector<FunnelCount>> CountFunnel(Db& db, const FunnelQuery& query);
StatusOr<std::vector<VelocityCount>> CountVelocity(Db& db, const FunnelQuery& query);
StatusOr<std::vector<OutcomeCount>> CountOutcomes(Db& db, const OutcomeQuery& query);
StatusOr<std::vector<SpeedCount>> CountSpeedToLead(Db& db, const FunnelQuery& query);
StatusOr<std::vector<int64_t>> DrillDownLeads(Db& db, const DrillDown& drill);
Status ForEachDeal(Db& db, const AttributionQuery& query, const std::function<Status(Deal)>& sink);
StatusOr<std::vector<Deal>> DealsOf(Db& db, int64_t lead_id);
// The UTC day of a moment, in days since 1970-01-01, as the day tables key it.
inline constexpr int64_t kDayMillis = 86'400'000;
inline int64_t UtcDayOf(int64_t millis) {
  return millis >= 0 ? millis / kDayMillis : (millis + 1) / kDayMillis - 1;
}
// The whole days of [from, to) in milliseconds: from the first day not before `from` to
// the day `to` falls in, [first, end) (empty when first >= end).
inline std::pair<int64_t, int64_t> WholeDaysOf(int64_t from, int64_t to) {
  return {UtcDayOf(from) + (UtcDayOf(from) * kDayMillis == from ? 0 : 1), UtcDayOf(to)};
}
// The dimension's name in the kept counts (kKeptDimensions; "" for none), or nullptr
// when they do not keep it (the cohort). sql_reports.cpp.
const char* KeptDimension(Dimension by);
// The kept attribution (sql_attribution_facts.cpp, 0022_attribution_days.sql).
StatusOr<std::optional<AttributionSums>> SumAttribution(Db& db, const AttributionQuery& query);
// After the lead's deals, their touchpoints or its groups may have changed: its deals
// as the facts have them now (lead_groups: its rep, team, country and size band, as
// lead_funnel keeps them; nullptr when it is no longer a lead) replace those the sums
// counted, and the sums move by the difference. REQUIRES: a write transaction, and
// lead_funnel already up to date for the lead.
Status RecountDeals(Db& db, int64_t lead_id, const std::array<std::string, 4>* lead_groups);
// RecountDeals with the lead's groups as lead_funnel keeps them (sql_funnel_facts.cpp).
Status RecountDealsOf(Db& db, int64_t lead_id);
// Whether the sums may count a touchpoint at `at` of the lead: it is at or before one of
// the deals they counted.
StatusOr<bool> BeforeAKeptDeal(Db& db, int64_t lead_id, int64_t at);
// The leads whose deals a migration left to count: those above the lead id it holds
// ("done" once none is left; see SqlStore::CountPendingAttribution).
inline constexpr const char* kAttributionBackfillSetting = "attribution_backfill_after";

// Runs `reads` in one read transaction on `db` (sql_analytics.cpp): every read it makes
// there sees the store as of one moment.
Status ReadInOneSnapshot(Db& db, const std::function<Status(AnalyticsReads&)>& reads);

// AnalyticsReads on the connection to read on.
template <typename Base>
class AnalyticsReadsOn : public Base {
 public:
  StatusOr<std::vector<StageTransition>> StageTransitionsOf(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::StageTransitionsOf(db, lead_id); });
  }
  StatusOr<std::vector<Touchpoint>> TouchpointsOf(int64_t person_id) override {
    return this->Reading([&](Db& db) { return sql::TouchpointsOf(db, person_id); });
  }
  StatusOr<std::vector<StageTransition>> ListStageTransitions(const FactRange& range) override {
    return this->Reading([&](Db& db) { return sql::ListStageTransitions(db, range); });
  }
  StatusOr<std::vector<Touchpoint>> ListTouchpoints(const FactRange& range) override {
    return this->Reading([&](Db& db) { return sql::ListTouchpoints(db, range); });
  }
  StatusOr<std::vector<FunnelCount>> CountFunnel(const FunnelQuery& query) override {
    return this->Reading([&](Db& db) { return sql::CountFunnel(db, query); });
  }
  StatusOr<std::vector<VelocityCount>> CountVelocity(const FunnelQuery& query) override {
    return this->Reading([&](Db& db) { return sql::CountVelocity(db, query); });
  }
  StatusOr<std::vector<OutcomeCount>> CountOutcomes(const OutcomeQuery& query) override {
    return this->Reading([&](Db& db) { return sql::CountOutcomes(db, query); });
  }
  StatusOr<std::vector<SpeedCount>> CountSpeedToLead(const FunnelQuery& query) override {
    return this->Reading([&](Db& db) { return sql::CountSpeedToLead(db, query); });
  }
  StatusOr<std::vector<int64_t>> DrillDownLeads(const DrillDown& drill) override {
    return this->Reading([&](Db& db) { return sql::DrillDownLeads(db, drill); });
  }
  Status ForEachDeal(const AttributionQuery& query,
                     const std::function<Status(Deal)>& sink) override {
    return this->Reading([&](Db& db) { return sql::ForEachDeal(db, query, sink); });
  }
  StatusOr<std::optional<AttributionSums>> SumAttribution(const AttributionQuery& query) override {
    return this->Reading([&](Db& db) { return sql::SumAttribution(db, query); });
  }
  StatusOr<std::vector<Deal>> DealsOf(int64_t lead_id) override {
    return this->Reading([&](Db& db) { return sql::DealsOf(db, lead_id); });
  }
  Status InOneSnapshot(const std::function<Status(AnalyticsReads&)>& reads) override {
    return this->Reading([&](Db& db) { return ReadInOneSnapshot(db, reads); });
  }
};

}  // namespace tandem::sql
