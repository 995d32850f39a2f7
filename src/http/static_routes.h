// StaticRoutes: the web app's files (web/app/ and the npm packages it imports, copied
// next to the binary by the build) under /app/, and the demo website (web/demo/) under
// /demo/, read into memory at start.
#pragma once

#include <map>
#include <string>

#include "http/router.h"

namespace tandem {
class Store;
}

namespace tandem::http {

class StaticRoutes {
 public:
  // Reads every file under `root` (e.g. build/web); a missing root leaves the app
  // unavailable (404 that says so), not the server.
  // The demo website's pages carry the snippet with the write key of the store's demo
  // source, looked up in `store` at each request.
  StaticRoutes(std::string root, Store& store);

  // GET / and /app → /app/; /app/ → index.html; /app/<file>; /demo/ likewise.
  void Register(Router& router);
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;  // "…" of the body's hash: a reload revalidates with If-None-Match
  };
  void Load(const std::string& dir);
  Response Serve(std::string_view path, std::string_view if_none_match = {}) const;
  Response ServeDemo(std::string_view path, std::string_view if_none_match) const;

  std::string root_;
  Store& store_;
  std::map<std::string, File, std::less<>>
      files_;        // by URL path, "/app/app.js", "/demo/index.html"
  std::string csp_;  // allows the page's inline import map by its hash, nothing else inline
};

}  // namespace tandem::http
