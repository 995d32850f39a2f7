// What keeps the team informed and sees accounts whole: the bell's notifications (a new
// lead, a mention in a note, a reply) with read state per user and a choice per kind, and
// accounts — the leads of a company, its owner.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/admin_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class TeamApiTest : public AdminApiTest {
 protected:
  // The notifications of the outbox so far, as the email producer's round makes them.
  json Bell(const std::string& token, const std::string& query = "") {
    EXPECT_TRUE(app_->email().ProduceOnce().ok());
    return json::parse(Call("GET", "/api/v1/notifications" + query, token).body);
  }
  void HandRaise(const std::string& user, const std::string& email) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{1}","name":"Pat {0}","company":{{"name":"Engines Inc","domain":"engines.example"}}}}}},
                      {{"type":"track","userId":"{0}","event":"Demo Requested"}}]}})",
        user, email));
  }
};

TEST_F(TeamApiTest, TheBellTellsARepOfANewLeadAMentionAndAReplyAsTheyChose) {
  HandRaise("u1", "pat1@engines.example");
  json bell = Bell(token_rep_);
  ASSERT_EQ(bell["items"].size(), 1u) << bell.dump();
  EXPECT_EQ(bell["unread"], 1);
  EXPECT_EQ(bell["items"][0]["kind"], "new_lead");
  EXPECT_EQ(bell["items"][0]["lead_id"], LeadIdOf("u1"));
  const std::string title = bell["items"][0]["title"];
  EXPECT_NE(title.find("Pat u1"), std::string::npos) << title;
  EXPECT_EQ(title.find("ld_"), std::string::npos) << "people read names, not ids: " << title;
  // Nobody else hears of it.
  EXPECT_EQ(Bell(token_manager_)["items"].size(), 0u);

  // Part of a word or an address is no mention.
  ASSERT_EQ(
      Call(
          "POST", "/api/v1/leads/" + LeadIdOf("u1") + "/touches", token_manager_,
          R"({"channel":"call","direction":"inbound","note":"mail @rep@x.example.org or @rep@x.examples"})")
          .status,
      201u);
  EXPECT_EQ(Bell(token_rep_)["items"].size(), 1u);
  // The manager mentions the rep in a call's note.
  HttpResult touch = Call(
      "POST", "/api/v1/leads/" + LeadIdOf("u1") + "/touches", token_manager_,
      R"({"channel":"call","direction":"inbound","note":"They called the switchboard; @rep@x.example please call back"})");
  ASSERT_EQ(touch.status, 201u) << touch.body;
  bell = Bell(token_rep_);
  ASSERT_EQ(bell["items"].size(), 2u) << bell.dump();
  EXPECT_EQ(bell["items"][0]["kind"], "mention");
  EXPECT_NE(bell["items"][0]["body"].get<std::string>().find("please call back"),
            std::string::npos);

  // The lead replies by email: its owner hears of it.
  HttpResult reply = Call("POST", "/api/v1/inbound/mime", token_marketing_,
                          "From: Pat <pat1@engines.example>\r\nTo: rep@x.example\r\n"
                          "Subject: Re: our call\r\nMessage-ID: <r1@engines.example>\r\n\r\n"
                          "Thursday at 10 works for us.\r\n");
  ASSERT_EQ(reply.status, 201u) << reply.body;
  bell = Bell(token_rep_);
  ASSERT_EQ(bell["items"].size(), 3u) << bell.dump();
  EXPECT_EQ(bell["items"][0]["kind"], "reply");
  EXPECT_EQ(bell["unread"], 3);

  // Read state is the rep's own: one read, then the rest; another user's ids change nothing.
  const std::string first = bell["items"][2]["id"];
  HttpResult other =
      Call("POST", "/api/v1/notifications/read", token_manager_, json{{"ids", {first}}}.dump());
  EXPECT_EQ(json::parse(other.body)["marked"], 0);
  HttpResult one =
      Call("POST", "/api/v1/notifications/read", token_rep_, json{{"ids", {first}}}.dump());
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(json::parse(one.body)["unread"], 2);
  EXPECT_EQ(Bell(token_rep_, "?unread=true")["items"].size(), 2u);
  EXPECT_EQ(
      json::parse(
          Call("POST", "/api/v1/notifications/read", token_rep_, R"({"all":true})").body)["unread"],
      0);
  EXPECT_EQ(Call("POST", "/api/v1/notifications/read", token_rep_, R"({"ids":["x"]})").status,
            422u);

  // The rep turns new leads off in the app: the next one is not in the bell.
  HttpResult choose = Call("PUT", "/api/v1/notification-settings", token_rep_,
                           R"({"choices":{"new_lead":{"app":false}}})");
  ASSERT_EQ(choose.status, 200u) << choose.body;
  const json kinds = json::parse(choose.body)["kinds"];
  EXPECT_EQ(kinds[0]["kind"], "new_lead");
  EXPECT_EQ(kinds[0]["app"], false);
  EXPECT_EQ(kinds[0]["email"], true);
  HandRaise("u2", "pat2@engines.example");
  EXPECT_EQ(Bell(token_rep_)["unread"], 0);
  EXPECT_EQ(Call("PUT", "/api/v1/notification-settings", token_rep_,
                 R"({"choices":{"everything":{"app":true}}})")
                .status,
            422u);
}

TEST_F(TeamApiTest, AnAccountShowsItsPeopleAndItsOwner) {
  HandRaise("u1", "pat1@engines.example");
  HandRaise("u2", "pat2@engines.example");
  Ingest(
      R"({"batch":[{"type":"identify","userId":"o1","traits":{"email":"someone@other.example"}}]})");
  json list = json::parse(Call("GET", "/api/v1/accounts?q=ENGINES", token_rep_).body);
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  const json& account = list["items"][0];
  EXPECT_EQ(account["domain"], "engines.example");
  EXPECT_EQ(account["name"], "Engines Inc");
  EXPECT_EQ(account["leads"], 2);
  EXPECT_EQ(account["open_leads"], 2);
  ASSERT_TRUE(account["owner"].is_object()) << account.dump();
  EXPECT_EQ(account["owner"]["id"], "usr_" + std::to_string(rep_));
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/accounts/Engines.Example", token_admin_).body),
            account);
  EXPECT_EQ(Call("GET", "/api/v1/accounts/nowhere.example", token_admin_).status, 404u);
  json people =
      json::parse(Call("GET", "/api/v1/leads?account=engines.example", token_admin_).body);
  ASSERT_EQ(people["items"].size(), 2u) << people.dump();
  for (const json& lead : people["items"]) EXPECT_EQ(lead["company"]["domain"], "engines.example");
  EXPECT_EQ(Call("GET", "/api/v1/accounts?limit=0", token_admin_).status, 400u);
}

}  // namespace
}  // namespace tandem
