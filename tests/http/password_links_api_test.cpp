// Password links: an invited user sets a first password once from the link and is
// signed in; who may invite which role; a reset link replaces older ones, expires, ends
// the old sessions, and ends when its maker may no longer act on its user.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/auth_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

// The secret of a password link's address (".../app/#/set-password/<secret>").
std::string LinkToken(const json& link) {
  const std::string url = link["url"].get<std::string>();
  const std::string marker = "/app/#/set-password/";
  const size_t at = url.find(marker);
  return at == std::string::npos ? "" : url.substr(at + marker.size());
}

TEST_F(AuthApiTest, AnInvitedUserSetsAPasswordOnceFromTheLinkAndIsSignedIn) {
  HttpResult invited = Call("POST", "/api/v1/users", manager_token_,
                            R"({"email":"Nia.New@seller.example","name":"Nia New",
                                "role":"sales_rep","team":"emea","timezone":"Europe/Berlin",
                                "capacity":12})");
  ASSERT_EQ(invited.status, 201u) << invited.body;
  const json answer = json::parse(invited.body);
  EXPECT_EQ(answer["user"]["role"], "sales_rep");
  EXPECT_EQ(answer["user"]["team"], "emea");
  EXPECT_EQ(answer["user"]["capacity"], 12);
  EXPECT_EQ(answer["password_link"]["emailed"], false);  // email is not set up here
  const std::string token = LinkToken(answer["password_link"]);
  ASSERT_GE(token.size(), 40u) << answer.dump();
  EXPECT_TRUE(answer["password_link"]["url"].get<std::string>().starts_with("http://"));
  // Until the link is used there is no password to sign in with.
  EXPECT_EQ(Login("nia.new@seller.example", "anything-at-all-1").status, 401u);

  HttpResult whose = client_->Request("POST", "/auth/password-link", json{{"token", token}}.dump());
  ASSERT_EQ(whose.status, 200u) << whose.body;
  EXPECT_EQ(json::parse(whose.body)["email"], "Nia.New@seller.example");
  EXPECT_EQ(json::parse(whose.body)["purpose"], "invite");
  // A weak password is refused and leaves the link usable.
  HttpResult weak = client_->Request("POST", "/auth/password",
                                     json{{"token", token}, {"password", "short"}}.dump());
  EXPECT_EQ(weak.status, 422u) << weak.body;
  HttpResult set = client_->Request(
      "POST", "/auth/password", json{{"token", token}, {"password", "tulip-meadow-2031"}}.dump());
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(json::parse(set.body)["user"]["email"], "Nia.New@seller.example");
  const std::string cookie = SessionCookie(set);
  ASSERT_FALSE(cookie.empty());
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", cookie}}).status, 200u);
  // The link works once; the password signs in from then on.
  HttpResult again = client_->Request(
      "POST", "/auth/password", json{{"token", token}, {"password", "another-meadow-2032"}}.dump());
  EXPECT_EQ(again.status, 404u);
  EXPECT_EQ(json::parse(again.body)["error"]["code"], "link_invalid");
  EXPECT_EQ(Login("nia.new@seller.example", "tulip-meadow-2031").status, 200u);
  EXPECT_EQ(Login("nia.new@seller.example", "another-meadow-2032").status, 401u);
  // An unknown secret, and a body without one, are told apart from a server fault.
  EXPECT_EQ(client_->Request("POST", "/auth/password-link", R"({"token":"nope"})").status, 404u);
  EXPECT_EQ(client_->Request("POST", "/auth/password", R"({"password":"x"})").status, 400u);
}

TEST_F(AuthApiTest, InvitesFollowTheRulesOfWhoMayGrantWhichRole) {
  auto invite = [&](const std::string& token, const std::string& body) {
    return Call("POST", "/api/v1/users", token, body);
  };
  EXPECT_EQ(invite(rep_token_, R"({"email":"a@x.example","name":"A","role":"viewer"})").status,
            403u);
  EXPECT_EQ(invite(manager_token_, R"({"email":"a@x.example","name":"A","role":"admin"})").status,
            403u);
  EXPECT_EQ(
      invite(manager_token_, R"({"email":"a@x.example","name":"A","role":"sales_manager"})").status,
      403u);
  HttpResult admin =
      invite(admin_token_, R"({"email":"boss@x.example","name":"B","role":"admin"})");
  EXPECT_EQ(admin.status, 201u) << admin.body;
  // The same address in another case is the same person.
  HttpResult twice =
      invite(admin_token_, R"({"email":"BOSS@x.example","name":"B","role":"viewer"})");
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(json::parse(twice.body)["error"]["code"], "user_exists");
  // What is wrong is named.
  for (const char* bad :
       {R"({"name":"A","role":"viewer"})", R"({"email":"a@x.example","role":"viewer"})",
        R"({"email":"a@x.example","name":"A"})",
        R"({"email":"not-an-address","name":"A","role":"viewer"})",
        R"({"email":"a@@b","name":"A","role":"viewer"})",
        R"({"email":"a@x.example","name":"A","role":"viewer","hours":"-5:-70-99:99"})",
        R"({"email":"a@x.example","name":"A","role":"boss"})",
        R"({"email":"a@x.example","name":"A","role":"viewer","timezone":"Mars/Base"})",
        R"({"email":"a@x.example","name":"A\r\nBcc: all@x.example","role":"viewer"})",
        R"({"email":"a@x.example","name":"A","role":"viewer","password":"x"})"}) {
    HttpResult r = invite(admin_token_, bad);
    EXPECT_EQ(r.status, 422u) << bad << " → " << r.body;
  }
  // None of the refused ones was made.
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/users", admin_token_).body)["items"].size(), 4u);
}

