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
  // False when the connection broke; the owner should open a new one.
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Status Check(PGresult* result, std::string_view what);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
};

}  // namespace tandem::pg
