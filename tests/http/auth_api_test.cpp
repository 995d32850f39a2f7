// Signing in to the web app over HTTP: the session cookie, CSRF on every change, the
// sign-in throttle (on a manual clock) that answers alike for every address and lets an
// account's owner through a flood, sign-out, sessions, API tokens, roles, rate limits.
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "auth/passwords.h"
#include "http/auth_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

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

TEST_F(AuthApiTest, AWrongPasswordGetsOneAnswerForEveryKindOfAccount) {
  const int64_t gone = AddRunningUser("gone@seller.example", "sales_rep");
  ASSERT_TRUE(raw_store_->SetPassword(gone, HashPassword(kPassword).value()).ok());
  ASSERT_EQ(Patch(admin_token_, gone, R"({"active":false})").status, 200u);
  AddRunningUser("nopassword@seller.example", "viewer");

  const HttpResult answers[] = {
      LoginFrom("10.0.0.1", "nobody@seller.example", kPassword),  // unknown
      LoginFrom("10.0.0.2", "rep@seller.example", "not-the-password"),
      LoginFrom("10.0.0.3", "gone@seller.example", kPassword),  // deactivated, right password
      LoginFrom("10.0.0.4", "gone@seller.example", "not-the-password"),
      LoginFrom("10.0.0.5", "nopassword@seller.example", kPassword),
  };
  for (const HttpResult& r : answers) {
    EXPECT_EQ(r.status, 401u) << r.body;
    EXPECT_EQ(json::parse(r.body), json::parse(answers[0].body)) << r.body;
  }
  // Once an address has had its attempts, known or not, the answer is again the same.
  for (const char* email : {"rep@seller.example", "nobody@seller.example"}) {
    for (int i = 0; i < 3; ++i) LoginFrom("10.0.1." + std::to_string(i), email, "wrong-again");
  }
  // Another machine then gets one attempt of its own on the address, and waits for the next.
  EXPECT_EQ(LoginFrom("10.0.2.1", "rep@seller.example", "wrong-again").status, 401u);
  EXPECT_EQ(LoginFrom("10.0.2.2", "nobody@seller.example", "wrong-again").status, 401u);
  HttpResult known = LoginFrom("10.0.2.1", "rep@seller.example", "wrong-again");
  HttpResult unknown = LoginFrom("10.0.2.2", "nobody@seller.example", "wrong-again");
  EXPECT_EQ(known.status, 429u) << known.body;
  EXPECT_EQ(json::parse(known.body)["error"]["code"], "too_many_attempts");
  EXPECT_EQ(unknown.status, known.status);
  EXPECT_EQ(json::parse(unknown.body), json::parse(known.body));
  EXPECT_EQ(unknown.headers["Retry-After"], known.headers["Retry-After"]);
  EXPECT_EQ(known.headers["Retry-After"], "300");  // one attempt per machine per 5 minutes
}

TEST_F(AuthApiTest, AStrangerCannotLockTheOwnerOut) {
  ASSERT_EQ(LoginFrom("192.0.2.10", "rep@seller.example", kPassword).status, 200u);
  // A flood of wrong passwords from many machines uses up the address's attempts, and
  // then each machine is held to one attempt per five minutes …
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      HttpResult r = LoginFrom("198.51.100." + std::to_string(i), "rep@seller.example", "guess");
      refused += r.status == 429u ? 1 : 0;
    }
  }
  // 40 attempts: 3 from the address's bucket (the first machine's two and the second's
  // first), then one per machine (19 more): 18 refused.
  EXPECT_EQ(refused, 18);
  // … so the owner gets in even from a machine they never signed in from …
  EXPECT_EQ(LoginFrom("198.51.100.99", "rep@seller.example", kPassword).status, 200u);
  // … and from where they signed in before, without waiting.
  HttpResult owner = LoginFrom("192.0.2.10", "rep@seller.example", kPassword);
  EXPECT_EQ(owner.status, 200u) << owner.body;
  // An admin cannot be locked out either, and the attempts come back with time.
  ASSERT_TRUE(raw_store_->SetPassword(admin_id_, HashPassword(kPassword).value()).ok());
  ASSERT_EQ(LoginFrom("192.0.2.20", "admin@seller.example", kPassword).status, 200u);
  for (int i = 0; i < 10; ++i)
    LoginFrom("203.0.113." + std::to_string(i), "admin@seller.example", "x");
  EXPECT_EQ(LoginFrom("192.0.2.20", "admin@seller.example", kPassword).status, 200u);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(LoginFrom("198.51.100.7", "rep@seller.example", kPassword).status, 200u);
}

