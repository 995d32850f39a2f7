// AuthRoutes: signing in to the web app with an email and a password.
//
//   POST /auth/login   {"email","password"} (JSON or a form) → a session cookie
//                      (HttpOnly, SameSite=Strict, Secure behind TLS) and the CSRF token
//   GET  /auth/session the signed-in user and the CSRF token (401 when signed out)
//   POST /auth/logout  ends the session (needs X-CSRF-Token)
//   POST /auth/password-link {"token"} → whose password the link sets (404 once used,
//                      expired or replaced)
//   POST /auth/password {"token","password"} → sets the password from an invite or reset
//                      link (once) and signs in, as /auth/login answers
//   POST /api/v1/users/{user}/unlock  an admin or a manager (of a lower role) gives a
//                      user whose address ran out of attempts their attempts back
//
// Passwords are checked on PasswordWorkers, never on an HTTP thread; when their queue is
// full the answer is 503 with Retry-After. Attempts are throttled per client and per
// email address (auth/signin_throttle.h: 429 with Retry-After); both refusals are held
// back for limits.signin_refusal_delay_ms (a tarpit for floods). A wrong password gets
// one answer — the same status, body and time — whether the address is unknown, the
// account deactivated, or the password wrong.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password_workers.h"
#include "auth/signin_throttle.h"
#include "config/config.h"
#include "core/clock.h"
#include "http/delayed_answers.h"
#include "http/router.h"
#include "store/store.h"

namespace tandem::http {

inline constexpr std::string_view kSessionCookie = "tandem_session";

// The value of cookie `name` in the request's Cookie header(s).
std::optional<std::string_view> CookieValue(const HttpRequest& request, std::string_view name);

// The user of a session token; for a change (not GET/HEAD), the request must carry the
// session's X-CSRF-Token.
StatusOr<UserRecord> AuthenticateSession(Store& store, const Clock& clock,
                                         const HttpRequest& request, std::string_view token);

class AuthRoutes {
 public:
  struct Options {
    AuthConfig auth;
    LimitsConfig limits;
    std::string public_url;    // https:// means cookies are Secure
    bool trust_proxy = false;  // X-Forwarded-Proto: https means Secure too; the client
                               // address is the proxy's (see RateLimitedClient)
  };
  // Everything must outlive the routes.
  AuthRoutes(Store& store, const Clock& clock, Options options);

  void Register(Router& router);
  // Answers the sign-ins already queued, then stops the password workers. Call after the
  // HTTP server stopped taking requests; idempotent.
  void Stop() {
    workers_->Stop();
    refusals_->Stop();
  }

 private:
  struct Attempt {
    std::string email, password, client;
    bool secure_cookie = false;
    SignInThrottle::Admission admission;
  };
  void Login(HttpRequest&& request, Responder respond);
  // On a password worker: checks the password and opens the session.
  Response CheckPassword(const Attempt& attempt);
  Response Session(const HttpRequest& request);
  Response Logout(const HttpRequest& request);
  Response Unlock(const UserRecord& actor, std::string_view id);
  // Password links (password_link_routes.cpp).
  void RegisterPasswordLinks(Router& router);
  Response CheckPasswordLink(const HttpRequest& request);
  void SetPasswordFromLink(HttpRequest&& request, Responder respond);
  // On a password worker: checks the strength, hashes, uses the link, opens a session.
  Response UsePasswordLink(const std::string& token, const std::string& password, bool secure);
  // Whether the link's maker may still act on its user (a role raised since ends it).
  StatusOr<bool> IssuerMayStill(const UserRecord& user, const PasswordLink& link);
  // 403 cross_origin when the request comes from a page of another site (`what` is refused).
  std::optional<Response> CrossOrigin(const HttpRequest& request, std::string_view what) const;
  // A new session of `user`: the answer of a sign-in, with its cookie.
  Response OpenSession(const UserRecord& user, bool secure_cookie);
  bool SecureCookie(const HttpRequest& request) const;
  std::chrono::milliseconds RefusalDelay() const;
  std::string Cookie(bool secure, std::string_view value, int64_t max_age_s) const;

  Store& store_;
  const Clock& clock_;
  const Options options_;
  SignInThrottle throttle_;
  std::unique_ptr<PasswordWorkers> workers_;
  std::unique_ptr<DelayedAnswers> refusals_;  // 429s and 503s, held limits.signin_refusal_delay_ms
};

}  // namespace tandem::http
