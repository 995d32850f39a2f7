#include "http/report_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "analytics/attribution.h"
#include "analytics/drill_down.h"
#include "analytics/funnel_report.h"
#include "analytics/hygiene.h"
#include "analytics/outcomes.h"
#include "analytics/reports.h"
#include "analytics/speed_to_lead.h"
#include "auth/permissions.h"
#include "core/csv_cell.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/csv_exports.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

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

// The funnel's query from the request (by variant, with its experiment's variants); a
// rep's is narrowed to the rep's own leads.
StatusOr<FunnelQuery> FunnelQueryOf(ExperimentStore& experiments, const HttpRequest& request,
                                    const UserRecord& user) {
  const auto params = ParseQuery(request.query());
  TANDEM_RETURN_IF_ERROR(CheckNoControlCharacters(params));
  auto param = [&](const char* name) { return FindParam(params, name).value_or(""); };
  TANDEM_ASSIGN_OR_RETURN(
      FunnelQuery query, ParseReportScope(param("from"), param("to"), param("by"), param("as_of")));
  TANDEM_RETURN_IF_ERROR(ScopeVariants(experiments, param("experiment"), query));
  if (auto format = params.find("format");
      format != params.end() && format->second != "json" && format->second != "csv") {
    return InvalidArgument("invalid_parameter",
                           fmt::format("format=\"{}\" is not json or csv", format->second));
  }
  if (auto all = params.find("all");
      all != params.end() && all->second != "true" && all->second != "false") {
    return InvalidArgument("invalid_parameter",
                           fmt::format("all=\"{}\" is not true or false", all->second));
  }
  if (!RoleHas(user.role, Permission::kViewReports)) query.owner_id = user.id;
  return query;
}

// The request's target with its cursor replaced by `cursor`, every parameter encoded
// again (what the request sent is not copied into the header).
std::string TargetWithCursor(const HttpRequest& request, std::string_view cursor) {
  std::string target(request.path());
  char separator = '?';
  for (const auto& [name, value] : ParseQuery(request.query())) {
    if (name == "cursor") continue;
    target += fmt::format("{}{}={}", separator, UrlEncode(name), UrlEncode(value));
    separator = '&';
  }
  return fmt::format("{}{}cursor={}", target, separator, UrlEncode(cursor));
}

// A report over leads: marketing, managers and admins see every lead, a rep the rep's
// own (FunnelQueryOf narrows the scope); `run(scope)` counts and builds the report —
// its total, and the page of groups limit and cursor ask for — answered as JSON (with
// next_cursor), or as CSV with format=csv (the next page in a Link header).
template <typename Run, typename Report>
Response LeadReport(Store& store, const HttpRequest& request, const UserRecord& user, Run run,
                    nlohmann::json (*to_json)(const Report&),
                    std::string (*to_csv)(const Report&)) {
  if (!RoleHas(user.role, Permission::kViewReports) && user.role != Role::kSalesRep) {
    return ErrorResponse(Require(user, Permission::kViewReports, "read reports"));
  }
  auto scope = FunnelQueryOf(store, request, user);
  if (!scope.ok()) return ErrorResponse(scope.status());
  const auto params = ParseQuery(request.query());
  auto page = ParseGroupPage(FindParam(params, "limit").value_or(""),
                             FindParam(params, "cursor").value_or(""));
  if (!page.ok()) return ErrorResponse(page.status());
  scope->groups = std::move(*page);
  StatusOr<Report> report = run(*scope);
  if (!report.ok()) return ErrorResponse(report.status());
  if (auto format = params.find("format"); format != params.end() && format->second == "csv") {
    Response res = Text(200, "text/csv; charset=utf-8", to_csv(*report));
    if (auto next = NextAfter(*report)) {
      res.set(boost::beast::http::field::link,
              fmt::format("<{}>; rel=\"next\"", TargetWithCursor(request, GroupCursor(*next))));
    }
    return res;
  }
  return Json(200, to_json(*report));
}

// Each report's run over a scope: `request` (its own parameters) must outlive it.
auto FunnelRun(Store& store, const HttpRequest&) {
  return [&store](const FunnelQuery& scope) { return RunFunnel(store, scope); };
}