// Once the address's attempts are spent, a machine gets one more every five minutes;
// an admin's unlock gives the address its attempts back at once. A rep unlocks nobody.
TEST_F(AuthApiTest, AnAdminUnlocksAnAddressThatRanOutOfAttempts) {
  for (const char* ip : {"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"}) {
    ASSERT_EQ(LoginFrom(ip, "rep@seller.example", "guess").status, 401u);
  }
  ASSERT_EQ(LoginFrom("198.51.100.4", "rep@seller.example", kPassword).status, 429u);
  const std::string unlock = "/api/v1/users/usr_" + std::to_string(rep_id_) + "/unlock";
  EXPECT_EQ(Call("POST", unlock, rep_token_, "").status, 403u);
  EXPECT_EQ(LoginFrom("198.51.100.4", "rep@seller.example", kPassword).status, 429u);
  HttpResult unlocked = Call("POST", unlock, manager_token_, "");
  ASSERT_EQ(unlocked.status, 200u) << unlocked.body;
  EXPECT_EQ(json::parse(unlocked.body)["user"], "usr_" + std::to_string(rep_id_));
  EXPECT_EQ(json::parse(unlocked.body)["unlocked"], true);
  EXPECT_EQ(LoginFrom("198.51.100.4", "rep@seller.example", kPassword).status, 200u);
  // Nobody unlocks a higher role, and a user that does not exist is not found.
  const std::string admin = "/api/v1/users/usr_" + std::to_string(admin_id_) + "/unlock";
  EXPECT_EQ(Call("POST", admin, manager_token_, "").status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/users/usr_999999/unlock", admin_token_, "").status, 404u);
}

TEST_F(AuthApiTest, OneClientIsLimitedWhateverAddressesItTries) {
  for (int i = 0; i < 4; ++i) {
    HttpResult r = LoginFrom("10.9.9.9", "user" + std::to_string(i) + "@x.example", "wrong");
    EXPECT_EQ(r.status, 401u) << r.body;
  }
  HttpResult limited = LoginFrom("10.9.9.9", "user9@x.example", "wrong");
  EXPECT_EQ(limited.status, 429u) << limited.body;
  EXPECT_EQ(limited.headers["Retry-After"], "10");  // 6 a minute
  // The limit is per client: another machine is not affected; a success gives back.
  EXPECT_EQ(LoginFrom("10.9.9.8", "rep@seller.example", kPassword).status, 200u);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(LoginFrom("10.9.9.9", "user9@x.example", "wrong").status, 401u);
  // Without a trusted proxy's header the client is the TCP peer; a forged first entry in
  // X-Forwarded-For does not make a new client either (the proxy's own entry is last).
  for (int i = 0; i < 4; ++i) {
    const std::string forged = "1.2.3." + std::to_string(i) + ", 10.7.7.7";
    EXPECT_EQ(Login("u" + std::to_string(i) + "@x.example", "wrong", {{"X-Forwarded-For", forged}})
                  .status,
              401u);
  }
  EXPECT_EQ(Login("u9@x.example", "wrong", {{"X-Forwarded-For", "9.9.9.9, 10.7.7.7"}}).status,
            429u);
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

// A refused sign-in is answered late, without holding the HTTP threads: other requests are
// answered meanwhile.
class SignInTarpitTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    Config config;
    config.limits.signin_per_client_burst = 1;
    config.limits.signin_refusal_delay_ms = 800;
    config.server.threads = 1;
    Start(config);
  }
};

TEST_F(SignInTarpitTest, ARefusedSignInIsAnsweredLateWhileOthersAreServed) {
  const std::string body = R"({"email":"x@seller.example","password":"wrong-password"})";
  EXPECT_EQ(client_->Request("POST", "/auth/login", body).status, 401u);
  std::atomic<bool> answered{false};
  std::thread refused([&] {
    testing::HttpClient other(app_->port());
    const auto started = std::chrono::steady_clock::now();
    testing::HttpResult r = other.Request("POST", "/auth/login", body);
    EXPECT_EQ(r.status, 429u);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(700));
    answered = true;
  });
  // While that answer is held, the one HTTP thread serves others.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  testing::HttpClient probe(app_->port());
  EXPECT_EQ(probe.Get("/healthz").status, 200u);
  EXPECT_FALSE(answered.load());
  refused.join();
}

