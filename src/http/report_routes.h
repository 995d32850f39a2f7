// The reports over HTTP, for managers, marketing and admins (the funnel also for reps,
// over their own leads):
//   GET /api/v1/reports/leaks     qualified leads nobody has touched yet
//   GET /api/v1/reports/hygiene   the contact gate's refusals and overrides, per rep
//   GET /api/v1/reports/funnel    leads created in a range down the funnel, by a dimension
//   (and outcomes, speed-to-lead, attribution; each as JSON, a page of CSV, or with
//   format=csv&all=true every page in one streamed, audited file)
#pragma once

#include "core/clock.h"
#include "http/csv_exports.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

// Everything must outlive the router.
void RegisterReportRoutes(Router& router, Store& store, const LeadEngine& engine,
                          const Clock& clock, CsvExports& exports);

}  // namespace tandem::http
