// The audit trail over real HTTP: reading a brief, overriding the contact gate, changing
// a user's role, issuing and revoking a token each leave an entry naming who and what,
// chained to the one before; admins alone read it, in pages and by subject, action or
// user; the chain verifies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/admin_api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class AuditApiTest : public AdminApiTest {
 protected:
  json Audit(const std::string& query = "") {
    HttpResult r = Call("GET", "/api/v1/audit" + query, token_admin_);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body);
  }
};

TEST_F(AuditApiTest, WhoReadChangedAndOverrodeIsRecordedInAChainThatHolds) {
  Ingest(
      R"({"batch":[{"type":"identify","userId":"u1","traits":{"email":"pat@co.example","timezone":"Europe/London"}},)"
      R"({"type":"track","userId":"u1","event":"Demo Requested"}]})");
  const std::string lead = LeadIdOf("u1");
  const std::string rep = "usr_" + std::to_string(rep_);
  const std::string manager = "usr_" + std::to_string(manager_);
  EXPECT_EQ(Audit()["items"].size(), 0u);

  ASSERT_EQ(Call("GET", "/api/v1/leads/" + lead + "/brief", token_rep_).status, 200u);
  ASSERT_EQ(Call("GET", "/api/v1/leads/" + lead + "/brief?format=markdown", token_manager_).status,
            200u);
  // An allowed touch by the owner is no override.
  ASSERT_EQ(Call("POST", "/api/v1/leads/" + lead + "/touches", token_rep_,
                 R"({"channel":"email","note":"Sent the guide"})")
                .status,
            201u);
  clock_.Advance(std::chrono::hours(72));
  // The manager calls the rep's lead: only an override lets it through, and says why.
  HttpResult touch = Call("POST", "/api/v1/leads/" + lead + "/touches", token_manager_,
                          R"({"channel":"call","override_reason":"Covering while Rafa is away"})");
  ASSERT_EQ(touch.status, 201u) << touch.body;
  ASSERT_EQ(
      Call("PATCH", "/api/v1/users/" + manager, token_admin_, R"({"role":"marketing"})").status,
      200u);
  // A change of one's own hours is not recorded.
  ASSERT_EQ(Call("PATCH", "/api/v1/users/me", token_rep_, R"({"hours":"08:00-16:00"})").status,
            200u);
  HttpResult token = Call("POST", "/api/v1/tokens", token_rep_, R"({"name":"zapier"})");
  ASSERT_EQ(token.status, 201u) << token.body;
  const std::string token_id = json::parse(token.body)["id"];
  ASSERT_EQ(Call("DELETE", "/api/v1/tokens/" + token_id, token_rep_).status, 200u);

  const json items = Audit()["items"];
  ASSERT_EQ(items.size(), 6u) << items;
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"brief.read", rep, lead},        {"brief.read", manager, lead},
      {"gate.override", manager, lead}, {"user.changed", "usr_" + std::to_string(admin_), manager},
      {"token.created", rep, token_id}, {"token.revoked", rep, token_id}};
  std::string previous;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& e = items[i];
    EXPECT_EQ(e["seq"], i + 1);
    EXPECT_EQ(e["action"], std::get<0>(expected[i])) << e;
    EXPECT_EQ(e["user_id"], std::get<1>(expected[i])) << e;
    EXPECT_EQ(e["subject"], std::get<2>(expected[i])) << e;
    EXPECT_EQ(e["prev_hash"], previous);
    EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    previous = e["hash"];
  }
  EXPECT_EQ(items[0]["detail"]["format"], "json");
  EXPECT_EQ(items[1]["detail"]["format"], "markdown");
  // The reason stays on the touch (an erasure reaches it there), never in the trail.
  EXPECT_FALSE(items[2]["detail"].contains("reason"));
  EXPECT_EQ(items[2]["detail"]["record"].get<std::string>().substr(0, 4), "tch_");
  EXPECT_EQ(items[2]["detail"]["overridden"], json::array({"not_owner"})) << items[2];
  EXPECT_EQ(items[3]["detail"]["role"], json({{"from", "sales_manager"}, {"to", "marketing"}}));
  EXPECT_EQ(items[4]["detail"]["name"], "zapier");
  EXPECT_EQ(items[4]["at"], "2026-11-26T10:00:00.000Z");

  // Pages and filters.
  json page = Audit("?limit=4");
  ASSERT_EQ(page["items"].size(), 4u);
  ASSERT_EQ(page["next_cursor"], "4");
  EXPECT_EQ(Audit("?after=4")["items"].size(), 2u);
  EXPECT_EQ(Audit("?subject=" + lead)["items"].size(), 3u);
  EXPECT_EQ(Audit("?user=" + rep)["items"].size(), 3u);
  EXPECT_EQ(Audit("?action=brief.read")["items"].size(), 2u);
  EXPECT_EQ(Call("GET", "/api/v1/audit?limit=0", token_admin_).status, 400u);
  HttpResult bad_user = Call("GET", "/api/v1/audit?user=bob", token_admin_);
  EXPECT_EQ(bad_user.status, 400u);
  EXPECT_NE(bad_user.body.find("usr_<n>"), std::string::npos);
  // Nobody but an admin reads it; not even the manager whose role it recorded.
  EXPECT_EQ(Call("GET", "/api/v1/audit", token_rep_).status, 403u);
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify", token_manager_).status, 403u);

  HttpResult verify = Call("GET", "/api/v1/audit/verify", token_admin_);
  ASSERT_EQ(verify.status, 200u);
  const json v = json::parse(verify.body);
  EXPECT_EQ(v["ok"], true) << v;
  EXPECT_EQ(v["entries"], 6);
  EXPECT_EQ(v["head"]["hash"], previous);
  EXPECT_TRUE(v["problem"].is_null());
}

}  // namespace
}  // namespace tandem
