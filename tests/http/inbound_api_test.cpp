// Received email handed to POST /api/v1/inbound/mime, as mail providers' inbound
// webhooks post it, and read back: uploads that are no email or too large, bounces that
// act only through an email Tandem sent (and reach the email.bounced webhook once),
// soft bounces, complaints, a forged In-Reply-To, the list of what came back with its
// text and bytes, and the [email.inbound] configuration. Each with a clear status,
// nothing changed by a forgery.
#include "http/inbound_mail_fixture.h"

namespace tandem {
namespace {

using inbound_test::Complaint;
using inbound_test::Dsn;
using inbound_test::InboundMailTest;
using inbound_test::OutOfOffice;
using nlohmann::json;
using testing::HttpResult;

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
