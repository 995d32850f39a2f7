// Thin RAII wrappers over the SQLite C API: a connection with a statement cache,
// and prepared statements with typed binding.
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

namespace tandem::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding: indexes start at 1, as in SQL.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);  // the view must outlive Step()
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNullable(int index, std::optional<int64_t> value);
  Statement& BindNullable(int index, std::string_view value);  // empty → NULL
  Statement& BindNull(int index);

  // Returns true while a row is available, false when done.
  StatusOr<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  void Reset();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::optional<int64_t> NullableInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string Text(int column) const;
  std::string_view TextView(int column) const;

 private:
  Status Error(std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Exec(std::string_view sql);
  // A cached prepared statement, reset and with bindings cleared. Valid until the
  // Database closes; do not hold two borrows of the same SQL at once.
  StatusOr<Statement*> Prepare(const std::string& sql);
  // Resets every cached statement, ending the read transaction a statement left
  // mid-result would otherwise keep open (and with it a stale snapshot).
  void ResetStatements();
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
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
