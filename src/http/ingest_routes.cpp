#include "http/ingest_routes.h"

#include "http/query_params.h"
#include "web/snippet.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "ingest/content_encoding.h"
#include "ingest/segment_message.h"
#include "metrics/metrics.h"

namespace tandem::http {

namespace bhttp = boost::beast::http;

namespace {

std::string_view Header(const HttpRequest& request, bhttp::field field) {
  auto value = request.message[field];
  return {value.data(), value.size()};
}

std::string_view Header(const HttpRequest& request, std::string_view name) {
  auto value = request.message[name];
  return {value.data(), value.size()};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every ingest answer may be read by a script on any site: the write key is public and
// no cookie is involved. Retry-After is exposed so a browser client can honour it.
Response WithCors(Response res) {
  res.set(bhttp::field::access_control_allow_origin, "*");
  res.set(bhttp::field::access_control_expose_headers, "Retry-After");
  return res;
}

// Answers CORS preflights for the ingest endpoints, so pages on any site can send.
// The headers browser libraries send are named (X-Retry-Count marks analytics-next's
// retries), and "*" allows any other (Authorization must be named: "*" never covers it).
void Preflight(HttpRequest&&, Responder respond) {
  Response res{bhttp::status::no_content, 11};
  res.set(bhttp::field::access_control_allow_origin, "*");
  res.set(bhttp::field::access_control_allow_methods, "POST, OPTIONS");
  res.set(bhttp::field::access_control_allow_headers,
          "Content-Type, Authorization, Content-Encoding, X-Retry-Count, *");
  res.set(bhttp::field::access_control_max_age, "86400");
  respond(std::move(res));
}

// A Host header that is a host name, an IPv4 address or a bracketed IPv6 address, with
// an optional port: nothing else may reach the settings a browser caches.
bool IsValidHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    std::string_view after = host.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || after.size() == 1)) return false;
    if (!after.empty()) port = after.substr(1);
    name = {};
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
    if (port.empty()) return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  if (host.front() != '[' && (name.empty() || name.front() == '.' || name.front() == '-'))
    return false;
  if (port.size() > 5) return false;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

constexpr std::string_view kStoreRefused = "store_refused";

// Adds to a batch's `rejected` (sorted by index) the messages the store refused, given
// by their positions among the valid messages.
void AddStoreRefused(std::vector<RejectedMessage>& rejected, const std::vector<size_t>& refused) {
  if (refused.empty()) return;
  std::vector<RejectedMessage> merged;
  merged.reserve(rejected.size() + refused.size());
  size_t next_rejected = 0, position = 0, index = 0;
  for (size_t r : refused) {
    for (;; ++index) {
      if (next_rejected < rejected.size() && rejected[next_rejected].index == index) {
        merged.push_back(std::move(rejected[next_rejected++]));
      } else if (position++ == r) {
        break;
      }
    }
    // The store's own error text is in the server log, never in the answer.
    merged.push_back({index++, std::string(kStoreRefused),
                      "the store refused this message, so it was not kept; sending it again "
                      "will not help (the server log has the cause)"});
  }
  for (; next_rejected < rejected.size(); ++next_rejected) {
    merged.push_back(std::move(rejected[next_rejected]));
  }
  rejected = std::move(merged);
}

std::string SuccessBody(const std::vector<RejectedMessage>& rejected) {
  if (rejected.empty()) return R"({"success":true})";
  std::string out = R"({"success":true,"rejected":[)";
  for (size_t i = 0; i < rejected.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"index\":" + std::to_string(rejected[i].index) + ",\"code\":";
    AppendJsonString(out, rejected[i].code);
    out += ",\"message\":";
    AppendJsonString(out, rejected[i].message);
    out += "}";
  }
  out += "]}";
  return out;
}

}  // namespace

std::string ClientIp(const HttpRequest& request, bool trust_proxy) {
  if (trust_proxy) {
    std::string_view forwarded = Header(request, "X-Forwarded-For");
    std::string_view first = Trim(forwarded.substr(0, forwarded.find(',')));
    if (!first.empty()) return std::string(first);
  }
  return request.peer_ip;
}

