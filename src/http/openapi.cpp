#include "http/openapi.h"

#include <fmt/format.h>

#include <map>

#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/auth_routes.h"

namespace tandem::http {
namespace {

using nlohmann::json;

std::string_view ErrorMeaning(int status) {
  static const std::map<int, std::string_view> kMeanings = {
      {400, "Bad request: a parameter or the body is malformed"},
      {401, "No credentials, or not valid ones"},
      {403, "The caller's role may not do this"},
      {404, "No such resource"},
      {409, "Conflicts with the resource's state"},
      {413, "The body is too large"},
      {422, "A field is missing, unknown or invalid"},
      {429, "Too many requests: retry after Retry-After seconds"}};
  auto it = kMeanings.find(status);
  return it == kMeanings.end() ? std::string_view("Error") : it->second;
}

// "get_api_v1_leads_id_touches"
std::string OperationId(const RouteSpec& spec) {
  std::string out;
  for (char c : spec.method) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char c : spec.path) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (word)
      out += c;
    else if (out.back() != '_')
      out += '_';
  }
  while (out.back() == '_') out.pop_back();
  return out;
}

json Parameters(const RouteSpec& spec) {
  json out = json::array();
  for (size_t at = spec.path.find('{'); at != std::string::npos; at = spec.path.find('{', at)) {
    const size_t end = spec.path.find('}', at);
    const std::string name = spec.path.substr(at + 1, end - at - 1);
    auto described = spec.path_params.find(name);
    out.push_back({{"name", name},
                   {"in", "path"},
                   {"required", true},
                   {"description", described == spec.path_params.end() ? "" : described->second},
                   {"schema", {{"type", "string"}}}});
    at = end;
  }
  for (const QueryParam& q : spec.query) {
    out.push_back({{"name", q.name},
                   {"in", "query"},
                   {"required", q.required},
                   {"description", q.description},
                   {"schema", q.schema}});
  }
  return out;
}

json Responses(const RouteSpec& spec) {
  json success = {{"description", "Done"}};
  if (!spec.response.is_null()) {
    success["content"] = {{spec.content_type, {{"schema", spec.response}}}};
  }
  json out = {{std::to_string(spec.status), success}};
  std::vector<int> errors = spec.errors;
  if (spec.access == Access::kBearer) errors.insert(errors.end(), {401, 429});
  for (int status : errors) {
    out[std::to_string(status)] = {
        {"description", ErrorMeaning(status)},
        {"content", {{"application/json", {{"schema", schema::Ref("Error")}}}}}};
  }
  return out;
}

json Operation(const RouteSpec& spec) {
  json op = {{"operationId", OperationId(spec)},
             {"summary", spec.summary},
             {"tags", {spec.tag}},
             {"parameters", Parameters(spec)},
             {"responses", Responses(spec)}};
  if (!spec.request_body.is_null()) {
    op["requestBody"] = {
        {"required", true},
        {"content", {{spec.request_content_type, {{"schema", spec.request_body}}}}}};
  }
  op["security"] = spec.access == Access::kPublic
                       ? json::array()
                       : json::array({{{"bearer", json::array()}}, {{"session", json::array()}}});
  return op;
}

json Components() {
  return {{"schemas", schema::Components()},
          {"securitySchemes",
           {{"bearer",
             {{"type", "http"},
              {"scheme", "bearer"},
              {"description", "An API token (tandem user add, or POST /api/v1/tokens)"}}},
            {"session",
             {{"type", "apiKey"},
              {"in", "cookie"},
              {"name", std::string(kSessionCookie)},
              {"description",
               "The web app's session (POST /auth/login); changes also need X-CSRF-Token"}}}}}};
}

}  // namespace

json OpenApiDocument(const std::vector<Router::RouteInfo>& routes) {
  json paths = json::object();
  std::map<std::string, json> tags;
  for (const Router::RouteInfo& route : routes) {
    if (!route.spec || !route.pattern.starts_with(kApiPrefix)) continue;
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.pattern][method] = Operation(*route.spec);
    tags[route.spec->tag] = {{"name", route.spec->tag}};
  }
  json tag_list = json::array();
  for (auto& [name, tag] : tags) tag_list.push_back(tag);
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "Tandem API"},
            {"version", "1"},
            {"description",
             "Leads, their contact gate, briefs, reports, users and catalogs. Errors are "
             "{\"error\":{\"code\",\"message\"}}. Generated from the server's route table."}}},
          {"tags", tag_list},
          {"paths", paths},
          {"components", Components()}};
}

void RegisterOpenApiRoute(Router& router) {
  RouteSpec spec{.method = "GET",
                 .path = "/api/v1/openapi.json",
                 .summary = "This document: the OpenAPI 3.1 description of /api/v1",
                 .tag = "meta",
                 .access = Access::kPublic};
  spec.response = schema::AnyObject("an OpenAPI 3.1 document");
  router.Add(std::move(spec), [&router](HttpRequest&&, Responder respond) {
    respond(Json(200, OpenApiDocument(router.Routes())));
  });
}

}  // namespace tandem::http
