// The reports over HTTP, for managers, marketing and admins (the funnel also for reps,
// over their own leads):
//   GET /api/v1/reports/leaks     qualified leads nobody has touched yet
//   GET /api/v1/reports/hygiene   the contact gate's refusals and overrides, per rep
//   GET /api/v1/reports/funnel    leads created in a range down the funnel, by a dimension
#pragma once

#include "core/clock.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router.
void RegisterReportRoutes(Router& router, Store& store, const LeadEngine& engine,
                          const Clock& clock);

}  // namespace tandem::http
