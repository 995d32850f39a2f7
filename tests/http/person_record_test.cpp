// A person's whole record over real HTTP, for an access request: identities, every event
// with its message as received, the trait history, consents, touches, the log and the
// assignments — to admins only, found by lead id or by the address the person gave,
// downloaded as a file, and each reading in the audit trail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/admin_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

using PersonRecordTest = AdminApiTest;

TEST_F(PersonRecordTest, AnAccessRequestGetsEverythingHeldAboutThePerson) {
  Ingest(
      R"({"batch":[{"type":"page","anonymousId":"a1","messageId":"m1","properties":{"path":"/pricing"}},)"
      R"({"type":"identify","anonymousId":"a1","userId":"u1","messageId":"m2","traits":{"email":"Pat@Co.example","name":"Pat Kim","title":"Analyst","timezone":"Europe/London"}},)"
      R"({"type":"track","userId":"u1","messageId":"m3","event":"Demo Requested"}]})");
  const std::string lead = LeadIdOf("u1");
  clock_.Advance(std::chrono::hours(24));
  Ingest(
      R"({"batch":[{"type":"identify","userId":"u1","messageId":"m4","traits":{"title":"Head of Marketing"}}]})");
  ASSERT_EQ(Call("POST", "/api/v1/leads/" + lead + "/touches", token_rep_,
                 R"({"channel":"call","note":"Talked about the budget"})")
                .status,
            201u);
  ASSERT_EQ(Call("POST", "/api/v1/leads/" + lead + "/consents", token_marketing_,
                 R"({"purpose":"email_marketing","status":"granted","method":"form",)"
                 R"("form_id":"newsletter","wording":"Send me the guide"})")
                .status,
            201u);

  HttpResult got = Call("GET", "/api/v1/persons/" + lead + "/record", token_admin_);
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.headers["Content-Disposition"], "attachment; filename=\"" + lead + ".json\"");
  const json record = json::parse(got.body);
  EXPECT_EQ(record["person"]["id"], lead);
  std::set<std::string> identities;
  for (const json& i : record["person"]["identities"]) {
    identities.insert(i["kind"].get<std::string>() + "=" + i["value"].get<std::string>());
  }
  EXPECT_TRUE(identities.contains("email=pat@co.example")) << record["person"];
  EXPECT_TRUE(identities.contains("user_id=u1")) << record["person"];
  EXPECT_TRUE(identities.contains("anonymous_id=a1")) << record["person"];
  ASSERT_EQ(record["events"].size(), 4u);
  std::vector<std::string> ids;
  for (const json& e : record["events"]) ids.push_back(e["message"]["messageId"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"m1", "m2", "m3", "m4"}));
  EXPECT_EQ(record["lead"]["email"], "pat@co.example");
  EXPECT_EQ(record["lead"]["owner"]["id"], "usr_" + std::to_string(rep_));
  std::vector<std::string> titles;
  for (const json& t : record["trait_history"]) {
    if (t["trait"] == "title") titles.push_back(t["value"]);
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"Analyst", "Head of Marketing"}))
      << record["trait_history"];
  ASSERT_EQ(record["consents"].size(), 1u);
  EXPECT_EQ(record["consents"][0]["wording"], "Send me the guide");
  ASSERT_EQ(record["touches"].size(), 1u);
  EXPECT_EQ(record["touches"][0]["note"], "Talked about the budget");
  ASSERT_EQ(record["assignments"].size(), 1u);
  EXPECT_EQ(record["assignments"][0]["owner"], "usr_" + std::to_string(rep_));
  bool created = false;
  for (const json& l : record["log"]) created = created || l["kind"] == "created";
  EXPECT_TRUE(created) << record["log"];
  EXPECT_TRUE(record["emails_sent"].empty());

  // Found by the address the person gave, however they wrote it.
  HttpResult by_email = Call("GET", "/api/v1/persons/PAT%40co.example/record", token_admin_);
  ASSERT_EQ(by_email.status, 200u) << by_email.body;
  EXPECT_EQ(json::parse(by_email.body)["person"]["id"], lead);
  EXPECT_EQ(Call("GET", "/api/v1/persons/nobody%40co.example/record", token_admin_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/persons/ld_999999/record", token_admin_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/persons/%40/record", token_admin_).status, 400u);
  // Nobody else reads it, not even the owner.
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + lead + "/record", token_rep_).status, 403u);
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + lead + "/record", token_marketing_).status, 403u);

  // Each reading is in the audit trail, by whom and of whom.
  const json audit =
      json::parse(Call("GET", "/api/v1/audit?action=export", token_admin_).body)["items"];
  ASSERT_EQ(audit.size(), 2u) << audit;
  EXPECT_EQ(audit[0]["subject"], lead);
  EXPECT_EQ(audit[0]["user_id"], "usr_" + std::to_string(admin_));
  EXPECT_EQ(audit[0]["detail"]["kind"], "person_record");
  EXPECT_EQ(audit[0]["detail"]["events"], 4);
}

}  // namespace
}  // namespace tandem
