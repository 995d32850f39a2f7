// The SQL connection of store/sql/sql_db.h over the SQLite C API.
//
// Not thread-safe: one thread uses a connection at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/sql/sql_db.h"

namespace tandem::sqlite {

class Statement final : public sql::Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() override { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  StatusOr<bool> Step() override;
  void Reset() override;

  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const override { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::string_view TextView(int column) const override;

 protected:
  void BindInt(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void BindDouble(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void BindText(int index, std::string_view value) override;
  void BindNullValue(int index) override { sqlite3_bind_null(stmt_, index); }

 private:
  Status Error(std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database final : public sql::Db {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::kSqlite; }
  Status Exec(std::string_view sql) override;
  StatusOr<sql::Statement*> Prepare(const std::string& sql) override;
  void ResetStatements() override;
  int64_t Changes() const override { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// Maps a SQLite failure to a Status: busy/locked/full/IO errors are "unavailable"
// (the client may retry), anything else is internal.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace tandem::sqlite