// Why leads left sales, by group.
auto OutcomesRun(Store& store, const HttpRequest& request) {
  return [&store, &request](const FunnelQuery& scope) -> StatusOr<OutcomesReport> {
    TANDEM_ASSIGN_OR_RETURN(int min_group, IntParam(request, "min_group", 20, 1, 1000000));
    return RunOutcomes(store, OutcomeQuery{.scope = scope, .min_group = min_group});
  };
}

// Time from MQL to the first sales touch, and what came of it.
auto SpeedToLeadRun(Store& store, const HttpRequest&) {
  return [&store](const FunnelQuery& scope) { return RunSpeedToLead(store, scope); };
}

// The attribution query from the request's model and half_life_days.
StatusOr<AttributionQuery> AttributionQueryOf(const HttpRequest& request, FunnelQuery scope) {
  const auto params = ParseQuery(request.query());
  auto param = [&](const char* name) { return FindParam(params, name).value_or(""); };
  return ParseAttribution(std::move(scope), param("model"), param("half_life_days"));
}

// Each deal's credit split over its touchpoints, summed per group.
auto AttributionRun(Store& store, const HttpRequest& request) {
  return [&store, &request](const FunnelQuery& scope) -> StatusOr<AttributionBuilder> {
    TANDEM_ASSIGN_OR_RETURN(AttributionQuery query, AttributionQueryOf(request, scope));
    return RunAttribution(store, query);
  };
}

bool AsksForAllPages(const HttpRequest& request) {
  return FindParam(ParseQuery(request.query()), "all").value_or("false") != "false";
}

// format=csv&all=true: every page of the report in one CSV, streamed a page of groups at a
// time — the header and the total once, then each page's groups. Read as LeadReport does.
template <typename Run, typename Report>
StatusOr<CsvDownload> PrepareReportCsv(Store& store, const HttpRequest& request,
                                       const UserRecord& user, std::string_view name, Run run,
                                       std::string (*to_csv)(const Report&)) {
  if (!RoleHas(user.role, Permission::kViewReports) && user.role != Role::kSalesRep) {
    return Require(user, Permission::kViewReports, "read reports");
  }
  TANDEM_ASSIGN_OR_RETURN(FunnelQuery scope, FunnelQueryOf(store, request, user));
  const auto params = ParseQuery(request.query());
  if (FindParam(params, "format") != "csv") {
    return InvalidArgument("invalid_parameter",
                           "all=true needs format=csv: every page of the report in one file");
  }
  if (params.contains("cursor")) {
    return InvalidArgument("invalid_parameter",
                           "cursor does not apply to all=true, which answers every group");
  }
  // limit: the groups read at a time.
  TANDEM_ASSIGN_OR_RETURN(scope.groups,
                          ParseGroupPage(FindParam(params, "limit").value_or("1000"), ""));
  CsvDownload download{.name = std::string(name), .subject = fmt::format("reports/{}", name)};
  download.detail = json{{"format", "csv"},
                         {"all", true},
                         {"filter", FilterText(request.query(), {"format", "all"})}}
                        .dump();
  download.produce = [run, to_csv, scope](BodySink& sink) mutable -> Status {
    for (bool first = true;; first = false) {
      StatusOr<Report> report = run(scope);
      if (!report.ok()) return report.status();
      std::string csv = to_csv(*report);
      TANDEM_RETURN_IF_ERROR(
          sink.Write(first ? std::move(csv) : CsvRecordsStartingWith(csv, "group")));
      std::optional<std::string> next = NextAfter(*report);
      if (!next) return OkStatus();
      scope.groups.after = std::move(next);
    }
  };
  return download;
}

// A report's route: JSON or a page of CSV (LeadReport), or with all=true every page in
// one streamed CSV (PrepareReportCsv, on the export threads).
template <typename MakeRun, typename Report>
void AddReport(Router& router, Store& store, const Clock& clock, CsvExports& exports,
               RouteSpec spec, MakeRun make_run, nlohmann::json (*to_json)(const Report&),
               std::string (*to_csv)(const Report&)) {
  Handler page = Authed(
      store, clock, [&store, make_run, to_json, to_csv](const HttpRequest& r, const UserRecord& u) {
        return LeadReport(store, r, u, make_run(store, r), to_json, to_csv);
      });
  const std::string name = spec.path.substr(spec.path.rfind('/') + 1);
  router.Add(std::move(spec), [&store, &exports, page, make_run, to_csv, name](
                                  HttpRequest&& request, Responder respond) {
    if (!AsksForAllPages(request)) return page(std::move(request), std::move(respond));
    exports.Serve(std::move(request), std::move(respond),
                  [&store, make_run, to_csv, name](const HttpRequest& r, const UserRecord& u) {
                    return PrepareReportCsv(store, r, u, name, make_run(store, r), to_csv);
                  });
  });
}

