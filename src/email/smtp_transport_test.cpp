// The SMTP transport and pool against a real SMTP server (testing/smtp_sink.h).
#include "email/smtp_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "email/mime.h"
#include "testing/smtp_sink.h"

namespace tandem::email {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SmtpSink;
using testing::SmtpSinkOptions;
using Kind = SmtpOutcome::Kind;
constexpr auto kWait = std::chrono::seconds(20);

EmailConfig ConfigFor(const SmtpSink& sink) {
  EmailConfig config;
  config.relay = sink.Url();
  config.timeout_ms = 20000;
  return config;
}

std::string Message(const std::string& to, const std::string& subject) {
  OutgoingEmail email;
  email.from = {"Acme", "news@acme.example"};
  email.to = {"", to};
  email.subject = subject;
  email.text = "Hello.\n.\n..two dots\n.one dot\nBye.\n";
  email.html = "<p>Hello.</p>\n.<p>Bye.</p>\n";
  email.message_id = NewMessageId("acme.example");
  email.date = FromUnixMillis(1764658800000);
  auto bytes = BuildMime(email);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::string();
}

TEST(SmtpTransportTest, DeliversTheMessageByteForByte) {
  SmtpSink sink;
  sink.Start();
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  std::string message = Message("dana@reader.example", "Your guide");
  SmtpOutcome outcome = transport->Send("bounces@acme.example", "dana@reader.example", message);
  ASSERT_EQ(outcome.kind, Kind::kSent) << outcome.message;
  EXPECT_EQ(outcome.code, 250);
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  auto received = sink.Messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].envelope_from, "bounces@acme.example");
  EXPECT_EQ(received[0].recipients, std::vector<std::string>{"dana@reader.example"});
  EXPECT_EQ(received[0].raw, message);
  auto parsed = ParseMime(received[0].raw);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->subject, "Your guide");
  EXPECT_EQ(parsed->text, "Hello.\n.\n..two dots\n.one dot\nBye.\n");
}

TEST(SmtpTransportTest, DotStuffsAndMakesLineEndsCanonical) {
  SmtpSink sink;
  sink.Start();
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  // A lone "." would end DATA early unless stuffed; the last line lacks its CRLF.
  const std::string dotted = ".first\r\nSubject: dots\r\n\r\n.\r\n..\r\n.x\r\nlast";
  ASSERT_EQ(transport->Send("a@acme.example", "b@reader.example", dotted).kind, Kind::kSent);
  const std::string bare_lf = "Subject: lf\n\nline one\nline two\r\n";
  ASSERT_EQ(transport->Send("a@acme.example", "b@reader.example", bare_lf).kind, Kind::kSent);
  ASSERT_TRUE(sink.WaitForMessages(2, kWait));
  auto received = sink.Messages();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].raw, dotted + "\r\n");
  EXPECT_EQ(received[1].raw, "Subject: lf\r\n\r\nline one\r\nline two\r\n");
}

TEST(SmtpTransportTest, KeepsItsConnectionOpenBetweenSends) {
  SmtpSink sink;
  sink.Start();
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  for (int i = 0; i < 3; ++i) {
    std::string to = "r" + std::to_string(i) + "@reader.example";
    ASSERT_EQ(transport->Send("a@acme.example", to, Message(to, "n")).kind, Kind::kSent);
  }
  ASSERT_TRUE(sink.WaitForMessages(3, kWait));
  auto received = sink.Messages();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_NE(received[0].client_port, 0);
  EXPECT_EQ(received[1].client_port, received[0].client_port);
  EXPECT_EQ(received[2].client_port, received[0].client_port);
}

TEST(SmtpTransportTest, AuthenticatesAndSaysWhenAuthFails) {
  SmtpSink sink;
  sink.Start({.auth_user = "tandem", .auth_password = "s3cret pass"});
  EmailConfig config = ConfigFor(sink);
  config.username = "tandem";
  config.password = "s3cret pass";
  SmtpOutcome sent = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                        Message("b@reader.example", "auth"));
  ASSERT_EQ(sent.kind, Kind::kSent) << sent.message;
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  EXPECT_TRUE(sink.Messages()[0].authenticated);

  config.password = "wrong";
  SmtpOutcome denied = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                          Message("b@reader.example", "auth"));
  EXPECT_EQ(denied.kind, Kind::kRetry);
  EXPECT_EQ(denied.code, 535);
  EXPECT_THAT(denied.message, HasSubstr("AUTH failed"));

  config.username.clear();
  SmtpOutcome anonymous = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                             Message("b@reader.example", "auth"));
  EXPECT_EQ(anonymous.kind, Kind::kRetry);
  EXPECT_EQ(anonymous.code, 530);
  EXPECT_THAT(anonymous.message, HasSubstr("MAIL FROM"));
  EXPECT_EQ(sink.ReceivedCount(), 1u);
}

