// Router: maps a method and a path to a handler. Exact paths, or prefixes ending in
// '/' for resources addressed by id. Unknown paths answer 404; a known path with
// another method answers 405 with Allow. Repeated slashes in a path count as one
// ("//v1/projects/…" is "/v1/projects/…", as a client's base URL ending in '/' makes it),
// and handlers see the path so merged.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace tandem::http {

class Router {
 public:
  // `pattern` is an exact path ("/healthz") or a prefix ending in "/*" ("/v1/projects/*").
  void Add(std::string method, std::string pattern, Handler handler);
  // The route's pattern for metrics labels ("unmatched" if none).
  std::string_view RouteName(const HttpRequest& request) const;
  // Merges repeated slashes in the request's path (the query is left as it is), then
  // calls the matching handler.
  void Dispatch(HttpRequest&& request, Responder respond) const;

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
};

}  // namespace tandem::http
