#include "ingest/segment_message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "testing/test_bodies.h"

namespace tandem {
namespace {

using nlohmann::json;

class SegmentParserTest : public ::testing::Test {
 protected:
  StatusOr<ParsedIngest> Parse(IngestCall call, const std::string& body) {
    body_ = body;
    return parser_.Parse(IngestRequest{call, body_, received_, "198.51.100.4"});
  }
  StatusOr<ParsedIngest> Parse(IngestCall call, const json& body) {
    return Parse(call, body.dump());
  }

  static json Payload(const EventRecord& e) { return json::parse(e.payload); }

  SegmentParser parser_;
  std::string body_;
  TimePoint received_ = *ParseIsoTime("2026-11-22T10:00:00.000Z");
};

TEST_F(SegmentParserTest, SingleTrackIsNormalized) {
  auto parsed = Parse(IngestCall::kTrack, json{{"userId", "u1"},
                                               {"event", "Demo Requested"},
                                               {"messageId", "m-1"},
                                               {"writeKey", "secret"},
                                               {"properties", {{"path", "/pricing"}}}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->write_key, "secret");
  ASSERT_EQ(parsed->events.size(), 1u);
  const EventRecord& e = parsed->events[0];
  EXPECT_EQ(e.type, "track");
  EXPECT_EQ(e.event, "Demo Requested");
  EXPECT_EQ(e.message_id, "m-1");
  EXPECT_EQ(e.user_id, "u1");
  EXPECT_EQ(e.received_at, received_);
  EXPECT_EQ(e.timestamp, received_);  // no client timestamp: received time
  json p = Payload(e);
  EXPECT_FALSE(p.contains("writeKey")) << "credentials are not stored with events";
  EXPECT_EQ(p["type"], "track");
  EXPECT_EQ(p["properties"]["path"], "/pricing");
  EXPECT_EQ(p["context"]["ip"], "198.51.100.4");
  EXPECT_EQ(p["receivedAt"], "2026-11-22T10:00:00.000Z");
}

TEST_F(SegmentParserTest, EndpointDecidesTheTypeOfSingleCalls) {
  auto parsed =
      Parse(IngestCall::kPage, json{{"anonymousId", "a"}, {"type", "track"}, {"name", "Pricing"}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->events[0].type, "page");
  EXPECT_EQ(parsed->events[0].event, "Pricing");
}

TEST_F(SegmentParserTest, ClockSkewIsCorrectedWithSentAt) {
  // The client's clock is 1 hour fast; the event happened 10 s before it was sent.
  auto parsed = Parse(IngestCall::kTrack, json{{"userId", "u"},
                                               {"event", "E"},
                                               {"timestamp", "2026-11-22T10:59:50.000Z"},
                                               {"sentAt", "2026-11-22T11:00:00.000Z"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FormatIsoTime(parsed->events[0].timestamp), "2026-11-22T09:59:50.000Z");
  json p = Payload(parsed->events[0]);
  EXPECT_EQ(p["timestamp"], "2026-11-22T09:59:50.000Z");
  EXPECT_EQ(p["originalTimestamp"], "2026-11-22T10:59:50.000Z");
}

TEST_F(SegmentParserTest, WithoutSentAtTheClientTimestampStands) {
  auto parsed =
      Parse(IngestCall::kTrack,
            json{{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-11-20T08:00:00+02:00"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FormatIsoTime(parsed->events[0].timestamp), "2026-11-20T06:00:00.000Z");
}

TEST_F(SegmentParserTest, MissingMessageIdGetsAUniqueOne) {
  auto a = Parse(IngestCall::kTrack, json{{"userId", "u"}, {"event", "E"}});
  auto b = Parse(IngestCall::kTrack, json{{"userId", "u"}, {"event", "E"}});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->events[0].message_id.empty());
  EXPECT_NE(a->events[0].message_id, b->events[0].message_id);
  EXPECT_EQ(Payload(a->events[0])["messageId"], a->events[0].message_id);
}

TEST_F(SegmentParserTest, NumericIdsBecomeStrings) {
  auto parsed =
      Parse(IngestCall::kIdentify, json{{"userId", 42}, {"traits", {{"email", "a@b.co"}}}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->events[0].user_id, "42");
  EXPECT_EQ(Payload(parsed->events[0])["userId"], "42");
}

TEST_F(SegmentParserTest, BatchContextIsMergedUnderEachMessage) {
  json body = {
      {"context", {{"library", {{"name", "analytics-node"}}}, {"locale", "en-US"}}},
      {"batch",
       {{{"type", "track"}, {"userId", "u"}, {"event", "A"}, {"context", {{"locale", "de-DE"}}}},
        {{"type", "page"}, {"anonymousId", "x"}, {"context", {{"library", {{"version", "3"}}}}}}}}};
  auto parsed = Parse(IngestCall::kBatch, body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->events.size(), 2u);
  json first = Payload(parsed->events[0]);
  EXPECT_EQ(first["context"]["locale"], "de-DE") << "the message's own context wins";
  EXPECT_EQ(first["context"]["library"]["name"], "analytics-node");
  json second = Payload(parsed->events[1]);
  EXPECT_EQ(second["context"]["locale"], "en-US");
  EXPECT_EQ(second["context"]["library"]["name"], "analytics-node");
  EXPECT_EQ(second["context"]["library"]["version"], "3");
}

TEST_F(SegmentParserTest, IdentifiersAndNamesAreBoundedSoTheyFitAnIndex) {
  const std::string longest(512, 'x'), too_long(513, 'x'), huge(30000, 'x');
  json body = {{"batch",
                {{{"type", "track"}, {"userId", longest}, {"event", longest}},
                 {{"type", "track"}, {"userId", "u"}, {"event", huge}},
                 {{"type", "page"}, {"anonymousId", "a"}, {"name", too_long}},
                 {{"type", "identify"}, {"userId", huge}},
                 {{"type", "identify"}, {"userId", "u"}, {"anonymousId", too_long}},
                 {{"type", "group"}, {"userId", "u"}, {"groupId", huge}},
                 {{"type", "alias"}, {"userId", "u"}, {"previousId", huge}},
                 {{"type", "track"}, {"userId", "u"}, {"event", "E"}, {"messageId", huge}}}}};
  auto parsed = Parse(IngestCall::kBatch, body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->events.size(), 1u) << "512 bytes is the longest accepted";
  ASSERT_EQ(parsed->rejected.size(), 7u);
  const char* fields[] = {"event",   "name",       "userId",   "anonymousId",
                          "groupId", "previousId", "messageId"};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(parsed->rejected[i].index, i + 1);
    EXPECT_EQ(parsed->rejected[i].code, "invalid_field") << i;
    EXPECT_NE(parsed->rejected[i].message.find(fields[i]), std::string::npos)
        << parsed->rejected[i].message;
    EXPECT_LT(parsed->rejected[i].message.size(), 200u) << "the value is not echoed";
  }
}

TEST_F(SegmentParserTest, ClientSuppliedIpIsKept) {
  auto parsed = Parse(IngestCall::kTrack,
                      json{{"userId", "u"}, {"event", "E"}, {"context", {{"ip", "10.1.2.3"}}}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Payload(parsed->events[0])["context"]["ip"], "10.1.2.3");
}

TEST_F(SegmentParserTest, InvalidMessagesOfABatchAreListedAndTheRestKept) {
  json body = {{"batch",
                {{{"type", "track"}, {"userId", "u"}, {"event", "Good"}},
                 {{"type", "track"}, {"userId", "u"}},
                 {{"type", "launch"}, {"userId", "u"}},
                 {{"type", "page"}},
                 {{"type", "identify"}, {"anonymousId", "a"}}}}};
  auto parsed = Parse(IngestCall::kBatch, body);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->events.size(), 2u);
  ASSERT_EQ(parsed->rejected.size(), 3u);
  EXPECT_EQ(parsed->rejected[0].index, 1u);
  EXPECT_EQ(parsed->rejected[0].code, "missing_event");
  EXPECT_EQ(parsed->rejected[1].index, 2u);
  EXPECT_EQ(parsed->rejected[1].code, "unknown_type");
  EXPECT_EQ(parsed->rejected[2].index, 3u);
  EXPECT_EQ(parsed->rejected[2].code, "missing_id");
}

struct BadBody {
  const char* name;
  IngestCall call;
  std::string body;
  StatusCode status;
  const char* code;
};

class SegmentParserBadInputTest : public SegmentParserTest,
                                  public ::testing::WithParamInterface<BadBody> {};

TEST_P(SegmentParserBadInputTest, IsRefusedWithAClearCode) {
  const BadBody& bad = GetParam();
  auto parsed = Parse(bad.call, bad.body);
  ASSERT_FALSE(parsed.ok()) << bad.name;
  EXPECT_EQ(parsed.status().code(), bad.status) << bad.name << ": " << parsed.status().ToString();
  EXPECT_EQ(parsed.status().error_code(), bad.code)
      << bad.name << ": " << parsed.status().ToString();
  EXPECT_FALSE(parsed.status().message().empty());
}

std::string ManyMessages(size_t n) {
  std::string s = R"({"batch":[)";
  for (size_t i = 0; i < n; ++i)
    s += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"E"})";
  return s + "]}";
}

INSTANTIATE_TEST_SUITE_P(
    AllBadBodies, SegmentParserBadInputTest,
    ::testing::Values(
        BadBody{"malformed", IngestCall::kTrack, R"({"userId":"u","event":)",
                StatusCode::kInvalidArgument, "invalid_json"},
        BadBody{"not an object", IngestCall::kTrack, R"(["userId","u"])",
                StatusCode::kInvalidArgument, "invalid_message"},
        BadBody{"batch not array", IngestCall::kBatch, R"({"batch":{"type":"track"}})",
                StatusCode::kInvalidArgument, "invalid_batch"},
        BadBody{"batch missing", IngestCall::kBatch, R"({"messages":[]})",
                StatusCode::kInvalidArgument, "invalid_batch"},
        BadBody{"empty batch", IngestCall::kBatch, R"({"batch":[]})", StatusCode::kInvalidArgument,
                "empty_batch"},
        BadBody{"no ids", IngestCall::kTrack, R"({"event":"E"})", StatusCode::kInvalidArgument,
                "missing_id"},
        BadBody{"empty ids", IngestCall::kTrack, R"({"event":"E","userId":"","anonymousId":null})",
                StatusCode::kInvalidArgument, "missing_id"},
        BadBody{"track without event", IngestCall::kTrack, R"({"userId":"u"})",
                StatusCode::kInvalidArgument, "missing_event"},
        BadBody{"event not a string", IngestCall::kTrack, R"({"userId":"u","event":7})",
                StatusCode::kInvalidArgument, "invalid_field"},
        BadBody{"all of batch invalid", IngestCall::kBatch,
                R"({"batch":[{"type":"nope","userId":"u"}]})", StatusCode::kInvalidArgument,
                "invalid_batch"},
        BadBody{"invalid utf-8", IngestCall::kTrack, "{\"userId\":\"u\",\"event\":\"\xff\xfe\"}",
                StatusCode::kInvalidArgument, "invalid_utf8"},
        BadBody{"too deep", IngestCall::kTrack, testing::NestedTrack(1000),
                StatusCode::kInvalidArgument, "too_deep"},
        BadBody{"33 KB message", IngestCall::kTrack,
                R"({"userId":"u","event":"E","properties":{"x":")" + std::string(33 * 1024, 'x') +
                    "\"}}",
                StatusCode::kTooLarge, "message_too_large"},
        BadBody{"33 KB message in batch", IngestCall::kBatch,
                R"({"batch":[{"type":"track","userId":"u","event":"E","properties":{"x":")" +
                    std::string(33 * 1024, 'x') + "\"}}]}",
                StatusCode::kInvalidArgument, "invalid_batch"},
        BadBody{"600 KB batch", IngestCall::kBatch,
                R"({"batch":[{"type":"track","userId":"u","event":")" +
                    std::string(600 * 1024, 'x') + "\"}]}",
                StatusCode::kTooLarge, "body_too_large"},
        BadBody{"2501 messages", IngestCall::kBatch, ManyMessages(2501), StatusCode::kTooLarge,
                "batch_too_large"},
        BadBody{"bad timestamp", IngestCall::kTrack,
                R"({"userId":"u","event":"E","timestamp":"yesterday"})",
                StatusCode::kInvalidArgument, "invalid_timestamp"},
        BadBody{"properties not object", IngestCall::kTrack,
                R"({"userId":"u","event":"E","properties":[1]})", StatusCode::kInvalidArgument,
                "invalid_field"},
        BadBody{"alias without previousId", IngestCall::kAlias, R"({"userId":"u"})",
                StatusCode::kInvalidArgument, "missing_previous_id"},
        BadBody{"group without groupId", IngestCall::kGroup, R"({"userId":"u"})",
                StatusCode::kInvalidArgument, "missing_group_id"}),
    [](const ::testing::TestParamInfo<BadBody>& param_info) {
      std::string name = param_info.param.name;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST_F(SegmentParserTest, AClientCannotSpeakForTandemInItsContext) {
  // context.tandem is what an import vouches for (consent, an address's source): a
  // message or a batch's shared context carrying one has it dropped, the rest kept.
  json forged = {{"import", {{"consent_basis", "consent"}, {"address_source", "form"}}}};
  auto parsed = Parse(IngestCall::kBatch,
                      json{{"context", {{"tandem", forged}, {"locale", "de-DE"}}},
                           {"batch",
                            {{{"type", "identify"},
                              {"userId", "u1"},
                              {"traits", {{"email", "a@example.com"}, {"tandem", "kept"}}},
                              {"context", {{"tandem", forged}, {"page", {{"path", "/"}}}}}}}}});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->events.size(), 1u);
  json payload = Payload(parsed->events[0]);
  EXPECT_FALSE(payload["context"].contains("tandem")) << payload.dump();
  EXPECT_EQ(payload["context"]["locale"], "de-DE");
  EXPECT_EQ(payload["context"]["page"]["path"], "/");
  EXPECT_EQ(payload["traits"]["tandem"], "kept");  // only the context is Tandem's
}

TEST(IngestPathsTest, EveryTypeHasItsLongAndShortForm) {
  auto call_of = [](std::string_view path) -> std::optional<IngestCall> {
    for (const IngestPath& p : IngestPaths()) {
      if (p.path == path) return p.call;
    }
    return std::nullopt;
  };
  EXPECT_EQ(call_of("/v1/identify"), IngestCall::kIdentify);
  EXPECT_EQ(call_of("/v1/i"), IngestCall::kIdentify);
  EXPECT_EQ(call_of("/v1/track"), IngestCall::kTrack);
  EXPECT_EQ(call_of("/v1/t"), IngestCall::kTrack);
  EXPECT_EQ(call_of("/v1/page"), IngestCall::kPage);
  EXPECT_EQ(call_of("/v1/p"), IngestCall::kPage);
  EXPECT_EQ(call_of("/v1/screen"), IngestCall::kScreen);
  EXPECT_EQ(call_of("/v1/s"), IngestCall::kScreen);
  EXPECT_EQ(call_of("/v1/group"), IngestCall::kGroup);
  EXPECT_EQ(call_of("/v1/g"), IngestCall::kGroup);
  EXPECT_EQ(call_of("/v1/alias"), IngestCall::kAlias);
  EXPECT_EQ(call_of("/v1/a"), IngestCall::kAlias);
  EXPECT_EQ(call_of("/v1/batch"), IngestCall::kBatch);
  EXPECT_EQ(call_of("/v1/b"), IngestCall::kBatch);
  EXPECT_EQ(call_of("/v1/import"), IngestCall::kBatch);
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

TEST(SegmentParserReuseTest, OneParserServesManyRequests) {
  SegmentParser parser;
  auto at = FromUnixMillis(0);
  std::string good = R"({"userId":"u","event":"E"})";
  std::string bad = R"({"userId":"u",)";
  std::string missing = R"({"userId":"u"})";
  EXPECT_TRUE(parser.Parse({IngestCall::kTrack, good, at, ""}).ok());
  EXPECT_EQ(parser.Parse({IngestCall::kTrack, bad, at, ""}).status().error_code(), "invalid_json");
  EXPECT_EQ(parser.Parse({IngestCall::kTrack, missing, at, ""}).status().error_code(),
            "missing_event");
  EXPECT_TRUE(parser.Parse({IngestCall::kTrack, good, at, ""}).ok());
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

using nlohmann::json;

class IngestTextRuleTest : public SegmentParserTest {};

TEST_F(IngestTextRuleTest, NulAnywhereRejectsOnlyItsMessageAndNamesTheField) {
  // NULs in a name, a nested value, a key, a context; the rest of the batch stays.
  const std::string body =
      R"({"batch":[)"
      R"({"type":"track","userId":"p","event":"x\u0000y","messageId":"nul-event"},)"
      R"({"type":"track","userId":"p","event":"Fine","messageId":"good-1",)"
      R"("properties":{"comment":"line one\nline two\tend","ring":"\u0007"}},)"
      R"({"type":"track","userId":"p","event":"E","properties":{"a":{"b":["ok","x\u0000"]}}},)"
      R"({"type":"identify","userId":"p","traits":{"k\u0000":1}},)"
      R"({"type":"page","anonymousId":"a","name":"Pricing","context":{"page":{"title":"T\u0000"}}},)"
      R"({"type":"page","anonymousId":"a","name":"Docs","messageId":"good-2"}]})";
  auto parsed = Parse(IngestCall::kBatch, body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->events.size(), 2u);
  EXPECT_EQ(parsed->events[0].message_id, "good-1");
  EXPECT_EQ(parsed->events[1].message_id, "good-2");
  EXPECT_EQ(Payload(parsed->events[0])["properties"]["comment"], "line one\nline two\tend")
      << "free text keeps its tabs and line breaks";
  ASSERT_EQ(parsed->rejected.size(), 4u);
  const std::vector<std::pair<size_t, std::string>> expected = {{0, "\"event\""},
                                                                {2, "\"properties.a.b[1]\""},
                                                                {3, "\"traits.k\\u0000\""},
                                                                {4, "\"context.page.title\""}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(parsed->rejected[i].index, expected[i].first);
    EXPECT_EQ(parsed->rejected[i].code, "invalid_text");
    EXPECT_NE(parsed->rejected[i].message.find(expected[i].second), std::string::npos)
        << parsed->rejected[i].message;
  }
}

TEST_F(IngestTextRuleTest, RawControlCharactersAreNotJson) {
  // JSON itself forbids unescaped controls in strings: such a body is refused whole.
  auto parsed =
      Parse(IngestCall::kTrack, std::string(R"({"userId":"p","event":"x)") + '\0' + R"(y"})");
  EXPECT_EQ(parsed.status().error_code(), "invalid_json");
}

TEST_F(IngestTextRuleTest, ControlCharactersAreRefusedInIdentifiersAndNames) {
  for (const char* field : {"userId", "anonymousId", "messageId", "event"}) {
    json message = {{"userId", "u"}, {"event", "E"}};
    message[field] = std::string("a\r\nSet-Cookie: x");
    auto parsed = Parse(IngestCall::kTrack, message);
    ASSERT_FALSE(parsed.ok()) << field;
    EXPECT_EQ(parsed.status().error_code(), "invalid_text") << field;
    EXPECT_NE(parsed.status().message().find(std::string("\"") + field + "\""), std::string::npos)
        << parsed.status().message();
  }
  auto page = Parse(IngestCall::kPage, json{{"anonymousId", "a"}, {"name", "Pri\tcing"}});
  EXPECT_EQ(page.status().error_code(), "invalid_text");
  auto group = Parse(IngestCall::kGroup, json{{"userId", "u"}, {"groupId", "g\x1b"}});
  EXPECT_EQ(group.status().error_code(), "invalid_text");
  auto alias = Parse(IngestCall::kAlias, json{{"userId", "u"}, {"previousId", "p\x7f"}});
  EXPECT_EQ(alias.status().error_code(), "invalid_text");
}

TEST_F(IngestTextRuleTest, SingleMessageWithNulIs400InvalidText) {
  auto parsed = Parse(IngestCall::kTrack, std::string(R"({"userId":"p","event":"x\u0000y"})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().error_code(), "invalid_text");
  EXPECT_NE(parsed.status().message().find("\"event\""), std::string::npos);
  auto shared = Parse(IngestCall::kBatch,
                      std::string(R"({"context":{"ip":"1\u0000"},"batch":[{"type":"track",)"
                                  R"("userId":"p","event":"E"}]})"));
  EXPECT_EQ(shared.status().error_code(), "invalid_text");
  EXPECT_NE(shared.status().message().find("\"context.ip\""), std::string::npos);
}

class EventTimeWindowTest : public SegmentParserTest {
 protected:
  TimePoint TimeOf(const json& message, EventTimeWindow window = {}) {
    body_ = message.dump();
    auto parsed = parser_.Parse(IngestRequest{IngestCall::kTrack, body_, received_, "", window});
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    last_ = parsed.ok() ? Payload(parsed->events.at(0)) : json();
    return parsed.ok() ? parsed->events.at(0).timestamp : TimePoint{};
  }
  json last_;
};

TEST_F(EventTimeWindowTest, FutureTimesAreClampedAndTheClientsValueKept) {
  // received_ is 2026-11-22T10:00:00Z; the window allows 5 minutes ahead by default.
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "2027-11-22T10:00:00Z"}}),
            received_ + std::chrono::minutes(5));
  EXPECT_EQ(last_["originalTimestamp"], "2027-11-22T10:00:00.000Z");
  EXPECT_EQ(last_["timestamp"], "2026-11-22T10:05:00.000Z");
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "9999-12-31T23:59:59Z"}}),
            received_ + std::chrono::minutes(5));
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-11-22T10:03:00Z"}}),
            received_ + std::chrono::minutes(3))
      << "within the allowed skew the time stands";
}

