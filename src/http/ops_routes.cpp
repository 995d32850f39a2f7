#include "http/ops_routes.h"

#include <spdlog/spdlog.h>

#include <sodium.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>

#include "metrics/metrics.h"

namespace tandem::http {

namespace bhttp = boost::beast::http;

namespace {

std::string_view Header(const HttpRequest& request, bhttp::field field) {
  auto value = request.message[field];
  return {value.data(), value.size()};
}

bool IsLoopbackPeer(const std::string& peer_ip) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(peer_ip, ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address.is_loopback();
}

// Compares in time independent of where the texts differ.
bool SameSecret(std::string_view a, std::string_view b) {
  unsigned char ha[crypto_generichash_BYTES];
  unsigned char hb[crypto_generichash_BYTES];
  crypto_generichash(ha, sizeof ha, reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                     nullptr, 0);
  crypto_generichash(hb, sizeof hb, reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                     nullptr, 0);
  return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

// The token of "Authorization: Bearer <token>", or "" when there is none.
std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size()) return {};
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) return {};
  }
  std::string_view token = authorization.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

// Whether `request` may read /metrics under `access`; the error to answer when not.
Status CheckMetricsAccess(const MetricsAccess& access, const HttpRequest& request) {
  if (!access.token.empty()) {
    std::string_view token = BearerToken(Header(request, bhttp::field::authorization));
    if (token.empty() || !SameSecret(token, access.token)) {
      return Unauthenticated("metrics_token_required",
                             "/metrics needs \"Authorization: Bearer <token>\" with the token of "
                             "[metrics] token in tandem.toml");
    }
    return OkStatus();
  }
  if (!access.loopback_only) return OkStatus();
  // A proxy on this machine connects from loopback on behalf of anyone: what it relays
  // (it says so in X-Forwarded-For or Forwarded) is not a local scrape.
  const bool relayed = request.message.count("X-Forwarded-For") > 0 ||
                       request.message.count(bhttp::field::forwarded) > 0;
  if (!IsLoopbackPeer(request.peer_ip) || relayed) {
    return PermissionDenied("metrics_local_only",
                            "/metrics answers only clients on this machine; set [metrics] token "
                            "or listen in tandem.toml to scrape it from elsewhere");
  }
  return OkStatus();
}

}  // namespace

void RegisterHealthRoute(Router& router, Store& store) {
  router.Add("GET", "/healthz", [&store](HttpRequest&&, Responder respond) {
    auto version = store.SchemaVersion();
    if (!version.ok()) {
      // The store's own text (host names, SQL) is for the log, not for whoever asks.
      spdlog::warn("health check: the store did not answer: {}", version.status().message());
      return respond(ErrorResponse(503, "store_unavailable",
                                   "the store does not answer; the server's log says why"));
    }
    respond(JsonResponse(
        200, "{\"status\":\"ok\",\"schema_version\":" + std::to_string(*version) + "}"));
  });
}

void RegisterMetricsRoute(Router& router, const Metrics& metrics, MetricsAccess access,
                          std::function<std::string()> extra_metrics) {
  router.Add("GET", "/metrics",
             [&metrics, access = std::move(access), extra_metrics](HttpRequest&& request,
                                                                   Responder respond) {
               if (Status allowed = CheckMetricsAccess(access, request); !allowed.ok()) {
                 Response res = ErrorResponse(allowed);
                 if (!access.token.empty()) {
                   res.set(bhttp::field::www_authenticate, "Bearer realm=\"metrics\"");
                 }
                 return respond(std::move(res));
               }
               Response res{bhttp::status::ok, 11};
               res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
               res.set(bhttp::field::cache_control, "no-store");
               res.body() = metrics.RenderPrometheus();
               if (extra_metrics) res.body() += extra_metrics();
               res.prepare_payload();
               respond(std::move(res));
             });
}

}  // namespace tandem::http
