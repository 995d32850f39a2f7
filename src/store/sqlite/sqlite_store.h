// SqliteStore: the embedded Store, one SQLite file in WAL mode.
//
// Writes go through one connection under a mutex (SQLite allows one writer; waiting on
// a mutex is fairer and faster than SQLite's sleeping busy handler). Reads use a pool
// of connections and run concurrently with the writer.
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
  class ReadLease;
  class WriteScope;

  SqliteStore(std::string path, const StoreOptions& options)
      : path_(std::move(path)), options_(options) {}
  StatusOr<std::unique_ptr<sqlite::Database>> Connect(bool writer);

  const std::string path_;
  const StoreOptions options_;
  std::mutex write_mu_;
  std::unique_ptr<sqlite::Database> writer_;  // guarded by write_mu_
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<sqlite::Database>> idle_readers_;  // guarded by pool_mu_
};

}  // namespace tandem
