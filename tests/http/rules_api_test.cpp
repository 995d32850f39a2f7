// The scoring and routing rules as versions in the store: a start records tandem.toml's
// rules, a dry run lists the leads a change moves and keeps nothing, an admin saves a
// version that is in force at once, a stale save is refused, another instance's version
// comes into force by itself, and an edited tandem.toml wins at the next start.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/rules_sync.h"
#include "config/rules_text.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

constexpr const char* kEmeaRule = R"(
[[routing.rules]]
name = "dach"
team = "emea"
when = [{ trait = "country", in = ["DE", "AT", "CH"] }]
)";

class RulesApiTest : public testing::ApiFixture {
 protected:
  RulesApiTest() : ApiFixture("2026-11-23T10:00:00Z") {}

  void SetUp() override {
    OpenStoreFirst();
    admin_ = AddUser("admin@x.example", "admin", &token_admin_);
    AddUser("m@x.example", "sales_manager", &token_manager_, 0);
    AddUser("mk@x.example", "marketing", &token_marketing_, 0);
    AddUser("rep@x.example", "sales_rep", &token_rep_, 1000);
    UserRecord emea;
    emea.email = "emea@x.example";
    emea.name = "Emil Emea";
    emea.role = Role::kSalesRep;
    emea.team = "emea";
    emea.capacity = 1000;
    emea.created_at = emea.updated_at = clock_.Now();
    emea_ = store_->CreateUser(emea)->id;
    Start();
    // Two leads, one in Germany, one in the US; both raised a hand.
    Ingest(R"({"batch":[
      {"type":"identify","userId":"de","traits":{"email":"de@buyer.example","country":"DE","title":"Analyst"}},
      {"type":"identify","userId":"us","traits":{"email":"us@buyer.example","country":"US","title":"Analyst"}}]})");
  }

  json Rules(const std::string& token) {
    return json::parse(Call("GET", "/api/v1/rules", token).body);
  }
  HttpResult DryRun(const std::string& token, const std::string& toml) {
    return Call("POST", "/api/v1/rules/dry-run", token, json{{"toml", toml}}.dump());
  }
  HttpResult Save(const std::string& token, const std::string& toml, int64_t base) {
    return Call(
        "PUT", "/api/v1/rules", token,
        json{{"toml", toml}, {"note", "DACH to the EMEA team"}, {"base_version", base}}.dump());
  }

  int64_t admin_ = 0, emea_ = 0;
  std::string token_admin_, token_manager_, token_marketing_, token_rep_;
};

