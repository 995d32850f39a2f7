#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_events.h"

namespace tandem {

using sqlite::Database;
using sqlite::Statement;

namespace {

constexpr size_t kMaxIdleReaders = 16;

// Rolls back on scope exit unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& db) : db_(db) {}
  ~WriteTransaction() {
    if (begun_ && !done_) (void)db_.Exec("ROLLBACK");
    db_.ResetStatements();
  }
  Status Begin() {
    TANDEM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    begun_ = true;
    return OkStatus();
  }
  Status Commit() {
    TANDEM_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    done_ = true;
    return OkStatus();
  }

 private:
  Database& db_;
  bool begun_ = false;
  bool done_ = false;
};

Source ReadSource(const Statement& row) {
  return Source{row.Int(0), row.Text(1), row.Text(2), FromUnixMillis(row.Int(3))};
}

}  // namespace

StatusOr<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path,
                                                   const StoreOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  TANDEM_ASSIGN_OR_RETURN(store->writer_, store->Connect(/*writer=*/true));
  if (options.migrate) TANDEM_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

StatusOr<std::unique_ptr<Database>> SqliteStore::Connect(bool writer) {
  TANDEM_ASSIGN_OR_RETURN(auto db, Database::Open(path_));
  TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 10000"));
  if (writer) {
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
    TANDEM_RETURN_IF_ERROR(db->Exec(options_.synchronous_full ? "PRAGMA synchronous = FULL"
                                                              : "PRAGMA synchronous = NORMAL"));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -65536"));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store = MEMORY"));
  } else {
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = 1"));
  }
  return db;
}

SqliteStore::ReadLease::~ReadLease() {
  db_->ResetStatements();
  std::lock_guard lock(store_.pool_mu_);
  if (store_.idle_readers_.size() < kMaxIdleReaders) store_.idle_readers_.push_back(std::move(db_));
}

StatusOr<std::unique_ptr<SqliteStore::ReadLease>> SqliteStore::Read() {
  std::unique_ptr<Database> db;
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!db) {
    TANDEM_ASSIGN_OR_RETURN(db, Connect(/*writer=*/false));
  }
  return std::make_unique<ReadLease>(*this, std::move(db));
}

Status SqliteStore::Migrate() {
  std::lock_guard lock(write_mu_);
  TANDEM_RETURN_IF_ERROR(
      writer_->Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  for (const auto& migration : sqlite::Migrations()) {
    WriteTransaction txn(*writer_);
    TANDEM_RETURN_IF_ERROR(txn.Begin());
    TANDEM_ASSIGN_OR_RETURN(Statement * check,
                            writer_->Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
    check->Bind(1, int64_t{migration.version});
    TANDEM_ASSIGN_OR_RETURN(bool applied, check->Step());
    check->Reset();
    if (applied) continue;
    TANDEM_RETURN_IF_ERROR(writer_->Exec(migration.sql));
    TANDEM_ASSIGN_OR_RETURN(
        Statement * record,
        writer_->Prepare("INSERT INTO schema_migrations (version, description, applied_at) "
                         "VALUES (?, ?, strftime('%s','now') * 1000)"));
    record->Bind(1, int64_t{migration.version}).Bind(2, migration.description);
    TANDEM_RETURN_IF_ERROR(record->Run());
    TANDEM_RETURN_IF_ERROR(txn.Commit());
  }
  return OkStatus();
}

StatusOr<int> SqliteStore::SchemaVersion() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? static_cast<int>(stmt->Int(0)) : 0;
}

StatusOr<Source> SqliteStore::CreateSource(std::string_view name, std::string_view write_key,
                                           TimePoint now) {
  std::lock_guard lock(write_mu_);
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      writer_->Prepare("INSERT INTO sources (name, write_key, created_at) VALUES (?, ?, ?)"));
  stmt->Bind(1, name).Bind(2, write_key).Bind(3, ToUnixMillis(now));
  Status status = stmt->Run();
  if (status.code() == StatusCode::kConflict) {
    return Conflict("write_key_taken", "a source with that write key already exists");
  }
  TANDEM_RETURN_IF_ERROR(status);
  return Source{writer_->LastInsertRowId(), std::string(name), std::string(write_key), now};
}

StatusOr<std::optional<Source>> SqliteStore::FindSourceByWriteKey(std::string_view write_key) {
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

StatusOr<std::vector<Source>> SqliteStore::ListSources() {
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

StatusOr<AppendResult> SqliteStore::AppendEvents(std::span<const EventRecord> events) {
  std::lock_guard lock(write_mu_);
  WriteTransaction txn(*writer_);
  TANDEM_RETURN_IF_ERROR(txn.Begin());
  TANDEM_ASSIGN_OR_RETURN(AppendResult result, sqlite::InsertEvents(*writer_, events));
  TANDEM_RETURN_IF_ERROR(txn.Commit());
  return result;
}

StatusOr<std::optional<StoredEvent>> SqliteStore::FindEvent(int64_t source_id,
                                                            std::string_view message_id) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt,
                          lease->db().Prepare(std::string(sqlite::kSelectEvent) +
                                              " WHERE source_id = ? AND message_id = ?"));
  stmt->Bind(1, source_id).Bind(2, message_id);
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<StoredEvent>();
  return std::optional<StoredEvent>(sqlite::ReadEvent(*stmt));
}

StatusOr<std::vector<StoredEvent>> SqliteStore::ListPersonEvents(int64_t person_id, size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt, lease->db().Prepare(std::string(sqlite::kSelectEvent) +
                                            " WHERE person_id = ? ORDER BY timestamp, id LIMIT ?"));
  stmt->Bind(1, person_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<StoredEvent> out;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(sqlite::ReadEvent(*stmt));
  }
  return out;
}

StatusOr<int64_t> SqliteStore::CountEvents() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(Statement * stmt, lease->db().Prepare("SELECT COUNT(*) FROM events"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

StatusOr<int64_t> SqliteStore::CountUnprocessedEvents() {
  TANDEM_ASSIGN_OR_RETURN(auto lease, Read());
  TANDEM_ASSIGN_OR_RETURN(
      Statement * stmt,
      lease->db().Prepare(
          "SELECT COALESCE((SELECT MAX(id) FROM events), 0) - COALESCE((SELECT last_event_id FROM "
          "processing_cursors WHERE name = 'pipeline'), 0)"));
  TANDEM_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

StatusOr<std::optional<int64_t>> SqliteStore::FindPersonByIdentity(const Identity& identity) {
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

StatusOr<std::optional<Person>> SqliteStore::GetPerson(int64_t person_id) {
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

Status SqliteStore::Write(const std::function<Status(sqlite::Database&)>& write) {
  std::lock_guard lock(write_mu_);
  WriteTransaction txn(*writer_);
  TANDEM_RETURN_IF_ERROR(txn.Begin());
  TANDEM_RETURN_IF_ERROR(write(*writer_));
  return txn.Commit();
}

}  // namespace tandem
