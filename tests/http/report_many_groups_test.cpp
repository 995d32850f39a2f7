// A dimension with a million values over a real server: the report answers a bounded
// page of its groups (the store reads the rows of the page's groups only) with its
// total over every lead, and the next page goes on from where the first stopped.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "http/report_fixture.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

constexpr int64_t kLeads = 1'000'000;

class ReportManyGroupsTest : public ReportFixture {
 protected:
  void SetUp() override {
    OpenStoreWithTeam();
    Start();
    Ingest(
        R"({"batch":[{"type":"page","userId":"u0","messageId":"p0","properties":{"path":"/a","url":"https://tandem.example/a","referrer":"https://news.example/"}},)"
        R"({"type":"identify","userId":"u0","messageId":"i0","traits":{"email":"u0@acme.example"}}]})");
    const std::string lead = LeadIdOf("u0");
    // A million more leads like it, each landing on a page of its own: written
    // straight into the tables (the pipeline would take minutes).
    auto db = dir_.OpenDb();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::string columns;
    auto info = (*db)->Prepare("SELECT name FROM pragma_table_info('leads') WHERE name <> 'id'");
    ASSERT_TRUE(info.ok());
    while ((*info)->Step().value()) columns += ", " + (*info)->Text(0);
    const std::string numbers = fmt::format(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})", kLeads);
    const int64_t template_id = std::stoll(lead.substr(3));
    for (const std::string& sql :
         {fmt::format("{} INSERT INTO persons (id, created_at, updated_at) SELECT 10000000 + i, "
                      "created_at, updated_at FROM n, persons WHERE persons.id = {}",
                      numbers, template_id),
          fmt::format("{} INSERT INTO leads (id{}) SELECT 10000000 + i{} FROM n, leads t WHERE "
                      "t.id = {}",
                      numbers, columns, columns, template_id),
          fmt::format("{} INSERT INTO touchpoints SELECT 10000000 + i, t.at, t.event_id, t.type, "
                      "t.source, t.medium, t.campaign, t.term, t.content, t.referrer_domain, "
                      "'/page/' || i, t.form, t.content_item FROM n, touchpoints t WHERE "
                      "t.person_id = {}",
                      numbers, template_id),
          // And the reports' kept counts as the store keeps them (the one lead there
          // was is each row's only lead).
          fmt::format("{} INSERT INTO lead_funnel SELECT 10000000 + i, created_at, cur, hist, "
                      "t2, t3, t4, t5, t6, first_at, first_event_id, source, medium, campaign, "
                      "term, referrer_domain, '/page/' || i, form, content_item, owner_id, team, "
                      "country, company_size FROM n, "
                      "lead_funnel t WHERE t.lead_id = {}",
                      numbers, template_id),
          fmt::format("{} INSERT INTO funnel_days SELECT dim, day, '/page/' || i, cur, hist, n "
                      "FROM n, funnel_days WHERE dim = 'landing_page'",
                      numbers),
          fmt::format("{} INSERT INTO velocity_days SELECT dim, day, '/page/' || i, k, h, n "
                      "FROM n, velocity_days WHERE dim = 'landing_page'",
                      numbers),
          fmt::format("UPDATE funnel_days SET n = n + {} WHERE dim <> 'landing_page'", kLeads),
          fmt::format("UPDATE velocity_days SET n = n + {} WHERE dim <> 'landing_page'", kLeads)}) {
      Status st = (*db)->Exec(sql);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
  }
};

TEST_F(ReportManyGroupsTest, AMillionLandingPagesComeAPageAtATime) {
  const std::string target =
      "/api/v1/reports/funnel?from=2026-11-01&to=2026-12-01&by=landing_page&limit=1000";
  const auto started = std::chrono::steady_clock::now();
  HttpResult first = Call("GET", target, token_marketing_);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(first.status, 200u) << first.body.substr(0, 300);
  const json page = json::parse(first.body);
  EXPECT_EQ(page["total"]["counts"]["lead"], kLeads + 1);
  ASSERT_EQ(page["groups"].size(), 1000u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  // The answer is a page, not the million: well under a megabyte.
  EXPECT_LT(first.body.size(), 1'000'000u);
  std::cout << "first page of a million landing pages: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms, "
            << first.body.size() << " bytes\n";

  HttpResult second =
      Call("GET", target + "&cursor=" + page["next_cursor"].get<std::string>(), token_marketing_);
  ASSERT_EQ(second.status, 200u) << second.body.substr(0, 300);
  const json next = json::parse(second.body);
  ASSERT_EQ(next["groups"].size(), 1000u);
  // Names in order: the second page starts after the first's last group.
  std::string last;
  for (const json& g : page["groups"]) last = std::max(last, g["group"].get<std::string>());
  for (const json& g : next["groups"]) EXPECT_GT(g["group"].get<std::string>(), last);
}

}  // namespace
}  // namespace tandem::testing
