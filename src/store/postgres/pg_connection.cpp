#include "store/postgres/pg_connection.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <utility>

namespace tandem::pg {
namespace {

constexpr std::string_view kCodePrefix = "pg_";

// A failed statement as a Status: error code "pg_<SQLSTATE>"; conflicts between
// transactions and a lost server are "unavailable" (retry), a duplicate key is a
// conflict, the rest internal.
Status StatementError(std::string_view sqlstate, std::string_view what, std::string_view detail) {
  std::string code = fmt::format("{}{}", kCodePrefix, sqlstate);
  std::string message = fmt::format("{}: {}", what, detail);
  if (sqlstate.starts_with("40") || sqlstate.starts_with("08") || sqlstate.starts_with("57P") ||
      sqlstate == kLockNotAvailable) {
    return Status(StatusCode::kUnavailable, std::move(code), std::move(message));
  }
  if (sqlstate == kUniqueViolation) {
    return Status(StatusCode::kConflict, std::move(code), std::move(message));
  }
  return Status(StatusCode::kInternal, std::move(code), std::move(message));
}

std::string Trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N.
void AppendCopyField(std::string& line, const Param& p) {
  if (p.null()) {
    line += "\\N";
    return;
  }
  for (const char* c = p.c_str(); *c; ++c) {
    switch (*c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += *c;
    }
  }
}

}  // namespace

Param::Param(double value) : text_(fmt::format("{}", value)) {}

std::string_view Result::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_.get(), row, column),
                          PQgetlength(result_.get(), row, column));
}

int64_t Result::Int(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

double Result::Double(int row, int column) const {
  return std::strtod(PQgetvalue(result_.get(), row, column), nullptr);
}

std::optional<int64_t> Result::NullableInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

int64_t Result::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string_view SqlState(const Status& status) {
  std::string_view code = status.error_code();
  return code.starts_with(kCodePrefix) ? code.substr(kCodePrefix.size()) : std::string_view();
}

bool IsRetryable(const Status& status) {
  std::string_view state = SqlState(status);
  return state == kSerializationFailure || state == kDeadlockDetected;
}

StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Unavailable("store_unavailable", fmt::format("cannot connect to PostgreSQL: {}", why));
  }
  auto out = std::unique_ptr<Connection>(new Connection(conn));
  // Times and text as Tandem writes them, whatever the server's defaults.
  TANDEM_RETURN_IF_ERROR(out->Exec(
      "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; "
      "SET client_min_messages = warning"));
  return out;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::Check(PGresult* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN) {
    return OkStatus();
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string detail = Trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (detail.empty()) detail = Trimmed(PQerrorMessage(conn_));
  PQclear(result);
  if (!state || PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable("store_unavailable", fmt::format("{}: {}", what, detail));
  }
  return StatementError(state, what, detail);
}

Status Connection::Exec(std::string_view sql) {
  TANDEM_RETURN_IF_ERROR(Sync());
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  TANDEM_RETURN_IF_ERROR(Check(result, "statement failed"));
  PQclear(result);
  return OkStatus();
}

StatusOr<std::string> Connection::Prepared(const std::string& sql, bool queue) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  std::string name = fmt::format("s{}", ++names_);
  if (queue) {
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
      return Broken("queueing a statement");
    }
    queued_.push_back(Queued{sql});
  } else {
    PGresult* prepared = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    TANDEM_RETURN_IF_ERROR(Check(prepared, fmt::format("preparing \"{}\"", sql)));
    PQclear(prepared);
  }
  prepared_.emplace(sql, name);
  return name;
}

StatusOr<Result> Connection::Query(const std::string& sql, const std::vector<Param>& params) {
  if (!queued_.empty()) {
    // Behind queued writes: sent with them, its result read after theirs.
    TANDEM_ASSIGN_OR_RETURN(std::string name, Prepared(sql, true));
    TANDEM_RETURN_IF_ERROR(QueueQuery(name, params));
    std::optional<Result> last;
    TANDEM_RETURN_IF_ERROR(Drain(&last));
    return std::move(*last);
  }
  TANDEM_RETURN_IF_ERROR(std::exchange(unreported_, OkStatus()));
  TANDEM_ASSIGN_OR_RETURN(std::string name, Prepared(sql, false));
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.c_str());
  PGresult* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0);
  TANDEM_RETURN_IF_ERROR(Check(result, "query failed"));
  Result out(result);
  affected_ = out.affected();
  return out;
}

// At most this many statements wait for their results: what the server answers them
// (a few dozen bytes each) then always fits the sockets' buffers, so the server never
// waits for us to read while we wait for it to read.
constexpr size_t kMaxQueued = 512;

