// Router: maps a method and a path to a handler. A pattern is an exact path
// ("/healthz"), a path with parameters ("/api/v1/leads/{id}/touches/{touch_id}/confirm":
// a {name} segment matches one non-empty segment, which the handler reads from
// request.params), or a prefix ending in "/*" for a tree of files ("/app/*"). Unknown
// paths answer 404; a known path with another method answers 405 with Allow. Repeated
// slashes in a path count as one ("//v1/projects/…" is "/v1/projects/…", as a client's
// base URL ending in '/' makes it), and handlers see the path so merged; one trailing
// slash is tolerated.
//
// A route of the JSON API is added with its RouteSpec (http/route_spec.h): what it
// takes and answers, from which the OpenAPI document is generated.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/http_types.h"
#include "http/route_spec.h"

namespace tandem::http {

class Router {
 public:
  // A route without a description: pages, files, health, ingest.
  void Add(std::string method, std::string pattern, Handler handler);
  // A described route: spec.method and spec.path are its method and pattern.
  void Add(RouteSpec spec, Handler handler);
  // Runs before the handler of every routed request whose path starts with `prefix`; an
  // answer it returns (a 429, say) is sent instead of calling the handler.
  using Guard = std::function<std::optional<Response>(const HttpRequest&)>;
  void AddGuard(std::string prefix, Guard guard);
  // The route's pattern for metrics labels ("unmatched" if none): one label per route.
  std::string_view RouteName(const HttpRequest& request) const;
  // Merges repeated slashes in the request's path (the query is left as it is), then
  // calls the matching handler with the path's parameters in request.params.
  void Dispatch(HttpRequest&& request, Responder respond) const;

  // Every registered route, in the order added, with its pattern as given to Add() and
  // its description, if it was added with one.
  struct RouteInfo {
    std::string method;
    std::string pattern;
    std::optional<RouteSpec> spec;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // of the pattern; "{name}" captures
    bool prefix = false;                // "/*": the pattern without '*' is a prefix
    std::optional<RouteSpec> spec;
    Handler handler;
  };
  static bool Matches(const Route& route, std::string_view path, PathParams* params);
  bool HasRoute(std::string_view method, std::string_view path) const;
  const Route* Match(std::string_view path) const;

  std::vector<Route> routes_;
  std::vector<std::pair<std::string, Guard>> guards_;
};

}  // namespace tandem::http
