// The pre-send check over HTTP: seed 000's email — "(E-mail Subject)", a logo served
// 900×300 and shown in a 600×80 box, no opt-out, no address, copy about the sender — is
// answered with each of its faults; the same email fixed passes; bad bodies are refused
// with the field named. Images and links are fetched from a real server on 127.0.0.1.
#include <nlohmann/json.hpp>
#include <thread>

#include "support/api_fixture.h"
#include "support/fixture_http_server.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class EmailLintApiTest : public testing::ApiFixture {
 protected:
  EmailLintApiTest()
      : server_(std::string(TANDEM_SOURCE_DIR) + "/tests/support/fixture_http_server.py") {}

  void SetUp() override {
    OpenStoreFirst();
    AddUser("marketing@seller.example", "marketing", &marketing_);
    AddUser("viewer@seller.example", "viewer", &viewer_);
    Config config;
    config.server.public_url = "https://tandem.example";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.email.fetch_private_hosts = true;  // the test's server is on loopback
    config.email.fetch_timeout_ms = fetch_timeout_ms_;
    Start(config);
  }

  HttpResult LintCall(const json& body, const std::string& token) {
    return Call("POST", "/api/v1/emails/lint", token, body.dump());
  }
  json Lint(const json& body) {
    HttpResult r = LintCall(body, marketing_);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  std::string Logo() const { return server_.Url("/image.png?w=900&h=300"); }

  testing::FixtureHttpServer server_;
  int64_t fetch_timeout_ms_ = 2000;
  std::string marketing_, viewer_;
};

std::vector<std::string> Codes(const json& answer) {
  std::vector<std::string> codes;
  for (const json& f : answer["findings"]) codes.push_back(f["code"]);
  return codes;
}

const json* Find(const json& answer, const std::string& code) {
  for (const json& f : answer["findings"]) {
    if (f["code"] == code) return &f;
  }
  return nullptr;
}

TEST_F(EmailLintApiTest, SeedZeroIsAnsweredWithEachOfItsFaults) {
  const std::string html = "<html><body>\n<img src=\"" + Logo() +
                           "\" width=\"600\" height=\"80\">\n<p>MeetCo is the leading meeting "
                           "company. We have hosted meetings for 20 years. Our venues\nare the "
                           "best, our staff are the best, and we are proud of our awards. Contact "
                           "us today.</p>\n</body></html>";
  json answer = Lint({{"subject", "(E-mail Subject)"}, {"html", html}, {"marketing", true}});
  EXPECT_EQ(answer["ok"], false);
  for (const char* code :
       {"subject_placeholder", "image_distorted", "no_unsubscribe", "no_postal_address",
        "copy_about_sender", "copy_no_question", "image_no_alt"}) {
    EXPECT_NE(Find(answer, code), nullptr) << code << " in " << answer.dump();
  }
  const json* distorted = Find(answer, "image_distorted");
  ASSERT_NE(distorted, nullptr);
  EXPECT_EQ((*distorted)["severity"], "error");
  EXPECT_EQ((*distorted)["where"], "body: image 1 (" + Logo() + ")");
  EXPECT_EQ((*distorted)["message"],
            "the image is 900×300 but shown in a 600×80 box: it will be cut or stretched");
  EXPECT_EQ((*distorted)["fix"], "show it at its own proportions (for 600 wide, 200 high)");
  EXPECT_EQ(answer["findings"][0]["severity"], "error");  // errors first
  for (const json& f : answer["findings"]) {
    for (const char* field : {"code", "severity", "where", "message", "fix"}) {
      EXPECT_TRUE(f[field].is_string() && !f[field].get<std::string>().empty()) << f.dump();
    }
  }
}

TEST_F(EmailLintApiTest, TheSameEmailFixedPassesWithOnlyAWarning) {
  const std::string html =
      "<html><body>\n<img src=\"" + Logo() +
      "\" width=\"300\" height=\"100\" alt=\"MeetCo\">\n<p>Hi Ana, you downloaded the offsite "
      "planning guide last week. Are you planning a team offsite this spring? If you tell me "
      "your team size and dates, I can send you three venues that fit your budget, with your "
      "travel times from the office.</p>\n<p><a href=\"" +
      server_.Url("/ok") +
      "\">See venues near you</a></p>\n<p><a href=\"https://tandem.example/u/abc\">Unsubscribe</a>"
      " · 12 Harbour Road, Leith EH6 6LX</p>\n</body></html>";
  json answer = Lint({{"subject", "Three venues for your spring offsite?"},
                      {"preheader", "Picked for your team"},
                      {"html", html},
                      {"marketing", true},
                      {"engaged_content", "Offsite planning guide"}});
  EXPECT_EQ(answer["ok"], true) << answer.dump();
  // The test's server speaks http, not https: a warning, not an error.
  EXPECT_EQ(Codes(answer), std::vector<std::string>{"image_not_https"}) << answer.dump();
}

