// Operations endpoints: GET /healthz and GET /metrics (Prometheus text format).
//
// /metrics names reps with their SLA figures, so it is not for everyone: a scraper
// proves itself with a bearer token, or reaches a listener of its own, or (when neither
// is configured) is on this machine.
#pragma once

#include <functional>
#include <string>

#include "http/router.h"
#include "store/store.h"

namespace tandem {
struct Metrics;
}

namespace tandem::http {

// Who may read /metrics.
struct MetricsAccess {
  // Non-empty: requests must carry "Authorization: Bearer <token>" (401 otherwise).
  std::string token;
  // With no token: only loopback peers whose request no proxy relayed (403 otherwise).
  // False on a listener of /metrics' own, whose address is the control.
  bool loopback_only = true;
};

// GET /healthz. `store` must outlive the router.
void RegisterHealthRoute(Router& router, Store& store);

// GET /metrics. `metrics` must outlive the router. `extra_metrics` (may be empty) adds
// Prometheus text computed at scrape time (e.g. from the store).
void RegisterMetricsRoute(Router& router, const Metrics& metrics, MetricsAccess access,
                          std::function<std::string()> extra_metrics = {});

}  // namespace tandem::http
