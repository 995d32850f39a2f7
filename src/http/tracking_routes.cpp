#include "http/tracking_routes.h"

#include <spdlog/spdlog.h>

#include <array>

#include "core/query_string.h"
#include "http/api_common.h"

namespace tandem::http {
namespace {

namespace bhttp = boost::beast::http;

// A transparent 1×1 GIF.
constexpr std::array<unsigned char, 43> kPixel = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};

// "em_…": the ids Tandem gives sends.
bool IsSendUid(std::string_view text) {
  if (!text.starts_with("em_") || text.size() > 40) return false;
  for (char c : text.substr(3)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return text.size() > 3;
}

// "{uid}/{rest}" after `prefix`; false when the path is not that shape.
bool SplitPath(std::string_view path, std::string_view prefix, std::string_view& uid,
               std::string_view& rest) {
  path.remove_prefix(prefix.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return false;
  uid = path.substr(0, slash);
  rest = path.substr(slash + 1);
  return IsSendUid(uid) && !rest.empty() && rest.size() <= 64 &&
         rest.find('/') == std::string_view::npos;
}

Response NotValid() {
  Response res = Html(404, Page("Link not valid",
                                "<h1>This link is not valid</h1><p>It is incomplete or was "
                                "changed. Please use the link in the email as it came.</p>"));
  res.set(bhttp::field::cache_control, "no-store");
  return res;
}

Response ForMethod(const HttpRequest& request, Response res) {
  res.set(bhttp::field::cache_control, "no-store, private");
  if (request.message.method() == bhttp::verb::head) res.body().clear();
  res.prepare_payload();
  return res;
}

}  // namespace

void TrackingRoutes::Register(Router& router) {
  for (const char* method : {"GET", "HEAD"}) {
    router.Add(method, "/t/c/*",
               [this](HttpRequest&& request, Responder respond) { respond(Click(request)); });
    router.Add(method, "/t/o/*",
               [this](HttpRequest&& request, Responder respond) { respond(Open(request)); });
  }
}

EngagementRequestFacts TrackingRoutes::Facts(const HttpRequest& request) const {
  EngagementRequestFacts facts;
  facts.method = std::string(request.message.method_string());
  if (auto agent = request.message.find(bhttp::field::user_agent); agent != request.message.end()) {
    facts.user_agent = std::string(agent->value());
  }
  facts.ip = RateLimitedClient(request, trust_proxy_);
  return facts;
}

Response TrackingRoutes::Click(const HttpRequest& request) const {
  std::string_view uid, mac;
  if (!SplitPath(request.path(), "/t/c/", uid, mac)) return NotValid();
  const auto query = ParseQuery(request.query());
  const auto link = query.find("u");
  if (link == query.end()) return NotValid();
  // Only a link this server signed passes; those never hold a control character.
  if (!recorder_.Click(uid, mac, link->second, Facts(request)).ok()) return NotValid();
  Response res{bhttp::status::found, request.message.version()};
  res.set(bhttp::field::location, link->second);
  res.set("Referrer-Policy", "no-referrer");
  return ForMethod(request, std::move(res));
}

Response TrackingRoutes::Open(const HttpRequest& request) const {
  std::string_view uid, file;
  if (!SplitPath(request.path(), "/t/o/", uid, file) || !file.ends_with(".gif")) {
    return NotValid();
  }
  Status recorded = recorder_.Open(uid, file.substr(0, file.size() - 4), Facts(request));
  if (recorded.code() == StatusCode::kNotFound) return NotValid();
  if (!recorded.ok()) {
    // The image is answered all the same.
    spdlog::error("email: an open of {} was not recorded: {}", uid, recorded.message());
  }
  Response res{bhttp::status::ok, request.message.version()};
  res.set(bhttp::field::content_type, "image/gif");
  res.body().assign(reinterpret_cast<const char*>(kPixel.data()), kPixel.size());
  return ForMethod(request, std::move(res));
}

}  // namespace tandem::http
