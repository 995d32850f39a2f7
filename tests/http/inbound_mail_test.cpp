// Received email end to end, against a real IMAP server (Debian's dovecot-imapd) and
// the SMTP sink: a sales email goes out, the prospect's out-of-office ("back on 12
// January, please do not call") comes back through IMAP, and the owner's call is then
// refused with out_of_office and do_not_contact until that day. Messages read twice,
// a server that is down or drops the connection, bounces, complaints, forgeries and
// bad uploads to POST /api/v1/inbound/mime: each with a clear status, nothing lost,
// nothing changed by a forgery, nothing done twice.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/random.h"
#include "email/inbound_poller.h"
#include "email/mime.h"
#include "support/api_fixture.h"
#include "support/imap_server.h"
#include "testing/smtp_sink.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

std::string OutOfOffice(const std::string& from, const std::string& in_reply_to,
                        const std::string& id) {
  return fmt::format(
      "From: Ana Ruiz <{}>\r\nTo: Sam Rep <rep@meetco.example>\r\n"
      "Subject: Out of Office: Ana, a question\r\nDate: Wed, 2 Dec 2026 10:05:00 +0000\r\n"
      "Message-ID: <{}>\r\nIn-Reply-To: <{}>\r\nAuto-Submitted: auto-replied\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
      "Thank you for your message. I am on leave, back on 12 January, please do not call.\r\n"
      "\r\nAna\r\n",
      from, id, in_reply_to);
}

std::string Dsn(const std::string& recipient, const std::string& original_id,
                const std::string& status, const std::string& id) {
  return fmt::format(
      "From: Mail Delivery System <MAILER-DAEMON@mx.meetco.example>\r\n"
      "To: rep@meetco.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
      "Date: Wed, 2 Dec 2026 10:06:00 +0000\r\nMessage-ID: <{3}>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
      "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
      "Final-Recipient: rfc822; {0}\r\nAction: {4}\r\nStatus: {2}\r\n"
      "Diagnostic-Code: smtp; {2} mailbox problem\r\n\r\n"
      "--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{1}>\r\nTo: {0}\r\n\r\n"
      "--b--\r\n",
      recipient, original_id, status, id, status[0] == '5' ? "failed" : "delayed");
}

std::string Complaint(const std::string& recipient, const std::string& original_id) {
  return fmt::format(
      "From: <feedback@fbl.mailbox.example>\r\nTo: <abuse@meetco.example>\r\n"
      "Subject: complaint\r\nMessage-ID: <arf.{1}>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n\r\n"
      "--f\r\nContent-Type: text/plain\r\n\r\nAn abuse report.\r\n\r\n"
      "--f\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n"
      "Version: 1\r\nOriginal-Rcpt-To: <{0}>\r\n\r\n"
      "--f\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <{1}>\r\nTo: {0}\r\n"
      "Subject: Spring\r\n\r\nHello\r\n\r\n--f--\r\n",
      recipient, original_id);
}

class InboundMailTest : public testing::ApiFixture {
 protected:
  InboundMailTest() : ApiFixture("2026-12-02T10:00:00Z") {}  // a Wednesday

