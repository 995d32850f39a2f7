#include "core/status.h"

namespace tandem {

std::string Status::ToString() const {
  if (ok()) return "ok";
  return error_code_ + ": " + message_;
}

Status InvalidArgument(std::string c, std::string m) {
  return {StatusCode::kInvalidArgument, std::move(c), std::move(m)};
}
Status Unauthenticated(std::string c, std::string m) {
  return {StatusCode::kUnauthenticated, std::move(c), std::move(m)};
}
Status PermissionDenied(std::string c, std::string m) {
  return {StatusCode::kPermissionDenied, std::move(c), std::move(m)};
}
Status NotFound(std::string c, std::string m) {
  return {StatusCode::kNotFound, std::move(c), std::move(m)};
}
Status Conflict(std::string c, std::string m) {
  return {StatusCode::kConflict, std::move(c), std::move(m)};
}
Status TooLarge(std::string c, std::string m) {
  return {StatusCode::kTooLarge, std::move(c), std::move(m)};
}
Status Unprocessable(std::string c, std::string m) {
  return {StatusCode::kUnprocessable, std::move(c), std::move(m)};
}
Status ResourceExhausted(std::string c, std::string m) {
  return {StatusCode::kResourceExhausted, std::move(c), std::move(m)};
}
Status Unavailable(std::string c, std::string m) {
  return {StatusCode::kUnavailable, std::move(c), std::move(m)};
}
Status Internal(std::string m) { return {StatusCode::kInternal, "internal", std::move(m)}; }

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kUnprocessable:
      return 422;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

int ExitCodeOf(StatusCode code) { return code == StatusCode::kOk ? 0 : 2; }

}  // namespace tandem
