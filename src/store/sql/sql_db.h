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
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/clock.h"
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
  // Runs to completion, ignoring rows. On a connection that pipelines writes
  // (PostgreSQL's processing transactions) it may only queue the statement: a failure
  // then comes from the connection's next read or from the commit.
  virtual Status Run();
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

// A write whose rows may wait and go to the database together: `one` writes a row
// (`?` places, one per column); `many`, PostgreSQL's form of it, writes rows whose
// columns come as arrays ($1 the first column's values, …; with unnest). `many` must
// write what `one` would for each row in turn, whatever rows share a batch.
struct BatchedWrite {
  const char* one;
  const char* many;
  // Not 0: the rows wait for the commit (no statement in between needs them, and the
  // transaction reads nothing they write), then go in the order of this rank, so
  // transactions that run beside each other lock shared rows (a day's counts) in one
  // order, at the end, and briefly.
  int at_commit = 0;
};

// What transactions that run beside each other (Db::concurrent()) take in turns: Hold()
// waits for the turn and keeps it until the transaction ends.
enum class Turn {
  // What leads share, read or written: routing (round-robin passes, each owner's load,
  // an account's owner), accounts, and the experiments' and attribution's day sums.
  kLeadsShared,
  // The outbox's ids, which its readers follow in order: taken at commit.
  kOutbox,
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
  // A statement for `write`'s rows: bind a row's columns and Run() it; nothing is read
  // back, and Changes() says nothing of it. On a connection that batches such writes
  // (PostgreSQL's processing transactions) Run() only keeps the row: rows wait until
  // the connection runs any other statement or commits, then go as one statement per
  // BatchedWrite, in the order of each one's first row since the last statement: rows of
  // different BatchedWrites may reach the database in another order than they were run
  // (a write whose rows always follow another's stays after it), never after a statement
  // run after them. Elsewhere each Run() runs `one`.
  virtual StatusOr<Statement*> PrepareBatched(const BatchedWrite& write) {
    return Prepare(write.one);
  }
  // Whether PrepareBatched keeps rows now, rather than writing each at once.
  virtual bool batches_writes() const { return false; }
  // Whether other write transactions may run beside this one (PostgreSQL's pipeline
  // batches): each then holds the visitors it processes (TryHold) and takes turns for
  // what leads share (Hold). Elsewhere one write transaction runs at a time, and both
  // hold at once.
  virtual bool concurrent() const { return false; }
  virtual Status Hold(Turn turn) {
    (void)turn;
    return OkStatus();
  }
  // Holds each of `names` until the transaction ends unless another transaction holds
  // it; gives which it holds (one of two names may be held for the other: a hash).
  virtual StatusOr<std::vector<bool>> TryHold(std::span<const std::string> names) {
    return std::vector<bool>(names.size(), true);
  }
  // Resets every cached statement (ending any read a statement left mid-result).
  virtual void ResetStatements() = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual int64_t Changes() const = 0;

  // Whether writes on this connection keep what the reports count
  // (StoreOptions::keep_reports).
  bool keeps_reports() const { return keeps_reports_; }
  void set_keeps_reports(bool keep) { keeps_reports_ = keep; }

 private:
  bool keeps_reports_ = true;
};

// Runs an INSERT … RETURNING id and gives the new row's id.
StatusOr<int64_t> InsertedId(Statement& insert);

// A LIKE pattern that finds `text` anywhere: "%text%" with %, _ and \ escaped, for
// "LIKE ? ESCAPE '\'".
std::string LikeContaining(std::string_view text);

// "INSERT INTO table (columns) VALUES (?, …) ON CONFLICT (key) DO UPDATE SET …": an
// insert that replaces every column of an existing row with the same key.
std::string Upsert(std::string_view table, std::string_view columns, std::string_view key);

// "?,?,…" for `ids` in an IN list: a power of two of places (at least one), so a list
// of any length prepares one of a few statements. BindIds binds them from `first` on
// (spare places get 0, which no row's id is) and returns the next free index.
std::string IdPlaces(size_t count);
int BindIds(Statement& stmt, int first, std::span<const int64_t> ids);

// SQL for the text at `key` of the JSON object in `column`.
std::string JsonText(const Db& db, std::string_view column, std::string_view key);

// Steps `stmt` to the end and resets it, calling `each` with every row; `each` gives
// nothing or a Status (a failure ends the steps with it, as does a failed step).
template <typename Each>
Status EachRow(Statement* stmt, Each each) {
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) {
      stmt->Reset();
      return row.status();
    }
    if (!*row) break;
    if constexpr (std::is_same_v<std::invoke_result_t<Each&, const Statement&>, Status>) {
      if (Status read = each(*stmt); !read.ok()) {
        stmt->Reset();
        return read;
      }
    } else {
      each(*stmt);
    }
  }
  stmt->Reset();
  return OkStatus();
}

// Steps `stmt` to the end, reading each row with `read`, which gives a T or a
// StatusOr<T> (a row it cannot read ends the steps with its error).
template <typename T, typename Reader>
StatusOr<std::vector<T>> Collect(Statement* stmt, Reader read) {
  std::vector<T> out;
  TANDEM_RETURN_IF_ERROR(EachRow(stmt, [&](const Statement& row) -> Status {
    if constexpr (std::is_same_v<std::invoke_result_t<Reader&, const Statement&>, StatusOr<T>>) {
      StatusOr<T> item = read(row);
      if (!item.ok()) return item.status();
      out.push_back(std::move(item).value());
    } else {
      out.push_back(read(row));
    }
    return OkStatus();
  }));
  return out;
}

// The first row of `stmt`, read with `read`, if there is one.
template <typename T>
StatusOr<std::optional<T>> First(Statement* stmt, T (*read)(const Statement&)) {
  auto row = stmt->Step();
  if (!row.ok()) {
    stmt->Reset();
    return row.status();
  }
  std::optional<T> out;
  if (*row) out = read(*stmt);
  stmt->Reset();
  return out;
}

// An enum held as text in `column` (its name in errors, "table.column"), read with
// `parse`: a value `parse` does not know is an Internal error naming column and value.
Status UnknownColumnValue(std::string_view column, std::string_view value);
template <typename E>
StatusOr<E> ReadEnum(const Statement& row, int index, std::string_view column,
                     std::optional<E> (*parse)(std::string_view)) {
  std::string_view text = row.TextView(index);
  std::optional<E> value = parse(text);
  if (!value) return UnknownColumnValue(column, text);
  return *value;
}

// Times are stored as Unix milliseconds; NULL is no time.
std::optional<TimePoint> OptionalTime(const Statement& row, int column);
std::optional<int64_t> OptionalMillis(const std::optional<TimePoint>& t);

}  // namespace tandem::sql
