// GET /api/v1/reports/{funnel,outcomes,speed-to-lead,attribution}/leads over a real
// server: every figure of every report, group by group, has exactly as many leads behind
// it as it says; pages follow their cursor; a rep drills only into the rep's own leads;
// bad input is a 400 naming the parameter.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "http/report_fixture.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

constexpr const char* kRange = "from=2026-11-01&to=2026-12-01";

class ReportDrillTest : public ReportFixture {
 protected:
  void SetUp() override {
    OpenStoreWithTeam();
    Start();
    // Eight hand-raisers from two campaigns (and none), two countries, three sizes.
    const char* campaigns[] = {"spring", "spring", "fall", "", "spring", "fall", "fall", ""};
    const char* countries[] = {"DE", "FR", "DE", "DE", "", "FR", "DE", "FR"};
    const int sizes[] = {12, 300, 12, 7000, 45, 300, 12, 0};
    std::string batch = R"({"batch":[)";
    for (int i = 0; i < 8; ++i) {
      const std::string context =
          *campaigns[i]
              ? fmt::format(R"({{"campaign":{{"source":"google","name":"{}"}}}})", campaigns[i])
              : "{}";
      batch += fmt::format(
          R"({}{{"type":"page","userId":"u{}","messageId":"p{}","timestamp":"2026-11-20T09:00:00Z","properties":{{"path":"/"}},"context":{}}},)"
          R"({{"type":"identify","userId":"u{}","messageId":"i{}","traits":{{"email":"u{}@c{}.example","address":{{"country":"{}"}},"company":{{"size":{}}}}}}},)"
          R"({{"type":"track","userId":"u{}","messageId":"t{}","event":"Demo Requested"}})",
          i ? "," : "", i, i, context, i, i, i, i, countries[i], sizes[i], i, i);
    }
    Ingest(batch + "]}");
    for (int i = 0; i < 8; ++i) leads_.push_back(LeadIdOf(fmt::format("u{}", i)));
    clock_.Advance(std::chrono::hours(1));
    Outcomes(0, {R"({"disposition":"accepted"})", R"({"disposition":"qualified"})",
                 R"({"disposition":"opportunity","amount":100})",
                 R"({"disposition":"won","amount":150.25})"});
    Outcomes(1, {R"({"disposition":"rejected","reason":"student"})"});
    Outcomes(2, {R"({"disposition":"rejected","reason":"competitor"})"});
    Outcomes(3, {R"({"disposition":"accepted"})"});
    Outcomes(4, {R"({"disposition":"accepted"})", R"({"disposition":"qualified"})",
                 R"({"disposition":"opportunity","amount":80})"});
    Outcomes(5, {R"({"disposition":"rejected","reason":"student"})"});
  }

  void Outcomes(int i, std::initializer_list<const char*> bodies) {
    for (const char* body : bodies) Outcome(leads_[i], body);
  }

  json Get(const std::string& target, const std::string& token) {
    HttpResult r = Call("GET", target, token);
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // Every lead behind a figure, page by page (`limit` a page), each once.
  std::set<std::string> Leads(const std::string& report, const std::string& query,
                              const std::string& token, int limit = 200) {
    std::set<std::string> ids;
    std::string cursor;
    for (int pages = 0; pages < 50; ++pages) {
      std::string target =
          fmt::format("/api/v1/reports/{}/leads?{}&{}&limit={}", report, kRange, query, limit);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      json page = Get(target, token);
      for (const json& item : page["items"]) {
        EXPECT_TRUE(ids.insert(item["id"].get<std::string>()).second) << "twice: " << item["id"];
      }
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"].get<std::string>();
    }
    return ids;
  }

  static std::string Escape(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
      out += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    }
    return out;
  }

  std::vector<std::string> leads_;
};

