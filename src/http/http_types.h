// The request and response types handlers see, and helpers to build answers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tandem::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// The segments a route's {name} placeholders captured, as sent (percent-encoding kept).
class PathParams {
 public:
  void Set(std::string_view name, std::string_view value);
  // The captured segment; "" when the route has no such placeholder.
  std::string_view Get(std::string_view name) const;
  void Clear() { values_.clear(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

struct HttpRequest {
  Request message;
  std::string peer_ip;             // address of the TCP peer
  PathParams params;               // filled by the router
  std::string_view path() const;   // target without the query string
  std::string_view query() const;  // after '?', or empty
};

// Answers a request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(HttpRequest&&, Responder)>;

Response JsonResponse(unsigned status, std::string body);
// {"error":{"code":…,"message":…}} with the status the code maps to.
Response ErrorResponse(const Status& status);
Response ErrorResponse(unsigned http_status, std::string_view code, std::string_view message);
// The error object alone, for answers that carry it next to other fields.
std::string ErrorJson(std::string_view code, std::string_view message);

}  // namespace tandem::http