TEST_F(RulesApiTest, ADryRunListsTheLeadsAChangeMovesAndASaveIsInForceAtOnce) {
  const json current = Rules(token_manager_);
  ASSERT_EQ(current["version"], 1) << current.dump();  // the start recorded tandem.toml's
  EXPECT_EQ(current["origin"], "config");
  const std::string toml = current["toml"];
  EXPECT_NE(toml.find("[scoring]"), std::string::npos);
  EXPECT_NE(toml.find("[routing]"), std::string::npos);
  EXPECT_EQ(current["teams"], json::array({"emea", "sales"}));
  EXPECT_EQ(Call("GET", "/api/v1/rules", token_rep_).status, 403u);

  // Routing: the German lead would go to EMEA; the American one stays.
  HttpResult run = DryRun(token_marketing_, toml + kEmeaRule);
  ASSERT_EQ(run.status, 200u) << run.body;
  json result = json::parse(run.body);
  EXPECT_EQ(result["examined"], 2);
  ASSERT_EQ(result["changed"], 1) << result.dump();
  EXPECT_EQ(result["team_changes"], 1);
  const json& change = result["changes"][0];
  EXPECT_EQ(change["email"], "de@buyer.example");
  EXPECT_EQ(change["team"]["before"], "");
  EXPECT_EQ(change["team"]["after"], "emea");
  EXPECT_EQ(change["team"]["rule_after"], "dach");

  // Scoring: a fit rule on the title changes both scores; nothing is kept.
  const std::string analysts = toml + R"(
[[scoring.fit]]
name = "analyst"
trait = "title"
matches = "analyst"
points = 40
)";
  const json lead_before =
      json::parse(Call("GET", "/api/v1/leads?q=de%40buyer", token_admin_).body);
  result = json::parse(DryRun(token_admin_, analysts).body);
  EXPECT_EQ(result["score_changes"], 2) << result.dump();
  EXPECT_EQ(result["changes"][0]["score"]["after"]["fit"].get<double>() -
                result["changes"][0]["score"]["before"]["fit"].get<double>(),
            40);
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/leads?q=de%40buyer", token_admin_).body), lead_before)
      << "a dry run keeps nothing";

  // What is wrong is named, with its line.
  HttpResult bad =
      DryRun(token_admin_, "[routing]\n[[routing.rules]]\nname = \"x\"\nteam = \"apac\"\n");
  EXPECT_EQ(bad.status, 422u);
  EXPECT_NE(bad.body.find("rules:2: routing rule \\\"x\\\" names team \\\"apac\\\""),
            std::string::npos)
      << bad.body;
  HttpResult syntax = DryRun(token_admin_, "[routing\n");
  EXPECT_EQ(syntax.status, 422u);
  EXPECT_NE(syntax.body.find("rules:1:"), std::string::npos) << syntax.body;

  // Only admins save; a save from a stale version is refused.
  EXPECT_EQ(Save(token_manager_, toml + kEmeaRule, 1).status, 403u);
  HttpResult saved = Save(token_admin_, toml + kEmeaRule, 1);
  ASSERT_EQ(saved.status, 200u) << saved.body;
  EXPECT_EQ(json::parse(saved.body)["version"], 2);
  HttpResult stale = Save(token_admin_, toml, 1);
  EXPECT_EQ(stale.status, 409u);
  EXPECT_EQ(json::parse(stale.body)["error"]["code"], "rules_changed");
  const json now = Rules(token_admin_);
  EXPECT_EQ(now["version"], 2);
  EXPECT_EQ(now["origin"], "app");
  EXPECT_EQ(now["created_by"], "usr_" + std::to_string(admin_));
  const json versions = json::parse(Call("GET", "/api/v1/rules/versions", token_admin_).body);
  ASSERT_EQ(versions["items"].size(), 2u);
  EXPECT_EQ(versions["items"][0]["note"], "DACH to the EMEA team");

  // In force at once: an Austrian hand-raiser goes to the EMEA rep.
  Ingest(R"({"batch":[
    {"type":"identify","userId":"at","traits":{"email":"at@buyer.example","country":"AT"}},
    {"type":"track","userId":"at","event":"Demo Requested"}]})");
  const json at = json::parse(Call("GET", "/api/v1/leads/" + LeadIdOf("at"), token_admin_).body);
  ASSERT_TRUE(at["owner"].is_object()) << at.dump();
  EXPECT_EQ(at["owner"]["id"], "usr_" + std::to_string(emea_));
  EXPECT_EQ(at["team"], "emea") << at.dump();
}

// Another instance saved a version: the watch puts it in force by itself, and an edited
// tandem.toml becomes the newest version at the next start.
TEST(RulesSyncTest, AVersionSavedElsewhereComesIntoForceAndAnEditedFileWins) {
  testing::TestStore dir;
  auto store = std::move(OpenStore(dir.Url(), StoreOptions{}).value());
  ManualClock clock(*ParseIsoTime("2026-11-23T10:00:00Z"));
  Config config;
  auto engine = EngineInForce(config, *store, clock.Now(), /*seed=*/true, {});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto first = store->LatestRuleVersion();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->version, 1);
  EXPECT_EQ((*first)->origin, "config");

  RulesWatch watch(*store, **engine, clock, 1);
  watch.Start(std::chrono::milliseconds(20));
  ScoringConfig slower = DefaultScoring();
  slower.half_life_days = 90;
  ASSERT_TRUE(store
                  ->AddRuleVersion(RuleVersion{0, RulesToml(slower, {}), "app", std::nullopt,
                                               "elsewhere", clock.Now()},
                                   1)
                  .ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*engine)->scoring()->half_life_days != 90 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*engine)->scoring()->half_life_days, 90);
  watch.Stop();

  // The same file at the next start changes nothing; an edited one becomes version 3.
  ASSERT_TRUE(PutRulesInForce(*store, **engine, config, clock.Now(), true).ok());
  EXPECT_EQ((*store->LatestRuleVersion())->version, 2);
  EXPECT_EQ((*engine)->scoring()->half_life_days, 90);
  config.scoring.half_life_days = 7;
  auto in_force = PutRulesInForce(*store, **engine, config, clock.Now(), true);
  ASSERT_TRUE(in_force.ok()) << in_force.status().ToString();
  EXPECT_EQ(*in_force, 3);
  EXPECT_EQ((*store->LatestRuleVersion())->origin, "config");
  EXPECT_EQ((*engine)->scoring()->half_life_days, 7);
}

}  // namespace
}  // namespace tandem
