// Who may read GET /metrics ([metrics] in tandem.toml): by default only clients on this
// machine that no proxy relayed; with a token, whoever sends it as a bearer token; with
// a listener of its own, whoever reaches that address (and the main port has none).
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "http/ops_routes.h"
#include "metrics/metrics.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResult;

constexpr const char* kToken = "scrape-me-5f2c9a41d7e3";

std::string ErrorCode(const HttpResult& r) {
  return json::parse(r.body, nullptr, false).value("/error/code"_json_pointer, std::string());
}

bool IsMetricsText(const HttpResult& r) {
  return r.status == 200u && r.body.find("tandem_events_stored_total") != std::string::npos;
}

class MetricsAccessTest : public testing::ApiFixture {
 protected:
  void SetUp() override { OpenStoreFirst(); }

  HttpResult Scrape(HttpClient& client, std::map<std::string, std::string> headers = {}) {
    return client.Request("GET", "/metrics", "", headers);
  }
};

TEST_F(MetricsAccessTest, ByDefaultOnlyThisMachineMayRead) {
  Start();
  EXPECT_TRUE(IsMetricsText(Scrape(*client_)));
  for (auto relayed : std::vector<std::map<std::string, std::string>>{
           {{"X-Forwarded-For", "203.0.113.7"}}, {{"Forwarded", "for=203.0.113.7"}}}) {
    HttpResult r = Scrape(*client_, relayed);
    EXPECT_EQ(r.status, 403u) << "a local proxy relays anyone: " << r.body;
    EXPECT_EQ(ErrorCode(r), "metrics_local_only");
    EXPECT_EQ(r.body.find("tandem_"), std::string::npos);
  }
}

// The peer's address decides, as the server reports it (IPv4, IPv6, IPv4-mapped IPv6).
TEST(MetricsAccessRoutes, ByDefaultAPeerElsewhereIsRefused) {
  Metrics metrics;
  http::Router router;
  http::RegisterMetricsRoute(router, metrics, http::MetricsAccess{});
  auto status_for = [&](const std::string& peer) {
    http::HttpRequest request;
    request.message = http::Request{boost::beast::http::verb::get, "/metrics", 11};
    request.peer_ip = peer;
    std::promise<unsigned> answered;
    router.Dispatch(std::move(request),
                    [&](http::Response res) { answered.set_value(res.result_int()); });
    return answered.get_future().get();
  };
  for (const char* local : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(status_for(local), 200u) << local;
  }
  for (const char* remote : {"203.0.113.7", "10.0.0.2", "2001:db8::1", "::ffff:198.51.100.1", ""}) {
    EXPECT_EQ(status_for(remote), 403u) << remote;
  }
}

TEST_F(MetricsAccessTest, WithATokenOnlyItsBearersMayRead) {
  Config config;
  config.metrics.token = kToken;
  Start(config);
  HttpResult none = Scrape(*client_);
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(ErrorCode(none), "metrics_token_required");
  EXPECT_EQ(none.headers["WWW-Authenticate"], "Bearer realm=\"metrics\"");
  EXPECT_EQ(none.body.find("tandem_"), std::string::npos);
  for (const std::string& wrong :
       {std::string("Bearer scrape-me"), std::string("Bearer ") + kToken + "x",
        std::string("Basic ") + kToken, std::string(kToken)}) {
    EXPECT_EQ(Scrape(*client_, {{"Authorization", wrong}}).status, 401u) << wrong;
  }
  EXPECT_TRUE(
      IsMetricsText(Scrape(*client_, {{"Authorization", std::string("Bearer ") + kToken}})));
  EXPECT_TRUE(IsMetricsText(Scrape(*client_, {{"Authorization", std::string("bearer ") + kToken},
                                              {"X-Forwarded-For", "203.0.113.7"}})))
      << "a token is enough from anywhere, through a proxy too";
}

TEST_F(MetricsAccessTest, OnAListenerOfItsOwnAndNoLongerOnTheMainPort) {
  Config config;
  config.metrics.listen = "127.0.0.1:0";
  Start(config);
  ASSERT_NE(app_->metrics_port(), 0);
  ASSERT_NE(app_->metrics_port(), app_->port());
  EXPECT_EQ(Scrape(*client_).status, 404u);
  HttpClient scraper(app_->metrics_port());
  EXPECT_TRUE(IsMetricsText(Scrape(scraper)));
  EXPECT_TRUE(IsMetricsText(Scrape(scraper, {{"X-Forwarded-For", "203.0.113.7"}})))
      << "its own address is the control";
  EXPECT_EQ(scraper.Get("/healthz").status, 404u) << "only /metrics there";
  EXPECT_EQ(scraper.Get("/api/v1/leads").status, 404u);
}

TEST_F(MetricsAccessTest, AListenerOfItsOwnCanAskForTheTokenToo) {
  Config config;
  config.metrics.listen = "127.0.0.1:0";
  config.metrics.token = kToken;
  Start(config);
  HttpClient scraper(app_->metrics_port());
  EXPECT_EQ(Scrape(scraper).status, 401u);
  EXPECT_TRUE(IsMetricsText(Scrape(scraper, {{"Authorization", std::string("Bearer ") + kToken}})));
}

TEST(MetricsConfig, TheSectionIsReadAndAWeakTokenRefusedWithItsLine) {
  auto config = ParseConfig(
      "[metrics]\ntoken = \"scrape-me-5f2c9a41d7e3\"\nlisten = \"127.0.0.1:9464\"\n", "t.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->metrics.token, "scrape-me-5f2c9a41d7e3");
  EXPECT_EQ(config->metrics.listen, "127.0.0.1:9464");
  EXPECT_TRUE(ParseConfig("", "t.toml")->metrics.token.empty());

  auto weak = ParseConfig("[metrics]\n\ntoken = \"short\"\n", "t.toml");
  ASSERT_FALSE(weak.ok());
  EXPECT_NE(weak.status().message().find("t.toml:3"), std::string::npos) << weak.status().message();
  EXPECT_NE(weak.status().message().find("16 characters"), std::string::npos);
  auto unknown = ParseConfig("[metrics]\npassword = \"x\"\n", "t.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("password"), std::string::npos);
}

}  // namespace
}  // namespace tandem