  void SetUp() override {
    sink_.Start();
    imap_.Start();
    // The application's own poller reads AppInbox; the tests' pollers read INBOX.
    imap_.Create("AppInbox");
    OpenStoreFirst();
    rep_ = AddUser("rep@meetco.example", "sales_rep", &rep_token_, 100, "Europe/London");
    AddUser("mk@meetco.example", "marketing", &marketing_token_);
    Config config;
    config.email.relay = sink_.Url();
    config.email.from_address = "rep@meetco.example";
    config.email.from_name = "Sam Rep";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.email.inbound = Imap(imap_.Url());
    config.email.inbound.folder = "AppInbox";
    config.email.inbound.processed_folder = "AppProcessed";
    config.email.inbound.poll_interval_s = 1;
    config.webhooks.push_back({"http://127.0.0.1:9/hook", "secret", {"email.bounced"}});
    Start(config);
    ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"none"})").status,
              200u);
  }

  static InboundConfig Imap(const std::string& url) {
    InboundConfig c;
    c.url = url;
    c.user = "inbound";
    c.password = "secret";
    c.timeout_ms = 10000;
    return c;
  }

  StatusOr<InboundPoller::Counts> PollOnce(const std::string& url) {
    InboundPoller poller(Imap(url), app_->inbound().mail(), clock_);
    return poller.PollOnce();
  }

  // A London prospect who asked for a demo: hot, owned by the rep.
  std::string Lead(const std::string& user, const std::string& email) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{1}","name":"Ana Ruiz","timezone":"Europe/London"}}}},
        {{"type":"track","userId":"{0}","event":"Demo Requested"}}]}})",
        user, email));
    return LeadIdOf(user);
  }

  // A send Tandem made to `address` for `lead`, as the sender leaves it: its Message-ID.
  std::string SentTo(const std::string& lead, const std::string& address) {
    EmailSend send;
    send.uid = "em_" + RandomToken(6);
    send.kind = SendKind::kOneToOne;
    send.lead_id = std::stoll(lead.substr(3));
    send.template_key = "intro";
    send.template_version = 1;
    send.to_address = address;
    send.subject = "Spring venues";
    send.message_id = RandomToken(12) + "@meetco.example";
    send.status = SendStatus::kSent;
    send.created_at = send.updated_at = send.next_attempt_at = clock_.Now();
    send.sent_at = clock_.Now();
    auto txn = raw_store_->BeginEmailTxn().value();
    EXPECT_TRUE(txn->AddSend(send).ok());
    EXPECT_TRUE(txn->Commit().ok());
    return send.message_id;
  }

  HttpResult Post(const std::string& raw, const std::string& token) {
    return client_->Request(
        "POST", "/api/v1/inbound/mime", raw,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "message/rfc822"}});
  }

  json Get(const std::string& target) {
    return json::parse(Call("GET", target, marketing_token_).body);
  }

  std::vector<std::string> Refusals(const std::string& lead, const std::string& channel) {
    json check = json::parse(
        Call("GET", "/api/v1/leads/" + lead + "/contact-check?channel=" + channel, rep_token_)
            .body);
    std::vector<std::string> codes;
    for (const json& r : check["reasons"]) {
      if (r["severity"] == "block") codes.push_back(r["code"]);
    }
    return codes;
  }

  std::optional<Suppression> Suppressed(const std::string& address) {
    auto txn = raw_store_->BeginEmailTxn().value();
    return txn->FindSuppression(address).value();
  }

  std::vector<json> Log(const std::string& lead, const std::string& kind) {
    std::vector<json> out;
    const json timeline = Get("/api/v1/leads/" + lead + "/timeline?limit=500");
    for (const json& entry : timeline["items"]) {
      if (entry["kind"] == kind) out.push_back(entry);
    }
    return out;
  }

  bool Until(const std::function<bool()>& done) {
    for (int i = 0; i < 3000 && !done(); ++i) {
      app_->email().sender().Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // A 50 MB upload, announced by its Content-Length: the status line answered after
  // its first 64 KB were sent.
  int StatusOfHugeUpload() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(app_->port());
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
    const std::string head = fmt::format(
        "POST /api/v1/inbound/mime HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n"
        "Content-Type: message/rfc822\r\nContent-Length: {}\r\n\r\n",
        marketing_token_, 50u << 20);
    std::string sent = head + std::string(64 * 1024, 'x');
    (void)!write(fd, sent.data(), sent.size());
    char answer[64] = {0};
    const ssize_t n = read(fd, answer, sizeof answer - 1);
    close(fd);
    if (n < 12) return -1;
    return std::atoi(answer + 9);  // "HTTP/1.1 413 …"
  }

  void TearDown() override { app_.reset(); }  // before the servers it talks to go

  static bool Has(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  }

  testing::SmtpSink sink_;
  testing::ImapServer imap_;
  int64_t rep_ = 0;
  std::string rep_token_, marketing_token_;
};

