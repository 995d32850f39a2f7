// Operations endpoints: GET /healthz and GET /metrics (Prometheus text format).
#pragma once

#include <functional>
#include <string>

#include "http/router.h"
#include "store/store.h"

namespace tandem {
struct Metrics;
}

namespace tandem::http {

// `store` and `metrics` must outlive the router. `extra_metrics` (may be empty) adds
// Prometheus text computed at scrape time (e.g. from the store).
void RegisterOpsRoutes(Router& router, Store& store, const Metrics& metrics,
                       std::function<std::string()> extra_metrics = {});

}  // namespace tandem::http
