// Engagement, end to end, against a real SMTP server: the email that arrives carries
// signed redirects for its links and the open image; a reader's click leads to the link
// and reaches the lead's timeline and score; an open by Apple's privacy proxy is kept as
// a machine open and earns nothing; a forged or altered link leads nowhere and records
// nothing.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "email/html_facts.h"
#include "email/mime.h"
#include "support/api_fixture.h"
#include "support/fixture_http_server.h"
#include "testing/smtp_sink.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

constexpr const char* kFirefox =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0";

class EmailTrackingTest : public testing::ApiFixture {
 protected:
  EmailTrackingTest()
      : ApiFixture("2026-11-23T10:00:00Z"),
        site_(std::string(TANDEM_SOURCE_DIR) + "/tests/support/fixture_http_server.py") {}

  void SetUp() override {
    sink_.Start();
    OpenStoreFirst();
    AddUser("rep@meetco.example", "sales_rep", &rep_token_);
    std::string marketing_token;
    AddUser("mk@meetco.example", "marketing", &marketing_token);
    Config config;
    config.email.relay = sink_.Url();
    config.email.from_address = "rep@meetco.example";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.email.connections = 1;
    config.email.fetch_private_hosts = true;  // the linked page is on this machine
    config.server.public_url = "https://t.example.com/";
    Start(config);
    ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"none"})").status,
              200u);
    Ingest(
        R"({"batch":[{"type":"identify","userId":"u1","traits":{"email":"ana@offsite.example","name":"Ana Ruiz","timezone":"Europe/London"}},)"
        R"({"type":"track","userId":"u1","event":"Demo Requested"}]})");
    lead_ = LeadIdOf("u1");
    json t = {{"key", "venues"},
              {"name", "venues"},
              {"purpose", "sales_outreach"},
              {"layout", "default"},
              {"subject", "{{lead.first_name | Hello}}, three venues"},
              {"html",
               "<p>Hi {{lead.first_name | there}}, are you planning an offsite? Here are "
               "<a href=\"" +
                   Escaped(Link()) +
                   "\">three venues near you</a> and <a href=\"mailto:rep@meetco.example\">my "
                   "address</a>.</p>"}};
    ASSERT_EQ(Call("POST", "/api/v1/email-templates", marketing_token, t.dump()).status, 201u);
  }

  // The page the email links to (on the fixture server: the check must reach it).
  std::string Link() { return site_.Url("/page.html?team=12&city=leith"); }
  static std::string Escaped(const std::string& url) {
    std::string out;
    for (char c : url) out += c == '&' ? std::string("&amp;") : std::string(1, c);
    return out;
  }

  bool Until(const std::function<bool()>& done) {
    for (int i = 0; i < 3000; ++i) {
      if (done()) return true;
      app_->email().sender().Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  json Get(const std::string& target) { return json::parse(Call("GET", target, rep_token_).body); }

  // Sends the email and returns its HTML as it arrived, and its id.
  std::string SendAndReceive(std::string& email_id) {
    HttpResult sent =
        Call("POST", "/api/v1/leads/" + lead_ + "/emails", rep_token_, R"({"template":"venues"})");
    EXPECT_EQ(sent.status, 201u) << sent.body;
    email_id = json::parse(sent.body)["email"]["id"];
    EXPECT_TRUE(Until([&] { return Get("/api/v1/emails/" + email_id)["status"] == "sent"; }));
    auto mail = email::ParseMime(sink_.Messages().at(0).raw);
    EXPECT_TRUE(mail.ok());
    return mail.ok() ? mail->html : "";
  }

  // `url` (on https://t.example.com) as a path for the test's server.
  static std::string PathOf(const std::string& url) {
    const std::string base = "https://t.example.com";
    EXPECT_TRUE(url.starts_with(base)) << url;
    return url.substr(base.size());
  }

  HttpResult Visit(const std::string& path, const std::string& agent,
                   const std::string& method = "GET") {
    return client_->Request(method, path, "", {{"User-Agent", agent}});
  }

  std::vector<std::string> TimelineKinds() {
    std::vector<std::string> kinds;
    const json timeline = Get("/api/v1/leads/" + lead_ + "/timeline");
    for (const json& item : timeline["items"]) {
      kinds.push_back(item.value("kind", ""));
    }
    return kinds;
  }

  testing::SmtpSink sink_;
  testing::FixtureHttpServer site_;
  std::string rep_token_, lead_;
};

TEST_F(EmailTrackingTest, AReadersClickLeadsToTheLinkAndCountsOnTheLead) {
  std::string email_id;
  const std::string html = SendAndReceive(email_id);
  const email::HtmlFacts facts = email::ReadHtmlAsWritten(html);
  ASSERT_GE(facts.links.size(), 2u) << html;
  const std::string tracked = facts.links[0].href;
  EXPECT_TRUE(tracked.starts_with("https://t.example.com/t/c/" + email_id + "/")) << tracked;
  EXPECT_EQ(facts.links[1].href, "mailto:rep@meetco.example");
  ASSERT_FALSE(facts.images.empty());
  EXPECT_TRUE(facts.images.back().src.starts_with("https://t.example.com/t/o/" + email_id + "/"));

  const double engagement_before = Get("/api/v1/leads/" + lead_ + "/score")["engagement"];
  clock_.Advance(std::chrono::minutes(5));
  HttpResult click = Visit(PathOf(tracked), kFirefox);
  EXPECT_EQ(click.status, 302u) << click.body;
  EXPECT_EQ(click.headers["Location"], Link());
  // The same click again at once is the same click.
  EXPECT_EQ(Visit(PathOf(tracked), kFirefox).status, 302u);
  json email = Get("/api/v1/emails/" + email_id);
  EXPECT_EQ(email["engagement"]["clicks"], 1) << email;
  EXPECT_FALSE(email["engagement"]["first_clicked_at"].is_null());
  ASSERT_EQ(email["engagements"].size(), 1u);
  EXPECT_EQ(email["engagements"][0]["kind"], "click");
  EXPECT_EQ(email["engagements"][0]["machine"], false);
  EXPECT_EQ(email["engagements"][0]["user_agent"], kFirefox);

  json score = Get("/api/v1/leads/" + lead_ + "/score");
  EXPECT_GT(score["engagement"].get<double>(), engagement_before);
  bool counted = false;
  for (const json& item : score["explanation"]) {
    if (item["rule"] == "email clicked") {
      counted = true;
      EXPECT_EQ(item["because"]["trait"], "email=" + email_id);
    }
  }
  EXPECT_TRUE(counted) << score;
  const std::vector<std::string> kinds = TimelineKinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "email_clicked"), 1);
}

