// GET /api/v1/reports/funnel and /outcomes over a real server: counts and conversions
// per group, why leads left sales, what each role sees, CSV, and bad input as 400s that
// name the parameter.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analytics/group_page.h"
#include "experiments/experiment.h"
#include "http/report_fixture.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

class FunnelApiTest : public ReportFixture {
 protected:
  void SetUp() override {
    OpenStoreWithTeam();
    Start();
    // Three hand-raises: two from the spring campaign, one that came with no touchpoint;
    // and a lead that never qualified.
    std::string batch = R"({"batch":[)";
    const char* campaigns[] = {"spring", "spring", "", "fall"};
    for (int i = 0; i < 4; ++i) {
      std::string context =
          *campaigns[i]
              ? fmt::format(R"("context":{{"campaign":{{"source":"google","name":"{}"}}}})",
                            campaigns[i])
              : R"("context":{})";
      batch += fmt::format(
          R"({}{{"type":"page","userId":"u{}","messageId":"p{}","properties":{{"path":"/"}},{}}},)"
          R"({{"type":"identify","userId":"u{}","messageId":"i{}","traits":{{"email":"u{}@acme.example"}}}})",
          i ? "," : "", i, i, context, i, i, i);
      if (i < 3) {
        batch += fmt::format(
            R"(,{{"type":"track","userId":"u{}","messageId":"t{}","event":"Demo Requested"}})", i,
            i);
      }
    }
    Ingest(batch + "]}");
    // Sales accepts the first spring lead.
    Outcome(LeadIdOf("u0"), R"({"disposition":"accepted"})");
  }

  json Funnel(const std::string& query, const std::string& token) {
    HttpResult r = Call("GET", "/api/v1/reports/funnel?" + query, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body, nullptr, false);
  }
};

constexpr const char* kRange = "from=2026-11-01&to=2026-12-01";

// A visitor id beginning with `prefix` whose arm in the 50/50 experiment `key` (version 1)
// is `arm`: the snippet gives each visitor the arm of their id, and the server takes no
// other.
std::string VisitorIn(const std::string& key, size_t arm, const std::string& prefix) {
  for (int n = 0;; ++n) {
    std::string id = fmt::format("{}{}", prefix, n);
    if (AssignArm(key, 1, {0.5, 0.5}, id) == arm) return id;
  }
}

TEST_F(FunnelApiTest, CountsEveryStageReachedAndConvertsWithWilsonIntervals) {
  json report = Funnel(std::string(kRange) + "&by=campaign", token_marketing_);
  EXPECT_EQ(report["by"], "campaign");
  EXPECT_EQ(report["total"]["counts"]["lead"], 4);
  EXPECT_EQ(report["total"]["counts"]["mql"], 3);
  EXPECT_EQ(report["total"]["counts"]["sal"], 1);
  EXPECT_EQ(report["total"]["counts"]["customer"], 0);
  const json& lead_to_mql = report["total"]["conversions"][0];
  EXPECT_EQ(lead_to_mql["converted"], 3);
  EXPECT_EQ(lead_to_mql["of"], 4);
  EXPECT_DOUBLE_EQ(lead_to_mql["rate"].get<double>(), 0.75);
  EXPECT_NEAR(lead_to_mql["low"].get<double>(), 0.300642, 1e-6);
  EXPECT_NEAR(lead_to_mql["high"].get<double>(), 0.954413, 1e-6);
  // Nobody reached SQL: no rate from SQL on.
  EXPECT_TRUE(report["total"]["conversions"][3]["rate"].is_null());

  json spring = Group(report, "spring");
  ASSERT_TRUE(spring.is_object()) << report.dump();
  EXPECT_EQ(spring["counts"]["lead"], 2);
  EXPECT_EQ(spring["counts"]["mql"], 2);
  EXPECT_EQ(spring["counts"]["sal"], 1);
  EXPECT_EQ(Group(report, "fall")["counts"]["mql"], 0);
  EXPECT_EQ(Group(report, "")["counts"]["lead"], 1);
  EXPECT_EQ(report["groups"][0]["group"], "spring");  // the most leads first

  // Leads created outside the range count nowhere.
  EXPECT_EQ(Funnel("from=2026-12-01&to=2027-01-01", token_manager_)["total"]["counts"]["lead"], 0);
}