TEST_F(EmailLintApiTest, AnUnreachableLinkSaysWhy) {
  json answer = Lint({{"subject", "Your venue?"},
                      {"html", "<p>Is this for you?</p><a href=\"" + server_.Url("/missing") +
                                   "\">the venue</a>"}});
  const json* unreachable = Find(answer, "link_unreachable");
  ASSERT_NE(unreachable, nullptr) << answer.dump();
  EXPECT_EQ((*unreachable)["message"], "the link does not answer: answered 404");
  EXPECT_EQ(answer["ok"], false);
}

TEST_F(EmailLintApiTest, AGenericThankYouToSomeoneWhoCameForAGuideIsAWarning) {
  json body = {{"subject", "Your guide?"},
               {"html", "<p>Thank you for your interest in MeetCo. What is your team size?</p>"},
               {"engaged_content", "Offsite planning guide"}};
  json answer = Lint(body);
  EXPECT_EQ(answer["ok"], true);
  ASSERT_NE(Find(answer, "copy_generic_thanks"), nullptr) << answer.dump();
  body.erase("engaged_content");
  EXPECT_EQ(Find(Lint(body), "copy_generic_thanks"), nullptr);
}

TEST_F(EmailLintApiTest, AnyoneSignedInMayLintAndNobodyElse) {
  const json body = {{"subject", "Hello?"}, {"html", "<p>Is this for you?</p>"}};
  HttpResult viewer = LintCall(body, viewer_);
  EXPECT_EQ(viewer.status, 200u) << viewer.body;
  HttpResult none = client_->Post("/api/v1/emails/lint", body.dump(), {});
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(LintCall(body, "tdm_not_a_token").status, 401u);
}

TEST_F(EmailLintApiTest, BadBodiesAreRefusedWithTheFieldNamed) {
  auto refused = [&](const std::string& body, unsigned status, const std::string& message) {
    HttpResult r = Call("POST", "/api/v1/emails/lint", marketing_, body);
    EXPECT_EQ(r.status, status) << body << " → " << r.body;
    json error = json::parse(r.body, nullptr, false);
    EXPECT_EQ(error["error"]["message"], message) << body;
  };
  refused("{not json", 400, "the request body is not valid JSON");
  refused("[]", 400, "the request body must be a JSON object");
  refused("{}", 422, "subject is required");
  refused(R"({"subject":"Hi?"})", 422, "html is required");
  refused(R"({"subject":1,"html":""})", 422, "subject must be a string");
  refused(R"({"subject":"Hi?","html":["<p>"]})", 422, "html must be a string");
  refused(R"({"subject":"Hi?","html":"","marketing":"yes"})", 422,
          "marketing must be true or false");
  refused(R"({"subject":"Hi?","html":"","engaged_content":{"title":"x"}})", 422,
          "engaged_content must be a string");
  const json big = {{"subject", "Hi?"}, {"html", std::string(420 * 1024, 'x')}};
  refused(big.dump(), 413, "html is 420 KB; the check takes at most 400 KB");
}

class EmailLintBusyTest : public EmailLintApiTest {
 protected:
  EmailLintBusyTest() { fetch_timeout_ms_ = 1000; }
};

TEST_F(EmailLintBusyTest, ChecksWaitingForTheNetworkHoldNoHttpThreadAndTheExcessIsTurnedAway) {
  // Each check waits a timeout for an image that never comes: 4 run, 16 wait, the rest
  // are answered 503 at once.
  constexpr int kRequests = 30;
  std::vector<HttpResult> results(kRequests);
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&, i] {
      const std::string image = server_.Url("/never?n=" + std::to_string(i));
      testing::HttpClient client(app_->port());
      results[i] =
          client.Post("/api/v1/emails/lint",
                      json({{"subject", "Slow?"},
                            {"html", "<p>Is it?</p><img alt=\"x\" src=\"" + image + "\">"}})
                          .dump(),
                      {{"Authorization", "Bearer " + marketing_}});
    });
  }
  // Meanwhile the API answers at once: the checks are not on its threads.
  const auto start = std::chrono::steady_clock::now();
  HttpResult users = Call("GET", "/api/v1/users/me", viewer_);
  EXPECT_EQ(users.status, 200u) << users.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  for (auto& c : clients) c.join();
  int checked = 0, busy = 0;
  for (const HttpResult& r : results) {
    if (r.status == 200) {
      ++checked;
      EXPECT_NE(r.body.find("no answer within 1000 ms"), std::string::npos) << r.body;
    } else {
      ++busy;
      EXPECT_EQ(r.status, 503u) << r.body;
      EXPECT_EQ(json::parse(r.body)["error"]["code"], "lint_busy");
      EXPECT_EQ(r.headers.at("Retry-After"), "1");
    }
  }
  EXPECT_GE(checked, 16);  // the waiting ones at least
  EXPECT_GE(busy, 1);
}

}  // namespace
}  // namespace tandem