TEST_F(EmailTrackingTest, AForgedOrAlteredLinkLeadsNowhereAndRecordsNothing) {
  std::string email_id;
  const std::string html = SendAndReceive(email_id);
  const std::string tracked = PathOf(email::ReadHtmlAsWritten(html).links.at(0).href);
  clock_.Advance(std::chrono::minutes(5));
  const size_t u = tracked.find("?u=");
  ASSERT_NE(u, std::string::npos);
  // Another target with the email's own MAC: the open redirect an attacker wants.
  HttpResult other = Visit(tracked.substr(0, u) + "?u=https%3A%2F%2Fevil.example%2F", kFirefox);
  EXPECT_EQ(other.status, 404u);
  EXPECT_EQ(other.headers.count("Location"), 0u);
  // The same link under another email's id, a changed MAC, no link at all.
  std::string moved = tracked;
  moved.replace(moved.find(email_id), email_id.size(), "em_forged");
  EXPECT_EQ(Visit(moved, kFirefox).status, 404u);
  std::string changed = tracked;
  changed[u - 1] = changed[u - 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Visit(changed, kFirefox).status, 404u);
  EXPECT_EQ(Visit(tracked.substr(0, u), kFirefox).status, 404u);
  EXPECT_EQ(Visit("/t/c/../../api/v1/leads", kFirefox).status, 404u);
  EXPECT_EQ(Visit("/t/o/" + email_id + "/nothing.gif", kFirefox).status, 404u);
  json email = Get("/api/v1/emails/" + email_id);
  EXPECT_EQ(email["engagement"]["clicks"], 0);
  EXPECT_EQ(email["engagement"]["opens"], 0);
  EXPECT_TRUE(email["engagements"].empty());
}

TEST_F(EmailTrackingTest, MachineOpensAreKeptApartAndEarnNothing) {
  std::string email_id;
  const std::string html = SendAndReceive(email_id);
  const std::string pixel = PathOf(email::ReadHtmlAsWritten(html).images.back().src);
  // Apple's privacy proxy fetches the image as the mail arrives.
  HttpResult proxy = Visit(pixel, "Mozilla/5.0");
  EXPECT_EQ(proxy.status, 200u);
  EXPECT_EQ(proxy.headers["Content-Type"], "image/gif");
  EXPECT_EQ(proxy.body.size(), 43u);
  clock_.Advance(std::chrono::minutes(30));
  HttpResult checker = Visit(pixel, kFirefox, "HEAD");
  EXPECT_EQ(checker.status, 200u);
  json email = Get("/api/v1/emails/" + email_id);
  EXPECT_EQ(email["engagement"]["machine_opens"], 2) << email;
  EXPECT_EQ(email["engagement"]["opens"], 0);
  EXPECT_TRUE(email["engagement"]["first_opened_at"].is_null());
  EXPECT_NE(email["engagements"][1]["why_machine"].get<std::string>().find("Apple"),
            std::string::npos);
  std::vector<std::string> kinds = TimelineKinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "email_opened"), 0);
  // The reader opens it later: an open, on the timeline once however often it is shown.
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(Visit(pixel, kFirefox).status, 200u);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(Visit(pixel, kFirefox).status, 200u);
  email = Get("/api/v1/emails/" + email_id);
  EXPECT_EQ(email["engagement"]["opens"], 2);
  EXPECT_EQ(email["engagement"]["machine_opens"], 2);
  kinds = TimelineKinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "email_opened"), 1);
}

}  // namespace
}  // namespace tandem
