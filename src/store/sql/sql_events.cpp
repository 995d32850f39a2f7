#include "store/sql/sql_events.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/sql/sql_store.h"

namespace tandem::sql {

StoredEvent ReadEvent(const Statement& row) {
  StoredEvent e;
  e.id = row.Int(0);
  e.record.source_id = row.Int(1);
  e.record.message_id = row.Text(2);
  e.record.type = row.Text(3);
  e.record.event = row.Text(4);
  e.record.user_id = row.Text(5);
  e.record.anonymous_id = row.Text(6);
  if (!row.IsNull(7)) e.person_id = row.Int(7);
  e.record.timestamp = FromUnixMillis(row.Int(8));
  e.record.received_at = FromUnixMillis(row.Int(9));
  e.record.payload = row.Text(10);
  return e;
}

StatusOr<AppendResult> InsertEvents(Db& db, std::span<const EventRecord> events) {
  TANDEM_ASSIGN_OR_RETURN(
      Statement * insert,
      db.Prepare("INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, "
                 "timestamp, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (source_id, message_id) DO NOTHING"));
  AppendResult result;
  result.inserted.reserve(events.size());
  for (const EventRecord& e : events) {
    insert->Bind(1, e.source_id)
        .Bind(2, e.message_id)
        .Bind(3, e.type)
        .BindNullable(4, e.event)
        .BindNullable(5, e.user_id)
        .BindNullable(6, e.anonymous_id)
        .Bind(7, ToUnixMillis(e.timestamp))
        .Bind(8, ToUnixMillis(e.received_at))
        .Bind(9, e.payload);
    TANDEM_RETURN_IF_ERROR(insert->Run());
    bool inserted = db.Changes() > 0;
    result.inserted.push_back(inserted);
    ++(inserted ? result.stored : result.duplicates);
    insert->Reset();
  }
  return result;
}

StatusOr<std::vector<StoredEvent>> PersonEvents(Db& db, int64_t person_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare(std::string(kSelectEvent) +
                                     " WHERE person_id = ? ORDER BY timestamp, id LIMIT ?"));
  stmt->Bind(1, person_id).Bind(2, static_cast<int64_t>(limit));
  return Collect<StoredEvent>(stmt, ReadEvent);
}

Status ForEachUnprocessed(Db& db, std::string_view select, int64_t after_id, size_t limit,
                          const std::function<void(const Statement&)>& read) {
  TANDEM_ASSIGN_OR_RETURN(Statement * newest,
                          db.Prepare("SELECT COALESCE(MAX(id), 0) FROM events"));
  TANDEM_ASSIGN_OR_RETURN(auto last,
                          Collect<int64_t>(newest, [](const Statement& r) { return r.Int(0); }));
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      db.Prepare(fmt::format(
          "{} WHERE id > ? AND id <= ? AND person_id IS NULL ORDER BY id LIMIT ?", select)));
  // Ids are dense but for events processed ahead and inserts rolled back.
  const int64_t window = 2 * static_cast<int64_t>(std::max<size_t>(limit, 512));
  size_t taken = 0;
  for (int64_t from = after_id; from < last.at(0) && taken < limit; from += window) {
    stmt->Bind(1, from).Bind(2, from + window).Bind(3, static_cast<int64_t>(limit - taken));
    TANDEM_RETURN_IF_ERROR(EachRow(stmt, [&](const Statement& row) {
      read(row);
      ++taken;
    }));
  }
  return OkStatus();
}

StatusOr<int64_t> CountPersonEvents(Db& db, int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          db.Prepare("SELECT COUNT(*) FROM events WHERE person_id = ?"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(auto n,
                          First<int64_t>(stmt, [](const Statement& s) { return s.Int(0); }));
  return n.value_or(0);
}

}  // namespace tandem::sql

