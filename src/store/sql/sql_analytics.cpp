#include "store/sql/sql_analytics.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>

#include "store/sql/sql_events.h"
#include "store/sql/sql_reads.h"

namespace tandem::sql {
namespace {

constexpr const char* kSelectTransition =
    "SELECT id, lead_id, from_stage, to_stage, at, by_user_id, cause, reason, amount_cents "
    "FROM stage_transitions ";
constexpr const char* kSelectTouchpoint =
    "SELECT person_id, event_id, at, type, source, medium, campaign, term, content, "
    "referrer_domain, landing_page, form, content_item FROM touchpoints ";

StatusOr<StageTransition> ReadTransition(const Statement& s) {
  StageTransition t;
  t.id = s.Int(0);
  t.lead_id = s.Int(1);
  auto from = ParseStage(s.TextView(2));
  auto to = ParseStage(s.TextView(3));
  if (!from || !to) {
    return Internal("stage transition " + std::to_string(t.id) + " names an unknown stage");
  }
  t.from = *from;
  t.to = *to;
  t.at = FromUnixMillis(s.Int(4));
  t.by_user_id = s.NullableInt(5);
  t.cause = s.Text(6);
  t.reason = s.Text(7);
  t.amount_cents = s.NullableInt(8);
  return t;
}

}  // namespace

Touchpoint ReadTouchpointAt(const Statement& s, int first) {
  Touchpoint t;
  t.person_id = s.Int(first);
  t.event_id = s.Int(first + 1);
  t.at = FromUnixMillis(s.Int(first + 2));
  std::string* texts[] = {&t.type, &t.source,      &t.medium,          &t.campaign,
                          &t.term, &t.content,     &t.referrer_domain, &t.landing_page,
                          &t.form, &t.content_item};
  for (int i = 0; i < 10; ++i) *texts[i] = s.Text(first + 3 + i);
  return t;
}

namespace {

Touchpoint ReadTouchpoint(const Statement& s) { return ReadTouchpointAt(s, 0); }

// Binds a FactRange's bounds and keyset from index 1 on: from, to, after-at twice,
// after-id, limit. Without `after` the keyset starts before every fact.
void BindRange(Statement& stmt, const FactRange& range) {
  const int64_t after_at = range.after ? ToUnixMillis(range.after->at) : INT64_MIN;
  const int64_t after_id = range.after ? range.after->id : INT64_MIN;
  stmt.Bind(1, ToUnixMillis(range.from))
      .Bind(2, ToUnixMillis(range.to))
      .Bind(3, after_at)
      .Bind(4, after_at)
      .Bind(5, after_id)
      .Bind(6, static_cast<int64_t>(range.limit));
}

}  // namespace

Status AddStageTransition(Db& db, const StageTransition& t) {
  if (!db.keeps_reports()) return OkStatus();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare("INSERT INTO stage_transitions (lead_id, from_stage, to_stage, at, by_user_id, "
                 "cause, reason, amount_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->Bind(1, t.lead_id)
      .Bind(2, StageName(t.from))
      .Bind(3, StageName(t.to))
      .Bind(4, ToUnixMillis(t.at))
      .BindNullable(5, t.by_user_id)
      .Bind(6, t.cause)
      .Bind(7, t.reason)
      .BindNullable(8, t.amount_cents);
  TANDEM_RETURN_IF_ERROR(stmt->Run());
  return RecountReportsOf(db, t.lead_id);
}

Status AddTouchpoint(Db& db, const Touchpoint& t) {
  if (!db.keeps_reports()) return OkStatus();
  return NoteTouchpoint(db, t);
}

Status InsertTouchpoint(Db& db, const Touchpoint& t, bool batched) {
  static constexpr BatchedWrite kInsert = {
      "INSERT INTO touchpoints (person_id, at, event_id, type, source, medium, campaign, term, "
      "content, referrer_domain, landing_page, form, content_item) VALUES (?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      "INSERT INTO touchpoints (person_id, at, event_id, type, source, medium, campaign, term, "
      "content, referrer_domain, landing_page, form, content_item) SELECT * FROM "
      "unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], "
      "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) "
      "ON CONFLICT DO NOTHING"};
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          batched ? db.PrepareBatched(kInsert) : db.Prepare(kInsert.one));
  stmt->Bind(1, t.person_id)
      .Bind(2, ToUnixMillis(t.at))
      .Bind(3, t.event_id)
      .Bind(4, t.type)
      .Bind(5, t.source)
      .Bind(6, t.medium)
      .Bind(7, t.campaign)
      .Bind(8, t.term)
      .Bind(9, t.content)
      .Bind(10, t.referrer_domain)
      .Bind(11, t.landing_page)
      .Bind(12, t.form)
      .Bind(13, t.content_item);
  return stmt->Run();
}

// Reads only the events without a touchpoint of the person yet (a lead's creation reads
// the few to many its person has; a merge, those of the person merged).
Status KeepTouchpointsOf(Db& db, int64_t events_of, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(std::string(kSelectEvent) +
                 " WHERE person_id = ?1 AND NOT EXISTS (SELECT 1 FROM touchpoints t WHERE "
                 "t.person_id = ?1 AND t.at = events.timestamp AND t.event_id = events.id) ORDER "
                 "BY id"));
  stmt->Bind(1, events_of);
  TANDEM_ASSIGN_OR_RETURN(std::vector<StoredEvent> events, Collect<StoredEvent>(stmt, ReadEvent));
  for (const StoredEvent& event : events) {
    std::optional<Touchpoint> touchpoint = TouchpointOf(event);
    if (!touchpoint) continue;
    touchpoint->person_id = person_id;
    TANDEM_RETURN_IF_ERROR(InsertTouchpoint(db, *touchpoint, /*batched=*/true));
  }
  return OkStatus();
}

StatusOr<std::vector<StageTransition>> StageTransitionsOf(Db& db, int64_t lead_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, db.Prepare(std::string(kSelectTransition) +
                                                       "WHERE lead_id = ? ORDER BY at, id"));
  stmt->Bind(1, lead_id);
  return Collect<StageTransition>(stmt, ReadTransition);
}