TEST_F(InboundMailTest, TheOutOfOfficeComesBackThroughImapAndTheOwnersCallIsRefusedUntilThatDay) {
  const std::string lead = Lead("u1", "ana@offsite.example");
  HttpResult t = Call("POST", "/api/v1/email-templates", marketing_token_,
                      json{{"key", "intro"},
                           {"name", "intro"},
                           {"purpose", "sales_outreach"},
                           {"subject", "{{lead.first_name | Hello}}, a question"},
                           {"html",
                            "<p>Hi {{lead.first_name | there}}, is a spring offsite "
                            "something you are planning?</p>"}}
                          .dump());
  ASSERT_EQ(t.status, 201u) << t.body;
  HttpResult sent =
      Call("POST", "/api/v1/leads/" + lead + "/emails", rep_token_, R"({"template":"intro"})");
  ASSERT_EQ(sent.status, 201u) << sent.body;
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  auto out = email::ParseMime(sink_.Messages()[0].raw);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(Until(
      [&] { return Get("/api/v1/leads/" + lead + "/emails")["items"][0]["status"] == "sent"; }));
  EXPECT_FALSE(Has(Refusals(lead, "call"), "out_of_office"));
  EXPECT_FALSE(Has(Refusals(lead, "call"), "do_not_contact"));

  imap_.Append("INBOX",
               OutOfOffice("ana@offsite.example", out->message_id, "ooo1@offsite.example"));
  auto polled = PollOnce(imap_.Url());
  ASSERT_TRUE(polled.ok()) << polled.status().message();
  EXPECT_EQ(polled->received, 1u);
  EXPECT_EQ(imap_.Count("INBOX"), 0);
  EXPECT_EQ(imap_.Count("Processed"), 1);  // moved, never deleted

  const std::vector<std::string> refused = Refusals(lead, "call");
  EXPECT_TRUE(Has(refused, "out_of_office"));
  EXPECT_TRUE(Has(refused, "do_not_contact"));
  EXPECT_TRUE(Has(Refusals(lead, "email"), "out_of_office"));  // sales email too
  json prefs = Get("/api/v1/leads/" + lead + "/preferences");
  EXPECT_EQ(prefs["out_of_office"]["until"], "2027-01-12T00:00:00.000Z");  // London's midnight
  EXPECT_NE(prefs["do_not_contact_reasons"]["call"].get<std::string>().find(
                "back on 12 January, please do not call."),
            std::string::npos)
      << prefs.dump();
  // The change names the message it came from.
  const std::vector<json> log = Log(lead, "email_auto_reply");
  ASSERT_EQ(log.size(), 1u) << Get("/api/v1/leads/" + lead + "/timeline?limit=500").dump();
  const std::string inbound = log[0]["inbound_id"];
  EXPECT_EQ(log[0]["matched_by"], "message_id");
  EXPECT_EQ(log[0]["back_on"], "2027-01-12");
  const std::vector<json> changed = Log(lead, "preferences_changed");
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.back()["actor"], "inbound:" + inbound);
  auto kept = raw_store_->GetInbound(inbound).value();
  ASSERT_TRUE(kept.has_value());
  EXPECT_NE(kept->raw.find("please do not call"), std::string::npos);
  EXPECT_EQ(kept->via, "imap");

  // 11 January, late evening in London: still away. 12 January: back; the call stays
  // on the do-not-contact list.
  clock_.Set(*ParseIsoTime("2027-01-11T21:00:00Z"));
  EXPECT_TRUE(Has(Refusals(lead, "call"), "out_of_office"));
  clock_.Set(*ParseIsoTime("2027-01-12T10:00:00Z"));
  EXPECT_FALSE(Has(Refusals(lead, "call"), "out_of_office"));
  EXPECT_TRUE(Has(Refusals(lead, "call"), "do_not_contact"));
  EXPECT_FALSE(Has(Refusals(lead, "email"), "out_of_office"));
}