// One lead's deals, credited touch by touch. A rep may explain only the rep's own leads.
Response ExplainDeals(Store& store, const HttpRequest& request, const UserRecord& user,
                      int64_t lead_id) {
  if (!RoleHas(user.role, Permission::kViewReports) && user.role != Role::kSalesRep) {
    return ErrorResponse(Require(user, Permission::kViewReports, "read reports"));
  }
  if (Status st = CheckNoControlCharacters(ParseQuery(request.query())); !st.ok()) {
    return ErrorResponse(st);
  }
  auto query = AttributionQueryOf(request, FunnelQuery{});
  if (!query.ok()) return ErrorResponse(query.status());
  auto lead = store.GetLead(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!*lead)
    return ErrorResponse(404, "not_found", fmt::format("lead ld_{} does not exist", lead_id));
  if (!RoleHas(user.role, Permission::kViewReports) && (*lead)->owner_id != user.id) {
    return ErrorResponse(403, "forbidden",
                         fmt::format("ld_{} is not your lead: a rep sees the figures of the "
                                     "rep's own leads",
                                     lead_id));
  }
  auto deals = store.DealsOf(lead_id);
  if (!deals.ok()) return ErrorResponse(deals.status());
  json items = json::array();
  for (const Deal& deal : *deals) items.push_back(DealToJson(deal, *query));
  return Json(200, {{"lead", fmt::format("ld_{}", lead_id)},
                    {"model", ModelName(query->model)},
                    {"half_life_days", static_cast<double>(query->half_life.count()) / 86'400'000},
                    {"deals", items}});
}

// The page of leads behind one figure of a report (analytics/drill_down.h), as the lead
// list shows them; an attribution figure's leads with their credit to it.
Response DrillLeads(Store& store, const LeadEngine& engine, const Clock& clock,
                    const HttpRequest& request, const UserRecord& user, ReportKind report) {
  if (!RoleHas(user.role, Permission::kViewReports) && user.role != Role::kSalesRep) {
    return ErrorResponse(Require(user, Permission::kViewReports, "read reports"));
  }
  auto scope = FunnelQueryOf(store, request, user);
  if (!scope.ok()) return ErrorResponse(scope.status());
  const auto params = ParseQuery(request.query());
  if (auto format = params.find("format"); format != params.end() && format->second != "json") {
    return ErrorResponse(400, "invalid_parameter", "the leads behind a figure are JSON only");
  }
  auto drill = ParseDrillDown(report, *scope,
                              [&params](std::string_view name) { return FindParam(params, name); });
  if (!drill.ok()) return ErrorResponse(drill.status());
  std::vector<int64_t> ids;
  std::map<int64_t, DrillCredit> credits;
  bool more = false;
  if (report == ReportKind::kAttribution) {
    auto query = AttributionQueryOf(request, *scope);
    if (!query.ok()) return ErrorResponse(query.status());
    AttributionDrill collect(*drill, *query);
    Status st = store.ForEachDeal(*query, [&collect](Deal deal) {
      collect.Add(deal);
      return OkStatus();
    });
    if (!st.ok()) return ErrorResponse(st);
    for (const DrillCredit& c : collect.Page(&more)) {
      ids.push_back(c.lead_id);
      credits[c.lead_id] = c;
    }
  } else {
    auto page = store.DrillDownLeads(*drill);
    if (!page.ok()) return ErrorResponse(page.status());
    ids = std::move(*page);
    more = ids.size() > drill->limit;
    if (more) ids.resize(drill->limit);
  }
  std::vector<LeadRecord> leads;
  for (int64_t id : ids) {
    auto lead = store.GetLead(id);
    if (!lead.ok()) return ErrorResponse(lead.status());
    if (*lead) leads.push_back(std::move(**lead));
  }
  auto rendered = RenderLeads(store, engine, leads, clock.Now());
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  json items = json::array();
  for (size_t i = 0; i < leads.size(); ++i) {
    json item = json::parse((*rendered)[i]);
    if (auto c = credits.find(leads[i].id); c != credits.end()) {
      item["credit"] = static_cast<double>(c->second.micros) / 1e6;
      item["credited_amount"] = static_cast<double>(c->second.cents) / 100;
    }
    items.push_back(std::move(item));
  }
  return Json(200,
              {{"items", items},
               {"next_cursor", more && !ids.empty() ? json(DrillCursor(ids.back())) : json()}});
}

