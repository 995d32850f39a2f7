#include "http/user_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/password_links.h"
#include "auth/permissions.h"
#include "contact/gate.h"
#include "core/ids.h"
#include "core/text.h"
#include "core/time_format.h"
#include "core/zones.h"
#include "email/mime.h"
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

// A name or team: it ends up in mail headers and on every page.
bool OneLineOfText(std::string_view text) {
  if (text.size() > 200 || ValidUtf8(text) != text) return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
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
  if ((key == "name" || key == "team") && !OneLineOfText(text)) {
    return Unprocessable("invalid_field",
                         fmt::format("{} must be one line of text of at most 200 bytes, without "
                                     "control characters",
                                     key));
  }
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
    if (!TimeZone::Find(text)) {
      return Unprocessable(
          "invalid_field",
          fmt::format("timezone \"{}\" is not a time zone such as Europe/Berlin", text));
    }
    u.timezone = text;
  } else if (key == "notify_by") {
    if (text != "email" && text != "none") {
      return Unprocessable("invalid_field", "notify_by must be email or none");
    }
    u.notify_by = text;
  } else if (key == "hours") {
    int h1, m1, h2, m2;
    char end = 0;
    if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &end) != 4 || h1 < 0 ||
        h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 ||
        (h2 == 24 && m2 != 0) || text.find_first_of("+ ") != std::string::npos ||
        h1 * 60 + m1 >= h2 * 60 + m2) {
      return Unprocessable("invalid_field", "hours must look like 09:00-17:30");
    }
    u.hours_start = h1 * 60 + m1;
    u.hours_end = h2 * 60 + m2;
  }
  return OkStatus();
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

json PasswordLinkSchema() {
  return s::Object({{"url", s::String("the page that sets the password, once")},
                    {"expires_at", s::String("date-time")},
                    {"emailed", s::Boolean()}});
}

RouteSpec InviteSpec() {
  RouteSpec spec =
      UserSpec("POST", "/api/v1/users",
               "Invite a user: admins any role, managers roles below their own; the "
               "answer holds the link that sets the first password",
               s::Object({{"user", s::Ref("User")}, {"password_link", PasswordLinkSchema()}}));
  spec.request_body = s::Object({{"email", s::String()},
                                 {"name", s::String()},
                                 {"role", s::String()},
                                 {"team", s::String()},
                                 {"timezone", s::String()},
                                 {"capacity", s::Integer()},
                                 {"hours", s::String("\"09:00-17:00\"")},
                                 {"notify_by", s::Enum({"email", "none"})}});
  spec.status = 201;
  spec.errors = {400, 403, 409, 422};
  return spec;
}

RouteSpec ResetSpec() {
  RouteSpec spec = UserSpec("POST", "/api/v1/users/{user}/password-link",
                            "A link that sets a new password (admins; managers for lower roles)",
                            PasswordLinkSchema());
  spec.path_params = {{"user", "usr_<n>"}};
  spec.status = 201;
  spec.errors = {403, 404, 422};
  return spec;
}