TEST_F(InboundMailTest, AMessageReadTwiceIsRecordedOnceAndEveryCopyIsMoved) {
  const std::string lead = Lead("u2", "ana@offsite.example");
  const std::string id = SentTo(lead, "ana@offsite.example");
  const std::string message = OutOfOffice("ana@offsite.example", id, "ooo2@offsite.example");
  imap_.Append("INBOX", message);
  imap_.Append("INBOX", message);
  auto polled = PollOnce(imap_.Url());
  ASSERT_TRUE(polled.ok()) << polled.status().message();
  EXPECT_EQ(polled->received, 1u);
  EXPECT_EQ(polled->duplicates, 1u);
  EXPECT_EQ(imap_.Count("INBOX"), 0);
  EXPECT_EQ(imap_.Count("Processed"), 2);
  // The same message through the API afterwards changes nothing either.
  HttpResult again = Post(message, marketing_token_);
  EXPECT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(json::parse(again.body)["duplicate"], true);
  EXPECT_EQ(Log(lead, "email_auto_reply").size(), 1u);
  EXPECT_EQ(Log(lead, "preferences_changed").size(), 1u);
  // A second poll finds nothing.
  polled = PollOnce(imap_.Url());
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->received + polled->duplicates, 0u);
}

// Forwards one connection at a time to `target`, and cuts every connection once the
// server has sent `budget` bytes in all: a server that drops the connection mid-poll.
class DroppingProxy {
 public:
  DroppingProxy(int target, size_t budget) : target_(target), budget_(budget) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listener_, 4);
    thread_ = std::thread([this] { Run(); });
  }
  ~DroppingProxy() {
    stop_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  std::string Url() const { return "imap://127.0.0.1:" + std::to_string(port_); }

 private:
  void Run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(target_));
      if (sent_ < budget_ &&
          connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        Pump(client, server);
      }
      close(server);
      close(client);
    }
  }
  void Pump(int client, int server) {
    char buffer[4096];
    while (!stop_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents != 0) {
        const ssize_t n = read(client, buffer, sizeof buffer);
        if (n <= 0 || write(server, buffer, n) != n) return;
      }
      if (fds[1].revents != 0) {
        const size_t room = budget_ > sent_ ? budget_ - sent_ : 0;
        const ssize_t n = read(server, buffer, std::min(sizeof buffer, room));
        if (n <= 0 || write(client, buffer, n) != n) return;
        sent_ += static_cast<size_t>(n);
        if (sent_ >= budget_) return;  // the connection drops here
      }
    }
  }

  int target_;
  size_t budget_;
  size_t sent_ = 0;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(InboundMailTest, AServerThatIsDownOrDropsTheConnectionLosesNothingAndDoesNothingTwice) {
  const std::string lead = Lead("u3", "ana@offsite.example");
  const std::string first = SentTo(lead, "ana@offsite.example");
  const std::string second = SentTo(lead, "ana@offsite.example");
  imap_.Append("INBOX", OutOfOffice("ana@offsite.example", first, "small@offsite.example"));
  // A big reply: the connection drops while it is being read.
  std::string big = fmt::format(
      "From: Ana Ruiz <ana@offsite.example>\r\nTo: rep@meetco.example\r\nSubject: Re: venues\r\n"
      "Message-ID: <big@offsite.example>\r\nIn-Reply-To: <{}>\r\n\r\nYes, send them.\r\n",
      second);
  for (int i = 0; i < 3000; ++i) big += "Attached plan line, padded to make the message big.\r\n";
  imap_.Append("INBOX", big);

  {
    DroppingProxy proxy(imap_.port(), 40 * 1024);
    auto polled = PollOnce(proxy.Url());
    EXPECT_FALSE(polled.ok());
    EXPECT_EQ(polled.status().code(), StatusCode::kUnavailable);
  }
  // The first message was recorded and moved before the drop; the big one waits.
  EXPECT_EQ(imap_.Count("INBOX"), 1);
  EXPECT_EQ(imap_.Count("Processed"), 1);
  EXPECT_EQ(Log(lead, "email_auto_reply").size(), 1u);
  EXPECT_TRUE(Log(lead, "email_replied").empty());

  // Down: nothing is read, nothing lost.
  const int port = imap_.port();
  imap_.Stop();
  auto down = PollOnce(imap_.Url());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("imap://127.0.0.1"), std::string::npos);
  imap_.Start(port);

  auto polled = PollOnce(imap_.Url());
  ASSERT_TRUE(polled.ok()) << polled.status().message();
  EXPECT_EQ(polled->received, 1u);
  EXPECT_EQ(polled->duplicates, 0u);
  EXPECT_EQ(imap_.Count("INBOX"), 0);
  EXPECT_EQ(imap_.Count("Processed"), 2);
  const std::vector<json> replies = Log(lead, "email_replied");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["excerpt"].get<std::string>().substr(0, 15), "Yes, send them.");
  auto kept = raw_store_->GetInbound(replies[0]["inbound_id"].get<std::string>()).value();
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->size, static_cast<int64_t>(big.size()));
  EXPECT_EQ(kept->truncated, big.size() > InboundMail::kMaxKeptBytes);
}

