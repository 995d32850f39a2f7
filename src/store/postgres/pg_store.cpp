#include "store/postgres/pg_store.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "store/postgres/pg_migrations.h"

namespace tandem {
namespace {

// Advisory lock keys ("tandem" + a byte); the migrations use "tandem" alone.
constexpr int64_t kWriteLock = 0x74616e64656d01;
constexpr int64_t kAppendLock = 0x74616e64656d02;
constexpr size_t kDefaultPoolSize = 8;
constexpr auto kPoolWait = std::chrono::seconds(30);

// Splits Tandem's own query parameters off a libpq URL.
StatusOr<std::pair<std::string, size_t>> ParseUrl(std::string_view url) {
  size_t pool_size = kDefaultPoolSize;
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return std::make_pair(std::string(url), pool_size);
  std::string base(url.substr(0, q));
  std::vector<std::string> kept;
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.starts_with("pool_size=")) {
      std::string value(param.substr(10));
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || n < 2 || n > 1000) {
        return InvalidArgument(
            "invalid_db_url",
            fmt::format("pool_size=\"{}\" in --db: use a number of connections from 2 to 1000",
                        value));
      }
      pool_size = static_cast<size_t>(n);
    } else if (!param.empty()) {
      kept.emplace_back(param);
    }
  }
  if (!kept.empty()) base += fmt::format("?{}", fmt::join(kept, "&"));
  return std::make_pair(base, pool_size);
}

}  // namespace

// A connection borrowed for reads (each statement its own transaction) or held by a
// write transaction; back to the pool when it ends.
class PgStore::Lease final : public sql::ReadLease {
 public:
  Lease(PgStore& store, std::unique_ptr<pg::Database> db) : store_(store), db_(std::move(db)) {}
  ~Lease() override { store_.Return(std::move(db_)); }
  sql::Db& db() override { return *db_; }
  pg::Database& pg() { return *db_; }

 private:
  PgStore& store_;
  std::unique_ptr<pg::Database> db_;
};

class PgStore::WriteScope final : public sql::WriteScope {
 public:
  WriteScope(std::unique_lock<std::mutex> lock, std::unique_ptr<Lease> lease)
      : lock_(std::move(lock)), lease_(std::move(lease)) {}
  ~WriteScope() override {
    pg::Connection& conn = lease_->pg().conn();
    if (begun_ && !committed_) {
      lease_->pg().DropBatched();
      conn.Discard();
      (void)conn.Exec("ROLLBACK");
    }
    conn.set_pipelined(false);
    lease_->pg().set_concurrent(false);
  }

  // One round trip: BEGIN, the settings of the transaction and its lock.
  Status Begin(int64_t lock_key, sql::WriteKind kind) {
    begun_ = true;
    // As on SQLite: the pipeline's effects and its cursor commit together, so its
    // batches need not wait for the WAL flush; a crash only makes them run again.
    static constexpr const char* kProcessingSettings = "SET LOCAL synchronous_commit = off; ";
    const bool processing = kind != sql::WriteKind::kDefault;
    // Pipeline batches share the lock: they run beside each other (each holding the
    // visitors it processes), never beside any other write.
    const bool beside = kind == sql::WriteKind::kProcessing;
    TANDEM_RETURN_IF_ERROR(lease_->pg().Exec(
        fmt::format("BEGIN; {}SELECT pg_advisory_xact_lock{}({})",
                    processing ? kProcessingSettings : "", beside ? "_shared" : "", lock_key)));
    // A batch's writes do not each wait a round trip: what fails aborts the
    // transaction, and the batch learns of it at its next read or at COMMIT.
    lease_->pg().conn().set_pipelined(processing);
    lease_->pg().set_concurrent(beside);
    return OkStatus();
  }
  sql::Db& db() override { return lease_->db(); }
  pg::Database& pg() { return lease_->pg(); }
  Status Commit() override {
    TANDEM_RETURN_IF_ERROR(lease_->pg().FlushAtCommit());
    TANDEM_RETURN_IF_ERROR(lease_->pg().conn().Commit());
    committed_ = true;
    return OkStatus();
  }

 private:
  std::unique_lock<std::mutex> lock_;
  std::unique_ptr<Lease> lease_;
  bool begun_ = false;
  bool committed_ = false;
};

