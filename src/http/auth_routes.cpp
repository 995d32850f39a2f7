#include "http/auth_routes.h"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "auth/passwords.h"
#include "auth/tokens.h"
#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;

std::string_view Header(const HttpRequest& request, std::string_view name) {
  auto it = request.message.find(name);
  if (it == request.message.end()) return {};
  return {it->value().data(), it->value().size()};
}

bool SafeMethod(const HttpRequest& request) {
  return request.message.method() == bhttp::verb::get ||
         request.message.method() == bhttp::verb::head;
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The host:port part of an Origin header ("https://crm.example.com" → "crm.example.com").
std::string_view OriginHost(std::string_view origin) {
  size_t scheme = origin.find("://");
  return scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
}

json SessionJson(const UserRecord& user, const SessionRecord& session) {
  return {{"user", UserToJson(user)},
          {"csrf_token", session.csrf_token},
          {"expires_at", FormatIsoTime(session.expires_at)}};
}

}  // namespace

std::optional<std::string_view> CookieValue(const HttpRequest& request, std::string_view name) {
  for (auto it = request.message.find(bhttp::field::cookie);
       it != request.message.end() && it->name() == bhttp::field::cookie; ++it) {
    std::string_view header(it->value().data(), it->value().size());
    while (!header.empty()) {
      size_t end = header.find(';');
      std::string_view pair = TrimSpace(header.substr(0, end));
      header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

StatusOr<UserRecord> AuthenticateSession(Store& store, const Clock& clock,
                                         const HttpRequest& request, std::string_view token) {
  TANDEM_ASSIGN_OR_RETURN(auto found, store.FindSession(HashApiToken(token), clock.Now()));
  if (!found) {
    return Unauthenticated("unauthenticated", "the session has ended; sign in again");
  }
  auto& [user, session] = *found;
  if (!user.active) return Unauthenticated("unauthenticated", "the user is deactivated");
  if (!SafeMethod(request) && !SameSecret(Header(request, "X-CSRF-Token"), session.csrf_token)) {
    return PermissionDenied("csrf_failed",
                            "a change made with a session must carry the session's X-CSRF-Token "
                            "header (GET /auth/session gives it)");
  }
  return user;
}

void AuthRoutes::Register(Router& router) {
  router.Add("POST", "/auth/login",
             [this](HttpRequest&& request, Responder respond) { respond(Login(request)); });
  router.Add("GET", "/auth/session",
             [this](HttpRequest&& request, Responder respond) { respond(Session(request)); });
  router.Add("POST", "/auth/logout",
             [this](HttpRequest&& request, Responder respond) { respond(Logout(request)); });
}

std::string AuthRoutes::Cookie(const HttpRequest& request, std::string_view value,
                               int64_t max_age_s) const {
  const bool secure =
      options_.public_url.starts_with("https://") ||
      (options_.trust_proxy && EqualsNoCase(Header(request, "X-Forwarded-Proto"), "https"));
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     value, max_age_s, secure ? "; Secure" : "");
}

Response AuthRoutes::Login(const HttpRequest& request) {
  // A page of another site must not sign a browser in to an account of its choosing.
  if (std::string_view origin = Header(request, "Origin"); !origin.empty()) {
    std::string_view public_url = options_.public_url;
    while (public_url.ends_with('/')) public_url.remove_suffix(1);
    if (OriginHost(origin) != Header(request, "Host") && origin != public_url) {
      return ErrorResponse(403, "cross_origin",
                           fmt::format("sign-in from another site ({}) is refused", origin));
    }
  }
  std::string email, password;
  std::string_view type = Header(request, "Content-Type");
  if (type.starts_with("application/x-www-form-urlencoded")) {
    auto form = ParseQuery(request.message.body());
    email = form["email"];
    password = form["password"];
  } else {
    auto body = ParseBody(request);
    if (!body.ok()) return ErrorResponse(body.status());
    if (!body->value("email", json()).is_string() || !body->value("password", json()).is_string()) {
      return ErrorResponse(400, "invalid_field", "email and password must be strings");
    }
    email = (*body)["email"].get<std::string>();
    password = (*body)["password"].get<std::string>();
  }
  email = std::string(TrimSpace(email));
  if (email.empty() || password.empty()) {
    return ErrorResponse(400, "invalid_field", "email and password are required");
  }
  const TimePoint now = clock_.Now();
  auto credentials = store_.FindCredentials(email);
  if (!credentials.ok()) return ErrorResponse(credentials.status());
  const std::optional<Credentials>& c = *credentials;
  if (c && c->locked_until && *c->locked_until > now) {
    const int64_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(*c->locked_until - now).count() + 1;
    Response res = ErrorResponse(429, "account_locked",
                                 fmt::format("too many wrong passwords: sign-in is locked until {}",
                                             FormatIsoTime(*c->locked_until)));
    res.set(bhttp::field::retry_after, std::to_string(seconds));
    return res;
  }
  // Unknown addresses are checked against a dummy hash: the same answer, the same time.
  const bool has_password = c && !c->password_hash.empty();
  const bool matches =
      VerifyPassword(has_password ? c->password_hash : DummyPasswordHash(), password) &&
      has_password;
  if (!matches) {
    if (c) {
      const TimePoint lock_until = now + std::chrono::minutes(options_.auth.lockout_minutes);
      auto failures = store_.RecordLoginFailure(
          c->user.id, static_cast<int>(options_.auth.max_failed_logins), lock_until);
      if (!failures.ok()) return ErrorResponse(failures.status());
      if (*failures >= options_.auth.max_failed_logins) {
        Response res =
            ErrorResponse(429, "account_locked",
                          fmt::format("too many wrong passwords: sign-in is locked for {} minutes",
                                      options_.auth.lockout_minutes));
        res.set(bhttp::field::retry_after, std::to_string(options_.auth.lockout_minutes * 60));
        return res;
      }
    }
    return ErrorResponse(401, "invalid_credentials", "the email address or the password is wrong");
  }
  if (!c->user.active) {
    return ErrorResponse(401, "invalid_credentials", "this user is deactivated");
  }
  if (Status ok = store_.RecordLoginSuccess(c->user.id); !ok.ok()) return ErrorResponse(ok);
  const std::string token = "tds_" + RandomToken(32);
  SessionRecord session;
  session.token_hash = HashApiToken(token);
  session.user_id = c->user.id;
  session.csrf_token = RandomToken(32);
  session.created_at = now;
  session.expires_at = now + std::chrono::hours(options_.auth.session_hours);
  if (Status ok = store_.CreateSession(session); !ok.ok()) return ErrorResponse(ok);
  Response res = Json(200, SessionJson(c->user, session));
  res.set(bhttp::field::set_cookie, Cookie(request, token, options_.auth.session_hours * 3600));
  return res;
}

Response AuthRoutes::Session(const HttpRequest& request) {
  auto token = CookieValue(request, kSessionCookie);
  if (!token) return ErrorResponse(401, "unauthenticated", "not signed in");
  auto found = store_.FindSession(HashApiToken(*token), clock_.Now());
  if (!found.ok()) return ErrorResponse(found.status());
  if (!*found || !(*found)->first.active) {
    return ErrorResponse(401, "unauthenticated", "the session has ended; sign in again");
  }
  return Json(200, SessionJson((*found)->first, (*found)->second));
}

Response AuthRoutes::Logout(const HttpRequest& request) {
  auto token = CookieValue(request, kSessionCookie);
  if (!token) return ErrorResponse(401, "unauthenticated", "not signed in");
  auto user = AuthenticateSession(store_, clock_, request, *token);
  if (!user.ok()) return ErrorResponse(user.status());
  if (Status ok = store_.DeleteSession(HashApiToken(*token)); !ok.ok()) return ErrorResponse(ok);
  Response res = Json(200, {{"signed_out", true}});
  res.set(bhttp::field::set_cookie, Cookie(request, "", 0));
  return res;
}

}  // namespace tandem::http
