// The leads resource: /api/v1/leads and /api/v1/leads/{id}[/timeline|/score|/outcome],
// and the OpenAPI document of the whole API.
#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_routes.h"
#include "http/api_schemas.h"
#include "http/leads_list.h"
#include "http/openapi.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

const std::map<std::string, std::string> kLeadPath = {
    {"id", "the lead, ld_<n> (an id merged into another lead leads to that one)"}};

RouteSpec ListSpec() {
  RouteSpec spec{.method = "GET", .path = "/api/v1/leads", .summary = "List leads", .tag = "leads"};
  spec.query = {
      {"owner", "me, none or a user id (usr_<n>)"},
      {"stage", "a lifecycle stage, or several separated by commas"},
      {"reason", "the reason of the lead's stage (a recycled lead's), any case"},
      {"priority", "hot or mql", s::Enum({"hot", "mql"})},
      {"team", "the owning team"},
      {"min_score", "the lowest total score", s::Number()},
      {"updated_since", "an RFC 3339 time"},
      {"source", "the source the lead came from"},
      {"form", "a form the lead submitted (properties.form or form_id of an event)"},
      {"q", "text in the name, email or company"},
      {"sla", "overdue: only leads past their SLA", s::Enum({"overdue"})},
      {"sort", "score, created (the default), sla or updated",
       s::Enum({"score", "created", "sla", "updated"})},
      {"limit", "1 to 500 leads a page", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}},
      {"cursor", "next_cursor of the previous page"},
      {"queued", "true: only leads waiting for an owner", s::Enum({"true", "false"})},
      {"include", "why_now: each lead with its brief's why-now section", s::Enum({"why_now"})},
      {"format",
       "json (the default) or csv: every matching lead as a file (text/csv), streamed, without "
       "limit, cursor or include; audited",
       s::Enum({"json", "csv"})}};
  spec.response = s::PageOf(s::Ref("Lead"));
  spec.errors = {400, 403, 503};
  return spec;
}

RouteSpec LeadSpec(std::string method, std::string path, std::string summary) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "leads"};
  spec.path_params = kLeadPath;
  spec.response = s::Ref("Lead");
  spec.errors = {404};
  return spec;
}

RouteSpec PatchSpec() {
  RouteSpec spec = LeadSpec("PATCH", "/api/v1/leads/{id}",
                            "Change a lead: its fields, stage (with a reason) or owner");
  spec.request_body = s::Object({{"stage", s::String("the new lifecycle stage")},
                                 {"reason", s::String()},
                                 {"revisit_on", s::String("a date or RFC 3339 time")},
                                 {"priority", {{"type", json::array({"string", "null"})}}},
                                 {"owner_id", s::String("usr_<n>; with a reason")},
                                 {"name", s::String()},
                                 {"title", s::String()},
                                 {"phone", s::String()},
                                 {"company", s::String()},
                                 {"traits", s::AnyObject()}});
  spec.errors = {400, 403, 404, 409, 422};
  return spec;
}

RouteSpec TimelineSpec() {
  RouteSpec spec =
      LeadSpec("GET", "/api/v1/leads/{id}/timeline", "The lead's events and changes, oldest first");
  spec.query = {{"limit", "1 to 500 entries a page (default 200)", s::Integer()},
                {"cursor", "next_cursor of the previous page"}};
  spec.response = s::PageOf(s::AnyObject("an event or a change, with at and kind"));
  spec.errors = {400, 404};
  return spec;
}

RouteSpec OutcomeSpec() {
  RouteSpec spec =
      LeadSpec("POST", "/api/v1/leads/{id}/outcome", "Record the outcome of working the lead");
  spec.request_body = s::Object({{"disposition", s::String("accepted, rejected, won, lost, …")},
                                 {"reason", s::String()},
                                 {"revisit_on", s::String()},
                                 {"amount", s::Number()}},
                                {"disposition"});
  spec.errors = {400, 403, 404, 409, 422};
  return spec;
}

}  // namespace

