#include "http/static_routes.h"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/beast/http/field.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/store.h"
#include "workload/demo_catalog.h"

namespace tandem::http {
namespace {

namespace bhttp = boost::beast::http;

std::string ContentType(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  return "application/octet-stream";
}

// 'sha256-…' of the inline import map, so the CSP needs no 'unsafe-inline'.
std::string ImportMapHash(const std::string& html) {
  const std::string open = "<script type=\"importmap\">";
  size_t start = html.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  size_t end = html.find("</script>", start);
  if (end == std::string::npos) return "";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(html.data() + start),
                     end - start);
  char b64[sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return fmt::format(" 'sha256-{}'", b64);
}

std::string Etag(const std::string& body) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size(), nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return fmt::format("\"{}\"", hex);
}

std::string_view IfNoneMatch(const HttpRequest& request) {
  auto it = request.message.find(bhttp::field::if_none_match);
  return it == request.message.end() ? std::string_view() : std::string_view(it->value());
}

Response Found(std::string_view location) {
  Response res{bhttp::status::found, 11};
  res.set(bhttp::field::location, location);
  res.prepare_payload();
  return res;
}

constexpr std::string_view kWriteKeySlot = "{{write_key}}";

void ReplaceAll(std::string& text, std::string_view slot, std::string_view with) {
  for (size_t at = text.find(slot); at != std::string::npos;
       at = text.find(slot, at + with.size())) {
    text.replace(at, slot.size(), with);
  }
}

}  // namespace

void StaticRoutes::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path top = fs::path(root_) / dir;
  if (!fs::is_directory(top, ec)) return;
  for (const auto& entry : fs::recursive_directory_iterator(top, ec)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    const std::string url =
        fmt::format("/{}/{}", dir, fs::relative(entry.path(), top).generic_string());
    std::string bytes = body.str();
    std::string etag = Etag(bytes);
    files_[url] = File{ContentType(entry.path()), std::move(bytes), std::move(etag)};
  }
}

StaticRoutes::StaticRoutes(std::string root, Store& store) : root_(std::move(root)), store_(store) {
  Load("app");
  Load("demo");
  auto index = files_.find("/app/index.html");
  csp_ = fmt::format(
      "default-src 'self'; script-src 'self'{}; style-src 'self'; img-src 'self' data:; "
      "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
      index == files_.end() ? "" : ImportMapHash(index->second.body));
}

void StaticRoutes::Register(Router& router) {
  router.Add("GET", "/", [](HttpRequest&&, Responder respond) { respond(Found("/app/")); });
  // "/app" also matches "/app/" (the router tolerates one trailing slash).
  router.Add("GET", "/app", [this](HttpRequest&& request, Responder respond) {
    if (request.path() == "/app/") return respond(Serve("/app/index.html", IfNoneMatch(request)));
    respond(Found("/app/"));
  });
  router.Add("GET", "/app/*", [this](HttpRequest&& request, Responder respond) {
    respond(Serve(request.path(), IfNoneMatch(request)));
  });
  router.Add("GET", "/demo", [this](HttpRequest&& request, Responder respond) {
    if (request.path() == "/demo/") return respond(ServeDemo("/demo/index.html", {}));
    respond(Found("/demo/"));
  });
  router.Add("GET", "/demo/*", [this](HttpRequest&& request, Responder respond) {
    respond(ServeDemo(request.path(), IfNoneMatch(request)));
  });
}

Response StaticRoutes::ServeDemo(std::string_view path, std::string_view if_none_match) const {
  auto it = files_.find(path);
  // Parts of pages (_top.html) are not pages.
  if (path.substr(path.rfind('/') + 1).starts_with("_")) {
    return ErrorResponse(404, "not_found", fmt::format("no page {} in the demo website", path));
  }
  // Its style sheet and script are served as they are; its pages are filled in.
  if (it == files_.end() || !it->second.content_type.starts_with("text/html")) {
    return Serve(path, if_none_match);
  }
  auto sources = store_.ListSources();
  if (!sources.ok()) return ErrorResponse(sources.status());
  const Source* demo = nullptr;
  for (const Source& s : *sources) {
    if (s.name == kDemoSourceName) demo = &s;
  }
  if (demo == nullptr) {
    return ErrorResponse(404, "no_demo_workspace",
                         "this store has no demo workspace to send the demo website's visits to "
                         "(tandem demo creates one)");
  }
  Response res = Serve(path);
  res.erase(bhttp::field::etag);  // the page served differs from the file
  std::string& body = res.body();
  // The shared head and footer first: the head holds the snippet, whose key comes next.
  for (std::string_view part : {"top", "bottom"}) {
    auto shared = files_.find(fmt::format("/demo/_{}.html", part));
    ReplaceAll(body, fmt::format("{{{{site_{}}}}}", part),
               shared == files_.end() ? std::string_view() : std::string_view(shared->second.body));
  }
  ReplaceAll(body, kWriteKeySlot, demo->write_key);
  res.prepare_payload();
  return res;
}

Response StaticRoutes::Serve(std::string_view path, std::string_view if_none_match) const {
  if (files_.empty()) {
    return ErrorResponse(
        404, "web_app_missing",
        fmt::format("the web app is not built at {} (make build copies it there)", root_));
  }
  auto it = files_.find(path);
  if (it == files_.end()) {
    return ErrorResponse(404, "not_found",
                         fmt::format("no file {} in the {}", path,
                                     path.starts_with("/demo/") ? "demo website" : "web app"));
  }
  const bool unchanged = !if_none_match.empty() && if_none_match == it->second.etag;
  Response res{unchanged ? bhttp::status::not_modified : bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, it->second.content_type);
  res.set(bhttp::field::etag, it->second.etag);
  // Small files, revalidated on every load, so a new build shows at once.
  res.set(bhttp::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "same-origin");
  if (it->first.ends_with(".html") && it->first.starts_with("/app/")) {
    res.set("Content-Security-Policy", csp_);
    res.set("X-Frame-Options", "DENY");
  }
  if (!unchanged) res.body() = it->second.body;
  res.prepare_payload();
  if (unchanged) res.erase(bhttp::field::content_length);  // 304: no body, not a 0-byte one
  return res;
}

}  // namespace tandem::http