TEST_F(FunnelApiTest, AsOfAnswersAsTheFactsStoodThenWithCohortsAndVelocity) {
  // Three days after the demo requests (the 22nd, 10:00), the accepted lead is qualified.
  clock_.Advance(std::chrono::hours(72));
  const std::string lead = LeadIdOf("u0");
  Outcome(lead, R"({"disposition":"qualified"})");

  json now = Funnel(std::string(kRange) + "&by=cohort", token_marketing_);
  EXPECT_EQ(now["total"]["counts"]["sql"], 1);
  ASSERT_EQ(now["groups"].size(), 1u);
  EXPECT_EQ(now["groups"][0]["group"], "2026-11");
  EXPECT_EQ(now["groups"][0]["counts"]["lead"], 4);
  // Velocity: three leads became MQLs within the hour; the SQL took three days from SAL.
  const json& to_mql = now["total"]["conversions"][0];
  EXPECT_EQ(to_mql["leads"], 3);
  EXPECT_DOUBLE_EQ(to_mql["median_days"].get<double>(), 0.0);
  const json& to_sql = now["total"]["conversions"][2];
  EXPECT_EQ(to_sql["leads"], 1);
  EXPECT_DOUBLE_EQ(to_sql["median_days"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(to_sql["p90_days"].get<double>(), 3.0);

  // As of the 23rd the lead was accepted but not yet qualified.
  json then = Funnel(std::string(kRange) + "&as_of=2026-11-23", token_marketing_);
  EXPECT_EQ(then["as_of"], "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(then["total"]["counts"]["sal"], 1);
  EXPECT_EQ(then["total"]["counts"]["sql"], 0);
  EXPECT_EQ(then["total"]["conversions"][2]["leads"], 0);
  // Before the leads were created, there were none; the leads behind the figures agree.
  EXPECT_EQ(Funnel(std::string(kRange) + "&as_of=2026-11-22T09:00:00Z",
                   token_marketing_)["total"]["counts"]["lead"],
            0);
  auto behind = [&](const std::string& query) {
    HttpResult r = Call("GET", "/api/v1/reports/funnel/leads?" + std::string(kRange) + query,
                        token_marketing_);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body, nullptr, false)["items"].size();
  };
  EXPECT_EQ(behind("&stage=sql"), 1u);
  EXPECT_EQ(behind("&stage=sql&as_of=2026-11-23"), 0u);
  EXPECT_EQ(behind("&stage=sal&as_of=2026-11-23"), 1u);
}

TEST_F(FunnelApiTest, ARepSeesTheRepsOwnLeadsAndAViewerNothing) {
  int64_t owned_by_a = 0;
  for (const char* u : {"u0", "u1", "u2", "u3"}) {
    auto lead = raw_store_->GetLead(std::stoll(LeadIdOf(u).substr(3))).value().value();
    owned_by_a += lead.owner_id == rep_a_ ? 1 : 0;
  }
  ASSERT_GT(owned_by_a, 0);
  EXPECT_EQ(Funnel(kRange, token_rep_a_)["total"]["counts"]["lead"], owned_by_a);
  EXPECT_EQ(Funnel(kRange, token_manager_)["total"]["counts"]["lead"], 4);
  EXPECT_EQ(Call("GET", std::string("/api/v1/reports/funnel?") + kRange, token_viewer_).status,
            403u);
}

TEST_F(FunnelApiTest, CsvHasAHeaderATotalAndARowPerGroup) {
  HttpResult r = Call("GET", std::string("/api/v1/reports/funnel?") + kRange + "&by=rep&format=csv",
                      token_manager_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.headers["Content-Type"], "text/csv; charset=utf-8");
  EXPECT_TRUE(
      r.body.starts_with("scope,group,lead,mql,sal,sql,opportunity,customer,"
                         "lead_to_mql,lead_to_mql_low,lead_to_mql_high,"))
      << r.body;
  EXPECT_NE(r.body.find("\r\ntotal,,4,3,1,0,0,0,0.750000,0.300642,0.954413,"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(fmt::format("\r\ngroup,usr_{},", rep_a_)), std::string::npos) << r.body;
}

// A dimension's groups come a page at a time, in the order of their names: the total
// stays over every lead, and the pages together hold every group once.
TEST_F(FunnelApiTest, GroupsComeAPageAtATimeWithTheTotalOverEveryLead) {
  auto walk = [&](const std::string& report) {
    std::vector<std::string> seen;
    std::string cursor;
    for (int pages = 0; pages < 5; ++pages) {
      HttpResult r = Call("GET",
                          fmt::format("/api/v1/reports/{}?{}&by=campaign&limit=1{}", report, kRange,
                                      cursor.empty() ? "" : "&cursor=" + cursor),
                          token_marketing_);
      EXPECT_EQ(r.status, 200u) << r.body;
      json page = json::parse(r.body, nullptr, false);
      if (report == "funnel") {
        EXPECT_EQ(page["total"]["counts"]["lead"], 4);
      } else {
        EXPECT_EQ(page["total"]["mqls"], 3);
      }
      EXPECT_EQ(page["groups"].size(), 1u) << page.dump();
      if (page["groups"].empty()) break;
      seen.push_back(page["groups"][0]["group"]);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return seen;
  };
  EXPECT_EQ(walk("funnel"), (std::vector<std::string>{"", "fall", "spring"}));
  // Speed to lead pages over its own groups: the MQLs'.
  EXPECT_EQ(walk("speed-to-lead"), (std::vector<std::string>{"", "spring"}));

  // CSV: the next page in a Link header, the request's target with the next cursor.
  const std::string first =
      fmt::format("/api/v1/reports/funnel?{}&by=campaign&limit=2&format=csv", kRange);
  HttpResult csv = Call("GET", first, token_marketing_);
  ASSERT_EQ(csv.status, 200u) << csv.body;
  EXPECT_NE(csv.body.find("\r\ntotal,,4,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\r\ngroup,fall,"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find("\r\ngroup,spring,"), std::string::npos) << csv.body;
  // The parameters as parsed, encoded again (names in order), and the next cursor.
  const std::string next =
      "/api/v1/reports/funnel?by=campaign&format=csv&from=2026-11-01&limit=2&to=2026-12-01&"
      "cursor=" +
      GroupCursor("fall");
  EXPECT_EQ(csv.headers["Link"], "<" + next + ">; rel=\"next\"");
  // What a request sends is not copied into the header as it came.
  HttpResult odd = Call("GET", first + "&x=%3E%2C%3Bz", token_marketing_);
  EXPECT_NE(odd.headers["Link"].find("&x=%3E%2C%3Bz&"), std::string::npos) << odd.headers["Link"];
  HttpResult last = Call("GET", next, token_marketing_);
  EXPECT_NE(last.body.find("\r\ngroup,spring,"), std::string::npos) << last.body;
  EXPECT_FALSE(last.headers.contains("Link"));

  for (const auto& [query, code] :
       std::vector<std::pair<std::string, std::string>>{{"limit=0", "invalid_parameter"},
                                                        {"limit=1001", "invalid_parameter"},
                                                        {"limit=ten", "invalid_parameter"},
                                                        {"cursor=123", "invalid_cursor"},
                                                        {"cursor=gzz", "invalid_cursor"},
                                                        {"cursor=g6", "invalid_cursor"},
                                                        {"cursor=g80", "invalid_cursor"},
                                                        {"cursor=g6100", "invalid_cursor"}}) {
    HttpResult r =
        Call("GET", fmt::format("/api/v1/reports/outcomes?{}&by=campaign&{}", kRange, query),
             token_marketing_);
    EXPECT_EQ(r.status, 400u) << query;
    EXPECT_EQ(json::parse(r.body, nullptr, false)["error"]["code"], code)
        << query << ": " << r.body;
  }
}

TEST_F(FunnelApiTest, BadInputIsA400NamingTheParameter) {
  for (const auto& [query, names] : std::vector<std::pair<std::string, std::string>>{
           {"to=2026-12-01", "from is required"},
           {"from=2026-11-01", "to is required"},
           {"from=2026-11-31&to=2026-12-01", "from=\"2026-11-31\""},
           {"from=2026-12-01&to=2026-11-01", "to must be later than from"},
           {"from=2026-11-01&to=2026-11-01", "to must be later than from"},
           {"from=2000-01-01&to=2026-12-01", "at most 10 years"},
           {std::string(kRange) + "&by=planet", "by=\"planet\""},
           {std::string(kRange) + "&format=xml", "format=\"xml\""}}) {
    HttpResult r = Call("GET", "/api/v1/reports/funnel?" + query, token_manager_);
    EXPECT_EQ(r.status, 400u) << query;
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], "invalid_parameter") << query;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(names), std::string::npos)
        << query << ": " << r.body;
  }
}

TEST_F(FunnelApiTest, OutcomesSayWhichCampaignBringsWhichReasonAndFlagSmallGroups) {
  // Who owns them before the outcome (a rejected lead goes back to marketing).
  int64_t by_a = 0;
  for (const char* u : {"u1", "u2"}) by_a += OwnerToken(LeadIdOf(u)) == token_rep_a_ ? 1 : 0;
  // The second spring lead is a student; the lead without a campaign has no budget.
  for (const auto& [user, reason] : {std::pair{"u1", "student"}, std::pair{"u2", "no_budget"}}) {
    Outcome(LeadIdOf(user), fmt::format(R"({{"disposition":"rejected","reason":"{}"}})", reason));
  }
  HttpResult r = Call("GET", std::string("/api/v1/reports/outcomes?") + kRange + "&by=campaign",
                      token_marketing_);
  ASSERT_EQ(r.status, 200u) << r.body;
  json report = json::parse(r.body);
  EXPECT_EQ(report["total"]["outcomes"], 2);
  EXPECT_EQ(report["min_group"], 20);
  json spring = Group(report, "spring");
  ASSERT_TRUE(spring.is_object()) << r.body;
  EXPECT_TRUE(spring["small"]);  // one outcome: flagged, not ranked
  ASSERT_EQ(spring["reasons"].size(), 1u);
  EXPECT_EQ(spring["reasons"][0]["outcome"], "rejected");
  EXPECT_EQ(spring["reasons"][0]["reason"], "student");
  EXPECT_EQ(spring["reasons"][0]["share"], 1.0);
  EXPECT_EQ(spring["reasons"][0]["overall_share"], 0.5);
  EXPECT_EQ(Group(report, "")["reasons"][0]["reason"], "no_budget");
  // With a lower bar both groups are ranked.
  json ranked = json::parse(
      Call("GET", std::string("/api/v1/reports/outcomes?") + kRange + "&by=campaign&min_group=1",
           token_marketing_)
          .body);
  EXPECT_FALSE(ranked["groups"][0]["small"]);
  // By rep: who recorded it; a rep sees only what is theirs.
  json mine = json::parse(
      Call("GET", std::string("/api/v1/reports/outcomes?") + kRange, token_rep_a_).body);
  EXPECT_EQ(mine["total"]["outcomes"], by_a);
  HttpResult csv = Call("GET", std::string("/api/v1/reports/outcomes?") + kRange + "&format=csv",
                        token_manager_);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.headers["Content-Type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("\r\ntotal,,false,rejected,student,1,0.5,"), std::string::npos)
      << csv.body;
  // Nothing recorded outside the range; bad input named.
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/reports/outcomes?from=2026-12-02&to=2027-01-01",
                             token_manager_)
                            .body)["total"]["outcomes"],
            0);
  for (const char* bad : {"&min_group=0", "&by=planet", "&format=xml"}) {
    HttpResult b =
        Call("GET", std::string("/api/v1/reports/outcomes?") + kRange + bad, token_manager_);
    EXPECT_EQ(b.status, 400u) << bad << " " << b.body;
  }
  EXPECT_EQ(Call("GET", std::string("/api/v1/reports/outcomes?") + kRange, token_viewer_).status,
            403u);
}

