// What the received-email tests share: real messages as mail servers send them (an
// out-of-office answer, an RFC 3464 delivery report, an ARF complaint) and a server
// with a real IMAP server (Debian's dovecot-imapd) and the SMTP sink, a rep and a
// marketing user whose token posts to POST /api/v1/inbound/mime.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/random.h"
#include "email/inbound_poller.h"
#include "email/mime.h"
#include "support/api_fixture.h"
#include "support/imap_server.h"
#include "testing/smtp_sink.h"

namespace tandem::inbound_test {

using nlohmann::json;
using testing::HttpResult;

inline std::string OutOfOffice(const std::string& from, const std::string& in_reply_to,
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

inline std::string Dsn(const std::string& recipient, const std::string& original_id,
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

inline std::string Complaint(const std::string& recipient, const std::string& original_id) {
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

}  // namespace tandem::inbound_test
