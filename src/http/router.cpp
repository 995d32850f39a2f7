#include "http/router.h"

#include <fmt/format.h>

namespace tandem::http {

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), false, std::move(handler)};
  if (route.pattern.ends_with("/*")) {
    route.pattern.pop_back();
    route.prefix = true;
  }
  routes_.push_back(std::move(route));
}

void Router::AddGuard(std::string prefix, Guard guard) {
  guards_.emplace_back(std::move(prefix), std::move(guard));
}

bool Router::Matches(const Route& route, std::string_view path) const {
  if (route.prefix) return path.size() > route.pattern.size() && path.starts_with(route.pattern);
  if (path == route.pattern) return true;
  // Tolerate one trailing slash, as clients configured with a base URL often add it.
  return path.size() == route.pattern.size() + 1 && path.back() == '/' &&
         path.starts_with(route.pattern);
}

namespace {

// The path with every run of '/' merged into one.
std::string MergeSlashes(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view Router::Match(std::string_view path) const {
  for (const Route& route : routes_) {
    if (Matches(route, path)) return route.pattern;
  }
  return "unmatched";
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) {
    out.push_back({route.method, route.prefix ? route.pattern + "*" : route.pattern});
  }
  return out;
}

std::string_view Router::RouteName(const HttpRequest& request) const {
  std::string_view path = request.path();
  if (path.find("//") == std::string_view::npos) return Match(path);
  return Match(MergeSlashes(path));
}

void Router::Dispatch(HttpRequest&& request, Responder respond) const {
  if (request.path().find("//") != std::string_view::npos) {
    std::string_view original(request.message.target().data(), request.message.target().size());
    std::string target = MergeSlashes(request.path());
    target += original.substr(request.path().size());  // "?query", if any
    request.message.target(target);
  }
  std::string_view method(request.message.method_string().data(),
                          request.message.method_string().size());
  std::string allowed;
  for (const Route& route : routes_) {
    if (!Matches(route, request.path())) continue;
    if (route.method == method) {
      for (const auto& [prefix, guard] : guards_) {
        if (!request.path().starts_with(prefix)) continue;
        if (auto refused = guard(request)) return respond(std::move(*refused));
      }
      route.handler(std::move(request), std::move(respond));
      return;
    }
    allowed += (allowed.empty() ? "" : ", ") + route.method;
  }
  if (allowed.empty()) {
    respond(ErrorResponse(404, "not_found", fmt::format("no resource at {}", request.path())));
    return;
  }
  Response res =
      ErrorResponse(405, "method_not_allowed",
                    fmt::format("{} does not accept {}; use {}", request.path(), method, allowed));
  res.set(boost::beast::http::field::allow, allowed);
  respond(std::move(res));
}

}  // namespace tandem::http