void ApiRoutes::Register(Router& router) {
  auto lead = [this](auto body) { return LeadAuthed(store_, clock_, body); };
  Handler list = Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord& u) {
    return ListLeads(r, u);
  });
  router.Add(ListSpec(), [this, list](HttpRequest&& request, Responder respond) {
    if (!AsksForCsv(request)) return list(std::move(request), std::move(respond));
    exports_.Serve(std::move(request), std::move(respond),
                   [this](const HttpRequest& r, const UserRecord& u) {
                     return PrepareLeadsCsv(store_, engine_, r, u, clock_.Now());
                   });
  });
  router.Add(AddLeadSpec(),
             Authed(store_, clock_,
                    [this](const HttpRequest& r, const UserRecord& u) { return AddLead(r, u); }));
  router.Add(
      LeadSpec("GET", "/api/v1/leads/{id}", "A lead"),
      lead([this](const HttpRequest&, const UserRecord&, int64_t id) { return GetLead(id); }));
  router.Add(PatchSpec(), lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
               return PatchLead(r, u, id);
             }));
  router.Add(TimelineSpec(), lead([this](const HttpRequest& r, const UserRecord&, int64_t id) {
               return Timeline(r, id);
             }));
  RouteSpec score = LeadSpec("GET", "/api/v1/leads/{id}/score", "The lead's score, explained");
  score.response = s::Ref("ScoreExplanation");
  router.Add(std::move(score),
             lead([this](const HttpRequest&, const UserRecord&, int64_t id) { return Score(id); }));
  router.Add(OutcomeSpec(), lead([this](const HttpRequest& r, const UserRecord& u, int64_t id) {
               return RecordOutcome(r, u, id);
             }));
  RegisterOpenApiRoute(router);
}

Response ApiRoutes::ListLeads(const HttpRequest& request, const UserRecord& user) {
  const TimePoint now = clock_.Now();
  auto list = ParseLeadList(request, user, engine_, now);
  if (!list.ok()) return ErrorResponse(list.status());
  auto leads = store_.ListLeads(list->query);
  if (!leads.ok()) return ErrorResponse(leads.status());
  std::vector<json> why_now;
  if (list->why_now) {
    auto lines = WhyNowForPage(store_, engine_, *leads, now);
    if (!lines.ok()) return ErrorResponse(lines.status());
    why_now = std::move(*lines);
  }
  auto rendered = RenderLeads(store_, engine_, *leads, now);
  if (!rendered.ok()) return ErrorResponse(rendered.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < leads->size(); ++i) {
    if (i > 0) body += ',';
    body += (*rendered)[i];
    if (list->why_now) {
      // The brief's why-now line, as one more member of the lead's object.
      body.pop_back();
      body += ",\"why_now\":";
      body += why_now[i].dump();
      body += '}';
    }
  }
  body += "],\"next_cursor\":" + NextLeadCursor(*list, *leads) + "}";
  return JsonResponse(200, std::move(body));
}

Response ApiRoutes::GetLead(int64_t lead_id) {
  auto lead = store_.GetLead(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!*lead)
    return ErrorResponse(404, "not_found",
                         fmt::format("lead {} does not exist", LeadIdText(lead_id)));
  return Rendered(**lead, clock_.Now());
}

Response ApiRoutes::Score(int64_t lead_id) {
  auto items = store_.ListScoreItems(lead_id);
  if (!items.ok()) return ErrorResponse(items.status());
  auto score = engine_.ExplainScore(std::move(*items), clock_.Now());
  if (!score.ok()) return ErrorResponse(score.status());
  json out = ExplanationToJson(*score);
  out["lead_id"] = LeadIdText(lead_id);
  out["at"] = FormatIsoTime(clock_.Now());
  return Json(200, out);
}

}  // namespace tandem::http