Status Connection::Send(const std::string& sql, const std::vector<Param>& params) {
  if (!pipelined_) return Query(sql, params).status();
  if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && PQenterPipelineMode(conn_) != 1) {
    return Broken("entering pipeline mode");
  }
  TANDEM_ASSIGN_OR_RETURN(std::string name, Prepared(sql, true));
  TANDEM_RETURN_IF_ERROR(QueueQuery(name, params));
  if (queued_.size() >= kMaxQueued) return Sync();
  return OkStatus();
}

Status Connection::QueueQuery(const std::string& name, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.c_str());
  if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                          nullptr, nullptr, 0) != 1) {
    return Broken("queueing a statement");
  }
  queued_.push_back(Queued{});
  return OkStatus();
}

Status Connection::Drain(std::optional<Result>* last) {
  Status first = std::exchange(unreported_, OkStatus());
  if (PQpipelineSync(conn_) != 1) return Broken("sending queued statements");
  for (size_t i = 0; i < queued_.size(); ++i) {
    while (PGresult* result = PQgetResult(conn_)) {
      if (PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
        // After a failure: skipped, the failure says why. A skipped PREPARE made nothing.
        PQclear(result);
        if (!queued_[i].prepare.empty()) prepared_.erase(queued_[i].prepare);
        affected_ = 0;
        continue;
      }
      Status s = Check(result, queued_[i].prepare.empty()
                                   ? std::string("query failed")
                                   : fmt::format("preparing \"{}\"", queued_[i].prepare));
      if (!s.ok()) {
        if (!queued_[i].prepare.empty()) prepared_.erase(queued_[i].prepare);
        affected_ = 0;
        if (first.ok()) first = std::move(s);
        continue;
      }
      Result r(result);
      affected_ = r.affected();
      if (last && i + 1 == queued_.size()) *last = std::move(r);
    }
    if (!healthy()) break;
  }
  queued_.clear();
  if (!healthy()) return Broken("reading queued statements' results");
  PGresult* sync = PQgetResult(conn_);
  const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(conn_) != 1) return Broken("ending pipeline mode");
  if (first.ok() && last && !*last) return Internal("a queued query gave no result");
  return first;
}

Status Connection::Sync() {
  if (queued_.empty()) return std::exchange(unreported_, OkStatus());
  return Drain(nullptr);
}

int64_t Connection::Affected() {
  if (!queued_.empty()) unreported_ = Drain(nullptr);
  return affected_;
}

void Connection::Discard() {
  if (!queued_.empty()) (void)Drain(nullptr);
  unreported_ = OkStatus();
}

Status Connection::Commit() {
  TANDEM_RETURN_IF_ERROR(Sync());
  PGresult* result = PQexec(conn_, "COMMIT");
  TANDEM_RETURN_IF_ERROR(Check(result, "COMMIT failed"));
  const std::string tag = PQcmdStatus(result);
  PQclear(result);
  if (tag != "COMMIT") {
    return Status(StatusCode::kInternal, "pg_25P02",
                  "COMMIT rolled back: an earlier statement of the transaction failed");
  }
  return OkStatus();
}

Status Connection::Broken(std::string_view what) {
  return Unavailable("store_unavailable",
                     fmt::format("{}: {}", what, Trimmed(PQerrorMessage(conn_))));
}

Status Connection::CopyIn(std::string_view table, std::string_view columns,
                          const std::vector<std::vector<Param>>& rows) {
  TANDEM_RETURN_IF_ERROR(Sync());
  PGresult* start = PQexec(conn_, fmt::format("COPY {} ({}) FROM STDIN", table, columns).c_str());
  TANDEM_RETURN_IF_ERROR(Check(start, "starting COPY"));
  PQclear(start);
  std::string chunk;
  auto send = [&]() -> Status {
    if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      return Unavailable("store_unavailable",
                         fmt::format("COPY failed: {}", Trimmed(PQerrorMessage(conn_))));
    }
    chunk.clear();
    return OkStatus();
  };
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) chunk += '\t';
      AppendCopyField(chunk, row[i]);
    }
    chunk += '\n';
    if (chunk.size() > (1 << 16)) TANDEM_RETURN_IF_ERROR(send());
  }
  if (!chunk.empty()) TANDEM_RETURN_IF_ERROR(send());
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    return Unavailable("store_unavailable",
                       fmt::format("COPY failed: {}", Trimmed(PQerrorMessage(conn_))));
  }
  Status status = OkStatus();
  while (PGresult* result = PQgetResult(conn_)) {
    Status s = Check(result, "COPY failed");
    if (s.ok()) PQclear(result);
    if (status.ok()) status = s;
  }
  return status;
}

Status Connection::LockAdvisory(int64_t key) {
  return Query("SELECT pg_advisory_xact_lock($1)", {key}).status();
}

}  // namespace tandem::pg
