// Router: maps a method and a path to a handler. Exact paths, or prefixes ending in
// '/' for resources addressed by id. Unknown paths answer 404; a known path with
// another method answers 405 with Allow. Repeated slashes in a path count as one
// ("//v1/projects/…" is "/v1/projects/…", as a client's base URL ending in '/' makes it),
// and handlers see the path so merged.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace tandem::http {

class Router {
 public:
  // `pattern` is an exact path ("/healthz") or a prefix ending in "/*" ("/v1/projects/*").
  void Add(std::string method, std::string pattern, Handler handler);
  // Runs before the handler of every routed request whose path starts with `prefix`; an
  // answer it returns (a 429, say) is sent instead of calling the handler.
  using Guard = std::function<std::optional<Response>(const HttpRequest&)>;
  void AddGuard(std::string prefix, Guard guard);
  // The route's pattern for metrics labels ("unmatched" if none).
  std::string_view RouteName(const HttpRequest& request) const;
  // Merges repeated slashes in the request's path (the query is left as it is), then
  // calls the matching handler.
  void Dispatch(HttpRequest&& request, Responder respond) const;

  // Every registered route, in the order added, with its pattern as given to Add().
  struct RouteInfo {
    std::string method;
    std::string pattern;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    bool prefix = false;
    Handler handler;
  };
  bool Matches(const Route& route, std::string_view path) const;
  std::string_view Match(std::string_view path) const;

  std::vector<Route> routes_;
  std::vector<std::pair<std::string, Guard>> guards_;
};

}  // namespace tandem::http
