// RouteSpec: what a route of the JSON API is, written where the route is added — its
// summary, parameters, request and response shapes (JSON Schema) and error statuses.
// The OpenAPI document (http/openapi.h) is generated from these, so what is served
// and what is documented are one table.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tandem::http {

// Who may call a route, as the document says it.
enum class Access {
  kPublic,  // no credentials
  kBearer,  // "Authorization: Bearer <API token>" or the web app's session cookie
};

struct QueryParam {
  std::string name;
  std::string description;
  nlohmann::json schema = {{"type", "string"}};
  bool required = false;
};

struct RouteSpec {
  std::string method;
  std::string path;  // the router's pattern, "{name}" for a path parameter
  std::string summary;
  std::string tag;  // the resource: "leads", "contact", "reports", …
  Access access = Access::kBearer;
  std::map<std::string, std::string> path_params;  // name → description
  std::vector<QueryParam> query;
  nlohmann::json request_body;  // JSON Schema of the body; null for none
  std::string request_content_type = "application/json";
  int status = 200;  // of a successful answer
  std::string content_type = "application/json";
  nlohmann::json response;  // JSON Schema of the successful answer's body
  std::vector<int> errors;  // other statuses it answers, each with {"error":{code,message}}
};

}  // namespace tandem::http