namespace tandem {

using sql::Statement;

namespace {

Source SourceFromRow(const Statement& row) {
  Source source{row.Int(0), row.Text(1), row.Text(2), FromUnixMillis(row.Int(3))};
  if (auto at = row.NullableInt(4)) source.last_event_at = FromUnixMillis(*at);
  return source;
}

}  // namespace

StatusOr<Source> SqlStore::CreateSource(std::string_view name, std::string_view write_key,
                                        TimePoint now) {
  Source source{0, std::string(name), std::string(write_key), now};
  Status status = Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(
        Statement * stmt,
        db.Prepare("INSERT INTO sources (name, write_key, created_at) VALUES (?, ?, ?) "
                   "RETURNING id"));
    stmt->Bind(1, name).Bind(2, write_key).Bind(3, ToUnixMillis(now));
    TANDEM_ASSIGN_OR_RETURN(source.id, sql::InsertedId(*stmt));
    return OkStatus();
  });
  if (status.code() == StatusCode::kConflict) {
    return Conflict("write_key_taken", "a source with that write key already exists");
  }
  TANDEM_RETURN_IF_ERROR(status);
  return source;
}

StatusOr<std::optional<Source>> SqlStore::FindSourceByWriteKey(std::string_view write_key) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id, name, write_key, created_at, last_event_at FROM sources "
                          "WHERE write_key = ?"));
  stmt->Bind(1, write_key);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Source>();
  return std::optional<Source>(SourceFromRow(*stmt));
}

StatusOr<std::vector<Source>> SqlStore::ListSources() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT id, name, write_key, created_at, last_event_at FROM sources ORDER BY id"));
  std::vector<Source> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(SourceFromRow(*stmt));
  }
  return out;
}

Status SqlStore::NoteSourceActivity(int64_t source_id, TimePoint at) {
  return Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                            db.Prepare("UPDATE sources SET last_event_at = ? WHERE id = ? AND "
                                       "(last_event_at IS NULL OR last_event_at < ?)"));
    stmt->Bind(1, ToUnixMillis(at)).Bind(2, source_id).Bind(3, ToUnixMillis(at));
    return stmt->Run();
  });
}

StatusOr<AppendResult> SqlStore::AppendEvents(std::span<const EventRecord> events) {
  AppendResult result;
  TANDEM_RETURN_IF_ERROR(Write([&](sql::Db& db) -> Status {
    TANDEM_ASSIGN_OR_RETURN(result, sql::InsertEvents(db, events));
    return OkStatus();
  }));
  return result;
}

StatusOr<std::optional<StoredEvent>> SqlStore::FindEvent(int64_t source_id,
                                                         std::string_view message_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(std::string(sql::kSelectEvent) +
                                              " WHERE source_id = ? AND message_id = ?"));
  stmt->Bind(1, source_id).Bind(2, message_id);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<StoredEvent>();
  return std::optional<StoredEvent>(sql::ReadEvent(*stmt));
}

StatusOr<int64_t> SqlStore::CountEvents() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare("SELECT COUNT(*) FROM events"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

StatusOr<int64_t> SqlStore::CountUnprocessedEvents() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT COUNT(*) FROM events WHERE id > COALESCE((SELECT last_event_id FROM "
          "processing_cursors WHERE name = 'pipeline'), 0) AND person_id IS NULL"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

StatusOr<std::vector<EventKey>> SqlStore::UnprocessedEventKeys(int64_t after_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  std::vector<EventKey> out;
  TANDEM_RETURN_IF_ERROR(sql::ForEachUnprocessed(
      lease->db(),
      "SELECT id, type, COALESCE(event, ''), COALESCE(user_id, ''), COALESCE(anonymous_id, ''), "
      "CASE WHEN payload LIKE '%email%' OR type = 'alias' THEN payload ELSE '' END FROM events",
      after_id, limit, [&](const Statement& row) {
        out.push_back(
            EventKey{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5)});
      }));
  return out;
}

}  // namespace tandem
