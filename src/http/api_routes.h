// ApiRoutes: the leads of the JSON API under /api/v1 — the list (with each lead's why-now
// line on request, or as a CSV file of every matching lead), a lead, its changes, timeline, score
// and outcome — and the API's own description, GET /api/v1/openapi.json (public). A lead's contact
// actions are ContactRoutes', its brief BriefRoutes', users and teams UserRoutes'.
//
// Every call carries "Authorization: Bearer <token>"; the token's user and role decide
// what it may do (auth/permissions.h). Handlers parse, call the lead engine inside one
// store transaction, and render; errors are {"error":{code,message}} with the status
// of their code.
#pragma once

#include <functional>

#include "core/clock.h"
#include "http/csv_exports.h"
#include "http/router.h"
#include "leads/lead_engine.h"
#include "store/store.h"

namespace tandem::http {

class ApiRoutes {
 public:
  // Everything must outlive the routes.
  ApiRoutes(Store& store, const LeadEngine& engine, const Clock& clock, CsvExports& exports)
      : store_(store), engine_(engine), clock_(clock), exports_(exports) {}
  // The lead routes and the OpenAPI document of every described route `router` has
  // when the document is asked for.
  void Register(Router& router);
  // Runs after POST /api/v1/leads stored a lead's event (to wake the pipeline).
  void set_on_event_stored(std::function<void()> f) { on_event_stored_ = std::move(f); }

 private:
  Response ListLeads(const HttpRequest& request, const UserRecord& user);
  Response GetLead(int64_t lead_id);
  Response PatchLead(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  Response Timeline(const HttpRequest& request, int64_t lead_id);
  Response Score(int64_t lead_id);
  Response RecordOutcome(const HttpRequest& request, const UserRecord& user, int64_t lead_id);
  static RouteSpec AddLeadSpec();
  Response AddLead(const HttpRequest& request, const UserRecord& user);
  // The lead as the API shows it now, or the error.
  Response Rendered(const StatusOr<LeadRecord>& lead, TimePoint now);

  Store& store_;
  const LeadEngine& engine_;
  const Clock& clock_;
  CsvExports& exports_;
  std::function<void()> on_event_stored_;
};

}  // namespace tandem::http
