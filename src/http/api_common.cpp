#include "http/api_common.h"

#include "http/auth_routes.h"

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include "auth/tokens.h"
#include "core/time_format.h"
#include "leads/lead_json.h"

namespace tandem::http {

using nlohmann::json;

Response Json(unsigned status, const json& body) { return JsonResponse(status, body.dump()); }

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
  TANDEM_ASSIGN_OR_RETURN(auto user, store.FindUserByTokenHash(HashApiToken(value.substr(7))));
  if (!user) return Unauthenticated("unauthenticated", "the API token is not valid");
  if (!user->active) return Unauthenticated("unauthenticated", "the token's user is deactivated");
  return *user;
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

StatusOr<std::string> RenderLead(Store& store, const LeadEngine& engine, const LeadRecord& lead,
                                 TimePoint now, OwnerCache* owners) {
  TANDEM_ASSIGN_OR_RETURN(auto items, store.ListScoreItems(lead.id));
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
  return LeadToJson(lead, owner, score).dump();
}

}  // namespace tandem::http
