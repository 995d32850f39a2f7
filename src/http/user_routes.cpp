#include "http/user_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "auth/permissions.h"
#include "auth/tokens.h"
#include "contact/gate.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "core/zones.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/audit_routes.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace s = schema;

// Which part of the rule in auth/permissions.h a field of PATCH /users/{id} falls under.
std::optional<UserAction> ActionOf(std::string_view key) {
  if (key == "name" || key == "timezone" || key == "hours" || key == "out_of_office" ||
      key == "notify_by") {
    return UserAction::kEditProfile;
  }
  if (key == "capacity" || key == "team") return UserAction::kManage;
  if (key == "active") return UserAction::kSetActive;
  if (key == "role") return UserAction::kSetRole;
  return std::nullopt;
}

// Reads an out-of-office change: nullopt inside clears it. Dates are days in the user's
// own zone, resolved once the whole change (and so a new "timezone") is known.
StatusOr<std::optional<OutOfOfficeInput>> ParseOutOfOffice(const json& value) {
  if (value.is_null()) return std::optional<OutOfOfficeInput>();
  if (!value.is_object())
    return Unprocessable("invalid_field", "out_of_office must be {from, until} or null");
  TANDEM_ASSIGN_OR_RETURN(auto from, TimeField(value, "from"));
  TANDEM_ASSIGN_OR_RETURN(auto until, TimeField(value, "until"));
  if (!from || !until) return Unprocessable("invalid_field", "out_of_office needs from and until");
  // "until" a date means through that day.
  return std::optional<OutOfOfficeInput>(
      OutOfOfficeInput{*from, *until, value["from"].get<std::string>().size() == 10,
                       value["until"].get<std::string>().size() == 10});
}

Status ApplyOutOfOffice(UserRecord& u, const std::optional<OutOfOfficeInput>& input) {
  if (!input) {
    u.ooo_from.reset();
    u.ooo_until.reset();
    return OkStatus();
  }
  const auto [from, until] =
      ResolveOutOfOffice(*input, TimeZone::Find(u.timezone).value_or(TimeZone::Utc()));
  if (until <= from)
    return Unprocessable("invalid_field", "out_of_office.until must be after from");
  u.ooo_from = from;
  u.ooo_until = until;
  return OkStatus();
}

Status ApplyUserField(UserRecord& u, std::string_view key, const json& value) {
  if (key == "capacity") {
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 100000)
      return Unprocessable("invalid_field", "capacity must be an integer from 0 to 100000");
    u.capacity = value.get<int>();
    return OkStatus();
  }
  if (key == "active") {
    if (!value.is_boolean()) return Unprocessable("invalid_field", "active must be true or false");
    u.active = value.get<bool>();
    return OkStatus();
  }
  if (!value.is_string())
    return Unprocessable("invalid_field", fmt::format("{} must be a string", key));
  const std::string text = value.get<std::string>();
  if (key == "role") {
    std::optional<Role> role = ParseRole(text);
    if (!role) {
      return Unprocessable("invalid_field",
                           "role must be admin, marketing, sales_manager, sales_rep or viewer");
    }
    u.role = *role;
  } else if (key == "name") {
    u.name = text;
  } else if (key == "team") {
    u.team = text;
  } else if (key == "timezone") {
    u.timezone = text;
  } else if (key == "notify_by") {
    if (text != "email" && text != "none") {
      return Unprocessable("invalid_field", "notify_by must be email or none");
    }
    u.notify_by = text;
  } else if (key == "hours") {
    int h1, m1, h2, m2;
    if (std::sscanf(text.c_str(), "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4 ||
        h1 * 60 + m1 >= h2 * 60 + m2) {
      return Unprocessable("invalid_field", "hours must look like 09:00-17:30");
    }
    u.hours_start = h1 * 60 + m1;
    u.hours_end = h2 * 60 + m2;
  }
  return OkStatus();
}

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

