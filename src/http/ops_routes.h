// Operations endpoints: GET /healthz and GET /metrics (Prometheus text format).
#pragma once

#include "http/router.h"
#include "store/store.h"

namespace tandem {
struct Metrics;
}

namespace tandem::http {

// `store` and `metrics` must outlive the router.
void RegisterOpsRoutes(Router& router, Store& store, const Metrics& metrics);

}  // namespace tandem::http
