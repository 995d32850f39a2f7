// PgStore: the Store on a PostgreSQL database that several Tandem instances share.
//
// Connections come from a pool (`pool_size` in the URL's query, default 8). Writes
// keep the contract SQLite's single writer gives the rest of Tandem: a write
// transaction holds a transaction-scoped advisory lock, so lead transactions and other
// writes run one at a time across every instance — ownership, round-robin passes, SLA
// timers, the contact gate and delivery claims stay correct without any instance
// trusting its own memory. The pipeline's batches share that lock among themselves
// (never with another write): each holds the identities and persons of the visitors it
// processes (sql::Db::TryHold), takes turns for what leads share (routing, load,
// accounts: sql::Turn), and writes the day counts and the outbox at commit, in one
// order. Ingest takes a second lock of its own so event ids are assigned and committed
// in order (the pipeline's cursor relies on it) without waiting for lead work.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/sql/sql_store.h"

namespace tandem {

class PgStore final : public SqlStore {
 public:
  // `url`: postgresql://user:pass@host:port/db[?libpq options][&pool_size=N]
  static StatusOr<std::unique_ptr<Store>> Open(std::string_view url, const StoreOptions& options);
  ~PgStore() override;

  Status Migrate() override;
  // One multi-row insert per call (the group commit's batch), in one transaction.
  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override;
  bool concurrent_batches() const override { return true; }

 protected:
  StatusOr<std::unique_ptr<sql::ReadLease>> Read() override;
  StatusOr<std::unique_ptr<sql::WriteScope>> BeginWrite(sql::WriteKind kind) override;

 private:
  Status ApplyMigrations();
  class Lease;
  class WriteScope;

  PgStore(std::string url, size_t pool_size) : url_(std::move(url)), pool_size_(pool_size) {}
  // A pooled connection, opened when none is idle and the pool has room; waits for
  // one to come back otherwise.
  StatusOr<std::unique_ptr<pg::Database>> Borrow();
  void Return(std::unique_ptr<pg::Database> db);

  const std::string url_;  // for libpq: without Tandem's own parameters
  const size_t pool_size_;
  bool keep_reports_ = true;  // StoreOptions::keep_reports, for each connection
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<pg::Database>> idle_;  // guarded by pool_mu_
  size_t open_ = 0;                                  // guarded by pool_mu_
  // One write transaction of this instance at a time but the pipeline's batches (the
  // advisory lock orders them across instances); a waiting writer holds no connection.
  std::mutex write_mu_;
  std::mutex append_mu_;
};

}  // namespace tandem