RouteSpec UserSpec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec{.method = std::move(method),
                 .path = std::move(path),
                 .summary = std::move(summary),
                 .tag = "users"};
  spec.response = std::move(response);
  if (spec.path.ends_with("{user}")) {
    spec.path_params = {{"user", "usr_<n>, or me"}};
    spec.errors = {404};
  }
  return spec;
}

RouteSpec PatchUserSpec() {
  RouteSpec spec = UserSpec("PATCH", "/api/v1/users/{user}",
                            "Change a user: one's own settings; managers change reps; only admins "
                            "change roles",
                            s::Ref("User"));
  spec.request_body = s::Object({{"name", s::String()},
                                 {"role", s::String()},
                                 {"team", s::String()},
                                 {"timezone", s::String()},
                                 {"capacity", s::Integer()},
                                 {"hours", s::String("\"09:00-17:00\"")},
                                 {"active", s::Boolean()},
                                 {"revoke_tokens", s::Boolean()},
                                 {"out_of_office", {{"type", json::array({"object", "null"})}}},
                                 {"notify_by", s::Enum({"email", "none"})}});
  spec.errors = {400, 403, 404, 422};
  return spec;
}

RouteSpec TokenSpec(std::string method, std::string path, std::string summary, json response) {
  RouteSpec spec =
      UserSpec(std::move(method), std::move(path), std::move(summary), std::move(response));
  spec.tag = "tokens";
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

void UserRoutes::Register(Router& router) {
  auto authed = [this](auto body) { return Authed(store_, clock_, body); };
  router.Add(UserSpec("GET", "/api/v1/users", "The users", s::PageOf(s::Ref("User"))),
             authed([this](const HttpRequest&, const UserRecord&) { return ListUsers(); }));
  router.Add(UserSpec("GET", "/api/v1/users/{user}", "A user", s::Ref("User")),
             authed([this](const HttpRequest& r, const UserRecord& u) {
               return GetUser(u, r.params.Get("user"));
             }));
  router.Add(PatchUserSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return PatchUser(r, u, r.params.Get("user"));
             }));
  json team = s::Object({{"name", s::String()}, {"members", s::ArrayOf(s::String("usr_<n>"))}});
  RouteSpec teams =
      UserSpec("GET", "/api/v1/teams", "The teams and their members", s::PageOf(team));
  teams.tag = "teams";
  router.Add(std::move(teams),
             authed([this](const HttpRequest&, const UserRecord&) { return ListTeams(); }));
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

Response UserRoutes::ListTeams() {
  auto teams = store_.ListTeams();
  auto users = store_.ListUsers();
  if (!teams.ok()) return ErrorResponse(teams.status());
  if (!users.ok()) return ErrorResponse(users.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const std::string& team : *teams) {
    json members = json::array();
    for (const UserRecord& u : *users) {
      if (u.team == team) members.push_back(UserIdText(u.id));
    }
    out["items"].push_back({{"name", team}, {"members", members}});
  }
  return Json(200, out);
}

Response UserRoutes::ListUsers() {
  auto users = store_.ListUsers();
  if (!users.ok()) return ErrorResponse(users.status());
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  for (const UserRecord& u : *users) out["items"].push_back(UserToJson(u));
  return Json(200, out);
}

Response UserRoutes::GetUser(const UserRecord& user, std::string_view id) {
  if (id == "me") return Json(200, UserToJson(user));
  auto user_id = ParseUserId(id);
  auto found =
      user_id ? store_.GetUser(*user_id) : StatusOr<std::optional<UserRecord>>(std::nullopt);
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found)
    return ErrorResponse(404, "not_found", fmt::format("user \"{}\" does not exist", id));
  return Json(200, UserToJson(**found));
}

