// Received email end to end, against a real IMAP server (Debian's dovecot-imapd) and
// the SMTP sink: a sales email goes out, the prospect's out-of-office ("back on 12
// January, please do not call") comes back through IMAP, and the owner's call is then
// refused with out_of_office and do_not_contact until that day. Messages read twice, a
// server that is down or drops the connection, and the application's own poller: nothing
// lost, nothing done twice.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "http/inbound_mail_fixture.h"

namespace tandem {
namespace {

using inbound_test::InboundMailTest;
using inbound_test::OutOfOffice;
using nlohmann::json;
using testing::HttpResult;

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

}  // namespace
}  // namespace tandem