// The parameters every report over a date range takes.
std::vector<QueryParam> RangeParams(const char* from_what) {
  return {{"from", fmt::format("the first day (YYYY-MM-DD) or time (ISO 8601) {}", from_what),
           s::String()},
          {"to", "the end of the range, excluded; at most 10 years after from", s::String()},
          {"by",
           "group by source, medium, campaign, keyword, referrer_domain, landing_page, form or "
           "content_item (of each lead's first touchpoint), team, rep, country, company_size or "
           "cohort (the month the lead was created)",
           s::String()},
          {"as_of", "answer as the facts stood at this date or time (after from)", s::String()},
          {"format", "json (the default) or csv", s::String()}};
}

// A report's range and its page of groups.
std::vector<QueryParam> ReportParams(const char* from_what) {
  std::vector<QueryParam> params = RangeParams(from_what);
  params.push_back({"limit", "1 to 1000 groups a page (default 200), in the order of their names",
                    s::Integer()});
  params.push_back(
      {"cursor", "next_cursor of the previous page (CSV: its Link header)", s::String()});
  params.push_back({"all",
                    "true, with format=csv: every page in one file (header and total once), "
                    "streamed a page of limit groups (default 1000) at a time; no cursor; "
                    "audited",
                    s::Enum({"true", "false"})});
  return params;
}

RouteSpec DrillSpec(const char* report, const char* figure) {
  RouteSpec spec{.method = "GET",
                 .path = fmt::format("/api/v1/reports/{}/leads", report),
                 .summary = fmt::format("The leads behind one figure of the {} report, with "
                                        "its filters: {}",
                                        report, figure),
                 .tag = "reports"};
  spec.query = RangeParams("as the report");
  spec.query.push_back({"group", "one group's leads (needs by); absent: the total's", s::String()});
  spec.query.push_back({"limit", "1 to 200 leads (default 50)", s::Integer()});
  spec.query.push_back({"cursor", "next_cursor of the previous page", s::String()});
  spec.response = s::PageOf(s::Ref("Lead"));
  spec.errors = {400, 403};
  return spec;
}

RouteSpec OutcomesSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/outcomes",
                 .summary =
                     "Why leads left sales (rejected, lost, recycled, disqualified) and the "
                     "reasons given, per group, with shares and their 95% Wilson intervals",
                 .tag = "reports"};
  spec.query = ReportParams("outcomes were recorded");
  spec.query.push_back({"min_group",
                        "groups with fewer outcomes are flagged small and listed by name "
                        "(1 to 1000000, default 20)",
                        s::Integer()});
  spec.response = s::AnyObject(
      "from, to, by, min_group, total, groups and next_cursor: each group's outcomes, whether it "
      "is "
      "small, and its reasons with count, share, low, high and overall_share");
  spec.errors = {400, 403};
  return spec;
}

RouteSpec SpeedToLeadSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/speed-to-lead",
                 .summary =
                     "Minutes from MQL to the first sales touch, and the conversions to SAL, "
                     "SQL and won per response bucket, in all and per group",
                 .tag = "reports"};
  spec.query = ReportParams("leads became MQLs");
  spec.response = s::AnyObject(
      "from, to, by, buckets, total, groups and next_cursor: each row's MQLs, responded, median "
      "and p90 "
      "minutes, and per bucket its MQLs and conversions with 95% Wilson intervals");
  spec.errors = {400, 403};
  return spec;
}

std::vector<QueryParam> ModelParams() {
  return {{"model",
           "first_touch, last_touch, linear (the default), u_shaped (40/40/20), w_shaped "
           "(30/30/30/10) or time_decay",
           s::Enum({"first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay"})},
          {"half_life_days", "time_decay's half-life in days, above 0 and at most 3650 (default 7)",
           s::Number()}};
}