namespace {

struct UserChange {
  UserRecord user;
  bool revoke_tokens = false;
};

// One field of a PATCH, checked against what `actor` may do to `before`.
Status ApplyUserKey(const UserRecord& actor, const UserRecord& before, const std::string& key,
                    const json& value, UserChange& change,
                    std::optional<std::optional<OutOfOfficeInput>>& ooo) {
  if (key == "revoke_tokens") {
    if (!value.is_boolean())
      return Unprocessable("invalid_field", "revoke_tokens must be true or false");
    // Revoking someone's tokens is acting on them as a deactivation is.
    TANDEM_RETURN_IF_ERROR(CheckCanActOnUser(actor, before, UserAction::kSetActive));
    change.revoke_tokens = value.get<bool>();
    return OkStatus();
  }
  auto action = ActionOf(key);
  if (!action) {
    return Unprocessable(
        key == "id" || key == "email" || key == "created_at" ? "read_only_field" : "unknown_field",
        fmt::format("field \"{}\" cannot be changed (writable: name, timezone, hours, "
                    "out_of_office, capacity, team, active, role, revoke_tokens)",
                    key));
  }
  const std::string role = key == "role" && value.is_string() ? value.get<std::string>() : "";
  TANDEM_RETURN_IF_ERROR(CheckCanActOnUser(actor, before, *action, ParseRole(role)));
  if (key == "out_of_office") {
    TANDEM_ASSIGN_OR_RETURN(ooo, ParseOutOfOffice(value));
    return OkStatus();
  }
  return ApplyUserField(change.user, key, value);
}

// The body's changes to `before`, each checked against what `actor` may do.
StatusOr<UserChange> ApplyUserChanges(const UserRecord& actor, const UserRecord& before,
                                      const json& body) {
  if (!body.is_object() || body.empty()) {
    return Unprocessable("invalid_field",
                         "the body names no field to change (writable: name, timezone, hours, "
                         "out_of_office, capacity, team, active, role, revoke_tokens)");
  }
  UserChange change{before};
  std::optional<std::optional<OutOfOfficeInput>> ooo;  // inner nullopt clears
  for (const auto& [key, value] : body.items()) {
    TANDEM_RETURN_IF_ERROR(ApplyUserKey(actor, before, key, value, change, ooo));
  }
  if (ooo) {
    TANDEM_RETURN_IF_ERROR(ApplyOutOfOffice(change.user, *ooo));
  }
  if (change.revoke_tokens && change.user.active) {
    return Unprocessable("invalid_field",
                         "revoke_tokens goes with \"active\": false (to revoke one token, "
                         "DELETE /api/v1/tokens/{id})");
  }
  return change;
}

}  // namespace

Response UserRoutes::PatchUser(const HttpRequest& request, const UserRecord& user,
                               std::string_view id) {
  auto user_id = id == "me" ? std::optional<int64_t>(user.id) : ParseUserId(id);
  auto found =
      user_id ? store_.GetUser(*user_id) : StatusOr<std::optional<UserRecord>>(std::nullopt);
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found)
    return ErrorResponse(404, "not_found", fmt::format("user \"{}\" does not exist", id));
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  const UserRecord before = **found;
  auto change = ApplyUserChanges(user, before, *body);
  if (!change.ok()) return ErrorResponse(change.status());
  UserRecord& u = change->user;
  const bool revoke_tokens = change->revoke_tokens;
  u.updated_at = clock_.Now();
  if (Status s = store_.UpdateUser(u); !s.ok()) return ErrorResponse(s);
  // Deactivation ends the user's sessions, so that a reactivation does not revive them.
  if (u.active != before.active) {
    if (Status s = store_.EndSessions(u.id); !s.ok()) return ErrorResponse(s);
  }
  json changed = json::object();
  if (revoke_tokens) {
    auto n = store_.RevokeApiTokens(u.id);
    if (!n.ok()) return ErrorResponse(n.status());
    changed["tokens_revoked"] = *n;
  }
  if (u.role != before.role) {
    changed["role"] = {{"from", RoleName(before.role)}, {"to", RoleName(u.role)}};
  }
  if (u.active != before.active) changed["active"] = {{"from", before.active}, {"to", u.active}};
  if (!changed.empty()) {
    AuditDone(store_, clock_, user, audit_action::kUserChanged, UserIdText(u.id), changed.dump());
  }
  return Json(200, UserToJson(u));
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
