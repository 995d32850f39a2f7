// The ingest endpoints over real HTTP on loopback, against a real SQLite file:
// every endpoint, both auth forms, every bad input of the contract, and the
// durability and load-shedding promises.
#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/application.h"
#include "app/open_store.h"
#include "core/time_format.h"
#include "scoring/scorer.h"
#include "support/http_client.h"
#include "testing/gated_store.h"
#include "testing/test_bodies.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::BasicAuth;
using testing::HttpClient;
using testing::HttpResult;

using testing::GatedStore;

class IngestHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(Config{}); }
  void TearDown() override {
    if (gate_) gate_->SetOpen(true);
    if (gate_) gate_->SetProcessingOpen(true);
    app_.reset();
  }

  void StartServer(Config config) {
    if (gate_) gate_->SetOpen(true);
    if (gate_) gate_->SetProcessingOpen(true);
    app_.reset();
    config.server.listen = "127.0.0.1:0";
    config.server.threads = 2;
    config.server.read_timeout_ms = 400;
    config.server.shutdown_grace_ms = 5000;
    config.ingest.queue_max_events = std::max<int64_t>(config.ingest.queue_max_events, 2500);
    if (!real_) {
      real_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
      source_id_ = real_->CreateSource("Web", key_, clock_.Now())->id;
    }
    gate_ = new GatedStore(*real_);
    app_ = std::make_unique<Application>(config, std::unique_ptr<Store>(gate_), clock_);
    ASSERT_TRUE(app_->Start().ok());
    client_ = std::make_unique<HttpClient>(app_->port());
  }

  HttpResult Send(const std::string& path, const std::string& body,
                  std::map<std::string, std::string> headers = {}) {
    if (!headers.contains("Authorization")) headers["Authorization"] = BasicAuth(key_);
    return client_->Post(path, body, headers);
  }
  HttpResult SendJson(const std::string& path, const json& body) { return Send(path, body.dump()); }

  int64_t StoredEvents() { return real_->CountEvents().value(); }
  std::optional<StoredEvent> Stored(const std::string& message_id) {
    return real_->FindEvent(source_id_, message_id).value();
  }
  static std::string ErrorCode(const HttpResult& r) {
    return json::parse(r.body, nullptr, false).value("/error/code"_json_pointer, std::string());
  }

  testing::TestStore dir_;
  SystemClock clock_;
  std::string key_ = "test-write-key";
  std::unique_ptr<Store> real_;
  int64_t source_id_ = 0;
  GatedStore* gate_ = nullptr;  // owned by app_
  std::unique_ptr<Application> app_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(IngestHttpTest, EveryEndpointAndShortFormStoresItsMessage) {
  struct Case {
    std::string path, type;
    json body;
  };
  std::vector<Case> cases = {
      {"/v1/identify", "identify", {{"userId", "u"}, {"traits", {{"email", "a@b.co"}}}}},
      {"/v1/i", "identify", {{"userId", "u"}}},
      {"/v1/track", "track", {{"userId", "u"}, {"event", "E"}}},
      {"/v1/t", "track", {{"anonymousId", "a"}, {"event", "E"}}},
      {"/v1/page", "page", {{"anonymousId", "a"}, {"name", "Home"}}},
      {"/v1/p", "page", {{"anonymousId", "a"}}},
      {"/v1/screen", "screen", {{"userId", "u"}, {"name", "Home"}}},
      {"/v1/s", "screen", {{"userId", "u"}}},
      {"/v1/group", "group", {{"userId", "u"}, {"groupId", "acme"}}},
      {"/v1/g", "group", {{"userId", "u"}, {"groupId", "acme"}}},
      {"/v1/alias", "alias", {{"userId", "u"}, {"previousId", "a"}}},
      {"/v1/a", "alias", {{"userId", "u"}, {"previousId", "a"}}},
  };
  int n = 0;
  for (auto& c : cases) {
    std::string id = "msg-" + std::to_string(n++);
    c.body["messageId"] = id;
    HttpResult r = SendJson(c.path, c.body);
    EXPECT_EQ(r.status, 200u) << c.path << " " << r.body;
    EXPECT_EQ(r.body, R"({"success":true})");
    auto stored = Stored(id);
    ASSERT_TRUE(stored.has_value()) << c.path;
    EXPECT_EQ(stored->record.type, c.type) << c.path;
  }
  for (std::string path : {"/v1/batch", "/v1/b", "/v1/import"}) {
    std::string id = "batch-" + path;
    HttpResult r = SendJson(
        path,
        json{{"batch", {{{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", id}}}}});
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(Stored(id).has_value()) << path;
  }
  EXPECT_EQ(StoredEvents(), 15);
}

TEST_F(IngestHttpTest, WriteKeyInBasicAuthOrInTheBody) {
  json body = {{"userId", "u"}, {"event", "E"}, {"messageId", "in-body"}, {"writeKey", key_}};
  EXPECT_EQ(client_->Post("/v1/track", body.dump(), {{"Content-Type", "text/plain"}}).status, 200u);
  EXPECT_TRUE(Stored("in-body").has_value());

  HttpResult missing = client_->Post("/v1/track", R"({"userId":"u","event":"E"})");
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(ErrorCode(missing), "missing_write_key");
  HttpResult wrong_header =
      Send("/v1/track", R"({"userId":"u","event":"E"})", {{"Authorization", BasicAuth("nope")}});
  EXPECT_EQ(wrong_header.status, 401u);
  EXPECT_EQ(ErrorCode(wrong_header), "invalid_write_key");
  HttpResult wrong_body =
      client_->Post("/v1/track", R"({"userId":"u","event":"E","writeKey":"nope"})");
  EXPECT_EQ(wrong_body.status, 401u);
  HttpResult malformed =
      Send("/v1/track", R"({"userId":"u","event":"E"})", {{"Authorization", "Bearer x"}});
  EXPECT_EQ(malformed.status, 401u);
  EXPECT_EQ(ErrorCode(malformed), "invalid_authorization");
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(IngestHttpTest, BadInputGetsAClear4xxAndStoresNothing) {
  ASSERT_EQ(Send("/v1/track", R"({"userId":"u","event":"Before","messageId":"before"})").status,
            200u);
  std::string many = R"({"batch":[)";
  for (int i = 0; i < 2501; ++i)
    many += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"E"})";
  many += "]}";
  struct Case {
    std::string name, path, body;
    unsigned status;
    std::string code;
  };
  std::vector<Case> cases = {
      {"malformed JSON", "/v1/track", R"({"userId":"u",)", 400, "invalid_json"},
      {"not an object", "/v1/track", R"("just a string")", 400, "invalid_message"},
      {"batch not an array", "/v1/batch", R"({"batch":"x"})", 400, "invalid_batch"},
      {"empty batch", "/v1/batch", R"({"batch":[]})", 400, "empty_batch"},
      {"no userId or anonymousId", "/v1/track", R"({"event":"E"})", 400, "missing_id"},
      {"track without event", "/v1/track", R"({"userId":"u"})", 400, "missing_event"},
      {"unknown type", "/v1/batch", R"({"batch":[{"type":"explode","userId":"u"}]})", 400,
       "invalid_batch"},
      {"invalid UTF-8", "/v1/track", "{\"userId\":\"u\",\"event\":\"\xc3\x28\"}", 400,
       "invalid_utf8"},
      {"33 KB message", "/v1/track",
       R"({"userId":"u","event":"E","properties":{"x":")" + std::string(33 * 1024, 'x') + "\"}}",
       413, "message_too_large"},
      {"600 KB body", "/v1/batch",
       R"({"batch":[{"type":"track","userId":"u","event":")" + std::string(600 * 1024, 'x') +
           "\"}]}",
       413, "body_too_large"},
      {"2,501 messages", "/v1/batch", many, 413, "batch_too_large"},
      {"nesting 1,000 deep", "/v1/track", testing::NestedTrack(1000), 400, "too_deep"},
  };
  for (const Case& c : cases) {
    HttpResult r = Send(c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(ErrorCode(r), c.code) << c.name << ": " << r.body;
    EXPECT_FALSE(json::parse(r.body, nullptr, false)
                     .value("/error/message"_json_pointer, std::string())
                     .empty())
        << c.name;
  }
  HttpResult wrong_method = client_->Get("/v1/track");
  EXPECT_EQ(wrong_method.status, 405u);
  EXPECT_EQ(ErrorCode(wrong_method), "method_not_allowed");
  EXPECT_EQ(wrong_method.headers["Allow"], "POST, OPTIONS");
  EXPECT_EQ(client_->Get("/v1/nothing-here").status, 404u);

  EXPECT_EQ(StoredEvents(), 1) << "no bad request stored anything";
  EXPECT_TRUE(Stored("before").has_value()) << "nor lost what was stored";
  EXPECT_EQ(app_->metrics().events_rejected.Value({"missing_event"}), 1);
}

TEST_F(IngestHttpTest, AMessageTheStoreRefusesIsRejectedAloneAndTheBatchKept) {
  gate_->SetRefusedPrefix("refused");
  json batch = {{"batch",
                 {{{"type", "track"}, {"userId", "u"}, {"event", "Good"}, {"messageId", "good-1"}},
                  {{"type", "track"}, {"userId", "u"}, {"messageId", "bad-1"}},
                  {{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", "refused-1"}},
                  {{"type", "page"}, {"anonymousId", "a"}, {"messageId", "good-2"}}}}};
  HttpResult r = SendJson("/v1/batch", batch);
  ASSERT_EQ(r.status, 200u) << r.body;
  json answer = json::parse(r.body);
  ASSERT_EQ(answer["rejected"].size(), 2u) << r.body;
  EXPECT_EQ(answer["rejected"][0]["index"], 1);
  EXPECT_EQ(answer["rejected"][0]["code"], "missing_event");
  EXPECT_EQ(answer["rejected"][1]["index"], 2);
  EXPECT_EQ(answer["rejected"][1]["code"], "store_refused");
  EXPECT_EQ(answer["rejected"][1]["message"].get<std::string>().find("index row"),
            std::string::npos)
      << "the store's own words stay in the log";
  EXPECT_TRUE(Stored("good-1").has_value());
  EXPECT_TRUE(Stored("good-2").has_value());
  EXPECT_FALSE(Stored("refused-1").has_value());
  EXPECT_NE(
      client_->Get("/metrics").body.find(R"(tandem_events_rejected_total{code="store_refused"} 1)"),
      std::string::npos);
}

TEST_F(IngestHttpTest, ValidMessagesOfAPartlyInvalidBatchAreKept) {
  json batch = {{"batch",
                 {{{"type", "track"}, {"userId", "u"}, {"event", "Good"}, {"messageId", "good-1"}},
                  {{"type", "track"}, {"userId", "u"}, {"messageId", "bad-1"}},
                  {{"type", "page"}, {"anonymousId", "a"}, {"messageId", "good-2"}},
                  {{"type", "identify"}, {"messageId", "bad-2"}}}}};
  HttpResult r = SendJson("/v1/batch", batch);
  ASSERT_EQ(r.status, 200u) << r.body;
  json answer = json::parse(r.body);
  EXPECT_EQ(answer["success"], true);
  ASSERT_EQ(answer["rejected"].size(), 2u);
  EXPECT_EQ(answer["rejected"][0]["index"], 1);
  EXPECT_EQ(answer["rejected"][0]["code"], "missing_event");
  EXPECT_EQ(answer["rejected"][1]["index"], 3);
  EXPECT_EQ(answer["rejected"][1]["code"], "missing_id");
  EXPECT_TRUE(Stored("good-1").has_value());
  EXPECT_TRUE(Stored("good-2").has_value());
  EXPECT_FALSE(Stored("bad-1").has_value());
  std::string metrics = client_->Get("/metrics").body;
  EXPECT_NE(metrics.find(R"(tandem_events_rejected_total{code="missing_id"} 1)"), std::string::npos)
      << metrics;
}

TEST_F(IngestHttpTest, TextWithNulOrControlsRejectsOnlyItsMessage) {
  // One rule for both stores: PostgreSQL cannot hold a NUL, SQLite would cut the text.
  const std::string batch =
      R"({"batch":[{"type":"track","userId":"p","event":"x\u0000y","messageId":"nul-1"},)"
      R"({"type":"track","userId":"p","event":"Good","messageId":"good-1",)"
      R"("properties":{"comment":"first line\nsecond\tline"}},)"
      R"({"type":"identify","userId":"p\r\n","messageId":"ctl-1"},)"
      R"({"type":"track","userId":"p","event":"E","properties":{"a":["\u0000"]},)"
      R"("messageId":"nul-2"}]})";
  HttpResult r = Send("/v1/batch", batch);
  ASSERT_EQ(r.status, 200u) << r.body;
  json answer = json::parse(r.body);
  ASSERT_EQ(answer["rejected"].size(), 3u) << r.body;
  for (const auto& [i, index] : std::vector<std::pair<size_t, int>>{{0, 0}, {1, 2}, {2, 3}}) {
    EXPECT_EQ(answer["rejected"][i]["index"], index);
    EXPECT_EQ(answer["rejected"][i]["code"], "invalid_text");
  }
  EXPECT_NE(answer["rejected"][2]["message"].get<std::string>().find("properties.a[0]"),
            std::string::npos);
  auto good = Stored("good-1");
  ASSERT_TRUE(good.has_value()) << "the valid message of the batch is stored";
  EXPECT_EQ(json::parse(good->record.payload)["properties"]["comment"], "first line\nsecond\tline");
  EXPECT_EQ(StoredEvents(), 1);
  EXPECT_NE(
      client_->Get("/metrics").body.find(R"(tandem_events_rejected_total{code="invalid_text"} 3)"),
      std::string::npos);

  HttpResult single = Send("/v1/track", R"({"userId":"p","event":"x\u0000y"})");
  EXPECT_EQ(single.status, 400u) << single.body;
  EXPECT_EQ(ErrorCode(single), "invalid_text");
  EXPECT_NE(single.body.find(R"(\"event\")"), std::string::npos) << single.body;
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(IngestHttpTest, EventTimesStayInTheWindowAndScoresStayFinite) {
  const TimePoint now = SystemClock().Now();
  const auto next_year = now + std::chrono::days(365);
  auto track = [&](const std::string& user, const std::string& id, const std::string& timestamp,
                   std::optional<std::string> sent_at = std::nullopt) {
    json body = {{"userId", user},
                 {"event", "Content Downloaded"},
                 {"messageId", id},
                 {"timestamp", timestamp},
                 {"context", {{"traits", {{"email", user + "@example.com"}}}}}};
    if (sent_at) body["sentAt"] = *sent_at;
    ASSERT_EQ(SendJson("/v1/track", body).status, 200u);
  };
  track("future", "next-year", FormatIsoTime(next_year));
  track("far", "year-9999", "9999-12-31T23:59:59.000Z");
  track("skewed", "extreme-sent-at", FormatIsoTime(now), "9999-12-31T23:59:59.000Z");
  for (const char* id : {"next-year", "year-9999", "extreme-sent-at"}) {
    auto stored = Stored(id);
    ASSERT_TRUE(stored.has_value()) << id;
    EXPECT_LE(stored->record.timestamp, stored->record.received_at + std::chrono::minutes(5)) << id;
    EXPECT_GE(stored->record.timestamp, stored->record.received_at - std::chrono::days(5 * 365))
        << id;
  }
  EXPECT_EQ(json::parse(Stored("next-year")->record.payload)["originalTimestamp"],
            FormatIsoTime(next_year))
      << "the client's own time is kept";

  ASSERT_TRUE(app_->pipeline().Drain().ok());
  const double half_life = Config{}.scoring.half_life_days;
  for (const char* user : {"future", "far"}) {
    auto person = real_->FindPersonByIdentity({IdentityKind::kUserId, user}).value();
    ASSERT_TRUE(person.has_value()) << user;
    auto lead = real_->GetLead(*person).value();
    ASSERT_TRUE(lead.has_value()) << user;
    const double engagement =
        EngagementFromRef(lead->engagement_ref, SystemClock().Now(), half_life);
    EXPECT_TRUE(std::isfinite(engagement)) << user;
    EXPECT_LE(engagement, 15.0 + 1e-6) << user << ": no more than the rule's 15 points";
    ScoreExplanation explained =
        Explain(real_->ListScoreItems(lead->id).value(), half_life, SystemClock().Now());
    EXPECT_TRUE(std::isfinite(explained.total)) << user;
    EXPECT_LE(explained.engagement, 15.0) << user;
    EXPECT_NE(lead->stage, Stage::kMql) << user;
  }
}

TEST_F(IngestHttpTest, PipelineLagCountsStoredEventsNotYetProcessed) {
  auto lag = [&] {
    std::string body = client_->Get("/metrics").body;
    const std::string name = "\ntandem_pipeline_lag_events ";
    size_t at = body.find(name);
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + name.size()));
  };
  gate_->SetProcessingOpen(false);  // the pipeline is busy elsewhere
  json batch = {{"batch", json::array()}};
  for (int i = 0; i < 30; ++i) {
    batch["batch"].push_back({{"type", "page"}, {"anonymousId", "v" + std::to_string(i)}});
  }
  ASSERT_EQ(SendJson("/v1/batch", batch).status, 200u);
  ASSERT_EQ(SendJson("/v1/batch", batch).status, 200u);
  EXPECT_EQ(lag(), 60) << "stored and waiting for the pipeline";
  gate_->SetProcessingOpen(true);
  for (int i = 0; i < 200 && lag() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(lag(), 0);
  EXPECT_EQ(app_->metrics().events_processed.Value(), 60);
}

TEST_F(IngestHttpTest, ReplayedMessageIsAcknowledgedAndStoredOnce) {
  json batch = {
      {"batch", {{{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", "once"}}}}};
  EXPECT_EQ(SendJson("/v1/batch", batch).status, 200u);
  EXPECT_EQ(SendJson("/v1/batch", batch).status, 200u);
  EXPECT_EQ(Send("/v1/track", R"({"userId":"u","event":"E","messageId":"once"})").status, 200u);
  EXPECT_EQ(StoredEvents(), 1);
  EXPECT_EQ(app_->metrics().events_duplicate.Value(), 2);
}

TEST_F(IngestHttpTest, ClockSkewIsCorrectedAndReceivedAtAndIpAdded) {
  auto now = SystemClock().Now();
  // The client's clock runs 2 hours slow; the event happened 30 s before sending.
  auto client_now = now - std::chrono::hours(2);
  json body = {{"userId", "u"},
               {"event", "E"},
               {"messageId", "skewed"},
               {"timestamp", FormatIsoTime(client_now - std::chrono::seconds(30))},
               {"sentAt", FormatIsoTime(client_now)}};
  ASSERT_EQ(SendJson("/v1/track", body).status, 200u);
  auto stored = Stored("skewed");
  ASSERT_TRUE(stored.has_value());
  auto lag = stored->record.received_at - stored->record.timestamp;
  EXPECT_EQ(lag, std::chrono::seconds(30));
  EXPECT_LT(std::chrono::abs(stored->record.received_at - now), std::chrono::seconds(5));
  json payload = json::parse(stored->record.payload);
  EXPECT_EQ(payload["context"]["ip"], "127.0.0.1");
  EXPECT_TRUE(payload.contains("receivedAt"));
}

TEST_F(IngestHttpTest, ForwardedForIsHonouredOnlyBehindATrustedProxy) {
  std::map<std::string, std::string> forwarded = {{"Authorization", BasicAuth(key_)},
                                                  {"X-Forwarded-For", "203.0.113.9, 10.0.0.1"}};
  ASSERT_EQ(
      client_->Post("/v1/track", R"({"userId":"u","event":"E","messageId":"direct"})", forwarded)
          .status,
      200u);
  EXPECT_EQ(json::parse(Stored("direct")->record.payload)["context"]["ip"], "127.0.0.1");
  Config trusting;
  trusting.server.trust_proxy = true;
  StartServer(trusting);
  ASSERT_EQ(
      client_->Post("/v1/track", R"({"userId":"u","event":"E","messageId":"proxied"})", forwarded)
          .status,
      200u);
  EXPECT_EQ(json::parse(Stored("proxied")->record.payload)["context"]["ip"], "203.0.113.9");
}

TEST_F(IngestHttpTest, GzipBodiesAreAcceptedAndBombsRefused) {
  std::string body =
      json{{"batch",
            {{{"type", "track"}, {"userId", "u"}, {"event", "Zipped"}, {"messageId", "gz"}}}}}
          .dump();
  HttpResult ok = Send("/v1/batch", testing::Gzip(body),
                       {{"Content-Encoding", "gzip"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_TRUE(Stored("gz").has_value());
  std::string padded =
      R"({"batch":[{"type":"track","userId":"u","event":")" + std::string(20 << 20, 'a') + "\"}]}";
  HttpResult bomb = Send("/v1/batch", testing::Gzip(padded), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(bomb.status, 413u);
  EXPECT_EQ(ErrorCode(bomb), "body_too_large");
  EXPECT_EQ(StoredEvents(), 1);
}

TEST_F(IngestHttpTest, ContentLengthThatLies) {
  std::string auth = "Authorization: " + BasicAuth(key_) + "\r\n";
  // Shorter than the body: the server reads what was announced, which is not JSON.
  std::string body = R"({"userId":"u","event":"E","messageId":"short"})";
  auto shorter = client_->Raw(
      "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 10\r\n\r\n" + body,
      std::chrono::seconds(5));
  ASSERT_TRUE(shorter.has_value());
  EXPECT_EQ(shorter->status, 400u);
  // Longer than the body: the server waits for the rest, then gives up with 408.
  auto longer = client_->Raw(
      "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 1000\r\n\r\n" + body,
      std::chrono::seconds(5));
  ASSERT_TRUE(longer.has_value());
  EXPECT_EQ(longer->status, 408u);
  EXPECT_TRUE(longer->connection_closed);
  // Announcing more than the limit is refused before the body is read.
  auto huge = client_->Raw(
      "POST /v1/batch HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 900000000\r\n\r\n",
      std::chrono::seconds(5));
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->status, 413u);
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(IngestHttpTest, SlowClientIsTimedOutAndItsConnectionFreed) {
  // This test has opened no other connection: afterwards the gauge must be back here.
  const int64_t before = app_->metrics().http_connections.Value();
  auto started = std::chrono::steady_clock::now();
  auto result =
      client_->Raw("POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"userId\":",
                   std::chrono::seconds(5));
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, 408u);
  EXPECT_EQ(ErrorCode(*result), "request_timeout");
  EXPECT_LT(waited, std::chrono::seconds(3)) << "cut off at the read timeout (400 ms)";
  for (int i = 0; i < 100 && app_->metrics().http_connections.Value() > before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(app_->metrics().http_connections.Value(), before) << "the connection was freed";
}

TEST_F(IngestHttpTest, FullQueueSheds429WithRetryAfter) {
  Config small;
  small.ingest.queue_max_events = 2500;
  StartServer(small);
  gate_->SetOpen(false);
  std::string big = R"({"batch":[)";
  for (int i = 0; i < 2500; ++i) {
    big += (i ? "," : "") + json{{"type", "track"},
                                 {"userId", "u"},
                                 {"event", "E"},
                                 {"messageId", "q" + std::to_string(i)}}
                                .dump();
  }
  big += "]}";
  auto first = std::async(std::launch::async, [&] {
    HttpClient other(app_->port());
    return other.Post("/v1/batch", big, {{"Authorization", BasicAuth(key_)}});
  });
  gate_->WaitForWaitingCommit();
  HttpResult shed = Send("/v1/track", R"({"userId":"u","event":"E","messageId":"shed"})");
  EXPECT_EQ(shed.status, 429u);
  EXPECT_EQ(shed.headers["Retry-After"], "1");
  EXPECT_EQ(ErrorCode(shed), "overloaded");
  gate_->SetOpen(true);
  EXPECT_EQ(first.get().status, 200u);
  EXPECT_EQ(StoredEvents(), 2500);
  EXPECT_FALSE(Stored("shed").has_value());
  EXPECT_EQ(Send("/v1/track", R"({"userId":"u","event":"E","messageId":"after"})").status, 200u);
}

TEST_F(IngestHttpTest, StoreFailureIs503AndNeverA200) {
  gate_->SetFailing(true);
  HttpResult r = Send("/v1/track", R"({"userId":"u","event":"E","messageId":"lost?"})");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(ErrorCode(r), "store_unavailable");
  EXPECT_EQ(r.body.find("disk I/O error"), std::string::npos)
      << "the store's own words stay in the server log: " << r.body;
  EXPECT_FALSE(r.headers["Retry-After"].empty());
  HttpResult health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 503u);
  EXPECT_EQ(health.body.find("db.internal"), std::string::npos)
      << "nor does a health check tell its callers where the store is: " << health.body;
  gate_->SetFailing(false);
  EXPECT_EQ(Send("/v1/track", R"({"userId":"u","event":"E","messageId":"lost?"})").status, 200u);
  EXPECT_TRUE(Stored("lost?").has_value());
}

TEST_F(IngestHttpTest, GracefulShutdownAnswersRequestsInFlight) {
  gate_->SetOpen(false);
  auto in_flight = std::async(std::launch::async, [&] {
    HttpClient other(app_->port());
    return other.Post("/v1/track", R"({"userId":"u","event":"E","messageId":"in-flight"})",
                      {{"Authorization", BasicAuth(key_)}});
  });
  gate_->WaitForWaitingCommit();
  auto stopping = std::async(std::launch::async, [&] { app_->Shutdown(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  gate_->SetOpen(true);
  HttpResult r = in_flight.get();
  stopping.get();
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.connection_closed);
  EXPECT_TRUE(Stored("in-flight").has_value());
  EXPECT_THROW(HttpClient(app_->port()).Get("/healthz"), std::exception) << "no longer accepting";
}

TEST_F(IngestHttpTest, HealthMetricsSettingsAndCors) {
  HttpResult health = client_->Get("/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(json::parse(health.body)["status"], "ok");

  ASSERT_EQ(Send("/v1/track", R"({"userId":"u","event":"E"})").status, 200u);
  HttpResult metrics = client_->Get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.headers["Content-Type"].find("text/plain"), std::string::npos);
  for (const char* line :
       {"tandem_events_stored_total 1",
        R"(tandem_http_requests_total{route="/v1/track",status="200"} 1)",
        "tandem_ingest_commit_seconds_count 1", "tandem_ingest_queue_events 0"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }

  HttpResult settings = client_->Get("/v1/projects/" + key_ + "/settings");
  ASSERT_EQ(settings.status, 200u);
  json s = json::parse(settings.body);
  EXPECT_EQ(s["integrations"]["Segment.io"]["apiKey"], key_);
  EXPECT_EQ(s["integrations"]["Segment.io"]["apiHost"],
            "127.0.0.1:" + std::to_string(app_->port()) + "/v1");
  EXPECT_EQ(client_->Get("/v1/projects/unknown/settings").status, 404u);

  HttpResult preflight =
      client_->Request("OPTIONS", "/v1/t", "", {{"Origin", "https://www.example.com"}});
  EXPECT_EQ(preflight.status, 204u);
  EXPECT_EQ(preflight.headers["Access-Control-Allow-Origin"], "*");
  EXPECT_NE(preflight.headers["Access-Control-Allow-Methods"].find("POST"), std::string::npos);
}

TEST_F(IngestHttpTest, AnonymousVisitsJoinThePersonWhoIdentifies) {
  ASSERT_EQ(
      Send("/v1/p", R"({"anonymousId":"visitor-1","name":"Pricing","messageId":"p1"})").status,
      200u);
  ASSERT_EQ(
      Send("/v1/t", R"({"anonymousId":"visitor-1","event":"Content Downloaded","messageId":"t1"})")
          .status,
      200u);
  ASSERT_EQ(
      Send(
          "/v1/i",
          R"({"anonymousId":"visitor-1","userId":"ada","traits":{"email":"ada@example.com"},"messageId":"i1"})")
          .status,
      200u);
  ASSERT_TRUE(app_->pipeline().Drain().ok());
  auto person = real_->FindPersonByIdentity({IdentityKind::kEmail, "ada@example.com"}).value();
  ASSERT_TRUE(person.has_value());
  auto events = real_->PersonEvents(*person, 10).value();
  EXPECT_EQ(events.size(), 3u);
}

}  // namespace
}  // namespace tandem
