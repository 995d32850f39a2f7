// Signing in to the web app over HTTP: the session cookie, CSRF on every change, the
// lock-out after wrong passwords (on a manual clock), sign-out, roles.
#include <nlohmann/json.hpp>

#include "auth/passwords.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

constexpr const char* kPassword = "rose-garden-1987";

class AuthApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    std::string token;
    rep_id_ = AddUser("rep@seller.example", "sales_rep", &token);
    ASSERT_TRUE(store_->SetPassword(rep_id_, HashPassword(kPassword).value()).ok());
    Config config;
    config.auth.max_failed_logins = 3;
    config.auth.lockout_minutes = 15;
    Start(config);
  }

  HttpResult Login(const std::string& email, const std::string& password,
                   std::map<std::string, std::string> headers = {}) {
    json body = {{"email", email}, {"password", password}};
    return client_->Request("POST", "/auth/login", body.dump(), headers);
  }

  // The session cookie ("tandem_session=…") a sign-in answered with.
  static std::string SessionCookie(const HttpResult& r) {
    auto it = r.headers.find("Set-Cookie");
    if (it == r.headers.end()) return "";
    return it->second.substr(0, it->second.find(';'));
  }

  int64_t rep_id_ = 0;
};

TEST_F(AuthApiTest, SignInGivesAnHttpOnlyStrictCookieThatWorksTheApiWithCsrf) {
  HttpResult r = Login("REP@seller.example", kPassword);  // addresses match in any case
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string set_cookie = r.headers["Set-Cookie"];
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // plain HTTP on loopback
  const std::string cookie = SessionCookie(r);
  const std::string csrf = json::parse(r.body)["csrf_token"];
  EXPECT_EQ(json::parse(r.body)["user"]["role"], "sales_rep");

  HttpResult me = client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}});
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(json::parse(me.body)["csrf_token"], csrf);
  EXPECT_EQ(client_->Request("GET", "/api/v1/leads", "", {{"Cookie", cookie}}).status, 200u);

  // A change with the cookie alone (what a forged cross-site form sends) is refused.
  const std::string patch = R"({"out_of_office":null})";
  HttpResult forged = client_->Request("PATCH", "/api/v1/users/me", patch, {{"Cookie", cookie}});
  EXPECT_EQ(forged.status, 403u);
  EXPECT_NE(forged.body.find("csrf_failed"), std::string::npos);
  HttpResult wrong = client_->Request("PATCH", "/api/v1/users/me", patch,
                                      {{"Cookie", cookie}, {"X-CSRF-Token", csrf + "x"}});
  EXPECT_EQ(wrong.status, 403u);
  HttpResult ok = client_->Request("PATCH", "/api/v1/users/me", patch,
                                   {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(ok.status, 200u) << ok.body;
  // A rep's attempt at a manager's action is refused by role, not by CSRF.
  HttpResult manager_only =
      client_->Request("PATCH", "/api/v1/users/usr_" + std::to_string(rep_id_), R"({"capacity":5})",
                       {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(manager_only.status, 403u) << manager_only.body;

  // Sign-out needs the token too, ends the session and clears the cookie.
  EXPECT_EQ(client_->Request("POST", "/auth/logout", "", {{"Cookie", cookie}}).status, 403u);
  HttpResult out =
      client_->Request("POST", "/auth/logout", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(out.status, 200u);
  EXPECT_NE(out.headers["Set-Cookie"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(client_->Request("GET", "/api/v1/leads", "", {{"Cookie", cookie}}).status, 401u);
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 401u);
}

TEST_F(AuthApiTest, WrongPasswordsLockTheAccountUntilTheLockRunsOut) {
  HttpResult unknown = Login("nobody@seller.example", kPassword);
  HttpResult wrong = Login("rep@seller.example", "not-the-password");
  EXPECT_EQ(unknown.status, 401u);
  EXPECT_EQ(wrong.status, 401u);
  // The same answer whether the address exists or not.
  EXPECT_EQ(json::parse(unknown.body), json::parse(wrong.body));
  EXPECT_EQ(Login("rep@seller.example", "still-not-it").status, 401u);
  HttpResult locked = Login("rep@seller.example", "third-wrong-one");
  EXPECT_EQ(locked.status, 429u);
  EXPECT_EQ(locked.headers["Retry-After"], "900");
  // Even the right password waits for the lock to run out …
  HttpResult right_but_locked = Login("rep@seller.example", kPassword);
  EXPECT_EQ(right_but_locked.status, 429u);
  EXPECT_NE(right_but_locked.body.find("account_locked"), std::string::npos);
  // … and then works, and a success starts the count again.
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_EQ(Login("rep@seller.example", kPassword).status, 200u);
  EXPECT_EQ(Login("rep@seller.example", "wrong-once-more").status, 401u);
  EXPECT_EQ(Login("rep@seller.example", kPassword).status, 200u);
}

TEST_F(AuthApiTest, BadSignInsAreRefusedWithAReason) {
  EXPECT_EQ(client_->Request("POST", "/auth/login", "{not json").status, 400u);
  EXPECT_EQ(client_->Request("POST", "/auth/login", R"({"email":"rep@seller.example"})").status,
            400u);
  EXPECT_EQ(client_->Request("POST", "/auth/login", R"({"email":1,"password":2})").status, 400u);
  // A form post works too; from another site it is refused.
  HttpResult form = client_->Request("POST", "/auth/login",
                                     "email=rep%40seller.example&password=rose-garden-1987",
                                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 200u) << form.body;
  HttpResult cross = Login("rep@seller.example", kPassword, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(cross.status, 403u);
  EXPECT_NE(cross.body.find("cross_origin"), std::string::npos);
  // A session cookie that was never issued is no session.
  EXPECT_EQ(client_->Request("GET", "/api/v1/leads", "", {{"Cookie", "tandem_session=tds_forged"}})
                .status,
            401u);
}

TEST_F(AuthApiTest, SessionsEndWhenTheyExpireOrThePasswordChanges) {
  HttpResult r = Login("rep@seller.example", kPassword);
  const std::string cookie = SessionCookie(r);
  clock_.Advance(std::chrono::hours(11));
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 200u);
  clock_.Advance(std::chrono::hours(2));  // past the 12 hours of a session
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 401u);

  const std::string second = SessionCookie(Login("rep@seller.example", kPassword));
  ASSERT_TRUE(raw_store_->SetPassword(rep_id_, HashPassword("new-password-2026").value()).ok());
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", second}}).status, 401u);
  EXPECT_EQ(Login("rep@seller.example", kPassword).status, 401u);
  EXPECT_EQ(Login("rep@seller.example", "new-password-2026").status, 200u);
}

TEST(PasswordTest, HashesAreArgon2idAndWeakPasswordsAreRefused) {
  std::string hash = HashPassword("a long enough secret").value();
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "a long enough secret"));
  EXPECT_FALSE(VerifyPassword(hash, "a long enough secreT"));
  EXPECT_FALSE(VerifyPassword("", "anything"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "anything"));
  EXPECT_NE(HashPassword("a long enough secret").value(), hash);  // salted
  EXPECT_FALSE(CheckPasswordStrength("short", "a@b.example").ok());
  EXPECT_FALSE(CheckPasswordStrength("aaaaaaaaaaaa", "a@b.example").ok());
  EXPECT_FALSE(CheckPasswordStrength("maria.keller2026", "maria.keller@x.example").ok());
  EXPECT_TRUE(CheckPasswordStrength("correct horse battery", "maria.keller@x.example").ok());
}

}  // namespace
}  // namespace tandem