RouteSpec AttributionSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/attribution",
                 .summary =
                     "Opportunities and won revenue credited to the touchpoints before each "
                     "deal by one model, summed per group; each deal sums to exactly one",
                 .tag = "reports"};
  spec.query = ReportParams("deals were made (moves to opportunity or customer)");
  for (QueryParam& p : ModelParams()) spec.query.push_back(std::move(p));
  spec.response = s::AnyObject(
      "from, to, by, model, half_life_days, total, groups and next_cursor: each row's "
      "opportunities and won "
      "(credits), pipeline and revenue (amounts), opportunity_deals and won_deals");
  spec.errors = {400, 403};
  return spec;
}

RouteSpec ExplainSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/attribution/leads/{id}",
                 .summary = "A lead's deals, each credited touch by touch by one model",
                 .tag = "reports"};
  spec.path_params = {{"id", "the lead, ld_<n>"}};
  spec.query = ModelParams();
  spec.response = s::AnyObject(
      "lead, model, half_life_days and deals: each deal's stage, at, amount and touches with "
      "their fields, roles, weight, credit and amount");
  spec.errors = {400, 403, 404};
  return spec;
}

RouteSpec FunnelSpec() {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/reports/funnel",
                 .summary =
                     "Leads created in a date range down the funnel, with conversion "
                     "rates and their 95% Wilson intervals, in all and per group",
                 .tag = "reports"};
  spec.query = ReportParams("leads were created");
  spec.response = s::AnyObject(
      "from, to, by, stages, total, groups and next_cursor: each row's counts per "
      "stage and conversions between stages");
  spec.errors = {400, 403};
  return spec;
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
                          const Clock& clock, CsvExports& exports) {
  router.Add(
      LeaksSpec(),
      Authed(store, clock, [&store, &engine, &clock](const HttpRequest& r, const UserRecord& u) {
        return Leaks(store, engine, clock, r, u);
      }));
  AddReport(router, store, clock, exports, FunnelSpec(), FunnelRun, &FunnelToJson, &FunnelToCsv);
  AddReport(router, store, clock, exports, OutcomesSpec(), OutcomesRun, &OutcomesToJson,
            &OutcomesToCsv);
  AddReport(router, store, clock, exports, SpeedToLeadSpec(), SpeedToLeadRun, &SpeedToLeadToJson,
            &SpeedToLeadToCsv);
  AddReport(router, store, clock, exports, AttributionSpec(), AttributionRun, &AttributionToJson,
            &AttributionToCsv);
  router.Add(
      ExplainSpec(),
      LeadAuthed(store, clock, [&store](const HttpRequest& r, const UserRecord& u, int64_t id) {
        return ExplainDeals(store, r, u, id);
      }));
  struct Drill {
    const char* report;
    ReportKind kind;
    const char* figure;
    std::vector<QueryParam> params;
  };
  const Drill drills[] = {
      {"funnel",
       ReportKind::kFunnel,
       "the leads created in the range that reached a stage",
       {{"stage", "lead (the default), mql, sal, sql, opportunity or customer", s::String()}}},
      {"outcomes",
       ReportKind::kOutcomes,
       "the leads with an outcome (and reason) in the range",
       {{"outcome", "rejected, lost, recycled or disqualified", s::String()},
        {"reason", "the reason as recorded", s::String()}}},
      {"speed-to-lead",
       ReportKind::kSpeedToLead,
       "the MQLs of the range in a response bucket",
       {{"bucket", "under_5_min, 5_to_60_min, 1_to_24_h, over_24_h or never", s::String()}}},
      {"attribution",
       ReportKind::kAttribution,
       "the leads whose deals gave the group credit, with that credit",
       {{"stage", "opportunity or customer: deals of one kind", s::String()}}},
  };
  for (const Drill& d : drills) {
    RouteSpec spec = DrillSpec(d.report, d.figure);
    for (const QueryParam& p : d.params) spec.query.push_back(p);
    if (d.kind == ReportKind::kAttribution) {
      for (QueryParam& p : ModelParams()) spec.query.push_back(std::move(p));
    }
    router.Add(std::move(spec), Authed(store, clock,
                                       [&store, &engine, &clock, kind = d.kind](
                                           const HttpRequest& r, const UserRecord& u) {
                                         return DrillLeads(store, engine, clock, r, u, kind);
                                       }));
  }
  router.Add(HygieneSpec(),
             Authed(store, clock, [&store, &clock](const HttpRequest& r, const UserRecord& u) {
               return Hygiene(store, clock, r, u);
             }));
}

}  // namespace tandem::http
