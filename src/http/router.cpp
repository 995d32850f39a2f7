#include "http/router.h"

#include <fmt/format.h>

namespace tandem::http {
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

// "/a/{b}/c" → {"a", "{b}", "c"}.
std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  for (size_t at = 1; at <= path.size();) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, false, std::nullopt, std::move(handler)};
  if (route.pattern.ends_with("/*")) {
    route.pattern.pop_back();
    route.prefix = true;
  } else {
    route.segments = Segments(route.pattern);
  }
  routes_.push_back(std::move(route));
}

void Router::Add(RouteSpec spec, Handler handler) {
  Add(spec.method, spec.path, std::move(handler));
  routes_.back().spec = std::move(spec);
}

void Router::AddGuard(std::string prefix, Guard guard) {
  guards_.emplace_back(std::move(prefix), std::move(guard));
}

bool Router::Matches(const Route& route, std::string_view path, PathParams* params) {
  if (route.prefix) return path.size() > route.pattern.size() && path.starts_with(route.pattern);
  // Tolerate one trailing slash, as clients configured with a base URL often add it.
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == route.pattern) return true;
  if (path.empty() || path.front() != '/') return false;
  size_t at = 1;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    if (at > path.size()) return false;
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(at, end - at);
    const std::string& expected = route.segments[i];
    if (IsPlaceholder(expected)) {
      if (segment.empty()) return false;
      if (params != nullptr)
        params->Set(std::string_view(expected).substr(1, expected.size() - 2), segment);
    } else if (segment != expected) {
      return false;
    }
    at = end + 1;
  }
  return at == path.size() + 1;
}

const Router::Route* Router::Match(std::string_view path) const {
  for (const Route& route : routes_) {
    if (Matches(route, path, nullptr)) return &route;
  }
  return nullptr;
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) {
    out.push_back({route.method, route.prefix ? route.pattern + "*" : route.pattern, route.spec});
  }
  return out;
}

std::string_view Router::RouteName(const HttpRequest& request) const {
  std::string_view path = request.path();
  const Route* route =
      path.find("//") == std::string_view::npos ? Match(path) : Match(MergeSlashes(path));
  return route == nullptr ? "unmatched" : std::string_view(route->pattern);
}

bool Router::HasRoute(std::string_view method, std::string_view path) const {
  for (const Route& route : routes_) {
    if (route.method == method && Matches(route, path, nullptr)) return true;
  }
  return false;
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
  // HEAD is GET without the body (RFC 9110 9.3.2), wherever no route answers HEAD itself.
  if (method == "HEAD" && !HasRoute("HEAD", request.path())) {
    method = "GET";
    respond = Responder([respond](Response res) {
      const size_t length = res.body().size();
      res.body().clear();
      res.content_length(length);  // the length the GET would send
      respond(std::move(res));
    });
  }
  std::string allowed;
  for (const Route& route : routes_) {
    request.params.Clear();
    if (!Matches(route, request.path(), &request.params)) continue;
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
