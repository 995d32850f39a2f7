#include "http/brief_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "brief/brief.h"
#include "brief/brief_input.h"
#include "core/ids.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"

namespace tandem::http {
namespace {

using nlohmann::json;

}  // namespace

void BriefRoutes::Register(Router& router) {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/leads/{id}/brief",
                 .summary = "The lead's handoff brief: JSON, Markdown or HTML",
                 .tag = "leads"};
  spec.path_params = {{"id", "the lead, ld_<n>"}};
  spec.query = {{"format", "json (the default), markdown or html",
                 schema::Enum({"json", "markdown", "html"})}};
  spec.response = schema::Ref("Brief");
  spec.errors = {400, 404};
  router.Add(std::move(spec), LeadAuthed(store_, clock_,
                                         [this](const HttpRequest& r, const UserRecord& u,
                                                int64_t id) { return Brief(r, u, id); }));
  RegisterCatalog(router);
}

Response BriefRoutes::Brief(const HttpRequest& request, const UserRecord& user, int64_t lead_id) {
  auto params = ParseQuery(request.query());
  std::string format = "json";
  for (const auto& [name, value] : params) {
    if (name != "format") {
      return ErrorResponse(400, "invalid_parameter",
                           fmt::format("unknown query parameter \"{}\" (known: format)", name));
    }
    format = value;
  }
  if (format != "json" && format != "markdown" && format != "html") {
    return ErrorResponse(400, "invalid_parameter",
                         fmt::format("format \"{}\" must be json, markdown or html", format));
  }
  auto lead = store_.GetLead(lead_id);
  if (!lead.ok()) return ErrorResponse(lead.status());
  if (!*lead)
    return ErrorResponse(404, "not_found", fmt::format("lead ld_{} does not exist", lead_id));
  auto input = BriefInputFor(engine_, store_, **lead, clock_.Now());
  if (!input.ok()) return ErrorResponse(input.status());
  json brief = BuildBrief(*input);
  // Who read what the brief says of the person: recorded before it is served.
  if (Status audited = AuditBy(store_, clock_, user, audit_action::kBriefRead, LeadIdText(lead_id),
                               json{{"format", format}}.dump());
      !audited.ok()) {
    return ErrorResponse(audited);
  }
  if (format == "markdown") {
    return Text(200, "text/markdown; charset=utf-8", RenderBriefMarkdown(brief));
  }
  if (format == "html") return Html(200, RenderBriefHtml(brief));
  return Json(200, brief);
}

}  // namespace tandem::http
