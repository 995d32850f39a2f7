// The SQL connection of store/sql/sql_db.h over a libpq connection: `?`/`?N`
// placeholders become `$N`, each distinct statement is prepared once on the server, and
// a statement's rows are read from its result.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/sql/sql_db.h"

namespace tandem::pg {

// `sql` with SQLite-style `?` and `?N` placeholders rewritten to `$N` (string
// literals and quoted names are left alone); `params` receives the highest number.
std::string ToDollarPlaceholders(std::string_view sql, int* params);

// A PostgreSQL array literal ('{"a","b",NULL}') built element by element.
class ArrayLiteral {
 public:
  void Add(std::string_view text);
  void Add(int64_t value);
  // Empty → NULL.
  void AddNullable(std::string_view text);
  void AddNull();
  std::string Finish() const { return out_ + '}'; }

 private:
  void Separate() { out_ += out_.size() > 1 ? "," : ""; }
  std::string out_ = "{";
};

class Database;

// What both kinds of statement share: their parameters, bound as text.
class ParamStatement : public sql::Statement {
 public:
  explicit ParamStatement(int params) : params_(static_cast<size_t>(params), Param(std::nullopt)) {}

 protected:
  void BindInt(int index, int64_t value) override { Set(index, Param(value)); }
  void BindDouble(int index, double value) override { Set(index, Param(value)); }
  void BindText(int index, std::string_view value) override { Set(index, Param(value)); }
  void BindNullValue(int index) override { Set(index, Param(std::nullopt)); }
  void ClearParams() {
    for (Param& p : params_) p = Param(std::nullopt);
  }

  std::vector<Param> params_;

 private:
  // Like SQLite, a number beyond the statement's placeholders binds nothing.
  void Set(int index, Param value) {
    if (index >= 1 && index <= static_cast<int>(params_.size())) {
      params_[static_cast<size_t>(index) - 1] = std::move(value);
    }
  }
};

class Statement final : public ParamStatement {
 public:
  Statement(Database& db, std::string sql, int params)
      : ParamStatement(params), db_(db), sql_(std::move(sql)) {}

  StatusOr<bool> Step() override;
  Status Run() override;
  void Reset() override;

  int64_t Int(int column) const override;
  double Double(int column) const override { return result_->Double(row_, column); }
  bool IsNull(int column) const override { return result_->IsNull(row_, column); }
  std::string_view TextView(int column) const override { return result_->Text(row_, column); }

 private:
  Database& db_;
  const std::string sql_;
  std::optional<Result> result_;
  int row_ = -1;
};

// The statement of a sql::BatchedWrite while the connection batches: Run() keeps the
// bound row in one array per column, which Flush() sends as the write's `many`.
class BatchedStatement final : public ParamStatement {
 public:
  BatchedStatement(Database& db, const sql::BatchedWrite& write);

  // Runs the row (keeps it).
  StatusOr<bool> Step() override;
  Status Run() override;
  // Clears the row being bound; rows kept stay.
  void Reset() override { ClearParams(); }
  int64_t Int(int) const override { return 0; }
  double Double(int) const override { return 0; }
  bool IsNull(int) const override { return true; }
  std::string_view TextView(int) const override { return {}; }

  // Queues the rows kept as one statement (pipelined) and forgets them; Drop() forgets
  // them only.
  Status Flush();
  void Drop();

 private:
  Database& db_;
  const std::string many_;
  const int at_commit_;  // sql::BatchedWrite::at_commit
  std::vector<ArrayLiteral> columns_;
  size_t rows_ = 0;

  friend class Database;
};

class Database final : public sql::Db {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& url);

  sql::Dialect dialect() const override { return sql::Dialect::kPostgres; }
  Status Exec(std::string_view sql) override;
  StatusOr<sql::Statement*> Prepare(const std::string& sql) override;
  // Batched while the connection pipelines (a processing transaction).
  StatusOr<sql::Statement*> PrepareBatched(const sql::BatchedWrite& write) override;
  bool batches_writes() const override { return conn_->pipelined(); }
  // Resets every statement and drops the rows of batched writes.
  void ResetStatements() override;
  // Sends the rows batched writes keep, each write's as one statement: before any
  // other statement (but those kept for the commit).
  Status FlushBatched();
  // Then those kept for the commit, by rank: just before COMMIT.
  Status FlushAtCommit();
  // Forgets them all (before a ROLLBACK).
  void DropBatched();
  // A pipeline batch runs beside others while the transaction lasts: set by its
  // WriteScope, off again when it ends (forgetting the turns held).
  bool concurrent() const override { return concurrent_; }
  void set_concurrent(bool on) {
    concurrent_ = on;
    turns_.clear();
  }
  Status Hold(sql::Turn turn) override;
  StatusOr<std::vector<bool>> TryHold(std::span<const std::string> names) override;
  // After pipelined writes: what the last of them changed.
  int64_t Changes() const override { return conn_->Affected(); }

  Connection& conn() { return *conn_; }

 private:
  friend class Statement;
  friend class BatchedStatement;
  explicit Database(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  std::unique_ptr<Connection> conn_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  // By `many`; and those holding rows, in the order of their first.
  std::unordered_map<std::string, std::unique_ptr<BatchedStatement>> batched_;
  std::vector<BatchedStatement*> waiting_;
  std::vector<BatchedStatement*> at_commit_;  // those kept for the commit
  bool concurrent_ = false;
  std::vector<sql::Turn> turns_;  // held by this transaction
};

}  // namespace tandem::pg
