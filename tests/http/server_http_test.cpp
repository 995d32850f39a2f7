// The HTTP server's edges, over real sockets: how long a partial request may hold a
// connection, a refused body's answer reaching a client that is still sending, repeated
// slashes in paths, and what the browser library's settings and CORS answers carry.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.h"
#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::BasicAuth;
using testing::HttpResult;

class ServerHttpTest : public testing::ApiFixture {
 protected:
  void SetUp() override { OpenStoreFirst(); }

  void StartWith(Config config = {}) {
    config.server.read_timeout_ms = 400;
    Start(std::move(config));
  }

  std::optional<HttpResult> Raw(const std::string& bytes,
                                std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    return client_->Raw(bytes, wait);
  }

  static std::string ErrorCode(const HttpResult& r) {
    return json::parse(r.body, nullptr, false).value("/error/code"_json_pointer, std::string());
  }
};

TEST_F(ServerHttpTest, ThePromisedDefaultsAreFifteenSecondsPerRequestAndAMinuteIdle) {
  EXPECT_EQ(Config{}.server.read_timeout_ms, 15000);
  EXPECT_EQ(Config{}.server.idle_timeout_ms, 60000);
  EXPECT_EQ(http::HttpServer::Options{}.read_timeout, std::chrono::seconds(15));
}

TEST_F(ServerHttpTest, APartialHeaderIsCutOffAtTheReadTimeoutNotTheIdleTimeout) {
  StartWith();
  const int64_t before = app_->metrics().http_connections.Value();
  auto started = std::chrono::steady_clock::now();
  auto result = Raw("POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Le");
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.has_value()) << "no answer within 5 s: the half header held the connection";
  EXPECT_EQ(result->status, 408u);
  EXPECT_EQ(ErrorCode(*result), "request_timeout");
  EXPECT_TRUE(result->connection_closed);
  EXPECT_GE(waited, std::chrono::milliseconds(350));
  EXPECT_LT(waited, std::chrono::seconds(3)) << "cut off at the read timeout (400 ms)";
  for (int i = 0; i < 100 && app_->metrics().http_connections.Value() > before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(app_->metrics().http_connections.Value(), before) << "the connection was freed";
}

TEST_F(ServerHttpTest, AnIdleKeptAliveConnectionOutlivesTheReadTimeout) {
  StartWith();
  ASSERT_EQ(client_->Get("/healthz").status, 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // longer than the read timeout
  HttpResult again = client_->Get("/healthz");
  EXPECT_EQ(again.status, 200u);
  EXPECT_FALSE(again.connection_closed);
}

// Sends `request` as a client on a slow link does (small pieces, a pause between them),
// then reads one response. Most clients give up at a failed write (a broken pipe) and
// never read the answer: that counts as no answer, as does a response that cannot be read.
std::optional<HttpResult> SendInPiecesAndRead(uint16_t port, const std::string& request) {
  namespace net = boost::asio;
  namespace bhttp = boost::beast::http;
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  socket.set_option(net::socket_base::send_buffer_size(8 * 1024));
  boost::system::error_code ec;
  for (size_t at = 0; at < request.size() && !ec; at += 8 * 1024) {
    net::write(socket,
               net::buffer(request.data() + at, std::min<size_t>(8 * 1024, request.size() - at)),
               ec);
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  if (ec) return std::nullopt;
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res, ec);
  if (ec && res.result_int() == 0) return std::nullopt;
  HttpResult out;
  out.status = res.result_int();
  out.body = res.body();
  return out;
}

// A body over the limit is refused as soon as its Content-Length is read, while the
// client is still sending: the client must still read the 413, every time.
TEST_F(ServerHttpTest, AClientStillSendingAnOversizeBatchReadsIts413) {
  StartWith();
  std::string body = R"({"batch":[)";
  while (body.size() < 600 * 1024) {
    body += R"({"type":"track","userId":"u","event":"Padding","properties":{"p":")" +
            std::string(900, 'x') + R"("}},)";
  }
  body.back() = ']';
  body += "}";
  const std::string request =
      "POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: " + BasicAuth("key") +
      "\r\nContent-Type: application/json\r\n" + "Content-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  int answered = 0;
  std::string last_failure;
  for (int i = 0; i < 30; ++i) {
    auto result = SendInPiecesAndRead(app_->port(), request);
    if (result && result->status == 413u && ErrorCode(*result) == "body_too_large") {
      ++answered;
    } else {
      last_failure = result ? std::to_string(result->status) : "broken pipe or no answer";
    }
  }
  EXPECT_EQ(answered, 30) << "last failure: " << last_failure;
  EXPECT_EQ(client_->Get("/healthz").status, 200u);
}