TEST_F(EventTimeWindowTest, PastTimesAreKeptForImportsUpToTheLimit) {
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "2023-01-01T00:00:00Z"}}),
            *ParseIsoTime("2023-01-01T00:00:00Z"));
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "0001-01-01T00:00:00Z"}}),
            received_ - std::chrono::days(5 * 365));
  EventTimeWindow month{std::chrono::seconds(0), std::chrono::days(30)};
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-08-01T00:00:00Z"}}, month),
            received_ - std::chrono::days(30));
  EXPECT_EQ(TimeOf({{"userId", "u"}, {"event", "E"}, {"timestamp", "2026-11-22T10:00:01Z"}}, month),
            received_);
}

TEST_F(EventTimeWindowTest, ExtremeSentAtNeverMovesAnEventOutOfTheWindow) {
  const TimePoint lowest = received_ - std::chrono::days(5 * 365);
  const TimePoint highest = received_ + std::chrono::minutes(5);
  for (const char* sent_at : {"9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    TimePoint at = TimeOf({{"userId", "u"},
                           {"event", "E"},
                           {"timestamp", "2026-11-22T09:00:00Z"},
                           {"sentAt", sent_at}});
    EXPECT_GE(at, lowest) << sent_at;
    EXPECT_LE(at, highest) << sent_at;
    EXPECT_EQ(at, *ParseIsoTime("2026-11-22T09:00:00Z"))
        << "a sentAt no event can have is no skew measure: the timestamp stands";
  }
  // The same through a batch's sentAt.
  body_ = json{{"sentAt", "9999-12-31T23:59:59Z"},
               {"batch",
                {{{"type", "track"},
                  {"userId", "u"},
                  {"event", "E"},
                  {"timestamp", "2026-11-22T09:00:00Z"}}}}}
              .dump();
  auto parsed = parser_.Parse(IngestRequest{IngestCall::kBatch, body_, received_, ""});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_GE(parsed->events[0].timestamp, lowest);
  EXPECT_LE(parsed->events[0].timestamp, highest);
}

}  // namespace
}  // namespace tandem