TEST(SmtpTransportTest, RequiredStartTlsWithAPrivateCa) {
  SmtpSink sink;
  sink.Start({.starttls = true});
  EmailConfig config = ConfigFor(sink);
  config.starttls = "required";
  config.ca_file = sink.CaFile().string();
  SmtpOutcome sent = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                        Message("b@reader.example", "tls"));
  ASSERT_EQ(sent.kind, Kind::kSent) << sent.message;
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  EXPECT_TRUE(sink.Messages()[0].tls);

  config.ca_file.clear();  // the system's CAs do not know the sink's certificate
  SmtpOutcome untrusted = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                             Message("b@reader.example", "tls"));
  EXPECT_EQ(untrusted.kind, Kind::kRetry);
  EXPECT_THAT(untrusted.message, HasSubstr("TLS"));
  EXPECT_EQ(sink.ReceivedCount(), 1u);
}

TEST(SmtpTransportTest, RequiredStartTlsRefusesARelayWithoutIt) {
  SmtpSink sink;
  sink.Start();
  EmailConfig config = ConfigFor(sink);
  config.starttls = "required";
  SmtpOutcome outcome = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                           Message("b@reader.example", "tls"));
  EXPECT_EQ(outcome.kind, Kind::kRetry);
  EXPECT_THAT(outcome.message, HasSubstr("TLS"));
  EXPECT_EQ(sink.ReceivedCount(), 0u);
}

TEST(SmtpTransportTest, ImplicitTls) {
  SmtpSink sink;
  sink.Start({.implicit_tls = true});
  EmailConfig config = ConfigFor(sink);
  ASSERT_TRUE(config.relay.starts_with("smtps://"));
  config.ca_file = sink.CaFile().string();
  SmtpOutcome sent = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                        Message("b@reader.example", "smtps"));
  ASSERT_EQ(sent.kind, Kind::kSent) << sent.message;
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  EXPECT_TRUE(sink.Messages()[0].tls);
}

TEST(SmtpTransportTest, ClassifiesRefusalsByCodeAndStep) {
  SmtpSink sink;
  sink.Start();
  sink.SetRules(R"({"recipients": {
      "gone@reader.example": {"rcpt": 550, "text": "5.1.1 no such user"},
      "later@reader.example": {"rcpt": 451, "text": "4.7.1 greylisted"},
      "big@reader.example": {"data": 552, "text": "5.3.4 message too big"},
      "busy@reader.example": {"data": 452}}})");
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  auto send = [&](const std::string& to) {
    return transport->Send("a@acme.example", to, Message(to, "refusals"));
  };
  SmtpOutcome gone = send("gone@reader.example");
  EXPECT_EQ(gone.kind, Kind::kRejected);
  EXPECT_EQ(gone.code, 550);
  EXPECT_THAT(gone.message, HasSubstr("RCPT TO"));
  EXPECT_THAT(gone.message, HasSubstr("5.1.1 no such user"));
  SmtpOutcome later = send("later@reader.example");
  EXPECT_EQ(later.kind, Kind::kRetry);
  EXPECT_EQ(later.code, 451);
  EXPECT_THAT(later.message, HasSubstr("greylisted"));
  SmtpOutcome big = send("big@reader.example");
  EXPECT_EQ(big.kind, Kind::kRejected);
  EXPECT_EQ(big.code, 552);
  EXPECT_THAT(big.message, HasSubstr("end of DATA"));
  SmtpOutcome busy = send("busy@reader.example");
  EXPECT_EQ(busy.kind, Kind::kRetry);
  EXPECT_EQ(busy.code, 452);
  // After all that, the same transport still delivers.
  EXPECT_EQ(send("fine@reader.example").kind, Kind::kSent);
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  auto received = sink.Messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].recipients, std::vector<std::string>{"fine@reader.example"});
}

TEST(SmtpTransportTest, AConnectionDroppedMidDataIsRetriedOnAFreshConnection) {
  SmtpSink sink;
  sink.Start();
  sink.SetRules(R"({"recipients": {"crash@reader.example": {"data": "drop"}}})");
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  SmtpOutcome dropped = transport->Send("a@acme.example", "crash@reader.example",
                                        Message("crash@reader.example", "drop"));
  EXPECT_EQ(dropped.kind, Kind::kRetry);
  EXPECT_THAT(dropped.message, HasSubstr("may have been delivered"));
  SmtpOutcome next = transport->Send("a@acme.example", "ok@reader.example",
                                     Message("ok@reader.example", "after the drop"));
  EXPECT_EQ(next.kind, Kind::kSent) << next.message;
  ASSERT_TRUE(sink.WaitForMessages(1, kWait));
  EXPECT_EQ(sink.Messages().size(), 1u);
}