StatusOr<std::unique_ptr<Store>> PgStore::Open(std::string_view url, const StoreOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(auto parsed, ParseUrl(url));
  std::unique_ptr<PgStore> store(new PgStore(parsed.first, parsed.second));
  store->keep_reports_ = options.keep_reports;
  {
    // Fail at start, not on the first request, when the server cannot be reached.
    TANDEM_ASSIGN_OR_RETURN(auto db, store->Borrow());
    store->Return(std::move(db));
  }
  if (options.migrate) TANDEM_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

PgStore::~PgStore() = default;

StatusOr<std::unique_ptr<pg::Database>> PgStore::Borrow() {
  {
    std::unique_lock lock(pool_mu_);
    const bool available =
        pool_cv_.wait_for(lock, kPoolWait, [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!available) {
      return Unavailable("store_busy", fmt::format("all {} PostgreSQL connections stayed busy for "
                                                   "{} s; raise pool_size in --db",
                                                   pool_size_, kPoolWait.count()));
    }
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
    ++open_;
  }
  auto db = pg::Database::Open(url_);
  if (!db.ok()) {
    std::lock_guard lock(pool_mu_);
    --open_;
    pool_cv_.notify_one();
    return db;
  }
  (*db)->set_keeps_reports(keep_reports_);
  return db;
}

void PgStore::Return(std::unique_ptr<pg::Database> db) {
  if (!db) return;
  db->ResetStatements();
  // A broken connection, or one left inside a transaction, is closed, not reused.
  const bool reusable =
      db->conn().healthy() && PQtransactionStatus(db->conn().raw()) == PQTRANS_IDLE;
  if (!reusable) db.reset();
  std::lock_guard lock(pool_mu_);
  if (reusable) {
    idle_.push_back(std::move(db));
  } else {
    --open_;
  }
  pool_cv_.notify_one();
}

StatusOr<std::unique_ptr<sql::ReadLease>> PgStore::Read() {
  TANDEM_ASSIGN_OR_RETURN(auto db, Borrow());
  return std::unique_ptr<sql::ReadLease>(std::make_unique<Lease>(*this, std::move(db)));
}

StatusOr<std::unique_ptr<sql::WriteScope>> PgStore::BeginWrite(sql::WriteKind kind) {
  // Pipeline batches run beside each other, this instance's too.
  std::unique_lock lock(write_mu_, std::defer_lock);
  if (kind != sql::WriteKind::kProcessing) lock.lock();
  TANDEM_ASSIGN_OR_RETURN(auto db, Borrow());
  auto scope =
      std::make_unique<WriteScope>(std::move(lock), std::make_unique<Lease>(*this, std::move(db)));
  TANDEM_RETURN_IF_ERROR(scope->Begin(kWriteLock, kind));
  return std::unique_ptr<sql::WriteScope>(std::move(scope));
}

Status PgStore::Migrate() {
  TANDEM_RETURN_IF_ERROR(ApplyMigrations());
  if (!keep_reports_) return OkStatus();
  return CountPendingAttribution();
}

Status PgStore::ApplyMigrations() {
  TANDEM_ASSIGN_OR_RETURN(auto db, Borrow());
  Lease lease(*this, std::move(db));
  return pg::Migrate(lease.pg().conn());
}

StatusOr<AppendResult> PgStore::AppendEvents(std::span<const EventRecord> events) {
  AppendResult result;
  if (events.empty()) return result;
  pg::ArrayLiteral source, message, type, name, user, anonymous, timestamp, received, payload;
  for (const EventRecord& e : events) {
    source.Add(e.source_id);
    message.Add(e.message_id);
    type.Add(e.type);
    name.AddNullable(e.event);
    user.AddNullable(e.user_id);
    anonymous.AddNullable(e.anonymous_id);
    timestamp.Add(ToUnixMillis(e.timestamp));
    received.Add(ToUnixMillis(e.received_at));
    payload.Add(e.payload);
  }
  std::unique_lock lock(append_mu_);
  TANDEM_ASSIGN_OR_RETURN(auto db, Borrow());
  WriteScope scope(std::move(lock), std::make_unique<Lease>(*this, std::move(db)));
  TANDEM_RETURN_IF_ERROR(scope.Begin(kAppendLock, sql::WriteKind::kDefault));
  TANDEM_ASSIGN_OR_RETURN(
      pg::Result inserted,
      scope.pg().conn().Query(
          "INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, "
          "timestamp, received_at, payload) SELECT s, m, t, e, u, a, ts, r, p FROM "
          "unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
          "$7::bigint[], $8::bigint[], $9::text[]) WITH ORDINALITY AS x(s, m, t, e, u, a, ts, r, "
          "p, n) ORDER BY n ON CONFLICT (source_id, message_id) DO NOTHING RETURNING source_id, "
          "message_id",
          {source.Finish(), message.Finish(), type.Finish(), name.Finish(), user.Finish(),
           anonymous.Finish(), timestamp.Finish(), received.Finish(), payload.Finish()}));
  std::set<std::pair<int64_t, std::string_view>> stored;
  for (int i = 0; i < inserted.rows(); ++i) stored.emplace(inserted.Int(i, 0), inserted.Text(i, 1));
  result.inserted.reserve(events.size());
  for (const EventRecord& e : events) {
    // A replay within the batch: the first occurrence is the one stored.
    const bool is_new = stored.erase({e.source_id, e.message_id}) > 0;
    result.inserted.push_back(is_new);
    ++(is_new ? result.stored : result.duplicates);
  }
  TANDEM_RETURN_IF_ERROR(scope.Commit());
  return result;
}

}  // namespace tandem
