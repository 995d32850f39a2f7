// UserRoutes' API tokens: listed, created (the secret shown once) and revoked.
#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "auth/tokens.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "http/user_routes.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

std::optional<int64_t> ParseTokenId(std::string_view text) {
  if (!text.starts_with("tok_")) return std::nullopt;
  text.remove_prefix(4);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

json TokenToJson(const ApiTokenRecord& t, TimePoint now) {
  auto time = [](const std::optional<TimePoint>& at) -> json {
    return at ? json(FormatIsoTime(*at)) : json(nullptr);
  };
  return {{"id", fmt::format("tok_{}", t.id)},
          {"user_id", UserIdText(t.user_id)},
          {"name", t.name},
          {"created_at", FormatIsoTime(t.created_at)},
          {"expires_at", time(t.expires_at)},
          {"expired", t.expires_at && *t.expires_at <= now},
          {"last_used_at", time(t.last_used_at)}};
}

RouteSpec TokenSpec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "tokens"};
  spec.response = std::move(response);
  return spec;
}

RouteSpec ListTokensSpec() {
  RouteSpec spec = TokenSpec("GET", "/api/v1/tokens", "API tokens: one's own; admins any user's",
                             s::PageOf(s::Ref("Token")));
  spec.query = {{"user", "usr_<n>, or all (admins)"}};
  spec.errors = {400, 403};
  return spec;
}

RouteSpec CreateTokenSpec() {
  json answer = {
      {"allOf", {s::Ref("Token"), s::Object({{"token", s::String("the secret")}}, {"token"})}}};
  RouteSpec spec = TokenSpec("POST", "/api/v1/tokens",
                             "A new API token of one's own; the secret is in the answer, once",
                             std::move(answer));
  spec.request_body = s::Object(
      {{"name", s::String()}, {"expires_in_days", s::Integer("none: it does not expire")}},
      {"name"});
  spec.status = 201;
  spec.errors = {400, 422};
  return spec;
}

RouteSpec RevokeTokenSpec() {
  RouteSpec spec =
      TokenSpec("DELETE", "/api/v1/tokens/{token_id}", "Revoke a token: one's own; admins any",
                s::Object({{"revoked", s::String()}}));
  spec.path_params = {{"token_id", "tok_<n>"}};
  spec.errors = {404};
  return spec;
}

}  // namespace

void UserRoutes::RegisterTokens(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(ListTokensSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return ListTokens(r, u);
             }));
  router.Add(CreateTokenSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return CreateToken(r, u);
             }));
  router.Add(RevokeTokenSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return RevokeToken(u, r.params.Get("token_id"));
             }));
}

Response UserRoutes::ListTokens(const HttpRequest& request, const UserRecord& user) {
  auto query = ParseQuery(request.query());
  std::optional<int64_t> owner = user.id;
  if (auto it = query.find("user"); it != query.end() && it->second != "me") {
    if (it->second == "all") {
      owner.reset();
    } else if (auto id = ParseUserId(it->second)) {
      owner = *id;
    } else {
      return ErrorResponse(
          400, "invalid_parameter",
          fmt::format("user \"{}\" must be me, all or a user id such as usr_3", it->second));
    }
  }
  if (Status allowed = CheckCanManageTokens(user, owner.value_or(0)); !allowed.ok())
    return ErrorResponse(allowed);
  auto tokens = store_.ListApiTokens(owner);
  if (!tokens.ok()) return ErrorResponse(tokens.status());
  const TimePoint now = clock_.Now();
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const ApiTokenRecord& t : *tokens) out["items"].push_back(TokenToJson(t, now));
  return Json(200, out);
}

Response UserRoutes::CreateToken(const HttpRequest& request, const UserRecord& user) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto name = StringField(*body, "name");
  if (!name.ok()) return ErrorResponse(name.status());
  if (name->size() > 200)
    return ErrorResponse(422, "invalid_field", "name may have at most 200 characters");
  ApiTokenRecord token;
  token.user_id = user.id;
  token.name = *name;
  token.created_at = clock_.Now();
  if (auto days = body->find("expires_in_days"); days != body->end() && !days->is_null()) {
    if (!days->is_number_integer() || days->get<int64_t>() < 1 || days->get<int64_t>() > 3650) {
      return ErrorResponse(422, "invalid_field",
                           "expires_in_days must be a whole number of days from 1 to 3650");
    }
    token.expires_at = token.created_at + std::chrono::days(days->get<int64_t>());
  }
  const std::string secret = NewApiToken();
  auto created = store_.CreateApiToken(token, HashApiToken(secret));
  if (!created.ok()) return ErrorResponse(created.status());
  json out = TokenToJson(*created, token.created_at);
  AuditDone(store_, clock_, user, audit_action::kTokenCreated, out["id"].get<std::string>(),
            json{{"owner", UserIdText(user.id)}, {"name", token.name}}.dump());
  out["token"] = secret;
  return Json(201, out);
}

Response UserRoutes::RevokeToken(const UserRecord& user, std::string_view id) {
  auto token_id = ParseTokenId(id);
  auto found = token_id ? store_.GetApiToken(*token_id)
                        : StatusOr<std::optional<ApiTokenRecord>>(std::nullopt);
  if (!found.ok()) return ErrorResponse(found.status());
  auto missing = [&] {
    return ErrorResponse(
        404, "not_found",
        fmt::format("token \"{}\" does not exist (token ids look like tok_12)", id));
  };
  if (!*found) return missing();
  // Another user's token is "not found" to those who may not manage it: ids are not secrets,
  // but there is no reason to confirm them either.
  if (!CheckCanManageTokens(user, (*found)->user_id).ok()) return missing();
  auto revoked = store_.RevokeApiToken(*token_id);
  if (!revoked.ok()) return ErrorResponse(revoked.status());
  if (!*revoked) return missing();
  AuditDone(store_, clock_, user, audit_action::kTokenRevoked, fmt::format("tok_{}", *token_id),
            json{{"owner", UserIdText((*found)->user_id)}}.dump());
  return Json(200, {{"revoked", std::string(id)}});
}

}  // namespace tandem::http
