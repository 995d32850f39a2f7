#include "http/http_types.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>

#include "core/json_text.h"

namespace tandem::http {

namespace beast_http = boost::beast::http;

void PathParams::Set(std::string_view name, std::string_view value) {
  values_.emplace_back(name, value);
}

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return {};
}

std::string_view HttpRequest::path() const {
  std::string_view target(message.target().data(), message.target().size());
  return target.substr(0, target.find('?'));
}

std::string_view HttpRequest::query() const {
  std::string_view target(message.target().data(), message.target().size());
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

void Responder::Stream(Response head, BodyProducer produce) const {
  if (stream_) return stream_(std::move(head), std::move(produce));
  // No connection to stream to: the body is gathered and answered whole.
  class Gather : public BodySink {
   public:
    Status Write(std::string chunk) override {
      body += chunk;
      return OkStatus();
    }
    std::string body;
  } gather;
  if (Status produced = produce(gather); !produced.ok()) return answer_(ErrorResponse(produced));
  head.body() = std::move(gather.body);
  head.prepare_payload();
  answer_(std::move(head));
}

Response JsonResponse(unsigned status, std::string body) {
  Response res{static_cast<beast_http::status>(status), 11};
  res.set(beast_http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  std::string out = "{\"code\":";
  AppendJsonString(out, code);
  out += ",\"message\":";
  AppendJsonString(out, message);
  out += "}";
  return out;
}

Response ErrorResponse(unsigned http_status, std::string_view code, std::string_view message) {
  return JsonResponse(http_status, "{\"error\":" + ErrorJson(code, message) + "}");
}

Response ErrorResponse(const Status& status) {
  const unsigned http_status = static_cast<unsigned>(HttpStatusOf(status.code()));
  // A failing store or a bug speaks in the words of its library (SQL, file paths):
  // those go to the server log, and the client hears what it can do.
  if (status.code() == StatusCode::kUnavailable) {
    spdlog::error("answered {}: {}", http_status, status.ToString());
    return ErrorResponse(http_status, status.error_code(),
                         "the server cannot complete this request right now; retry in a moment "
                         "(the server log has the cause)");
  }
  if (status.code() == StatusCode::kInternal) {
    spdlog::error("answered {}: {}", http_status, status.ToString());
    return ErrorResponse(http_status, "internal",
                         "the server failed to complete the request; the server log has the "
                         "cause");
  }
  return ErrorResponse(http_status, status.error_code(), status.message());
}

}  // namespace tandem::http
