#include "http/report_routes.h"

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/query_params.h"
#include "leads/lead_json.h"
#include "reports/hygiene.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

// An integer query parameter from min to max; `fallback` when absent.
StatusOr<int> IntParam(const HttpRequest& request, const char* name, int fallback, int min,
                       int max) {
  TANDEM_ASSIGN_OR_RETURN(int64_t value,
                          http::IntParam(ParseQuery(request.query()), name, fallback, min, max));
  return static_cast<int>(value);
}

Response Leaks(Store& store, const LeadEngine& engine, const Clock& clock,
               const HttpRequest& request, const UserRecord& user) {
  if (Status st = Require(user, Permission::kViewReports, "read reports"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto limit = IntParam(request, "limit", 100, 1, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  const TimePoint now = clock.Now();
  auto leads = store.NeverTouchedLeads(static_cast<size_t>(*limit));
  auto total = store.CountNeverTouchedLeads();
  if (!leads.ok()) return ErrorResponse(leads.status());
  if (!total.ok()) return ErrorResponse(total.status());
  auto rendered = RenderLeads(store, engine, *leads, now);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  json items = json::array();
  for (size_t i = 0; i < leads->size(); ++i) {
    const LeadRecord& lead = (*leads)[i];
    json item = json::parse((*rendered)[i]);
    item["mql_age_minutes"] =
        std::chrono::duration_cast<std::chrono::minutes>(now - *lead.mql_at).count();
    items.push_back(std::move(item));
  }
  return Json(200, {{"items", items}, {"total", *total}, {"next_cursor", nullptr}});
}

Response Hygiene(Store& store, const Clock& clock, const HttpRequest& request,
                 const UserRecord& user) {
  if (Status st = Require(user, Permission::kViewReports, "read reports"); !st.ok()) {
    return ErrorResponse(st);
  }
  auto days = IntParam(request, "days", 30, 1, 3650);
  if (!days.ok()) return ErrorResponse(days.status());
  const TimePoint now = clock.Now();
  auto report = BuildHygieneReport(store, now - std::chrono::hours(24 * *days), now);
  if (!report.ok()) return ErrorResponse(report.status());
  return Json(200, HygieneToJson(*report));
}

RouteSpec LeaksSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/leaks",
                 .summary = "Qualified leads nobody has touched yet, oldest first",
                 .tag = "reports"};
  spec.query = {{"limit", "1 to 1000 leads (default 100)", s::Integer()}};
  json item = s::Ref("Lead");
  spec.response = s::Object({{"items", s::ArrayOf(item)},
                             {"total", s::Integer("every such lead")},
                             {"next_cursor", {{"type", "null"}}}},
                            {"items", "total"});
  spec.errors = {400, 403};
  return spec;
}

RouteSpec HygieneSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/hygiene",
                 .summary = "The contact gate's refusals and overrides, per rep",
                 .tag = "reports"};
  spec.query = {{"days", "1 to 3650 days back (default 30)", s::Integer()}};
  spec.response = s::AnyObject("per rep: refusals, overrides and their reasons");
  spec.errors = {400, 403};
  return spec;
}

}  // namespace

void RegisterReportRoutes(Router& router, Store& store, const LeadEngine& engine,
                          const Clock& clock) {
  router.Add(
      LeaksSpec(),
      Authed(store, clock, [&store, &engine, &clock](const HttpRequest& r, const UserRecord& u) {
        return Leaks(store, engine, clock, r, u);
      }));
  router.Add(HygieneSpec(),
             Authed(store, clock, [&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return Hygiene(store, clock, r, u);
             }));
}

}  // namespace tandem::http
