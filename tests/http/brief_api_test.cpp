// The brief and the catalogs over HTTP: formats, who may read and who may change, and
// that every bad request is refused with a reason and changes nothing.
#include <nlohmann/json.hpp>

#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class BriefApiTest : public testing::ApiFixture {
 protected:
  void SetUp() override {
    OpenStoreFirst();
    AddUser("rep@seller.example", "sales_rep", &rep_);
    AddUser("viewer@seller.example", "viewer", &viewer_);
    AddUser("marketing@seller.example", "marketing", &marketing_);
    Config config;
    config.catalog.content.push_back(
        ContentFromJson(json::parse(R"({"asset_id":"guide","title":"The Guide",
          "url_pattern":"/resources/guide*","topic":"search","problem":"Budgets leak.",
          "questions":["How do you decide?","Who owns it?"]})"),
                        "test")
            .value());
    config.catalog.content[0].origin = "config";
    Start(config);
  }

  std::string rep_, viewer_, marketing_;
};

TEST_F(BriefApiTest, EveryRoleReadsTheBriefInThreeFormats) {
  Ingest(R"({"batch":[
    {"type":"identify","userId":"u1","traits":{"email":"ann@buyer.example","name":"Ann Lee","timezone":"Europe/Paris"}},
    {"type":"track","userId":"u1","event":"Content Downloaded","properties":{"asset_id":"guide"}},
    {"type":"track","userId":"u1","event":"Demo Requested","context":{"page":{"path":"/pricing"}}}]})");
  const std::string lead = LeadIdOf("u1");
  HttpResult j = Call("GET", "/api/v1/leads/" + lead + "/brief", viewer_);
  ASSERT_EQ(j.status, 200u) << j.body;
  json brief = json::parse(j.body);
  EXPECT_EQ(brief["lead_id"], lead);
  EXPECT_EQ(brief["why_now"]["text"], "Requested a demo from /pricing just now.");
  EXPECT_EQ(brief["talking_points"]["points"][0]["asset_id"], "guide");

  HttpResult md = Call("GET", "/api/v1/leads/" + lead + "/brief?format=markdown", rep_);
  ASSERT_EQ(md.status, 200u);
  EXPECT_EQ(md.headers["Content-Type"], "text/markdown; charset=utf-8");
  EXPECT_EQ(md.body.rfind("# Brief: Ann Lee (" + lead + ")", 0), 0u) << md.body;
  EXPECT_NE(md.body.find("Ask: How do you decide?"), std::string::npos);

  HttpResult html = Call("GET", "/api/v1/leads/" + lead + "/brief?format=html", marketing_);
  ASSERT_EQ(html.status, 200u);
  EXPECT_EQ(html.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(html.headers["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.body.find("<h2>Why now</h2>"), std::string::npos);

  // The timeline is everyone's too.
  EXPECT_EQ(Call("GET", "/api/v1/leads/" + lead + "/timeline", viewer_).status, 200u);

  HttpResult bad = Call("GET", "/api/v1/leads/" + lead + "/brief?format=pdf", rep_);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("json, markdown or html"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/leads/" + lead + "/brief?fmt=json", rep_).status, 400u);
  EXPECT_EQ(Call("GET", "/api/v1/leads/ld_999999/brief", rep_).status, 404u);
  EXPECT_EQ(client_->Get("/api/v1/leads/" + lead + "/brief").status, 401u);
}

TEST_F(BriefApiTest, MarketingMaintainsTheCatalogsOthersReadThem) {
  // The entry from tandem.toml is there, marked as the file's.
  HttpResult list = Call("GET", "/api/v1/content", rep_);
  ASSERT_EQ(list.status, 200u);
  json items = json::parse(list.body)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["origin"], "config");

  const std::string campaign =
      R"({"name":"Spring promo","utm_campaign":"spring-26","persona":"CMOs","offer":"A review"})";
  HttpResult forbidden = Call("POST", "/api/v1/campaigns", rep_, campaign);
  EXPECT_EQ(forbidden.status, 403u);
  HttpResult created = Call("POST", "/api/v1/campaigns", marketing_, campaign);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json::parse(created.body)["key"], "spring-26");
  HttpResult again = Call("POST", "/api/v1/campaigns", marketing_, campaign);
  EXPECT_EQ(again.status, 409u);
  // Another key cannot claim the same utm_campaign (any case).
  HttpResult clash = Call("PUT", "/api/v1/campaigns/other", marketing_,
                          R"({"name":"X","utm_campaign":"SPRING-26","offer":"y"})");
  EXPECT_EQ(clash.status, 409u);
  EXPECT_NE(clash.body.find("already matches utm_campaign"), std::string::npos);

  HttpResult replaced = Call("PUT", "/api/v1/campaigns/spring-26", marketing_,
                             R"({"name":"Spring promo","utm_campaign":"spring-26","offer":"Two"})");
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  HttpResult got = Call("GET", "/api/v1/campaigns/spring-26", viewer_);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(json::parse(got.body)["offer"], "Two");
  EXPECT_TRUE(json::parse(got.body)["persona"].is_null());

  // Bad entries are refused with the field at fault, and nothing changes.
  struct Bad {
    const char* body;
    const char* says;
  } bad[] = {
      {R"({"asset_id":"g2","title":"T","topic":"t","problem":"p","questions":["one?"]})", "2 to 4"},
      {R"({"asset_id":"g2","title":"T","topic":"t","problem":"p","questions":["a?","b?"],"funnel_stage":"late"})",
       "funnel_stage"},
      {R"({"asset_id":"g2","title":"T","topic":"t","questions":["a?","b?"]})",
       "problem is required"},
      {R"({"asset_id":"g2","title":"T","topic":"t","problem":"p","questions":["a?","b?"],"url_pattern":"resources"})",
       "url_pattern"},
      {R"({"asset_id":"g2","title":"T","topic":"t","problem":"p","questions":"a?"})",
       "list of strings"},
      {R"({"asset_id":"g2","titel":"T","topic":"t","problem":"p","questions":["a?","b?"]})",
       "unknown field \\\"titel\\\""},
  };
  for (const Bad& b : bad) {
    HttpResult r = Call("POST", "/api/v1/content", marketing_, b.body);
    EXPECT_EQ(r.status, 422u) << b.body;
    EXPECT_NE(r.body.find(b.says), std::string::npos) << r.body;
  }
  EXPECT_EQ(Call("POST", "/api/v1/content", marketing_, "{not json").status, 400u);
  HttpResult mismatch =
      Call("PUT", "/api/v1/content/guide", marketing_,
           R"({"asset_id":"other","title":"T","topic":"t","problem":"p","questions":["a?","b?"]})");
  EXPECT_EQ(mismatch.status, 422u);
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/content", rep_).body)["items"].size(), 1u);

  EXPECT_EQ(Call("DELETE", "/api/v1/campaigns/spring-26", rep_).status, 403u);
  EXPECT_EQ(Call("DELETE", "/api/v1/campaigns/spring-26", marketing_).status, 200u);
  EXPECT_EQ(Call("DELETE", "/api/v1/campaigns/spring-26", marketing_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/campaigns/spring-26", rep_).status, 404u);
}

}  // namespace
}  // namespace tandem