TEST(SmtpTransportTest, ReconnectsWhenTheRelayClosedAnIdleConnection) {
  auto first = std::make_unique<SmtpSink>();
  int port = first->Start();
  EmailConfig config = ConfigFor(*first);
  auto transport = NewCurlSmtpTransport(config);
  ASSERT_EQ(
      transport->Send("a@acme.example", "b@reader.example", Message("b@reader.example", "1")).kind,
      Kind::kSent);
  first.reset();  // the relay restarts: the open connection is gone
  SmtpSink second;
  second.Start({.port = port});
  SmtpOutcome outcome =
      transport->Send("a@acme.example", "b@reader.example", Message("b@reader.example", "2"));
  EXPECT_EQ(outcome.kind, Kind::kSent) << outcome.message;
  ASSERT_TRUE(second.WaitForMessages(1, kWait));
}

TEST(SmtpTransportTest, AServerAnswering421IsRetried) {
  SmtpSink sink;
  sink.Start();
  sink.SetRules(R"({"connect": 421})");
  auto transport = NewCurlSmtpTransport(ConfigFor(sink));
  SmtpOutcome outcome =
      transport->Send("a@acme.example", "b@reader.example", Message("b@reader.example", "421"));
  EXPECT_EQ(outcome.kind, Kind::kRetry);
  EXPECT_EQ(outcome.code, 421);
  sink.SetRules("{}");
  EXPECT_EQ(
      transport->Send("a@acme.example", "b@reader.example", Message("b@reader.example", "ok")).kind,
      Kind::kSent);
}

TEST(SmtpTransportTest, AServerThatIsDownIsRetried) {
  SmtpSink sink;
  sink.Start();
  EmailConfig config = ConfigFor(sink);
  config.relay = "smtp://tandem:pass%20word@127.0.0.1:" + std::to_string(sink.port());
  sink.Stop();  // the port is closed now
  SmtpOutcome outcome = NewCurlSmtpTransport(config)->Send("a@acme.example", "b@reader.example",
                                                           Message("b@reader.example", "down"));
  EXPECT_EQ(outcome.kind, Kind::kRetry);
  EXPECT_EQ(outcome.code, 0);
  EXPECT_THAT(outcome.message, HasSubstr("connection refused"));
  EXPECT_THAT(outcome.message, HasSubstr("smtp://127.0.0.1:"));  // without the login in it
  EXPECT_THAT(outcome.message, Not(HasSubstr("pass")));
}

TEST(SmtpTransportTest, RefusesAddressesThatCouldInjectCommands) {
  EmailConfig config;
  config.relay = "smtp://127.0.0.1:1";
  auto transport = NewCurlSmtpTransport(config);
  SmtpOutcome bad_rcpt = transport->Send("a@acme.example", "b@x.example>\r\nRCPT TO:<c@x.example",
                                         "Subject: x\r\n\r\nx\r\n");
  EXPECT_EQ(bad_rcpt.kind, Kind::kRejected);
  EXPECT_THAT(bad_rcpt.message, HasSubstr("not an email address"));
  SmtpOutcome bad_from =
      transport->Send("a@acme.example\r\nDATA", "b@x.example", "Subject: x\r\n\r\nx\r\n");
  EXPECT_EQ(bad_from.kind, Kind::kRetry);
  EXPECT_THAT(bad_from.message, HasSubstr("envelope sender"));
}

TEST(SmtpPoolTest, FourConnectionsDeliverTwoHundredMessagesOnceEach) {
  SmtpSink sink;
  sink.Start();
  EmailConfig config = ConfigFor(sink);
  config.connections = 4;
  ManualClock clock(FromUnixMillis(1764658800000));
  SmtpPool pool(
      config, [&] { return NewCurlSmtpTransport(config); }, clock);
  std::atomic<int> sent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::string to = "t" + std::to_string(t) + "m" + std::to_string(i) + "@reader.example";
        if (pool.Send("a@acme.example", to, Message(to, "pool")).kind == Kind::kSent) ++sent;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(sent.load(), 200);
  ASSERT_TRUE(sink.WaitForMessages(200, kWait));
  auto received = sink.Messages();
  ASSERT_EQ(received.size(), 200u);
  std::set<std::string> recipients;
  std::set<int> connections;
  for (const auto& message : received) {
    recipients.insert(message.recipients.at(0));
    connections.insert(message.client_port);
  }
  EXPECT_EQ(recipients.size(), 200u);
  EXPECT_LE(connections.size(), 4u);
  // All 200 accepted within the same (frozen) second: measured over at least 1 s.
  EXPECT_DOUBLE_EQ(pool.EffectiveRate(), 200.0);
}