// The new user a POST /api/v1/users body describes: email, name and role required.
StatusOr<UserRecord> NewUserFrom(const json& body, TimePoint now) {
  if (!body.is_object()) return Unprocessable("invalid_field", "the body must be a JSON object");
  UserRecord u;
  for (const auto& [key, value] : body.items()) {
    if (key == "email") {
      const std::string email =
          value.is_string() ? std::string(TrimSpace(value.get<std::string>())) : "";
      if (!tandem::email::IsValidMailAddress(email)) {
        return Unprocessable("invalid_field", "email must be an email address (name@example.com)");
      }
      u.email = email;
    } else if (key == "name" || key == "role" || key == "team" || key == "timezone" ||
               key == "capacity" || key == "hours" || key == "notify_by") {
      TANDEM_RETURN_IF_ERROR(ApplyUserField(u, key, value));
    } else {
      return Unprocessable("unknown_field",
                           fmt::format("field \"{}\" is not part of a new user (fields: email, "
                                       "name, role, team, timezone, capacity, hours, notify_by)",
                                       key));
    }
  }
  if (u.email.empty()) return Unprocessable("missing_field", "email is required");
  if (TrimSpace(u.name).empty()) return Unprocessable("missing_field", "name is required");
  if (!body.contains("role")) return Unprocessable("missing_field", "role is required");
  u.created_at = u.updated_at = now;
  return u;
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
  router.Add(InviteSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return InviteUser(r, u);
             }));
  router.Add(ResetSpec(), authed([this](const HttpRequest& r, const UserRecord& u) {
               return ResetPassword(u, r.params.Get("user"));
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
  RegisterTokens(router);
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
  auto found = UserOfPath(store_, id, user);
  if (!found.ok()) return ErrorResponse(found.status());
  return Json(200, UserToJson(*found));
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
  // "me" is read again: the one the session loaded may be a moment old.
  auto found = UserOfPath(store_, id == "me" ? UserIdText(user.id) : id, user);
  if (!found.ok()) return ErrorResponse(found.status());
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  const UserRecord before = *found;
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

Response UserRoutes::InviteUser(const HttpRequest& request, const UserRecord& actor) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  auto user = NewUserFrom(*body, clock_.Now());
  if (!user.ok()) return ErrorResponse(user.status());
  if (Status allowed = CheckCanActOnUser(actor, *user, UserAction::kSetRole, user->role);
      !allowed.ok()) {
    return ErrorResponse(
        403, "forbidden",
        actor.role == Role::kAdmin || !RoleHas(actor.role, Permission::kManageUsers)
            ? std::string(allowed.message())
            : fmt::format("a {} invites people of a lower role only (viewer, sales_rep, "
                          "marketing), not a {}",
                          RoleName(actor.role), RoleName(user->role)));
  }
  // The address in any case is the same person's (sign-in matches it so).
  auto existing = store_.FindCredentials(user->email);
  if (!existing.ok()) return ErrorResponse(existing.status());
  if (*existing) {
    return ErrorResponse(409, "user_exists",
                         fmt::format("{} is already a user ({}); to let them set a new password, "
                                     "send a password link",
                                     (*existing)->user.email, (*existing)->user.name));
  }
  auto created = store_.CreateUser(*user);
  if (!created.ok()) return ErrorResponse(created.status());
  AuditDone(store_, clock_, actor, audit_action::kUserAdded, UserIdText(created->id),
            json{{"role", RoleName(created->role)}, {"invited", true}}.dump());
  auto link = IssuePasswordLink(actor, *created, /*invite=*/true);
  if (!link.ok()) return ErrorResponse(link.status());
  return Json(201, {{"user", UserToJson(*created)}, {"password_link", std::move(*link)}});
}

Response UserRoutes::ResetPassword(const UserRecord& actor, std::string_view id) {
  auto found = UserOfPath(store_, id == "me" ? std::string_view() : id, actor);
  if (!found.ok()) return ErrorResponse(found.status());
  const UserRecord& user = *found;
  if (user.id == actor.id) {
    return ErrorResponse(403, "forbidden",
                         "change your own password by signing in; a password link is for "
                         "someone else");
  }
  if (Status allowed = CheckCanActOnUser(actor, user, UserAction::kSetActive); !allowed.ok()) {
    return ErrorResponse(allowed);
  }
  if (!user.active) {
    return ErrorResponse(422, "inactive_user",
                         fmt::format("{} is deactivated; reactivate them first", user.name));
  }
  auto link = IssuePasswordLink(actor, user, /*invite=*/false);
  if (!link.ok()) return ErrorResponse(link.status());
  AuditDone(store_, clock_, actor, audit_action::kUserChanged, UserIdText(user.id),
            json{{"password_link", "issued"}}.dump());
  return Json(201, std::move(*link));
}

StatusOr<json> UserRoutes::IssuePasswordLink(const UserRecord& actor, const UserRecord& user,
                                             bool invite) {
  const TimePoint now = clock_.Now();
  NewPasswordLink link = MakePasswordLink(
      user.id, invite ? PasswordLinkPurpose::kInvite : PasswordLinkPurpose::kReset, actor.id, now);
  TANDEM_RETURN_IF_ERROR(store_.CreatePasswordLink(link.record));
  const std::string url =
      PasswordLinkUrl(web_address_ ? web_address_() : std::string("/"), link.token);
  const TimeZone zone = TimeZone::Find(user.timezone).value_or(TimeZone::Utc());
  const std::string until = LocalMinuteText(zone, link.record.expires_at);
  bool emailed = false;
  if (mail_) {
    const std::string subject = invite ? fmt::format("{} invited you to Tandem", actor.name)
                                       : std::string("Set a new password for Tandem");
    const std::string text =
        invite ? fmt::format(
                     "Hello {},\n\n{} added you to Tandem as {}{}. Choose your password "
                     "here; the link works once, until {}:\n\n{}\n\nThen sign in with "
                     "{}.",
                     user.name, actor.name, RoleName(user.role),
                     user.team.empty() ? "" : " in team " + user.team, until, url, user.email)
               : fmt::format(
                     "Hello {},\n\n{} asked Tandem for a new password for you. Choose it "
                     "here; the link works once, until {}:\n\n{}\n\nUntil you use it, "
                     "nothing changes.",
                     user.name, actor.name, until, url);
    TANDEM_ASSIGN_OR_RETURN(emailed, mail_(user, subject, text));
  }
  // Emailed, the link goes to its user only: whoever made it never holds it.
  return json{{"url", emailed ? json(nullptr) : json(url)},
              {"expires_at", FormatIsoTime(link.record.expires_at)},
              {"emailed", emailed}};
}

}  // namespace tandem::http
