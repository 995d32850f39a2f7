// SqliteStore: the embedded Store, one SQLite file in WAL mode.
//
// Writes go through one connection under a mutex (SQLite allows one writer; waiting on
// a mutex is fairer and faster than SQLite's sleeping busy handler). Reads use a pool
// of connections and run concurrently with the writer: connections that map the file
// (StoreOptions::sqlite_mmap_bytes), and for threads inside BulkReads (core/bulk_reads.h)
// connections that do not.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"

namespace tandem {

class SqliteStore final : public SqlStore {
 public:
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                               const StoreOptions& options);

  Status Migrate() override;

 protected:
  StatusOr<std::unique_ptr<sql::ReadLease>> Read() override;
  StatusOr<std::unique_ptr<sql::WriteScope>> BeginWrite(sql::WriteKind kind) override;

 private:
  Status ApplyMigrations();
  class ReadLease;
  class WriteScope;

  SqliteStore(std::string path, const StoreOptions& options)
      : path_(std::move(path)), options_(options) {}
  enum class Role { kWriter, kReader, kBulkReader };
  StatusOr<std::unique_ptr<sqlite::Database>> Connect(Role role);

  const std::string path_;
  const StoreOptions options_;
  std::mutex write_mu_;
  std::unique_ptr<sqlite::Database> writer_;  // guarded by write_mu_
  std::mutex pool_mu_;
  // Idle read connections, [0] mapping the file, [1] for bulk reads; guarded by pool_mu_.
  std::vector<std::unique_ptr<sqlite::Database>> idle_readers_[2];
};

}  // namespace tandem
