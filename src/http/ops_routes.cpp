#include "http/ops_routes.h"

#include <boost/beast/http/field.hpp>

#include "metrics/metrics.h"

namespace tandem::http {

void RegisterOpsRoutes(Router& router, Store& store, const Metrics& metrics,
                       std::function<std::string()> extra_metrics) {
  router.Add("GET", "/healthz", [&store](HttpRequest&&, Responder respond) {
    auto version = store.SchemaVersion();
    if (!version.ok()) {
      return respond(ErrorResponse(503, "store_unavailable", version.status().message()));
    }
    respond(JsonResponse(
        200, "{\"status\":\"ok\",\"schema_version\":" + std::to_string(*version) + "}"));
  });
  router.Add("GET", "/metrics", [&metrics, extra_metrics](HttpRequest&&, Responder respond) {
    Response res{boost::beast::http::status::ok, 11};
    res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = metrics.RenderPrometheus();
    if (extra_metrics) res.body() += extra_metrics();
    res.prepare_payload();
    respond(std::move(res));
  });
}

}  // namespace tandem::http
