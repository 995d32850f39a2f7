#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include "core/bulk_reads.h"
#include "store/sqlite/migrations.h"

namespace tandem {

using sqlite::Database;

namespace {
constexpr size_t kMaxIdleReaders = 16;
}  // namespace

// A read connection borrowed from the pool for the lifetime of the lease.
class SqliteStore::ReadLease final : public sql::ReadLease {
 public:
  ReadLease(SqliteStore& store, std::unique_ptr<Database> db, bool bulk)
      : store_(store), db_(std::move(db)), bulk_(bulk) {}
  ~ReadLease() override {
    db_->ResetStatements();
    // A read transaction left open (its end failed) would hold its snapshot for every
    // later borrower: ended here, or the connection is not kept.
    if (sqlite3_get_autocommit(db_->raw()) == 0 && !db_->Exec("ROLLBACK").ok()) return;
    std::lock_guard lock(store_.pool_mu_);
    auto& idle = store_.idle_readers_[bulk_ ? 1 : 0];
    if (idle.size() < kMaxIdleReaders) idle.push_back(std::move(db_));
  }
  sql::Db& db() override { return *db_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Database> db_;
  const bool bulk_;
};

// The write connection under the write mutex, in BEGIN IMMEDIATE.
class SqliteStore::WriteScope final : public sql::WriteScope {
 public:
  WriteScope(SqliteStore& store, sql::WriteKind kind)
      : lock_(store.write_mu_),
        db_(*store.writer_),
        relaxed_(kind != sql::WriteKind::kDefault && store.options_.synchronous_full) {}
  ~WriteScope() override {
    if (begun_ && !committed_) (void)db_.Exec("ROLLBACK");
    db_.ResetStatements();
    if (relaxed_) (void)db_.Exec("PRAGMA synchronous = FULL");
  }

  // Processing commits without an fsync of their own: the pipeline's effects and its
  // cursor commit atomically, so a power loss can only roll both back together, and
  // the events are processed again. Ingest commits, which acknowledge clients, keep
  // full durability (and their fsync also persists the processing before them).
  Status Begin() {
    if (relaxed_) TANDEM_RETURN_IF_ERROR(db_.Exec("PRAGMA synchronous = NORMAL"));
    TANDEM_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    begun_ = true;
    return OkStatus();
  }
  sql::Db& db() override { return db_; }
  Status Commit() override {
    TANDEM_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    committed_ = true;
    return OkStatus();
  }

 private:
  std::unique_lock<std::mutex> lock_;
  Database& db_;
  const bool relaxed_;
  bool begun_ = false;
  bool committed_ = false;
};

StatusOr<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path,
                                                   const StoreOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  TANDEM_ASSIGN_OR_RETURN(store->writer_, store->Connect(Role::kWriter));
  if (options.migrate) TANDEM_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

StatusOr<std::unique_ptr<Database>> SqliteStore::Connect(Role role) {
  TANDEM_ASSIGN_OR_RETURN(auto db, Database::Open(path_));
  TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 10000"));
  db->set_keeps_reports(options_.keep_reports);
  if (role == Role::kWriter) {
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
    TANDEM_RETURN_IF_ERROR(db->Exec(options_.synchronous_full ? "PRAGMA synchronous = FULL"
                                                              : "PRAGMA synchronous = NORMAL"));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -65536"));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store = MEMORY"));
  } else {
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = 1"));
    // Reads of a page of leads touch rows all over the file (a lead's events were stored
    // at different times): mapped, they are read from the OS's page cache without a
    // system call and a copy per page; a page written since is read from the WAL. But a
    // mapped page stays resident in Tandem's memory while the connection lives: bulk
    // reads, which touch most of the file once, copy into a bounded page cache instead.
    const int64_t mapped = role == Role::kBulkReader ? 0 : options_.sqlite_mmap_bytes;
    TANDEM_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA mmap_size = {}", mapped)));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -16384"));
    TANDEM_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store = MEMORY"));
  }
  return db;
}

StatusOr<std::unique_ptr<sql::ReadLease>> SqliteStore::Read() {
  const bool bulk = BulkReads::Active();
  std::unique_ptr<Database> db;
  {
    std::lock_guard lock(pool_mu_);
    auto& idle = idle_readers_[bulk ? 1 : 0];
    if (!idle.empty()) {
      db = std::move(idle.back());
      idle.pop_back();
    }
  }
  if (!db) {
    TANDEM_ASSIGN_OR_RETURN(db, Connect(bulk ? Role::kBulkReader : Role::kReader));
  }
  return std::unique_ptr<sql::ReadLease>(std::make_unique<ReadLease>(*this, std::move(db), bulk));
}

StatusOr<std::unique_ptr<sql::WriteScope>> SqliteStore::BeginWrite(sql::WriteKind kind) {
  auto scope = std::make_unique<WriteScope>(*this, kind);
  TANDEM_RETURN_IF_ERROR(scope->Begin());
  return std::unique_ptr<sql::WriteScope>(std::move(scope));
}

Status SqliteStore::Migrate() {
  TANDEM_RETURN_IF_ERROR(ApplyMigrations());
  if (!options_.keep_reports) return OkStatus();
  return CountPendingAttribution();
}

Status SqliteStore::ApplyMigrations() {
  std::lock_guard lock(write_mu_);
  TANDEM_RETURN_IF_ERROR(
      writer_->Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  for (const auto& migration : sqlite::Migrations()) {
    TANDEM_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status applied = [&]() -> Status {
      TANDEM_ASSIGN_OR_RETURN(
          sql::Statement * check,
          writer_->Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
      check->Bind(1, int64_t{migration.version});
      TANDEM_ASSIGN_OR_RETURN(bool done, check->Step());
      check->Reset();
      if (done) return OkStatus();
      TANDEM_RETURN_IF_ERROR(writer_->Exec(migration.sql));
      TANDEM_ASSIGN_OR_RETURN(
          sql::Statement * record,
          writer_->Prepare("INSERT INTO schema_migrations (version, description, applied_at) "
                           "VALUES (?, ?, strftime('%s','now') * 1000)"));
      record->Bind(1, int64_t{migration.version}).Bind(2, migration.description);
      Status run = record->Run();
      record->Reset();
      return run;
    }();
    TANDEM_RETURN_IF_ERROR(writer_->Exec(applied.ok() ? "COMMIT" : "ROLLBACK"));
    TANDEM_RETURN_IF_ERROR(applied);
  }
  return OkStatus();
}

}  // namespace tandem
