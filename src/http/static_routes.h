// StaticRoutes: the web app's files (web/app/ and the npm packages it imports, copied
// next to the binary by the build) under /app/, read into memory at start.
#pragma once

#include <map>
#include <string>

#include "http/router.h"

namespace tandem::http {

class StaticRoutes {
 public:
  // Reads every file under `root` (e.g. build/web); a missing root leaves the app
  // unavailable (404 that says so), not the server.
  explicit StaticRoutes(std::string root);

  // GET / and /app → /app/; /app/ → index.html; /app/<file>.
  void Register(Router& router);
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  Response Serve(std::string_view path) const;

  std::string root_;
  std::map<std::string, File, std::less<>> files_;  // by URL path, "/app/app.js"
  std::string csp_;  // allows the page's inline import map by its hash, nothing else inline
};

}  // namespace tandem::http