TEST_F(ServerHttpTest, RepeatedSlashesInAPathCountAsOne) {
  StartWith();
  HttpResult settings = client_->Get("//v1/projects/key/settings");
  ASSERT_EQ(settings.status, 200u) << settings.body;
  EXPECT_EQ(json::parse(settings.body)["integrations"]["Segment.io"]["apiKey"], "key");
  HttpResult track = client_->Post("/v1//track", R"({"userId":"u","event":"E"})",
                                   {{"Authorization", BasicAuth("key")}});
  EXPECT_EQ(track.status, 200u) << track.body;
  EXPECT_EQ(client_->Get("///healthz?probe=1").status, 200u);
  EXPECT_EQ(client_->Get("//nothing//here").status, 404u);
}

// HEAD answers as GET would, without the body: the library's script, a page, the API.
TEST_F(ServerHttpTest, HeadAnswersWhatGetWouldWithoutTheBody) {
  StartWith();
  HttpResult get = client_->Get("/t.js?k=key");
  ASSERT_EQ(get.status, 200u);
  ASSERT_FALSE(get.body.empty());
  HttpResult head = client_->Request("HEAD", "/t.js?k=key", "", {});
  EXPECT_EQ(head.status, 200u);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.headers["Content-Length"], std::to_string(get.body.size()));
  EXPECT_EQ(head.headers["Content-Type"], get.headers["Content-Type"]);
  // The connection carries on: no stray body bytes were sent after the head.
  EXPECT_EQ(client_->Get("/healthz").status, 200u);
  EXPECT_EQ(client_->Request("HEAD", "/healthz", "", {}).status, 200u);
  EXPECT_EQ(client_->Request("HEAD", "/nothing/here", "", {}).status, 404u);
  // A method no route has still names what the path accepts.
  HttpResult put = client_->Request("PUT", "/t.js", "", {});
  EXPECT_EQ(put.status, 405u);
  EXPECT_EQ(ErrorCode(put), "method_not_allowed");
}

TEST_F(ServerHttpTest, SettingsTakeTheirApiHostOnlyFromAValidHostAndVaryWithIt) {
  StartWith();
  auto settings = [&](const std::string& host) {
    return Raw("GET /v1/projects/key/settings HTTP/1.1\r\nHost: " + host +
               "\r\nConnection: close\r\n\r\n");
  };
  for (const std::string host : {"t.example.com:8443", "10.1.2.3", "[::1]:8080", "localhost"}) {
    auto ok = settings(host);
    ASSERT_TRUE(ok.has_value());
    ASSERT_EQ(ok->status, 200u) << host << ": " << ok->body;
    EXPECT_EQ(json::parse(ok->body)["integrations"]["Segment.io"]["apiHost"], host + "/v1");
    EXPECT_EQ(ok->headers["Vary"], "Host");
  }
  for (const std::string host : {R"(evil.example"},"x":{")", "evil.example/path", "a b",
                                 "evil.example:", "x@evil.example", "evil.example:80:80", "[::1"}) {
    auto refused = settings(host);
    ASSERT_TRUE(refused.has_value()) << host;
    EXPECT_EQ(refused->status, 400u) << host << ": " << refused->body;
    EXPECT_EQ(ErrorCode(*refused), "invalid_host") << host;
    EXPECT_EQ(refused->body.find("evil"), std::string::npos) << "the host is not echoed";
  }
}

TEST_F(ServerHttpTest, SettingsNameThePublicUrlWhateverTheHostHeaderSays) {
  Config config;
  config.server.public_url = "https://t.example.com/";
  StartWith(config);
  auto r = Raw(
      "GET /v1/projects/key/settings HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200u);
  json io = json::parse(r->body)["integrations"]["Segment.io"];
  EXPECT_EQ(io["apiHost"], "t.example.com/v1");
  EXPECT_EQ(io["protocol"], "https");
  EXPECT_EQ(r->headers.count("Vary"), 0u) << "the answer does not depend on the request";
}

TEST_F(ServerHttpTest, BrowsersMayRetryWithXRetryCountAndReadRetryAfter) {
  StartWith();
  HttpResult preflight = client_->Request(
      "OPTIONS", "/v1/t", "",
      {{"Origin", "https://www.example.com"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "authorization,content-type,x-retry-count"}});
  EXPECT_EQ(preflight.status, 204u);
  std::string allowed = preflight.headers["Access-Control-Allow-Headers"];
  for (const char* header : {"Authorization", "Content-Type", "X-Retry-Count"}) {
    EXPECT_NE(allowed.find(header), std::string::npos) << header << " in " << allowed;
  }
  for (const std::string& body : {std::string(R"({"userId":"u","event":"E"})"), std::string("{")}) {
    HttpResult answer = client_->Post("/v1/t", body,
                                      {{"Authorization", BasicAuth("key")},
                                       {"Origin", "https://www.example.com"},
                                       {"X-Retry-Count", "1"}});
    EXPECT_EQ(answer.headers["Access-Control-Allow-Origin"], "*") << answer.status;
    EXPECT_EQ(answer.headers["Access-Control-Expose-Headers"], "Retry-After") << answer.status;
  }
}

}  // namespace
}  // namespace tandem
