// Thin RAII wrappers over libpq: a connection that prepares each distinct statement once
// on the server, results with typed access, and the failures mapped to Status with the
// SQLSTATE kept, so callers can retry serialization failures and deadlocks.
//
// Not thread-safe: one thread uses a connection at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace tandem::pg {

// A statement parameter: text, or SQL NULL. Numbers are sent as their decimal text,
// which PostgreSQL converts to the column's type.
class Param {
 public:
  Param(std::nullopt_t) {}
  Param(std::string_view text) : text_(text) {}
  Param(const char* text) : text_(std::string(text)) {}
  Param(const std::string& text) : text_(text) {}
  Param(int64_t value) : text_(std::to_string(value)) {}
  Param(int value) : text_(std::to_string(value)) {}
  Param(double value);
  Param(bool value) : text_(value ? "t" : "f") {}
  template <typename T>
  Param(const std::optional<T>& value) {
    if (value) *this = Param(*value);
  }

  bool null() const { return !text_; }
  const char* c_str() const { return text_ ? text_->c_str() : nullptr; }

 private:
  std::optional<std::string> text_;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  Result(Result&&) = default;
  Result& operator=(Result&&) = default;

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
  std::string_view Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  bool Bool(int row, int column) const { return Text(row, column) == "t"; }
  std::optional<int64_t> NullableInt(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// SQLSTATEs callers act on.
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kLockNotAvailable = "55P03";

// The SQLSTATE a Status from this file carries ("40001"), or empty.
std::string_view SqlState(const Status& status);
// A serialization failure or a deadlock: the transaction may be retried from the start.
bool IsRetryable(const Status& status);

class Connection {
 public:
  // `url` is a libpq connection URI (postgresql://user:pass@host:port/db?…).
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One or more statements with no parameters (migrations, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // A statement with $1… parameters, prepared on first use and then reused.
  StatusOr<Result> Query(const std::string& sql, const std::vector<Param>& params = {});
  // COPY table (columns) FROM STDIN in text format: each row's fields are escaped here.
  Status CopyIn(std::string_view table, std::string_view columns,
                const std::vector<std::vector<Param>>& rows);

  // A transaction-scoped advisory lock on `key` (held until COMMIT or ROLLBACK).
  Status LockAdvisory(int64_t key);

  // Pipelined writes (libpq's pipeline mode), for a transaction that checks its writes'
  // failures at its next read or at COMMIT: while on, Send queues a statement without
  // waiting for its result; the next Query, Exec, CopyIn or Sync sends what is queued
  // with it, waits for all of it, and returns the first failure among them. A failed
  // statement aborts the transaction on the server, so nothing after it takes effect.
  void set_pipelined(bool on) { pipelined_ = on; }
  bool pipelined() const { return pipelined_; }
  // Query's effect when pipelining is off.
  Status Send(const std::string& sql, const std::vector<Param>& params);
  // Waits for every queued statement; the first failure among them.
  Status Sync();
  // Rows the last statement touched, once the queued ones are done (a failure among
  // them is returned by the next call that can return one).
  int64_t Affected();
  // Waits for what is queued and forgets it, failures included (before a ROLLBACK).
  void Discard();
  // COMMIT, after what is queued; an error when the server rolled back instead (as it
  // does for a transaction a failed statement aborted).
  Status Commit();
  // False when the connection broke; the owner should open a new one.
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status Check(PGresult* result, std::string_view what);
  // The server's name of `sql`, prepared now (or, pipelining, queued to be).
  StatusOr<std::string> Prepared(const std::string& sql, bool queue);
  Status QueueQuery(const std::string& name, const std::vector<Param>& params);
  // Sends a sync point and reads every queued result; the last one is kept in `last`
  // when given. The first failure, or an earlier one no call could return yet.
  Status Drain(std::optional<Result>* last);
  Status Broken(std::string_view what);

  // One queued statement whose result is not read yet; `prepare` names the SQL of a
  // queued PREPARE, forgotten if it fails.
  struct Queued {
    std::string prepare;
  };

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  int64_t names_ = 0;                                      // statement names given, never reused
  bool pipelined_ = false;
  std::vector<Queued> queued_;
  Status unreported_ = OkStatus();
  int64_t affected_ = 0;
};

}  // namespace tandem::pg