TEST_F(InboundMailTest, TheApplicationPollsItsMailboxOnItsOwn) {
  const std::string lead = Lead("u4", "ana@offsite.example");
  imap_.Append("AppInbox", OutOfOffice("ana@offsite.example", "unknown@elsewhere.example",
                                       "ooo4@offsite.example"));
  for (int i = 0; i < 1500 && imap_.Count("AppProcessed") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(imap_.Count("AppProcessed"), 1);
  EXPECT_EQ(imap_.Count("AppInbox"), 0);
  // No send matches its In-Reply-To: the sender's address finds the lead.
  const std::vector<json> log = Log(lead, "email_auto_reply");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["matched_by"], "address");
  EXPECT_TRUE(Has(Refusals(lead, "call"), "out_of_office"));
}

TEST_F(InboundMailTest, UploadsNeedTheRightTokenAndABodyThatIsAnEmail) {
  const std::string message =
      OutOfOffice("nobody@nowhere.example", "x@meetco.example", "up1@nowhere.example");
  EXPECT_EQ(Post(message, rep_token_).status, 403u);
  EXPECT_EQ(client_->Request("POST", "/api/v1/inbound/mime", message, {}).status, 401u);
  static constexpr char kJunk[] = "\x01\x02 binary \x00 junk";
  HttpResult garbage = Post(std::string(kJunk, sizeof kJunk - 1), marketing_token_);
  EXPECT_EQ(garbage.status, 400u) << garbage.body;
  EXPECT_EQ(json::parse(garbage.body)["error"]["code"], "mime_unparseable");
  HttpResult no_sender =
      Post("Subject: hello\r\nMessage-ID: <n@x.example>\r\n\r\nhi\r\n", marketing_token_);
  EXPECT_EQ(no_sender.status, 422u) << no_sender.body;
  EXPECT_EQ(json::parse(no_sender.body)["error"]["code"], "mime_no_sender");
  EXPECT_EQ(Post("", marketing_token_).status, 400u);
  EXPECT_EQ(StatusOfHugeUpload(), 413);
  HttpResult first = Post(message, marketing_token_);
  ASSERT_EQ(first.status, 201u) << first.body;
  json body = json::parse(first.body);
  EXPECT_EQ(body["class"], "auto_reply");
  EXPECT_EQ(body["status"], "unmatched");  // no send, no lead with that address
  EXPECT_EQ(body["duplicate"], false);
  HttpResult second = Post(message, marketing_token_);
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(json::parse(second.body)["id"], body["id"]);
  EXPECT_EQ(json::parse(second.body)["duplicate"], true);
}