std::optional<std::string> BasicAuthUser(std::string_view authorization) {
  authorization = Trim(authorization);
  if (authorization.empty()) return std::nullopt;
  constexpr std::string_view kBasic = "basic ";
  if (authorization.size() <= kBasic.size() ||
      !std::equal(kBasic.begin(), kBasic.end(), authorization.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    return std::string();
  }
  std::string_view encoded = Trim(authorization.substr(kBasic.size()));
  std::string decoded(encoded.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 &&
      sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return std::string();
  }
  decoded.resize(length);
  return decoded.substr(0, decoded.find(':'));
}

IngestRoutes::IngestRoutes(Store& store, EventWriter& writer, Metrics& metrics, const Clock& clock,
                           Options options)
    : experiments_(store),
      writer_(writer),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      sources_(store, clock) {}

void IngestRoutes::Register(Router& router) {
  for (const IngestPath& p : IngestPaths()) {
    IngestCall call = p.call;
    router.Add("POST", std::string(p.path), [this, call](HttpRequest&& req, Responder respond) {
      Ingest(call, std::move(req), std::move(respond));
    });
    router.Add("OPTIONS", std::string(p.path), Preflight);
  }
  router.Add("GET", "/t.js", [this](HttpRequest&& req, Responder respond) {
    Snippet(std::move(req), std::move(respond));
  });
  router.Add("GET", "/v1/projects/*", [this](HttpRequest&& req, Responder respond) {
    Settings(std::move(req), std::move(respond));
  });
}

void IngestRoutes::Ingest(IngestCall call, HttpRequest&& request, Responder respond) {
  auto fail = [&](const Status& status) {
    metrics_.events_rejected.Increment({status.error_code()});
    respond(WithCors(ErrorResponse(status)));
  };
  // A key in the Authorization header is checked before the body is read.
  std::optional<std::string> header_key =
      BasicAuthUser(Header(request, bhttp::field::authorization));
  if (header_key && header_key->empty()) {
    return fail(Unauthenticated("invalid_authorization",
                                "Authorization must be Basic with the write key as user name"));
  }
  std::optional<Source> source;
  auto resolve = [&](const std::string& key) -> Status {
    auto found = sources_.Find(key);
    if (!found.ok()) return found.status();
    if (!*found)
      return Unauthenticated("invalid_write_key", "the write key does not belong to any source");
    source = **found;
    return OkStatus();
  };
  if (header_key) {
    if (Status s = resolve(*header_key); !s.ok()) return fail(s);
  }

  auto body = DecodeBody(Trim(Header(request, bhttp::field::content_encoding)),
                         std::move(request.message.body()), kMaxBatchBytes);
  if (!body.ok()) return fail(body.status());
  thread_local SegmentParser parser;
  std::string client_ip = ClientIp(request, options_.trust_proxy);
  IngestRequest ingest{call, *body, clock_.Now(), client_ip, options_.time_window};
  auto parsed = parser.Parse(ingest);
  if (!parsed.ok()) return fail(parsed.status());

  if (!source) {
    if (parsed->write_key.empty()) {
      return fail(
          Unauthenticated("missing_write_key",
                          "send the write key as the Basic auth user name or as \"writeKey\""));
    }
    if (Status s = resolve(parsed->write_key); !s.ok()) return fail(s);
  }
  for (auto& event : parsed->events) event.source_id = source->id;
  for (const auto& r : parsed->rejected) metrics_.events_rejected.Increment({r.code});

  const int64_t retry_after = options_.retry_after_s;
  auto shared_respond = std::make_shared<Responder>(std::move(respond));
  bool queued = writer_.TrySubmit(
      std::move(parsed->events), [this, shared_respond, rejected = std::move(parsed->rejected),
                                  retry_after](const WriteOutcome& outcome) mutable {
        if (!outcome.status.ok()) {
          // The store's own error text is in the server log, never in the answer.
          Response res = ErrorResponse(
              503, "store_unavailable",
              "the events could not be stored, so none of this request was kept; send it "
              "again after Retry-After seconds (the server log has the cause)");
          res.set(bhttp::field::retry_after, std::to_string(retry_after));
          (*shared_respond)(WithCors(std::move(res)));
          return;
        }
        for (size_t i = 0; i < outcome.refused.size(); ++i) {
          metrics_.events_rejected.Increment({std::string(kStoreRefused)});
        }
        AddStoreRefused(rejected, outcome.refused);
        (*shared_respond)(WithCors(JsonResponse(200, SuccessBody(rejected))));
      });
  if (!queued) {
    metrics_.requests_shed.Increment();
    Response res =
        ErrorResponse(429, "overloaded", "the server is shedding load; retry after the delay");
    res.set(bhttp::field::retry_after, std::to_string(retry_after));
    (*shared_respond)(WithCors(std::move(res)));
  }
}

void IngestRoutes::Snippet(HttpRequest&& request, Responder respond) {
  auto javascript = [](unsigned status, std::string body) {
    Response res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/javascript; charset=utf-8");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };
  auto params = ParseQuery(request.query());
  const std::string write_key = params["k"];
  if (write_key.empty()) {
    return respond(javascript(400, "/* Tandem: give the write key, /t.js?k=<writeKey> */\n"));
  }
  auto found = sources_.Find(write_key);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  if (!*found) {
    return respond(javascript(404, "/* Tandem: no source has this write key */\n"));
  }
  auto running = experiments_.RunningWebExperiments();
  if (!running.ok()) return respond(ErrorResponse(running.status()));
  nlohmann::json experiments = nlohmann::json::array();
  for (const Experiment& e : *running) {
    nlohmann::json variants = nlohmann::json::array();
    for (const ExperimentVariant& v : e.variants) variants.push_back(v.key);
    experiments.push_back(
        {{"key", e.key}, {"version", e.version}, {"variants", variants}, {"weights", e.Weights()}});
  }
  std::string config = nlohmann::json{
      {"writeKey", write_key},
      {"respectDnt", options_.respect_dnt},
      {"experiments",
       experiments}}.dump();
  std::string body(SnippetJavaScript());
  const std::string placeholder = "__TANDEM_CONFIG__";
  body.replace(body.rfind(placeholder), placeholder.size(), config);
  Response res = javascript(200, std::move(body));
  res.set(bhttp::field::cache_control, "public, max-age=300");
  respond(std::move(res));
}

void IngestRoutes::Settings(HttpRequest&& request, Responder respond) {
  // /v1/projects/<writeKey>/settings
  std::string_view rest = request.path().substr(std::string_view("/v1/projects/").size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || rest.substr(slash) != "/settings") {
    return respond(ErrorResponse(404, "not_found", "use /v1/projects/<writeKey>/settings"));
  }
  std::string write_key(rest.substr(0, slash));
  auto found = sources_.Find(write_key);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  if (!*found) {
    return respond(
        WithCors(ErrorResponse(404, "unknown_write_key", "no source has this write key")));
  }
  // apiHost tells every browser that loads these settings where to send, and the answer
  // is cached publicly: it comes from server.public_url, or else from a Host header that
  // can only be a host and port, and the answer varies with it.
  std::string protocol = "http";
  std::string host;
  std::string vary;
  if (!options_.public_url.empty()) {
    std::string_view url = options_.public_url;
    auto scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos) {
      protocol = std::string(url.substr(0, scheme_end));
      url.remove_prefix(scheme_end + 3);
    }
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    host = std::string(url);
  } else {
    host = std::string(Trim(Header(request, bhttp::field::host)));
    if (!IsValidHost(host)) {
      return respond(WithCors(ErrorResponse(
          400, "invalid_host",
          "the Host header must be a host name or address with an optional port (or set "
          "server.public_url)")));
    }
    vary = "Host";
    if (options_.trust_proxy) {
      std::string_view proto = Trim(Header(request, "X-Forwarded-Proto"));
      if (proto == "https" || proto == "http") protocol = std::string(proto);
      vary += ", X-Forwarded-Proto";
    }
  }
  nlohmann::json settings = {
      {"integrations",
       {{"Segment.io",
         {{"apiKey", write_key},
          {"apiHost", host + "/v1"},
          {"protocol", protocol},
          {"unbundledIntegrations", nlohmann::json::array()},
          {"addBundledMetadata", true},
          {"maybeBundledConfigIds", nlohmann::json::object()}}}}},
      {"plan",
       {{"track", {{"__default", {{"enabled", true}, {"integrations", nlohmann::json::object()}}}}},
        {"identify", {{"__default", {{"enabled", true}}}}},
        {"group", {{"__default", {{"enabled", true}}}}}}},
      {"edgeFunction", nlohmann::json::object()},
      {"analyticsNextEnabled", true},
      {"middlewareSettings", nlohmann::json::object()},
      {"enabledMiddleware", nlohmann::json::object()},
      {"metrics", {{"sampleRate", 0}}},
      {"legacyVideoPluginsEnabled", false},
      {"remotePlugins", nlohmann::json::array()},
  };
  Response res = JsonResponse(200, settings.dump());
  res.set(bhttp::field::cache_control, "public, max-age=300");
  if (!vary.empty()) res.set(bhttp::field::vary, vary);
  respond(WithCors(std::move(res)));
}

}  // namespace tandem::http