// A transport that only counts how many of its kind are in use at once.
class CountingTransport final : public MailTransport {
 public:
  CountingTransport(std::atomic<int>& in_use, std::atomic<int>& most)
      : in_use_(in_use), most_(most) {}
  SmtpOutcome Send(std::string_view, std::string_view recipient, std::string_view) override {
    int now = ++in_use_;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::yield();
    --in_use_;
    return {recipient.starts_with("bad") ? Kind::kRejected : Kind::kSent, 250, ""};
  }

 private:
  std::atomic<int>& in_use_;
  std::atomic<int>& most_;
};

TEST(SmtpPoolTest, NeverUsesMoreTransportsThanConnections) {
  EmailConfig config;
  config.connections = 2;
  ManualClock clock(FromUnixMillis(0));
  std::atomic<int> made{0}, in_use{0}, most{0};
  SmtpPool pool(
      config,
      [&] {
        ++made;
        return std::make_unique<CountingTransport>(in_use, most);
      },
      clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        (void)pool.Send("a@acme.example", i % 10 == 0 ? "bad@x.example" : "ok@x.example", "m");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(made.load(), 2);
  EXPECT_LE(most.load(), 2);
  EXPECT_GE(most.load(), 1);
  // 1,600 sends, one in ten rejected: 1,440 accepted within the first second.
  EXPECT_DOUBLE_EQ(pool.EffectiveRate(), 1440.0);
}

TEST(TokenBucketTest, SpacesSendsAtTheRate) {
  TimePoint t0 = FromUnixMillis(1'000'000);
  TokenBucket bucket(10, 1);  // 10 a second: one every 100 ms
  EXPECT_EQ(bucket.Take(t0).count(), 0);
  EXPECT_EQ(bucket.Take(t0).count(), 100'000);  // owed: wait one interval
  EXPECT_EQ(bucket.Take(t0).count(), 200'000);  // and the next after it
  // 250 ms later the debt of 2 tokens is paid and half a token saved.
  EXPECT_EQ(bucket.Take(t0 + std::chrono::milliseconds(250)).count(), 50'000);
  // After a long idle period only `burst` tokens are saved up.
  TimePoint later = t0 + std::chrono::hours(1);
  EXPECT_EQ(bucket.Take(later).count(), 0);
  EXPECT_EQ(bucket.Take(later).count(), 100'000);
}

TEST(TokenBucketTest, BurstAndFractionalRatesAndClockSteps) {
  TimePoint t0 = FromUnixMillis(5'000);
  TokenBucket burst(2, 3);
  EXPECT_EQ(burst.Take(t0).count(), 0);
  EXPECT_EQ(burst.Take(t0).count(), 0);
  EXPECT_EQ(burst.Take(t0).count(), 0);
  EXPECT_EQ(burst.Take(t0).count(), 500'000);
  TokenBucket slow(0.5, 1);  // one every 2 s
  EXPECT_EQ(slow.Take(t0).count(), 0);
  EXPECT_EQ(slow.Take(t0 + std::chrono::seconds(1)).count(), 1'000'000);
  // A clock stepping back neither refills nor breaks the debt.
  EXPECT_EQ(slow.Take(t0).count(), 3'000'000);
  TokenBucket unlimited(0, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(unlimited.Take(t0).count(), 0);
}

TEST(AcceptedRateTest, CountsTheLastMinute) {
  TimePoint t0 = FromUnixMillis(1'700'000'000'000);
  AcceptedRate rate;
  EXPECT_EQ(rate.PerSecond(t0), 0);
  rate.Attempted(t0);
  // 5 a second for two minutes.
  for (int s = 0; s < 120; ++s) {
    for (int i = 0; i < 5; ++i) rate.Accepted(t0 + std::chrono::seconds(s));
  }
  EXPECT_DOUBLE_EQ(rate.PerSecond(t0 + std::chrono::milliseconds(119'500)), 5.0);
  // Ten seconds in, the rate is over those ten seconds, not diluted over 60.
  AcceptedRate young;
  young.Attempted(t0);
  for (int s = 0; s < 10; ++s) {
    for (int i = 0; i < 30; ++i) young.Accepted(t0 + std::chrono::seconds(s));
  }
  EXPECT_DOUBLE_EQ(young.PerSecond(t0 + std::chrono::seconds(10)), 30.0);
  // Quiet for a minute: nothing in the window.
  EXPECT_EQ(rate.PerSecond(t0 + std::chrono::seconds(185)), 0);
  // Half the window active: 300 accepted over 60 s.
  EXPECT_DOUBLE_EQ(rate.PerSecond(t0 + std::chrono::seconds(149)), 150.0 / 60);
}

}  // namespace
}  // namespace tandem::email