TEST_F(FunnelApiTest, SpeedToLeadBucketsTheFirstSalesTouchAndWhatCameOfIt) {
  const char* kTouch =
      R"({"channel":"email","purpose":"sales_outreach","direction":"outbound","note":"intro"})";
  // u0 is reached 3 minutes after raising a hand, u1 after 2 hours and 3 minutes, u2 never.
  clock_.Advance(std::chrono::minutes(3));
  HttpResult first = Call("POST", "/api/v1/leads/" + LeadIdOf("u0") + "/touches",
                          OwnerToken(LeadIdOf("u0")), kTouch);
  ASSERT_EQ(first.status, 201u) << first.body;
  clock_.Advance(std::chrono::hours(2));
  HttpResult later = Call("POST", "/api/v1/leads/" + LeadIdOf("u1") + "/touches",
                          OwnerToken(LeadIdOf("u1")), kTouch);
  ASSERT_EQ(later.status, 201u) << later.body;

  HttpResult r =
      Call("GET", std::string("/api/v1/reports/speed-to-lead?") + kRange + "&by=campaign",
           token_marketing_);
  ASSERT_EQ(r.status, 200u) << r.body;
  json report = json::parse(r.body);
  const json& total = report["total"];
  EXPECT_EQ(total["mqls"], 3);
  EXPECT_EQ(total["responded"], 2);
  EXPECT_EQ(total["median_minutes"], 3);
  EXPECT_EQ(total["p90_minutes"], 120);  // 2 h 3 min, in the quarter hours kept under a day
  EXPECT_EQ(total["buckets"][0]["bucket"], "under_5_min");
  EXPECT_EQ(total["buckets"][0]["mqls"], 1);
  EXPECT_EQ(total["buckets"][0]["accepted"]["converted"], 1);  // u0 was accepted
  EXPECT_EQ(total["buckets"][2]["mqls"], 1);                   // 1 to 24 hours
  EXPECT_EQ(total["buckets"][2]["accepted"]["converted"], 0);
  EXPECT_EQ(total["buckets"][4]["bucket"], "never");
  EXPECT_EQ(total["buckets"][4]["mqls"], 1);
  EXPECT_EQ(Group(report, "spring")["mqls"], 2);
  // A rep sees the MQLs the rep owns; CSV; bad input; a viewer nothing.
  int64_t owned_by_a = 0;
  for (const char* u : {"u0", "u1", "u2"})
    owned_by_a += OwnerToken(LeadIdOf(u)) == token_rep_a_ ? 1 : 0;
  json mine = json::parse(
      Call("GET", std::string("/api/v1/reports/speed-to-lead?") + kRange, token_rep_a_).body);
  EXPECT_EQ(mine["total"]["mqls"], owned_by_a);
  HttpResult csv =
      Call("GET", std::string("/api/v1/reports/speed-to-lead?") + kRange + "&format=csv",
           token_manager_);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_NE(csv.body.find("\r\ntotal,,under_5_min,1,1,0,0,1,"), std::string::npos) << csv.body;
  EXPECT_EQ(Call("GET", std::string("/api/v1/reports/speed-to-lead?") + kRange + "&by=planet",
                 token_manager_)
                .status,
            400u);
  EXPECT_EQ(
      Call("GET", std::string("/api/v1/reports/speed-to-lead?") + kRange, token_viewer_).status,
      403u);
}

