#include "http/auth_routes.h"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "auth/passwords.h"
#include "auth/permissions.h"
#include "auth/tokens.h"
#include "core/random.h"
#include "core/text.h"
#include "core/time_format.h"
#include "http/api_common.h"
#include "http/api_schemas.h"
#include "http/query_params.h"
#include "leads/lead_json.h"

namespace tandem::http {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;
namespace s = schema;

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

namespace {

SignInThrottle::Options ThrottleOptions(const AuthConfig& auth, const LimitsConfig& limits) {
  SignInThrottle::Options o;
  o.per_client = {static_cast<double>(limits.signin_per_client_per_minute),
                  static_cast<double>(limits.signin_per_client_burst)};
  o.per_address = {
      static_cast<double>(auth.max_failed_logins) / static_cast<double>(auth.lockout_minutes),
      static_cast<double>(auth.max_failed_logins)};
  return o;
}

// The email and password of a sign-in, from JSON or a form.
StatusOr<std::pair<std::string, std::string>> ReadCredentials(const HttpRequest& request) {
  std::string email, password;
  if (Header(request, "Content-Type").starts_with("application/x-www-form-urlencoded")) {
    auto form = ParseQuery(request.message.body());
    email = form["email"];
    password = form["password"];
  } else {
    TANDEM_ASSIGN_OR_RETURN(json body, ParseBody(request));
    if (!body.value("email", json()).is_string() || !body.value("password", json()).is_string()) {
      return InvalidArgument("invalid_field", "email and password must be strings");
    }
    email = body["email"].get<std::string>();
    password = body["password"].get<std::string>();
  }
  email = std::string(TrimSpace(email));
  if (email.empty() || password.empty()) {
    return InvalidArgument("invalid_field", "email and password are required");
  }
  return std::make_pair(std::move(email), std::move(password));
}

}  // namespace

AuthRoutes::AuthRoutes(Store& store, const Clock& clock, Options options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      throttle_(ThrottleOptions(options_.auth, options_.limits)),
      workers_(
          std::make_unique<PasswordWorkers>(static_cast<int>(options_.limits.password_threads),
                                            static_cast<size_t>(options_.limits.password_queue))),
      refusals_(std::make_unique<DelayedAnswers>(/*max_held=*/10000)) {}

void AuthRoutes::Register(Router& router) {
  router.Add("POST", "/auth/login", [this](HttpRequest&& request, Responder respond) {
    Login(std::move(request), std::move(respond));
  });
  router.Add("GET", "/auth/session",
             [this](HttpRequest&& request, Responder respond) { respond(Session(request)); });
  router.Add("POST", "/auth/logout",
             [this](HttpRequest&& request, Responder respond) { respond(Logout(request)); });
  RegisterPasswordLinks(router);
  RouteSpec unlock{.method = "POST",
                   .path = "/api/v1/users/{user}/unlock",
                   .summary =
                       "Give a user whose address ran out of sign-in attempts their "
                       "attempts back (admins; managers for lower roles)",
                   .tag = "users"};
  unlock.path_params = {{"user", "usr_<n>"}};
  unlock.response = s::Object({{"user", s::String("usr_<n>")}, {"unlocked", s::Boolean()}});
  unlock.errors = {403, 404};
  router.Add(std::move(unlock),
             Authed(store_, clock_, [this](const HttpRequest& r, const UserRecord& actor) {
               return Unlock(actor, r.params.Get("user"));
             }));
}

Response AuthRoutes::Unlock(const UserRecord& actor, std::string_view id) {
  auto found = UserOfPath(store_, id == "me" ? std::string_view() : id, actor);
  if (!found.ok()) return ErrorResponse(found.status());
  if (Status allowed = CheckCanActOnUser(actor, *found, UserAction::kManage); !allowed.ok()) {
    return ErrorResponse(allowed);
  }
  throttle_.Unlock(found->email);
  return JsonResponse(200,
                      nlohmann::json{{"user", UserIdText(found->id)}, {"unlocked", true}}.dump());
}

std::chrono::milliseconds AuthRoutes::RefusalDelay() const {
  return std::chrono::milliseconds(options_.limits.signin_refusal_delay_ms);
}

bool AuthRoutes::SecureCookie(const HttpRequest& request) const {
  return options_.public_url.starts_with("https://") ||
         (options_.trust_proxy && EqualsNoCase(Header(request, "X-Forwarded-Proto"), "https"));
}

std::string AuthRoutes::Cookie(bool secure, std::string_view value, int64_t max_age_s) const {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     value, max_age_s, secure ? "; Secure" : "");
}

// A page of another site must not sign a browser in to an account of its choosing.
std::optional<Response> AuthRoutes::CrossOrigin(const HttpRequest& request,
                                                std::string_view what) const {
  std::string_view origin = Header(request, "Origin");
  if (origin.empty()) return std::nullopt;
  std::string_view public_url = options_.public_url;
  while (public_url.ends_with('/')) public_url.remove_suffix(1);
  if (OriginHost(origin) == Header(request, "Host") || origin == public_url) return std::nullopt;
  return ErrorResponse(403, "cross_origin",
                       fmt::format("{} from another site ({}) is refused", what, origin));
}

void AuthRoutes::Login(HttpRequest&& request, Responder respond) {
  if (auto refused = CrossOrigin(request, "sign-in")) return respond(std::move(*refused));
  auto credentials = ReadCredentials(request);
  if (!credentials.ok()) return respond(ErrorResponse(credentials.status()));
  auto attempt = std::make_shared<Attempt>();
  attempt->email = std::move(credentials->first);
  attempt->password = std::move(credentials->second);
  attempt->client = RateLimitedClient(request, options_.trust_proxy);
  attempt->secure_cookie = SecureCookie(request);
  const TimePoint now = clock_.Now();
  // Refused before any hashing: the same answer for every address, known or not.
  attempt->admission = throttle_.Admit(attempt->client, attempt->email, now);
  if (!attempt->admission.allowed) {
    const std::chrono::seconds wait = attempt->admission.retry_after;
    return refusals_->Answer(
        std::move(respond),
        TooManyRequests("too_many_attempts",
                        fmt::format("too many sign-in attempts for this address or from this "
                                    "client; try again in {} seconds",
                                    wait.count()),
                        wait),
        RefusalDelay());
  }
  auto responder = std::make_shared<Responder>(std::move(respond));
  const bool queued =
      workers_->TrySubmit([this, attempt, responder] { (*responder)(CheckPassword(*attempt)); });
  if (!queued) {
    throttle_.NotChecked(attempt->client, attempt->email, attempt->admission, now);
    Response busy =
        ErrorResponse(503, "signin_busy", "too many sign-ins are being checked; try again");
    busy.set(bhttp::field::retry_after, "1");
    refusals_->Answer(std::move(*responder), std::move(busy), RefusalDelay());
  }
}

Response AuthRoutes::CheckPassword(const Attempt& attempt) {
  auto credentials = store_.FindCredentials(attempt.email);
  if (!credentials.ok()) return ErrorResponse(credentials.status());
  const std::optional<Credentials>& c = *credentials;
  // Every refusal costs one hash and reads the same: an unknown address is checked against
  // a dummy hash, and a deactivated user is not told that the password was right.
  const bool has_password = c && !c->password_hash.empty();
  const bool matches =
      VerifyPassword(has_password ? c->password_hash : DummyPasswordHash(), attempt.password);
  if (!matches || !has_password || !c->user.active) {
    return ErrorResponse(401, "invalid_credentials", "the email address or the password is wrong");
  }
  throttle_.Succeeded(attempt.client, attempt.email, attempt.admission, clock_.Now());
  return OpenSession(c->user, attempt.secure_cookie);
}

Response AuthRoutes::OpenSession(const UserRecord& user, bool secure_cookie) {
  const TimePoint now = clock_.Now();
  const std::string token = "tds_" + RandomToken(32);
  SessionRecord session;
  session.token_hash = HashApiToken(token);
  session.user_id = user.id;
  session.csrf_token = RandomToken(32);
  session.created_at = now;
  session.expires_at = now + std::chrono::hours(options_.auth.session_hours);
  if (Status ok = store_.CreateSession(session); !ok.ok()) return ErrorResponse(ok);
  Response res = Json(200, SessionJson(user, session));
  res.set(bhttp::field::set_cookie,
          Cookie(secure_cookie, token, options_.auth.session_hours * 3600));
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
  res.set(bhttp::field::set_cookie, Cookie(SecureCookie(request), "", 0));
  return res;
}

}  // namespace tandem::http
