// The OpenAPI 3.1 document of the JSON API, generated from the router's table: every
// route under /api/v1/ added with a RouteSpec, nothing else. Served, without
// credentials, at GET /api/v1/openapi.json.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "http/router.h"

namespace tandem::http {

inline constexpr std::string_view kApiPrefix = "/api/v1/";

nlohmann::json OpenApiDocument(const std::vector<Router::RouteInfo>& routes);
// GET /api/v1/openapi.json: the document of `router`'s routes as they are when asked.
// `router` must outlive itself (the route is in it).
void RegisterOpenApiRoute(Router& router);

}  // namespace tandem::http
