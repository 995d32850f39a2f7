// Status and StatusOr: how expected failures travel through Tandem.
//
// An expected failure (bad input, not found, conflict, refused by policy, store down)
// is a value carrying a canonical code and a message a user can act on. Each code maps
// to exactly one HTTP status and one CLI exit code. Exceptions are reserved for bugs
// and unrecoverable faults.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tandem {

enum class StatusCode {
  kOk,
  kInvalidArgument,    // 400: the request or input is malformed
  kUnauthenticated,    // 401: missing or wrong credentials
  kPermissionDenied,   // 403: authenticated, but not allowed
  kNotFound,           // 404
  kConflict,           // 409: refused by state or policy
  kTooLarge,           // 413: a size limit was exceeded
  kUnprocessable,      // 422: well-formed but semantically wrong
  kResourceExhausted,  // 429: shedding load; retry later
  kUnavailable,        // 503: a dependency (the store) is down; retry later
  kInternal,           // 500: a bug
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string error_code, std::string message)
      : code_(code), error_code_(std::move(error_code)), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Machine-readable reason, e.g. "missing_event"; stable across releases.
  const std::string& error_code() const { return error_code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string error_code_;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgument(std::string error_code, std::string message);
Status Unauthenticated(std::string error_code, std::string message);
Status PermissionDenied(std::string error_code, std::string message);
Status NotFound(std::string error_code, std::string message);
Status Conflict(std::string error_code, std::string message);
Status TooLarge(std::string error_code, std::string message);
Status Unprocessable(std::string error_code, std::string message);
Status ResourceExhausted(std::string error_code, std::string message);
Status Unavailable(std::string error_code, std::string message);
Status Internal(std::string message);

int HttpStatusOf(StatusCode code);
// 0 ok, 2 usage or runtime error (1 is reserved for "a check failed").
int ExitCodeOf(StatusCode code);

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}        // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(value_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace tandem

// Returns from the enclosing function when `expr` (a Status) is not OK.
// Each use names its own temporary, so a use inside a lambda that is itself
// the argument of another use shadows nothing.
#define TANDEM_RETURN_IF_ERROR(expr) \
  TANDEM_RETURN_IF_ERROR_IMPL_(TANDEM_CONCAT_(tandem_status_, __COUNTER__), expr)
#define TANDEM_RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                          \
    ::tandem::Status tmp = (expr);              \
    if (!tmp.ok()) return tmp;                  \
  } while (0)

#define TANDEM_CONCAT_INNER_(a, b) a##b
#define TANDEM_CONCAT_(a, b) TANDEM_CONCAT_INNER_(a, b)
// Declares `lhs` from a StatusOr expression, returning its Status when not OK.
#define TANDEM_ASSIGN_OR_RETURN(lhs, expr) \
  TANDEM_ASSIGN_OR_RETURN_IMPL_(TANDEM_CONCAT_(tandem_statusor_, __COUNTER__), lhs, expr)
#define TANDEM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