TEST_F(AuthApiTest, DeactivationEndsSessionsAndReactivationDoesNotReviveThem) {
  const std::string cookie = SessionCookie(Login("rep@seller.example", kPassword));
  ASSERT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 200u);
  ASSERT_EQ(Patch(manager_token_, rep_id_, R"({"active":false})").status, 200u);
  ASSERT_EQ(Patch(manager_token_, rep_id_, R"({"active":true})").status, 200u);
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 401u);
  EXPECT_EQ(client_->Request("GET", "/api/v1/leads", "", {{"Cookie", cookie}}).status, 401u);
  // Tokens stay unless revoked with the deactivation.
  EXPECT_EQ(Call("GET", "/api/v1/users/me", rep_token_).status, 200u);
  EXPECT_EQ(Patch(manager_token_, rep_id_, R"({"revoke_tokens":true})").status, 422u);
  ASSERT_EQ(Patch(manager_token_, rep_id_, R"({"active":false,"revoke_tokens":true})").status,
            200u);
  ASSERT_EQ(Patch(manager_token_, rep_id_, R"({"active":true})").status, 200u);
  EXPECT_EQ(Call("GET", "/api/v1/users/me", rep_token_).status, 401u);
  // A new password ends sessions too (tandem user passwd; --revoke-tokens for tokens).
  const std::string again = SessionCookie(Login("rep@seller.example", kPassword));
  ASSERT_TRUE(raw_store_->SetPassword(rep_id_, HashPassword("new-password-2026").value()).ok());
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", again}}).status, 401u);
}

TEST_F(AuthApiTest, ApiTokensAreListedRevokedAndExpire) {
  HttpResult created =
      Call("POST", "/api/v1/tokens", rep_token_, R"({"name":"ci","expires_in_days":1})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const json token = json::parse(created.body);
  const std::string secret = token["token"];
  EXPECT_EQ(token["name"], "ci");
  EXPECT_EQ(token["expires_at"], "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(Call("GET", "/api/v1/users/me", secret).status, 200u);

  HttpResult listed = Call("GET", "/api/v1/tokens", rep_token_);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const json items = json::parse(listed.body)["items"];
  ASSERT_EQ(items.size(), 2u) << listed.body;  // the rep's own, not the others'
  EXPECT_EQ(items[0]["user_id"], "usr_" + std::to_string(rep_id_));
  EXPECT_EQ(items[0]["last_used_at"], "2026-11-22T10:00:00.000Z");
  EXPECT_EQ(items[1]["id"], token["id"]);
  EXPECT_EQ(listed.body.find(secret), std::string::npos) << "secrets are shown once";

  // The last use is recorded at most once a minute.
  clock_.Advance(std::chrono::seconds(30));
  Call("GET", "/api/v1/users/me", rep_token_);
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/tokens", rep_token_).body)["items"][0]["last_used_at"],
            "2026-11-22T10:00:00.000Z");
  clock_.Advance(std::chrono::seconds(31));
  Call("GET", "/api/v1/users/me", rep_token_);
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/tokens", rep_token_).body)["items"][0]["last_used_at"],
            "2026-11-22T10:01:01.000Z");

  // Others' tokens: admins only; to anyone else they do not exist.
  EXPECT_EQ(Call("GET", "/api/v1/tokens?user=all", rep_token_).status, 403u);
  EXPECT_EQ(
      Call("GET", "/api/v1/tokens?user=usr_" + std::to_string(admin_id_), manager_token_).status,
      403u);
  HttpResult all = Call("GET", "/api/v1/tokens?user=all", admin_token_);
  ASSERT_EQ(all.status, 200u);
  EXPECT_EQ(json::parse(all.body)["items"].size(), 4u);
  const std::string admins =
      json::parse(Call("GET", "/api/v1/tokens", admin_token_).body)["items"][0]["id"];
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + admins, rep_token_).status, 404u);
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/tok_x", rep_token_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/users/me", admin_token_).status, 200u);

  // Expiry, then revocation (own, and an admin revoking anyone's).
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Call("GET", "/api/v1/users/me", secret).status, 401u);
  EXPECT_TRUE(json::parse(Call("GET", "/api/v1/tokens", rep_token_).body)["items"][1]["expired"]);
  const std::string own = items[0]["id"];
  HttpResult revoked = Call("DELETE", "/api/v1/tokens/" + own, rep_token_);
  EXPECT_EQ(revoked.status, 200u) << revoked.body;
  EXPECT_EQ(Call("GET", "/api/v1/users/me", rep_token_).status, 401u);
  const std::string managers =
      json::parse(Call("GET", "/api/v1/tokens", manager_token_).body)["items"][0]["id"];
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + managers, admin_token_).status, 200u);
  EXPECT_EQ(Call("GET", "/api/v1/users/me", manager_token_).status, 401u);
  EXPECT_EQ(Call("POST", "/api/v1/tokens", admin_token_, R"({"expires_in_days":0})").status, 422u);
}

