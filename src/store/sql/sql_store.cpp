#include "store/sql/sql_store.h"

#include <fmt/format.h>

#include "store/sql/sql_events.h"

namespace tandem {

using sql::Db;
using sql::Statement;

namespace {

Source ReadSource(const Statement& row) {
  return Source{row.Int(0), row.Text(1), row.Text(2), FromUnixMillis(row.Int(3))};
}

}  // namespace

StatusOr<int> SqlStore::SchemaVersion() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? static_cast<int>(stmt->Int(0)) : 0;
}

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
      lease->db().Prepare(
          "SELECT id, name, write_key, created_at FROM sources WHERE write_key = ?"));
  stmt->Bind(1, write_key);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Source>();
  return std::optional<Source>(ReadSource(*stmt));
}

StatusOr<std::vector<Source>> SqlStore::ListSources() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id, name, write_key, created_at FROM sources ORDER BY id"));
  std::vector<Source> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadSource(*stmt));
  }
  return out;
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

StatusOr<std::vector<StoredEvent>> SqlStore::ListPersonEvents(int64_t person_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, lease->db().Prepare(std::string(sql::kSelectEvent) +
                                            " WHERE person_id = ? ORDER BY timestamp, id LIMIT ?"));
  stmt->Bind(1, person_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<StoredEvent> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(sql::ReadEvent(*stmt));
  }
  return out;
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
          "processing_cursors WHERE name = 'pipeline'), 0)"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

StatusOr<std::optional<int64_t>> SqlStore::FindPersonByIdentity(const Identity& identity) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COALESCE(p.merged_into, p.id) FROM identities i JOIN persons p "
                          "ON p.id = i.person_id WHERE i.kind = ? AND i.value = ?"));
  stmt->Bind(1, IdentityKindName(identity.kind)).Bind(2, identity.value);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

StatusOr<std::optional<Person>> SqlStore::GetPerson(int64_t person_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT id, user_id, email, merged_into, created_at, updated_at FROM "
                          "persons WHERE id = ?"));
  stmt->Bind(1, person_id);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Person>();
  Person person;
  person.id = stmt->Int(0);
  person.user_id = stmt->Text(1);
  person.email = stmt->Text(2);
  if (!stmt->IsNull(3)) person.merged_into = stmt->Int(3);
  person.created_at = FromUnixMillis(stmt->Int(4));
  person.updated_at = FromUnixMillis(stmt->Int(5));
  stmt->Reset();
  TANDEM_ASSIGN_OR_RETURN(
      Statement * ids,
      lease->db().Prepare(
          "SELECT kind, value FROM identities WHERE person_id = ? ORDER BY kind, value"));
  ids->Bind(1, person_id);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool more, ids->Step());
    if (!more) break;
    if (auto kind = ParseIdentityKind(ids->TextView(0)))
      person.identities.push_back({*kind, ids->Text(1)});
  }
  return std::optional<Person>(std::move(person));
}

}  // namespace tandem

namespace tandem {

Status SqlStore::Write(const std::function<Status(sql::Db&)>& write) {
  TANDEM_ASSIGN_OR_RETURN(auto scope, BeginWrite(sql::WriteKind::kDefault));
  TANDEM_RETURN_IF_ERROR(write(scope->db()));
  return scope->Commit();
}

}  // namespace tandem
