// The SQL connection the store's queries run on, whichever database is behind it: a
// prepared statement with typed binding and row access, and a connection with a
// statement cache. SQLite and PostgreSQL implement it (store/sqlite/sqlite_db.h,
// store/postgres/pg_db.h), so each query of the store is written once.
//
// Statements use `?` (or `?N`) placeholders, numbered from 1 as in SQL; the
// PostgreSQL connection rewrites them to `$N`. SQL must be valid on both databases;
// the few places that differ ask `dialect()`.
//
// Not thread-safe: one thread uses a connection at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem::sql {

enum class Dialect { kSqlite, kPostgres };

class Statement {
 public:
  virtual ~Statement() = default;

  Statement& Bind(int index, int64_t value) {
    BindInt(index, value);
    return *this;
  }
  Statement& Bind(int index, double value) {
    BindDouble(index, value);
    return *this;
  }
  // The view must outlive Step().
  Statement& Bind(int index, std::string_view value) {
    BindText(index, value);
    return *this;
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNullable(int index, std::optional<int64_t> value) {
    return value ? Bind(index, *value) : BindNull(index);
  }
  // Empty → NULL.
  Statement& BindNullable(int index, std::string_view value) {
    return value.empty() ? BindNull(index) : Bind(index, value);
  }
  Statement& BindNull(int index) {
    BindNullValue(index);
    return *this;
  }

  // Returns true while a row is available, false when done.
  virtual StatusOr<bool> Step() = 0;
  // Runs to completion, ignoring rows.
  Status Run();
  // Ends the statement and clears its bindings, ready to run again.
  virtual void Reset() = 0;

  virtual int64_t Int(int column) const = 0;
  virtual double Double(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  // Valid until the next Step() or Reset().
  virtual std::string_view TextView(int column) const = 0;
  std::string Text(int column) const { return std::string(TextView(column)); }
  std::optional<int64_t> NullableInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }

 protected:
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindNullValue(int index) = 0;
};

class Db {
 public:
  virtual ~Db() = default;

  virtual Dialect dialect() const = 0;
  // One or more statements without parameters.
  virtual Status Exec(std::string_view sql) = 0;
  // A cached prepared statement, reset and with bindings cleared. Valid until the
  // connection closes; do not hold two borrows of the same SQL at once.
  virtual StatusOr<Statement*> Prepare(const std::string& sql) = 0;
  // Resets every cached statement (ending any read a statement left mid-result).
  virtual void ResetStatements() = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual int64_t Changes() const = 0;
};

// Runs an INSERT … RETURNING id and gives the new row's id.
StatusOr<int64_t> InsertedId(Statement& insert);

// "INSERT INTO table (columns) VALUES (?, …) ON CONFLICT (key) DO UPDATE SET …": an
// insert that replaces every column of an existing row with the same key.
std::string Upsert(std::string_view table, std::string_view columns, std::string_view key);

// SQL for the text at `key` of the JSON object in `column`.
std::string JsonText(const Db& db, std::string_view column, std::string_view key);

}  // namespace tandem::sql