// Variant is a dimension of every report: the leads whose persons a web experiment
// exposed, grouped by the variant they saw; a person shown both is in no variant.
TEST_F(FunnelApiTest, EveryReportGroupsByAnExperimentsVariant) {
  HttpResult created = Call(
      "POST", "/api/v1/experiments", token_marketing_,
      R"({"key":"pricing","name":"Pricing headline","kind":"web","variants":[{"key":"a","weight":0.5},{"key":"b","weight":0.5}]})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json::parse(created.body)["id"];
  ASSERT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", token_marketing_, "{}").status,
            200u);
  // v0-v2 saw a, v3-v4 b, v5 both (on a second device, then identified); v0 and v3 asked
  // for a demo.
  const size_t seen[] = {0, 0, 0, 1, 1, 0};
  std::vector<std::string> users;
  std::string batch = R"({"batch":[)";
  for (int i = 0; i < 6; ++i) {
    users.push_back(VisitorIn("pricing", seen[i], fmt::format("v{}-", i)));
    batch += fmt::format(
        R"({}{{"type":"page","userId":"{}","messageId":"vp{}","properties":{{"path":"/pricing"}},"context":{{"experiments":[{{"key":"pricing","version":1,"variant":"{}"}}]}}}},)"
        R"({{"type":"identify","userId":"{}","messageId":"vi{}","traits":{{"email":"v{}@buyer.example"}}}})",
        i ? "," : "", users[i], i, seen[i] ? "b" : "a", users[i], i, i);
  }
  batch += fmt::format(
      R"(,{{"type":"page","userId":"{}","anonymousId":"{}","messageId":"vp5b","properties":{{"path":"/pricing"}},"context":{{"experiments":[{{"key":"pricing","version":1,"variant":"b"}}]}}}})",
      users[5], VisitorIn("pricing", 1, "v5-phone-"));
  // A page that claims an arm its visitor was not given is not an exposure.
  batch += fmt::format(
      R"(,{{"type":"page","anonymousId":"{}","messageId":"vpx","properties":{{"path":"/pricing"}},"context":{{"experiments":[{{"key":"pricing","version":1,"variant":"a"}}]}}}})",
      VisitorIn("pricing", 1, "forger-"));
  for (const size_t user : {size_t{0}, size_t{3}}) {
    batch += fmt::format(
        R"(,{{"type":"track","userId":"{0}","messageId":"vt{1}","event":"Demo Requested"}})",
        users[user], user);
  }
  Ingest(batch + "]}");

  const std::string by = std::string(kRange) + "&by=variant&experiment=" + id;
  json funnel = Funnel(by, token_marketing_);
  EXPECT_EQ(funnel["by"], "variant");
  EXPECT_EQ(Group(funnel, "a")["counts"]["lead"], 3) << funnel.dump();
  EXPECT_EQ(Group(funnel, "a")["counts"]["mql"], 1);
  EXPECT_EQ(Group(funnel, "b")["counts"]["lead"], 2);
  EXPECT_EQ(Group(funnel, "b")["counts"]["mql"], 1);
  EXPECT_EQ(Group(funnel, "")["counts"]["lead"], 5);  // the four before, and v5
  // The experiment's own count agrees.
  const json result =
      json::parse(Call("GET", "/api/v1/experiments/" + id + "/results", token_marketing_).body);
  EXPECT_EQ(result["arms"][0]["exposed"], 3) << result.dump();
  EXPECT_EQ(result["arms"][0]["primary"], 1);
  EXPECT_EQ(result["arms"][1]["exposed"], 2);
  EXPECT_EQ(result["arms"][0]["conflicted"].get<int>() + result["arms"][1]["conflicted"].get<int>(),
            1);

  for (const char* report : {"outcomes", "speed-to-lead", "attribution"}) {
    HttpResult r = Call("GET", fmt::format("/api/v1/reports/{}?{}", report, by), token_marketing_);
    EXPECT_EQ(r.status, 200u) << report << ": " << r.body;
  }
  json speed =
      json::parse(Call("GET", "/api/v1/reports/speed-to-lead?" + by, token_marketing_).body);
  EXPECT_EQ(Group(speed, "a")["mqls"], 1) << speed.dump();
  EXPECT_EQ(Group(speed, "b")["mqls"], 1);
  // The leads behind a variant's figure.
  json leads = json::parse(
      Call("GET", "/api/v1/reports/funnel/leads?" + by + "&group=b&stage=mql", token_marketing_)
          .body);
  ASSERT_EQ(leads["items"].size(), 1u) << leads.dump();
  EXPECT_EQ(leads["items"][0]["id"], LeadIdOf(users[3]));

  // Bad input names what is wrong.
  HttpResult missing = Call("GET", std::string("/api/v1/reports/funnel?") + kRange + "&by=variant",
                            token_marketing_);
  EXPECT_EQ(missing.status, 400u);
  EXPECT_NE(missing.body.find("experiment=ex_"), std::string::npos) << missing.body;
  EXPECT_EQ(
      Call("GET", std::string("/api/v1/reports/funnel?") + kRange + "&by=campaign&experiment=" + id,
           token_marketing_)
          .status,
      400u);
  EXPECT_EQ(
      Call("GET", std::string("/api/v1/reports/funnel?") + kRange + "&by=variant&experiment=ex_999",
           token_marketing_)
          .status,
      404u);
  EXPECT_EQ(Call("GET",
                 std::string("/api/v1/reports/funnel?") + kRange + "&by=variant&experiment=ex_1%27",
                 token_marketing_)
                .status,
            400u);
}

