// AuthRoutes: signing in to the web app with an email and a password.
//
//   POST /auth/login   {"email","password"} (JSON or a form) → a session cookie
//                      (HttpOnly, SameSite=Strict, Secure behind TLS) and the CSRF token
//   GET  /auth/session the signed-in user and the CSRF token (401 when signed out)
//   POST /auth/logout  ends the session (needs X-CSRF-Token)
//
// Repeated wrong passwords lock the account for a while (429 with Retry-After); an
// unknown address and a wrong password get the same answer in the same time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"
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
    std::string public_url;    // https:// means cookies are Secure
    bool trust_proxy = false;  // X-Forwarded-Proto: https means Secure too
  };
  // Everything must outlive the routes.
  AuthRoutes(Store& store, const Clock& clock, Options options)
      : store_(store), clock_(clock), options_(std::move(options)) {}

  void Register(Router& router);

 private:
  Response Login(const HttpRequest& request);
  Response Session(const HttpRequest& request);
  Response Logout(const HttpRequest& request);
  std::string Cookie(const HttpRequest& request, std::string_view value, int64_t max_age_s) const;

  Store& store_;
  const Clock& clock_;
  const Options options_;
};

}  // namespace tandem::http