StatusOr<std::vector<Touchpoint>> TouchpointsOf(Db& db, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(std::string(kSelectTouchpoint) + "WHERE person_id = ? ORDER BY at, event_id"));
  stmt->Bind(1, person_id);
  return Collect<Touchpoint>(stmt, ReadTouchpoint);
}

StatusOr<std::vector<StageTransition>> ListStageTransitions(Db& db, const FactRange& range) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(std::string(kSelectTransition) +
                                     "WHERE at >= ? AND at < ? AND (at > ? OR (at = ? AND id > ?)) "
                                     "ORDER BY at, id LIMIT ?"));
  BindRange(*stmt, range);
  return Collect<StageTransition>(stmt, ReadTransition);
}

StatusOr<std::vector<Touchpoint>> ListTouchpoints(Db& db, const FactRange& range) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(std::string(kSelectTouchpoint) +
                 "WHERE at >= ? AND at < ? AND (at > ? OR (at = ? AND event_id > ?)) "
                 "ORDER BY at, event_id LIMIT ?"));
  BindRange(*stmt, range);
  return Collect<Touchpoint>(stmt, ReadTouchpoint);
}

namespace {

// The analytics reads of one connection in a read transaction.
class SnapshotReads final : public AnalyticsReadsOn<ReadsOn<AnalyticsReads>> {
 public:
  explicit SnapshotReads(Db& db) : db_(db) {}
  StatusOr<ReadConn> ReadOn() override { return ReadConn(db_); }
  Status InOneSnapshot(const std::function<Status(AnalyticsReads&)>& reads) override {
    return reads(*this);  // in one already
  }

 private:
  Db& db_;
};

}  // namespace

Status ReadInOneSnapshot(Db& db, const std::function<Status(AnalyticsReads&)>& reads) {
  // SQLite takes the snapshot at the first read and keeps it to the end; PostgreSQL at
  // the first statement, for the whole transaction at REPEATABLE READ.
  TANDEM_RETURN_IF_ERROR(db.Exec(db.dialect() == Dialect::kSqlite
                                     ? "BEGIN"
                                     : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  SnapshotReads snapshot(db);
  Status read = reads(snapshot);
  db.ResetStatements();
  // A read transaction writes nothing: ending it either way keeps nothing.
  Status end = db.Exec(read.ok() ? "COMMIT" : "ROLLBACK");
  if (!read.ok()) return read;
  return end;
}

}  // namespace tandem::sql