// Two devices seen apart, then stitched into one person: one who saw the same variant on
// both counts once; one who saw both variants is conflicted — out of the counts, reported.
TEST_F(FunnelApiTest, DevicesStitchedIntoOnePersonKeepTheFirstVariantOrConflict) {
  HttpResult created = Call(
      "POST", "/api/v1/experiments", token_marketing_,
      R"({"key":"hero","name":"Hero image","kind":"web","variants":[{"key":"a","weight":0.5},{"key":"b","weight":0.5}]})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json::parse(created.body)["id"];
  ASSERT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", token_marketing_, "{}").status,
            200u);
  auto page = [](const char* anonymous, const char* variant, const char* message) {
    return fmt::format(
        R"({{"type":"page","anonymousId":"{}","messageId":"{}","properties":{{"path":"/"}},"context":{{"experiments":[{{"key":"hero","version":1,"variant":"{}"}}]}}}})",
        anonymous, message, variant);
  };
  auto identify = [](const char* anonymous, const char* user, const char* message) {
    return fmt::format(
        R"({{"type":"identify","anonymousId":"{}","userId":"{}","messageId":"{}","traits":{{"email":"{}@buyer.example"}}}})",
        anonymous, user, message, user);
  };
  // Sam: a on the laptop and on the phone. Kim: a on the laptop, b on the phone. Max: a on
  // the laptop and b on the tablet, already one person (conflicted), then b on the phone.
  // Lee: b on both, and asks for a demo from the phone, seen after the laptop: the demo
  // counts for the laptop's person.
  const auto visitor = [](const char* who, size_t arm) { return VisitorIn("hero", arm, who); };
  const std::string sam_laptop = visitor("sam-laptop-", 0), sam_phone = visitor("sam-phone-", 0);
  const std::string kim_laptop = visitor("kim-laptop-", 0), kim_phone = visitor("kim-phone-", 1);
  const std::string max_laptop = visitor("max-laptop-", 0), max_tablet = visitor("max-tablet-", 1);
  const std::string max_phone = visitor("max-phone-", 1);
  const std::string lee_laptop = visitor("lee-laptop-", 1), lee_phone = visitor("lee-phone-", 1);
  const auto p = [&](const std::string& who, const char* variant, const char* message) {
    return page(who.c_str(), variant, message);
  };
  const auto i = [&](const std::string& who, const char* user, const char* message) {
    return identify(who.c_str(), user, message);
  };
  const std::string lee_demo =
      R"({"type":"track","userId":"lee","messageId":"x7","event":"Demo Requested"})";
  Ingest("{\"batch\":[" + p(sam_laptop, "a", "m1") + "," + p(sam_phone, "a", "m2") + "," +
         p(kim_laptop, "a", "m3") + "," + p(kim_phone, "b", "m4") + "," + p(max_laptop, "a", "x1") +
         "," + p(max_tablet, "b", "x2") + "," + i(max_laptop, "max", "x8") + "," +
         i(max_tablet, "max", "x9") + "," + p(max_phone, "b", "x3") + "," +
         p(lee_laptop, "b", "x4") + "]}");
  clock_.Advance(std::chrono::hours(1));
  Ingest("{\"batch\":[" + p(lee_phone, "b", "x5") + "," + i(lee_phone, "lee", "x6") + "," +
         lee_demo + "]}");
  json before =
      json::parse(Call("GET", "/api/v1/experiments/" + id + "/results", token_marketing_).body);
  EXPECT_EQ(before["arms"][0]["exposed"], 3) << before.dump();  // Sam twice, Kim's laptop
  EXPECT_EQ(before["arms"][1]["exposed"], 4);                   // Kim's and Max's phones, Lee twice
  EXPECT_EQ(before["arms"][1]["primary"], 1);
  Ingest("{\"batch\":[" + i(sam_laptop, "sam", "m5") + "," + i(sam_phone, "sam", "m6") + "," +
         i(kim_laptop, "kim", "m7") + "," + i(kim_phone, "kim", "m8") + "," +
         i(max_phone, "max", "m10") + "," + i(lee_laptop, "lee", "m11") + "]}");
  json after =
      json::parse(Call("GET", "/api/v1/experiments/" + id + "/results", token_marketing_).body);
  EXPECT_EQ(after["arms"][0]["exposed"], 1) << after.dump();  // Sam, once
  EXPECT_EQ(after["arms"][1]["exposed"], 1);                  // Lee, once, with the demo
  EXPECT_EQ(after["arms"][1]["primary"], 1);
  EXPECT_EQ(after["arms"][0]["conflicted"].get<int>() + after["arms"][1]["conflicted"].get<int>(),
            2);  // Kim and Max, once each
  EXPECT_EQ(after["arms"][0]["assigned"], 1);
  EXPECT_EQ(after["arms"][1]["assigned"], 1);
}

}  // namespace
}  // namespace tandem::testing