TEST_F(ReportDrillTest, EveryFunnelFigureHasItsLeadsBehindIt) {
  int checked = 0;
  for (const char* by : {"campaign", "country", "company_size"}) {
    json report = Get(fmt::format("/api/v1/reports/funnel?{}&by={}", kRange, by), token_manager_);
    ASSERT_GT(report["groups"].size(), 1u) << by;
    for (const json& row : report["groups"]) {
      for (const auto& [stage, count] : row["counts"].items()) {
        const auto leads = Leads("funnel",
                                 fmt::format("by={}&group={}&stage={}", by,
                                             Escape(row["group"].get<std::string>()), stage),
                                 token_manager_);
        EXPECT_EQ(static_cast<int64_t>(leads.size()), count.get<int64_t>())
            << by << "=" << row["group"] << " " << stage;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 40);
  // The total's: no group.
  EXPECT_EQ(Leads("funnel", "stage=sal", token_manager_).size(), 3u);
  EXPECT_EQ(Leads("funnel", "by=country&group=DE&stage=customer", token_manager_).size(), 1u);
}

TEST_F(ReportDrillTest, OutcomeSpeedAndAttributionFiguresToo) {
  json outcomes =
      Get(fmt::format("/api/v1/reports/outcomes?{}&by=campaign", kRange), token_manager_);
  for (const json& row : outcomes["groups"]) {
    for (const json& reason : row["reasons"]) {
      const auto leads = Leads(
          "outcomes",
          fmt::format("by=campaign&group={}&outcome={}&reason={}", Escape(row["group"]),
                      reason["outcome"].get<std::string>(), reason["reason"].get<std::string>()),
          token_manager_);
      EXPECT_EQ(static_cast<int64_t>(leads.size()), reason["count"].get<int64_t>())
          << row["group"] << " " << reason["reason"];
    }
  }
  EXPECT_EQ(Leads("outcomes", "outcome=rejected&reason=student", token_manager_).size(), 2u);

  json speed =
      Get(fmt::format("/api/v1/reports/speed-to-lead?{}&by=country", kRange), token_manager_);
  for (const json& row : speed["groups"]) {
    for (size_t b = 0; b < speed["buckets"].size(); ++b) {
      const auto leads = Leads("speed-to-lead",
                               fmt::format("by=country&group={}&bucket={}", Escape(row["group"]),
                                           speed["buckets"][b].get<std::string>()),
                               token_manager_);
      EXPECT_EQ(static_cast<int64_t>(leads.size()), row["buckets"][b]["mqls"].get<int64_t>());
    }
  }

  json attribution =
      Get(fmt::format("/api/v1/reports/attribution?{}&by=campaign&model=linear", kRange),
          token_manager_);
  for (const json& row : attribution["groups"]) {
    const std::string group = Escape(row["group"]);
    EXPECT_EQ(
        static_cast<int64_t>(
            Leads("attribution", "by=campaign&stage=opportunity&group=" + group, token_manager_)
                .size()),
        row["opportunity_deals"].get<int64_t>());
    EXPECT_EQ(static_cast<int64_t>(
                  Leads("attribution", "by=campaign&stage=customer&group=" + group, token_manager_)
                      .size()),
              row["won_deals"].get<int64_t>());
  }
  json won = Get(fmt::format("/api/v1/reports/attribution/leads?{}&by=campaign&group=spring&"
                             "stage=customer",
                             kRange),
                 token_manager_);
  ASSERT_EQ(won["items"].size(), 1u);
  EXPECT_EQ(won["items"][0]["id"], leads_[0]);
  EXPECT_DOUBLE_EQ(won["items"][0]["credit"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(won["items"][0]["credited_amount"].get<double>(), 150.25);
}

TEST_F(ReportDrillTest, PagesFollowTheirCursorAndARepDrillsIntoOwnLeadsOnly) {
  EXPECT_EQ(Leads("funnel", "stage=mql", token_manager_, 3).size(), 8u);
  EXPECT_EQ(Leads("attribution", "stage=opportunity", token_manager_, 1).size(), 2u);
  for (const std::string* token : {&token_rep_a_, &token_rep_b_}) {
    const int64_t rep = token == &token_rep_a_ ? rep_a_ : rep_b_;
    json page = Get(fmt::format("/api/v1/reports/funnel/leads?{}&limit=200", kRange), *token);
    for (const json& item : page["items"]) {
      EXPECT_EQ(item["owner"]["id"], fmt::format("usr_{}", rep)) << item.dump();
    }
    json report = Get(fmt::format("/api/v1/reports/funnel?{}", kRange), *token);
    EXPECT_EQ(static_cast<int64_t>(page["items"].size()),
              report["total"]["counts"]["lead"].get<int64_t>());
  }
}

TEST_F(ReportDrillTest, BadInputIsA400NamingTheParameter) {
  for (const auto& [target, names] : std::vector<std::pair<std::string, std::string>>{
           {"funnel/leads?group=spring", "group needs by"},
           {"funnel/leads?stage=recycled", "stage=\"recycled\""},
           {"attribution/leads?stage=sql", "stage=\"sql\" is not opportunity or customer"},
           {"funnel/leads?bucket=never", "bucket is not a figure of this report"},
           {"speed-to-lead/leads?bucket=soon", "bucket=\"soon\""},
           {"outcomes/leads?outcome=won", "outcome=\"won\""},
           {"funnel/leads?limit=0", "limit=\"0\""},
           {"funnel/leads?limit=201", "limit=\"201\""},
           {"funnel/leads?cursor=abc", "cursor is not a next_cursor"},
           {"funnel/leads?format=csv", "JSON only"},
           {"attribution/leads?model=last_click", "model=\"last_click\""},
       }) {
    const std::string url = "/api/v1/reports/" + target + "&" + kRange;
    HttpResult r = Call("GET", url, token_manager_);
    EXPECT_EQ(r.status, 400u) << url << ": " << r.body;
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_NE(body["error"]["message"].get<std::string>().find(names), std::string::npos)
        << url << ": " << r.body;
  }
}

}  // namespace
}  // namespace tandem::testing
