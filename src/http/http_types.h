// The request and response types handlers see, and helpers to build answers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
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

// Where a streamed body goes, a chunk at a time (HTTP/1.1 chunked transfer encoding).
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Queues `chunk` to be sent. Blocks while much that was queued is not written yet, so a
  // slow client slows its producer instead of filling memory. Fails (cancelled) once the
  // connection is gone or the server stops: the producer should then stop, returning it.
  virtual Status Write(std::string chunk) = 0;
};

// Writes a body into the sink; OK when the body is complete. An error before the first
// Write is answered as a JSON error in place of the head; after it, the connection is cut
// without the last chunk (and the error logged), so no client takes a part for the whole.
using BodyProducer = std::function<Status(BodySink&)>;

// Answers a request: call it (or Stream) exactly once, from any thread.
class Responder {
 public:
  using Answer = std::function<void(Response)>;
  using Streamer = std::function<void(Response, BodyProducer)>;

  Responder() = default;
  // Answers with `answer`; Stream gathers the body and answers it whole (for a test
  // that calls a router directly).
  template <typename F>
  requires(!std::is_same_v<std::decay_t<F>, Responder> && std::is_invocable_v<F&, Response>)
      Responder(F answer)
      : answer_(std::move(answer)) {}  // NOLINT: a function answers
  Responder(Answer answer, Streamer stream)
      : answer_(std::move(answer)), stream_(std::move(stream)) {}

  void operator()(Response response) const { answer_(std::move(response)); }
  // Answers with `head`'s status and fields, then the body `produce` writes, sent as it
  // is written. Runs `produce` on the calling thread and returns when it has: call it
  // from a thread of the handler's own, never an HTTP thread.
  void Stream(Response head, BodyProducer produce) const;

 private:
  Answer answer_;
  Streamer stream_;  // empty: no connection to stream to
};

using Handler = std::function<void(HttpRequest&&, Responder)>;

Response JsonResponse(unsigned status, std::string body);
// {"error":{"code":…,"message":…}} with the status the code maps to.
Response ErrorResponse(const Status& status);
Response ErrorResponse(unsigned http_status, std::string_view code, std::string_view message);
// The error object alone, for answers that carry it next to other fields.
std::string ErrorJson(std::string_view code, std::string_view message);

}  // namespace tandem::http