TEST_F(InboundMailTest, BouncesSuppressOnlyWhatTandemSentAndForgeriesChangeNothing) {
  const std::string lead = Lead("u5", "gone@offsite.example");
  const std::string sent = SentTo(lead, "gone@offsite.example");

  // A bounce that names another address than the send went to: not trusted.
  HttpResult forged = Post(Dsn("victim@offsite.example", sent, "5.1.1", "d1@mx"), marketing_token_);
  ASSERT_EQ(forged.status, 201u) << forged.body;
  EXPECT_EQ(json::parse(forged.body)["status"], "untrusted");
  EXPECT_FALSE(Suppressed("victim@offsite.example"));
  EXPECT_FALSE(Suppressed("gone@offsite.example"));
  // A bounce for a message Tandem never sent: nothing to act on.
  HttpResult unknown = Post(Dsn("other@offsite.example", "never@meetco.example", "5.1.1", "d2@mx"),
                            marketing_token_);
  EXPECT_EQ(json::parse(unknown.body)["status"], "unmatched");
  EXPECT_FALSE(Suppressed("other@offsite.example"));

  HttpResult hard = Post(Dsn("gone@offsite.example", sent, "5.1.1", "d3@mx"), marketing_token_);
  ASSERT_EQ(hard.status, 201u) << hard.body;
  json body = json::parse(hard.body);
  EXPECT_EQ(body["class"], "hard_bounce");
  EXPECT_EQ(body["status"], "applied");
  EXPECT_EQ(body["lead_id"], lead);
  auto suppression = Suppressed("gone@offsite.example");
  ASSERT_TRUE(suppression.has_value());
  EXPECT_EQ(suppression->reason, "bounce");
  EXPECT_NE(suppression->detail.find(body["id"].get<std::string>()), std::string::npos);
  EXPECT_EQ(Get("/api/v1/leads/" + lead + "/emails")["items"][0]["status"], "bounced");
  const std::vector<json> log = Log(lead, "email_bounced");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["inbound_id"], body["id"]);
  EXPECT_EQ(log[0]["status"], "5.1.1");
  // The webhook hears of it as of a bounce the relay gave, once: the forgery and the
  // unknown send told it nothing, and the same report again changes nothing.
  EXPECT_EQ(Post(Dsn("gone@offsite.example", sent, "5.1.1", "d3@mx"), marketing_token_).status,
            200u);
  std::vector<json> hooks;
  const std::vector<OutboxMessage> outbox = raw_store_->ListOutbox(0, 10000).value();
  for (const OutboxMessage& m : outbox) {
    if (m.type == "email.bounced") hooks.push_back(json::parse(m.payload));
  }
  ASSERT_EQ(hooks.size(), 1u);
  const json& email = hooks[0]["data"]["email"];
  EXPECT_EQ(email["to"], "gone@offsite.example");
  EXPECT_EQ(email["message_id"], sent);
  EXPECT_EQ(email["bounced_by"], "mail");
  EXPECT_EQ(email["smtp_code"], 0);
  EXPECT_NE(email["reply"].get<std::string>().find("5.1.1"), std::string::npos);
  EXPECT_EQ(hooks[0]["data"]["inbound_id"], body["id"]);
}

TEST_F(InboundMailTest, SoftBouncesSuppressAfterTheThirdSendFailsAndComplaintsUnsubscribe) {
  const std::string lead = Lead("u6", "full@offsite.example");
  const std::string a = SentTo(lead, "full@offsite.example");
  const std::string b = SentTo(lead, "full@offsite.example");
  const std::string c = SentTo(lead, "full@offsite.example");
  ASSERT_EQ(Post(Dsn("full@offsite.example", a, "4.2.2", "s1@mx"), marketing_token_).status, 201u);
  // A second delay notice about the same send is not another failure.
  ASSERT_EQ(Post(Dsn("full@offsite.example", a, "4.2.2", "s2@mx"), marketing_token_).status, 201u);
  ASSERT_EQ(Post(Dsn("full@offsite.example", b, "4.4.7", "s3@mx"), marketing_token_).status, 201u);
  EXPECT_FALSE(Suppressed("full@offsite.example"));
  HttpResult third = Post(Dsn("full@offsite.example", c, "4.4.7", "s4@mx"), marketing_token_);
  ASSERT_EQ(third.status, 201u);
  EXPECT_EQ(json::parse(third.body)["class"], "soft_bounce");
  auto suppression = Suppressed("full@offsite.example");
  ASSERT_TRUE(suppression.has_value());
  EXPECT_NE(suppression->detail.find("3 soft bounces"), std::string::npos) << suppression->detail;
  EXPECT_EQ(Log(lead, "email_soft_bounced").size(), 4u);

  const std::string other = Lead("u7", "angry@offsite.example");
  const std::string mailed = SentTo(other, "angry@offsite.example");
  HttpResult complaint = Post(Complaint("angry@offsite.example", mailed), marketing_token_);
  ASSERT_EQ(complaint.status, 201u) << complaint.body;
  EXPECT_EQ(json::parse(complaint.body)["class"], "complaint");
  EXPECT_TRUE(Has(Refusals(other, "email"), "unsubscribed"));
  ASSERT_TRUE(Suppressed("angry@offsite.example").has_value());
  EXPECT_EQ(Suppressed("angry@offsite.example")->reason, "complaint");
  EXPECT_EQ(Log(other, "email_complaint").size(), 1u);
}