// A link a manager made for a rep stops working once the rep is made an admin, and a
// page of another site cannot use a link to sign a browser in.
TEST_F(AuthApiTest, ALinkEndsWhenItsMakerMayNoLongerActOnItsUser) {
  const std::string reset = "/api/v1/users/usr_" + std::to_string(rep_id_) + "/password-link";
  HttpResult made = Call("POST", reset, manager_token_, "");
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string token = LinkToken(json::parse(made.body));
  const json body = {{"token", token}, {"password", "amber-lantern-2040"}};
  HttpResult foreign =
      client_->Request("POST", "/auth/password", body.dump(), {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403u);
  EXPECT_EQ(json::parse(foreign.body)["error"]["code"], "cross_origin");
  ASSERT_EQ(Patch(admin_token_, rep_id_, R"({"role":"admin"})").status, 200u);
  EXPECT_EQ(client_->Request("POST", "/auth/password-link", json{{"token", token}}.dump()).status,
            404u);
  EXPECT_EQ(client_->Request("POST", "/auth/password", body.dump()).status, 404u);
  EXPECT_EQ(Login("rep@seller.example", kPassword).status, 200u) << "the password is unchanged";
}

TEST_F(AuthApiTest, AResetLinkReplacesEarlierOnesExpiresAndEndsTheOldSessions) {
  const std::string reset = "/api/v1/users/usr_" + std::to_string(rep_id_) + "/password-link";
  EXPECT_EQ(Call("POST", reset, rep_token_, "").status, 403u);  // not for oneself
  const std::string admin_reset =
      "/api/v1/users/usr_" + std::to_string(admin_id_) + "/password-link";
  EXPECT_EQ(Call("POST", admin_reset, manager_token_, "").status, 403u);  // not above oneself
  HttpResult first = Call("POST", reset, manager_token_, "");
  ASSERT_EQ(first.status, 201u) << first.body;
  HttpResult second = Call("POST", reset, admin_token_, "");
  ASSERT_EQ(second.status, 201u) << second.body;
  const std::string old_token = LinkToken(json::parse(first.body));
  const std::string token = LinkToken(json::parse(second.body));
  EXPECT_EQ(
      client_->Request("POST", "/auth/password-link", json{{"token", old_token}}.dump()).status,
      404u)
      << "a newer link ends the older one";
  HttpResult whose = client_->Request("POST", "/auth/password-link", json{{"token", token}}.dump());
  ASSERT_EQ(whose.status, 200u);
  EXPECT_EQ(json::parse(whose.body)["purpose"], "reset");
  // The old password still works until the link is used.
  const std::string session = SessionCookie(Login("rep@seller.example", kPassword));
  ASSERT_FALSE(session.empty());
  HttpResult set = client_->Request(
      "POST", "/auth/password", json{{"token", token}, {"password", "violet-harbour-77"}}.dump());
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(client_->Request("GET", "/auth/session", "", {{"Cookie", session}}).status, 401u);
  EXPECT_EQ(Login("rep@seller.example", kPassword).status, 401u);
  EXPECT_EQ(Login("rep@seller.example", "violet-harbour-77").status, 200u);
  // A reset link lives a day.
  const std::string late = LinkToken(json::parse(Call("POST", reset, admin_token_, "").body));
  clock_.Advance(std::chrono::hours(25));
  EXPECT_EQ(client_->Request("POST", "/auth/password-link", json{{"token", late}}.dump()).status,
            404u);
  // A deactivated user gets no link, and a link made before it stops working.
  const std::string before = LinkToken(json::parse(Call("POST", reset, admin_token_, "").body));
  ASSERT_EQ(Patch(admin_token_, rep_id_, R"({"active":false})").status, 200u);
  EXPECT_EQ(Call("POST", reset, admin_token_, "").status, 422u);
  EXPECT_EQ(client_
                ->Request("POST", "/auth/password",
                          json{{"token", before}, {"password", "violet-harbour-78"}}.dump())
                .status,
            404u);
}

}  // namespace
}  // namespace tandem