TEST_F(AuthApiTest, NobodyActsOnAHigherRoleOrGrantsOneAboveTheirOwn) {
  const int64_t other_manager = AddRunningUser("manager2@seller.example", "sales_manager");
  // A sales manager cannot deactivate, rename or demote an admin, nor touch a peer …
  EXPECT_EQ(Patch(manager_token_, admin_id_, R"({"active":false})").status, 403u);
  EXPECT_EQ(Patch(manager_token_, admin_id_, R"({"name":"Mallory"})").status, 403u);
  EXPECT_EQ(Patch(manager_token_, admin_id_, R"({"role":"viewer"})").status, 403u);
  EXPECT_EQ(Patch(manager_token_, other_manager, R"({"active":false})").status, 403u);
  // … nor grant its own role or a higher one, but manages those below it.
  EXPECT_EQ(Patch(manager_token_, rep_id_, R"({"role":"sales_manager"})").status, 403u);
  EXPECT_EQ(Patch(manager_token_, rep_id_, R"({"role":"admin"})").status, 403u);
  HttpResult capacity = Patch(manager_token_, rep_id_, R"({"capacity":7})");
  EXPECT_EQ(capacity.status, 200u) << capacity.body;
  EXPECT_EQ(Patch(manager_token_, rep_id_, R"({"role":"viewer"})").status, 200u);
  // A viewer changes only itself; nobody changes their own role or active flag.
  EXPECT_EQ(Patch(rep_token_, manager_id_, R"({"name":"x"})").status, 403u);
  EXPECT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"role":"admin"})").status, 403u);
  EXPECT_EQ(Call("PATCH", "/api/v1/users/me", admin_token_, R"({"active":false})").status, 403u);
  // Nor revokes the tokens of someone it may not deactivate, and an empty change is no
  // change: it neither passes the rule nor rewrites the user.
  EXPECT_EQ(Patch(rep_token_, manager_id_, R"({"revoke_tokens":true})").status, 403u);
  EXPECT_EQ(Patch(manager_token_, admin_id_, R"({"revoke_tokens":true})").status, 403u);
  EXPECT_EQ(Patch(rep_token_, admin_id_, "{}").status, 422u);
  EXPECT_EQ(Call("GET", "/api/v1/users/me", manager_token_).status, 200u)
      << "the manager's token was not revoked";
  // An admin acts on anyone.
  EXPECT_EQ(Patch(admin_token_, other_manager, R"({"role":"sales_rep"})").status, 200u);
  EXPECT_EQ(Patch(admin_token_, rep_id_, R"({"role":"sales_rep"})").status, 200u);
  // A refused change changes nothing.
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/users/me", admin_token_).body)["active"], true);
}

// The /api/v1 request limits, with small figures.
class RateLimitTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    AddUser("a@seller.example", "viewer", &token_a_);
    AddUser("b@seller.example", "viewer", &token_b_);
    Config config;
    config.limits.api_per_token_per_minute = 60;
    config.limits.api_per_token_burst = 3;
    config.limits.api_per_client_per_minute = 120;
    config.limits.api_per_client_burst = 5;
    Start(config, /*request_limits=*/true);
  }
  std::string token_a_, token_b_;
};

TEST_F(RateLimitTest, TheApiIsLimitedPerTokenAndPerClientButIngestIsNot) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call("GET", "/api/v1/leads", token_a_).status, 200u);
  HttpResult limited = Call("GET", "/api/v1/leads", token_a_);
  EXPECT_EQ(limited.status, 429u) << limited.body;
  EXPECT_EQ(json::parse(limited.body)["error"]["code"], "rate_limited");
  EXPECT_EQ(limited.headers["Retry-After"], "1");
  // Another token from the same client: the client's own bucket (5) is the limit.
  EXPECT_EQ(Call("GET", "/api/v1/leads", token_b_).status, 200u);
  HttpResult client = Call("GET", "/api/v1/leads", token_b_);
  EXPECT_EQ(client.status, 429u);
  EXPECT_NE(client.body.find("from 127.0.0.1"), std::string::npos) << client.body;
  // Ingest keeps its own back-pressure and is never rate-limited here.
  for (int i = 0; i < 10; ++i) {
    HttpResult r = client_->Post("/v1/track", R"({"userId":"u1","event":"Viewed"})",
                                 {{"Authorization", testing::BasicAuth("key")}});
    EXPECT_EQ(r.status, 200u) << r.body;
  }
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Call("GET", "/api/v1/leads", token_a_).status, 200u);
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