TEST_F(InboundMailTest, AReplyWithAForgedInReplyToIsNotTrusted) {
  const std::string lead = Lead("u8", "ana@offsite.example");
  const std::string sent = SentTo(lead, "ana@offsite.example");
  // Someone else answers Ana's email, claiming her out-of-office.
  HttpResult forged = Post(OutOfOffice("eve@elsewhere.example", sent, "forged@elsewhere.example"),
                           marketing_token_);
  ASSERT_EQ(forged.status, 201u) << forged.body;
  json body = json::parse(forged.body);
  EXPECT_EQ(body["status"], "untrusted");
  EXPECT_TRUE(body["lead_id"].is_null());
  EXPECT_NE(body["detail"]["untrusted"].get<std::string>().find("eve@elsewhere.example"),
            std::string::npos);
  EXPECT_FALSE(Has(Refusals(lead, "call"), "out_of_office"));
  EXPECT_FALSE(Has(Refusals(lead, "call"), "do_not_contact"));
  EXPECT_TRUE(Log(lead, "email_auto_reply").empty());
}

TEST_F(InboundMailTest, WhatCameBackIsListedForTheOwnerAndReadWithItsOwnWords) {
  const std::string lead = Lead("u9", "ana@offsite.example");
  const std::string sent = SentTo(lead, "ana@offsite.example");
  HttpResult ooo =
      Post(OutOfOffice("ana@offsite.example", sent, "ooo-9@offsite.example"), marketing_token_);
  ASSERT_EQ(ooo.status, 201u) << ooo.body;
  // A reply whose subject is Latin-1 bytes, not UTF-8, with the email quoted below.
  const std::string reply =
      "From: Ana Ruiz <ana@offsite.example>\r\nTo: rep@meetco.example\r\n"
      "Subject: Re: Caf\xe9 venues\r\nMessage-ID: <reply-9@offsite.example>\r\n"
      "In-Reply-To: <" +
      sent +
      ">\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "We are 24 people; could you call me on Friday?\r\n\r\n"
      "On Tue, Sam Rep wrote:\r\n> Spring venues for your team\r\n";
  HttpResult replied = Post(reply, marketing_token_);
  ASSERT_EQ(replied.status, 201u) << replied.body;
  const std::string reply_id = json::parse(replied.body)["id"];
  Post(Dsn("nobody@elsewhere.example", "unknown@meetco.example", "5.1.1", "dsn-9@mx"),
       marketing_token_);

  // The rep's inbox: what came back about their leads, newest first.
  HttpResult mine = Call("GET", "/api/v1/inbound?owner=me&class=reply,auto_reply", rep_token_);
  ASSERT_EQ(mine.status, 200u) << mine.body;
  json items = json::parse(mine.body)["items"];
  ASSERT_EQ(items.size(), 2u) << mine.body;
  EXPECT_EQ(items[0]["id"], reply_id);
  EXPECT_EQ(items[0]["class"], "reply");
  EXPECT_EQ(items[0]["lead_id"], lead);
  EXPECT_NE(items[0]["detail"]["excerpt"].get<std::string>().find("24 people"), std::string::npos);
  EXPECT_EQ(items[1]["class"], "auto_reply");
  EXPECT_FALSE(items[0].contains("raw"));
  // Paged: one at a time, then the next.
  json first = Get("/api/v1/inbound?lead=" + lead + "&limit=1");
  ASSERT_EQ(first["items"].size(), 1u);
  json second = Get("/api/v1/inbound?lead=" + lead +
                    "&limit=1&cursor=" + first["next_cursor"].get<std::string>());
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["class"], "auto_reply");
  // Every message, the unmatched bounce too, for who asks for all of them.
  EXPECT_EQ(Get("/api/v1/inbound?status=unmatched")["items"].size(), 1u);

  // One message: what Ana wrote without the quote, and its bytes as received.
  json one = Get("/api/v1/inbound/" + reply_id);
  EXPECT_NE(one["own_text"].get<std::string>().find("call me on Friday"), std::string::npos);
  EXPECT_EQ(one["own_text"].get<std::string>().find("Spring venues"), std::string::npos);
  EXPECT_NE(one["text"].get<std::string>().find("Spring venues"), std::string::npos);
  HttpResult raw = Call("GET", "/api/v1/inbound/" + reply_id + "/raw", rep_token_);
  ASSERT_EQ(raw.status, 200u);
  EXPECT_EQ(raw.body, reply);

  // Bad filters say which parameter is wrong.
  EXPECT_EQ(raw.headers["X-Content-Type-Options"], "nosniff");
  EXPECT_NE(raw.headers["Content-Security-Policy"].find("sandbox"), std::string::npos);
  // A value given twice counts once.
  EXPECT_EQ(json::parse(
                Call("GET", "/api/v1/inbound?owner=me&class=reply,reply", rep_token_).body)["items"]
                .size(),
            1u);
  for (const char* bad : {"class=reply,nonsense", "class=", "class=reply,", "status=done",
                          "owner=someone", "cursor=x"}) {
    HttpResult r = Call("GET", std::string("/api/v1/inbound?") + bad, rep_token_);
    EXPECT_EQ(r.status, 400u) << bad << " " << r.body;
  }
  EXPECT_EQ(Call("GET", "/api/v1/inbound?lead=ld_999999", rep_token_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/inbound/in_missing", rep_token_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/inbound/in_missing/raw", rep_token_).status, 404u);
}

