// AuthApiTest: a server with a sales rep (who has a password), an admin and a sales
// manager, each with an API token, and a sign-in throttle with small figures; for the
// tests of signing in, sessions, users' rules and password links.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/passwords.h"
#include "support/api_fixture.h"

namespace tandem {

inline constexpr const char* kPassword = "rose-garden-1987";

class AuthApiTest : public testing::ApiFixture {
 protected:
  using HttpResult = testing::HttpResult;

  void SetUp() override {
    OpenStoreFirst();
    rep_id_ = AddUser("rep@seller.example", "sales_rep", &rep_token_);
    ASSERT_TRUE(store_->SetPassword(rep_id_, HashPassword(kPassword).value()).ok());
    admin_id_ = AddUser("admin@seller.example", "admin", &admin_token_);
    manager_id_ = AddUser("manager@seller.example", "sales_manager", &manager_token_);
    Config config;
    config.auth.max_failed_logins = 3;  // per address: 3 at once, 3 more every 15 minutes
    config.auth.lockout_minutes = 15;
    config.limits.signin_per_client_burst = 4;
    config.limits.signin_per_client_per_minute = 6;
    config.limits.signin_refusal_delay_ms = 0;  // refusals at once (one test sets a delay)
    config.server.trust_proxy = true;           // X-Forwarded-For names the client
    Start(config);
  }

  // A user added while the server runs (no API token).
  int64_t AddRunningUser(const std::string& email, const std::string& role) {
    UserRecord u;
    u.email = u.name = email;
    u.role = *ParseRole(role);
    u.created_at = u.updated_at = clock_.Now();
    return raw_store_->CreateUser(u).value().id;
  }

  HttpResult Login(const std::string& email, const std::string& password,
                   std::map<std::string, std::string> headers = {}) {
    nlohmann::json body = {{"email", email}, {"password", password}};
    return client_->Request("POST", "/auth/login", body.dump(), headers);
  }
  // A sign-in from the client at `ip` (behind the trusted proxy).
  HttpResult LoginFrom(const std::string& ip, const std::string& email,
                       const std::string& password) {
    return Login(email, password, {{"X-Forwarded-For", ip}});
  }
  HttpResult Patch(const std::string& token, int64_t user_id, const std::string& body) {
    return Call("PATCH", "/api/v1/users/usr_" + std::to_string(user_id), token, body);
  }

  // The session cookie ("tandem_session=…") a sign-in answered with.
  static std::string SessionCookie(const HttpResult& r) {
    auto it = r.headers.find("Set-Cookie");
    if (it == r.headers.end()) return "";
    return it->second.substr(0, it->second.find(';'));
  }

  int64_t rep_id_ = 0, admin_id_ = 0, manager_id_ = 0;
  std::string rep_token_, admin_token_, manager_token_;
};

}  // namespace tandem
