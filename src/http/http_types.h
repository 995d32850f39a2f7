// The request and response types handlers see, and helpers to build answers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct HttpRequest {
  Request message;
  std::string peer_ip;             // address of the TCP peer
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