TEST(InboundConfigFile, EmailInboundIsReadWithErrorsThatNameTheLine) {
  auto config = ParseConfig(R"([email]
from_address = "news@meetco.example"

[email.inbound]
url = "imaps://imap.mail.example:993"
user = "replies@meetco.example"
password = "secret"
processed_folder = "Tandem"
poll_interval_s = 30
soft_bounce_limit = 2
)",
                            "tandem.toml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->email.inbound.url, "imaps://imap.mail.example:993");
  EXPECT_EQ(config->email.inbound.folder, "INBOX");
  EXPECT_EQ(config->email.inbound.processed_folder, "Tandem");
  EXPECT_EQ(config->email.inbound.poll_interval_s, 30);
  EXPECT_EQ(config->email.inbound.soft_bounce_limit, 2);

  auto bad_url = ParseConfig("[email.inbound]\nurl = \"pop3://x\"\n", "tandem.toml");
  ASSERT_FALSE(bad_url.ok());
  EXPECT_NE(bad_url.status().message().find("tandem.toml:2"), std::string::npos)
      << bad_url.status().message();
  auto unknown = ParseConfig("[email.inbound]\nfolderz = \"x\"\n", "tandem.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("folderz"), std::string::npos);
  auto same =
      ParseConfig("[email.inbound]\nfolder = \"A\"\nprocessed_folder = \"A\"\n", "tandem.toml");
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("processed_folder"), std::string::npos);
}

}  // namespace
}  // namespace tandem
