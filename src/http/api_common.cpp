#include "http/api_common.h"

#include "http/auth_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>

#include "auth/tokens.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/email_json.h"
#include "leads/lead_json.h"

namespace tandem::http {

using nlohmann::json;

// Text that is not UTF-8 (a received email's header, a trait) is answered with U+FFFD in
// its place rather than failing the whole answer.
Response Json(unsigned status, const json& body) {
  return JsonResponse(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

Response Text(unsigned status, std::string_view content_type, std::string body) {
  Response res{static_cast<boost::beast::http::status>(status), 11};
  res.set(boost::beast::http::field::content_type, content_type);
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response Html(unsigned status, std::string body) {
  Response res = Text(status, "text/html; charset=utf-8", std::move(body));
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  return res;
}

StatusOr<UserRecord> Authenticate(Store& store, const Clock& clock, const HttpRequest& request) {
  auto it = request.message.find(boost::beast::http::field::authorization);
  if (it == request.message.end()) {
    if (auto token = CookieValue(request, kSessionCookie)) {
      return AuthenticateSession(store, clock, request, *token);
    }
    return Unauthenticated("unauthenticated",
                           "missing \"Authorization: Bearer <token>\" (tokens come from `tandem "
                           "user add`) or a signed-in session");
  }
  std::string_view value(it->value().data(), it->value().size());
  if (!value.starts_with("Bearer ") || value.size() <= 7) {
    return Unauthenticated("unauthenticated",
                           "the Authorization header must be \"Bearer <token>\"");
  }
  const TimePoint now = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(auto found, store.FindApiToken(HashApiToken(value.substr(7)), now));
  if (!found) {
    return Unauthenticated("unauthenticated",
                           "the API token is not valid (never issued, revoked or expired)");
  }
  auto& [user, token] = *found;
  if (!user.active) return Unauthenticated("unauthenticated", "the token's user is deactivated");
  // The last use is written at most once per kTokenUseGranularity, not on every request.
  if (!token.last_used_at || now - *token.last_used_at >= kTokenUseGranularity) {
    if (Status noted = store.NoteApiTokenUse(token.id, now, kTokenUseGranularity); !noted.ok()) {
      spdlog::warn("could not record the use of API token tok_{}: {}", token.id, noted.message());
    }
  }
  return user;
}

std::string RateLimitedClient(const HttpRequest& request, bool trust_proxy) {
  if (trust_proxy) {
    auto it = request.message.find("X-Forwarded-For");
    if (it != request.message.end()) {
      std::string_view forwarded(it->value().data(), it->value().size());
      size_t comma = forwarded.rfind(',');
      std::string_view last =
          TrimSpace(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
      if (!last.empty()) return std::string(last);
    }
  }
  return request.peer_ip;
}

Response TooManyRequests(std::string_view code, std::string_view message,
                         std::chrono::seconds retry_after) {
  Response res = ErrorResponse(429, code, message);
  res.set(boost::beast::http::field::retry_after,
          std::to_string(std::max<int64_t>(1, retry_after.count())));
  return res;
}

ApiRateLimits::ApiRateLimits(Options options, const Clock& clock)
    : options_(options),
      clock_(clock),
      clients_(options.per_client),
      credentials_(options.per_credential) {}

std::optional<Response> ApiRateLimits::Check(const HttpRequest& request) {
  const TimePoint now = clock_.Now();
  const std::string client = RateLimitedClient(request, options_.trust_proxy);
  if (auto d = clients_.Take(client, now); !d.allowed) {
    return TooManyRequests(
        "rate_limited",
        fmt::format("too many API requests from {}; at most {} a minute (burst {})", client,
                    options_.per_client.per_minute, options_.per_client.burst),
        d.retry_after);
  }
  // The credential presented, valid or not: guessing tokens is limited by the client bucket.
  std::string_view credential;
  if (auto it = request.message.find(boost::beast::http::field::authorization);
      it != request.message.end()) {
    credential = std::string_view(it->value().data(), it->value().size());
  } else if (auto cookie = CookieValue(request, kSessionCookie)) {
    credential = *cookie;
  }
  if (credential.empty()) return std::nullopt;
  if (auto d = credentials_.Take(HashApiToken(credential), now); !d.allowed) {
    return TooManyRequests(
        "rate_limited",
        fmt::format("too many API requests with this token; at most {} a minute (burst {})",
                    options_.per_credential.per_minute, options_.per_credential.burst),
        d.retry_after);
  }
  return std::nullopt;
}

StatusOr<int64_t> FindLeadId(Store& store, std::string_view text) {
  auto id = ParseLeadId(text);
  if (!id) {
    return NotFound("not_found",
                    fmt::format("lead \"{}\" does not exist (lead ids look like ld_123)", text));
  }
  TANDEM_ASSIGN_OR_RETURN(auto resolved, store.ResolveLeadId(*id));
  if (!resolved)
    return NotFound("not_found", fmt::format("lead {} does not exist", LeadIdText(*id)));
  return *resolved;
}

StatusOr<int64_t> PathId(const HttpRequest& request, const char* name, const char* prefix,
                         const char* what) {
  const std::string text(request.params.Get(name));
  auto id = ParsePrefixedId(text, prefix);
  if (!id) return NotFound("not_found", fmt::format("{} {} does not exist", what, text));
  return *id;
}

StatusOr<json> ParseBody(const HttpRequest& request) {
  json body = json::parse(request.message.body(), nullptr, false);
  if (body.is_discarded())
    return InvalidArgument("invalid_json", "the request body is not valid JSON");
  if (!body.is_object())
    return InvalidArgument("invalid_json", "the request body must be a JSON object");
  return body;
}

StatusOr<std::optional<TimePoint>> TimeField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<TimePoint>();
  if (!it->is_string()) {
    return Unprocessable("invalid_field",
                         fmt::format("{} must be a date or an RFC 3339 time", name));
  }
  std::string text = it->get<std::string>();
  if (text.size() == 10) text += "T00:00:00Z";  // a date: its start, UTC
  auto t = ParseIsoTime(text);
  if (!t) {
    return Unprocessable("invalid_field",
                         fmt::format("{} \"{}\" is not a date (YYYY-MM-DD) or an RFC 3339 time",
                                     name, it->get<std::string>()));
  }
  return std::optional<TimePoint>(*t);
}

StatusOr<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return Unprocessable("invalid_field", fmt::format("{} must be a string", name));
  return it->get<std::string>();
}

namespace {

StatusOr<std::string> RenderWithItems(Store& store, const LeadEngine& engine,
                                      const LeadRecord& lead, std::vector<ScoreItem> items,
                                      TimePoint now, OwnerCache* owners) {
  TANDEM_ASSIGN_OR_RETURN(ScoreExplanation score, engine.ExplainScore(std::move(items), now));
  std::optional<UserRecord> owner;
  if (lead.owner_id) {
    auto cached = owners != nullptr ? owners->find(*lead.owner_id) : OwnerCache::iterator();
    if (owners != nullptr && cached != owners->end()) {
      owner = cached->second;
    } else {
      TANDEM_ASSIGN_OR_RETURN(owner, store.GetUser(*lead.owner_id));
      if (owners != nullptr) owners->emplace(*lead.owner_id, owner);
    }
  }
  return LeadJsonText(lead, owner, score);
}

}  // namespace

StatusOr<std::string> RenderLead(Store& store, const LeadEngine& engine, const LeadRecord& lead,
                                 TimePoint now, OwnerCache* owners) {
  TANDEM_ASSIGN_OR_RETURN(auto items, store.ListScoreItems(lead.id));
  return RenderWithItems(store, engine, lead, std::move(items), now, owners);
}

StatusOr<std::vector<std::string>> RenderLeads(Store& store, const LeadEngine& engine,
                                               std::span<const LeadRecord> leads, TimePoint now) {
  std::vector<int64_t> ids;
  ids.reserve(leads.size());
  for (const LeadRecord& lead : leads) ids.push_back(lead.id);
  TANDEM_ASSIGN_OR_RETURN(auto items, store.ListScoreItemsOf(ids));
  OwnerCache owners;  // a page has few owners; look each up once
  std::vector<std::string> out;
  out.reserve(leads.size());
  for (const LeadRecord& lead : leads) {
    TANDEM_ASSIGN_OR_RETURN(
        std::string rendered,
        RenderWithItems(store, engine, lead, std::move(items[lead.id]), now, &owners));
    out.push_back(std::move(rendered));
  }
  return out;
}

StatusOr<UserRecord> UserOfPath(Store& store, std::string_view id, const UserRecord& me) {
  if (id == "me") return me;
  const std::optional<int64_t> user_id = ParseUserId(id);
  std::optional<UserRecord> found;
  if (user_id) {
    TANDEM_ASSIGN_OR_RETURN(found, store.GetUser(*user_id));
  }
  if (!found) return NotFound("not_found", fmt::format("user \"{}\" does not exist", id));
  return *found;
}

}  // namespace tandem::http
