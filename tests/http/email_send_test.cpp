// Email out, end to end, against a real SMTP server (Debian's python3-aiosmtpd) and a
// real HTTP server for the images: seed 000's broadcast is stopped for each of its faults
// with nothing reaching the relay; the same email fixed arrives with a one-click
// unsubscribe that works; a one-to-one email is the owner's touch; a relay that refuses,
// drops or is down is retried, bounced and suppressed, never sending anyone two copies.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "email/mime.h"
#include "http/email_send_fixture.h"

namespace tandem {
namespace {

TEST_F(EmailSendTest, SeedZeroIsStoppedForEachFaultAndNothingReachesTheRelay) {
  const std::string lead = Lead("u1", "ana@offsite.example");
  Consent(lead);
  // The address came from a web spider.
  ASSERT_EQ(Call("PATCH", "/api/v1/leads/" + lead + "/preferences", marketing_token_,
                 R"({"address_source":"harvested"})")
                .status,
            200u);
  Template("seed000", "email_marketing", "none", "(E-mail Subject)",
           fmt::format(R"(<html><body><img src="{}" width="600" height="80">
<p>MeetCo is the leading meeting company. We have hosted meetings for 20 years. Our venues are
the best, our staff are the best, and we are proud of our awards. Contact us today.</p>
</body></html>)",
                       Logo(900, 300)));
  const std::string broadcast = Broadcast("seed000");

  json audience = json::parse(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/audience", marketing_token_, "{}").body);
  EXPECT_EQ(audience["included"], 0) << audience;
  for (const char* code : {"subject_placeholder", "image_distorted", "no_unsubscribe",
                           "no_postal_address", "harvested_address"}) {
    EXPECT_EQ(audience["excluded_by_reason"].value(code, 0), 1) << code << " " << audience;
  }
  json preview = json::parse(Call("POST", "/api/v1/broadcasts/" + broadcast + "/preview",
                                  marketing_token_, json{{"lead_id", lead}}.dump())
                                 .body);
  std::set<std::string> codes;
  for (const json& f : preview["findings"]) codes.insert(f["code"]);
  EXPECT_TRUE(codes.count("copy_about_sender")) << preview["findings"];
  EXPECT_TRUE(codes.count("image_no_alt"));

  ASSERT_EQ(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/schedule", marketing_token_, "{}").status,
      200u);
  ASSERT_TRUE(Until([&] { return Get("/api/v1/broadcasts/" + broadcast)["state"] == "done"; }));
  json progress = Get("/api/v1/broadcasts/" + broadcast)["progress"];
  EXPECT_EQ(progress["by_status"]["refused"], 1) << progress;
  EXPECT_EQ(progress["by_status"]["sent"], 0);
  EXPECT_EQ(progress["refused_by_reason"].value("harvested_address", 0), 1) << progress;
  json refused = Get("/api/v1/broadcasts/" + broadcast + "/sends?status=refused");
  ASSERT_EQ(refused["items"].size(), 1u);
  EXPECT_NE(refused["items"][0]["reason"].get<std::string>().find("subject_placeholder"),
            std::string::npos);
  // Nothing was queued, so nothing can reach the relay, however long one waits.
  EXPECT_EQ(sink_.ReceivedCount(), 0u);
  EXPECT_EQ(Get("/api/v1/leads/" + lead + "/emails")["items"].size(), 1u);
}

TEST_F(EmailSendTest, TheFixedEmailArrivesWithAOneClickUnsubscribeThatWorks) {
  const std::string lead = Lead("u2", "ana@offsite.example");
  Consent(lead);
  Template("fixed", "email_marketing", "default", "Three venues for your spring offsite?",
           fmt::format(R"(<img src="{}" width="300" height="100" alt="MeetCo">
<p>Hi {{{{lead.first_name | there}}}}, are you planning a team offsite this spring? If you tell
me your team size and dates, I can send you three venues that fit your budget, with your
travel times from your office.</p>)",
                       Logo(900, 300)));
  const std::string broadcast = Broadcast("fixed");
  ASSERT_EQ(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/schedule", marketing_token_, "{}").status,
      200u);
  ASSERT_TRUE(sink_.WaitForMessages(1, std::chrono::seconds(1)) ||
              Until([&] { return sink_.ReceivedCount() >= 1; }));
  ASSERT_TRUE(Until([&] { return Get("/api/v1/broadcasts/" + broadcast)["state"] == "done"; }));
  auto received = sink_.Messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].recipients, std::vector<std::string>{"ana@offsite.example"});
  auto mail = email::ParseMime(received[0].raw);
  ASSERT_TRUE(mail.ok()) << mail.status().message();
  EXPECT_EQ(mail->subject, "Three venues for your spring offsite?");
  EXPECT_NE(mail->text.find("Hi Ana, are you planning"), std::string::npos) << mail->text;
  EXPECT_NE(mail->html.find("12 Harbour Road, Leith EH6 6LX"), std::string::npos);
  // The footer's unsubscribe link goes straight to the preference page, never through
  // the click redirect.
  EXPECT_NE(mail->html.find("href=\"https://t.example.com/u/"), std::string::npos);
  EXPECT_EQ(mail->html.find("/t/c/"), std::string::npos) << mail->html;
  EXPECT_EQ(mail->Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  const std::string unsubscribe = mail->Header("List-Unsubscribe");
  ASSERT_TRUE(unsubscribe.starts_with("<https://t.example.com/u/")) << unsubscribe;
  json sends = Get("/api/v1/broadcasts/" + broadcast + "/sends");
  ASSERT_EQ(sends["items"].size(), 1u);
  EXPECT_EQ(sends["items"][0]["status"], "sent");
  EXPECT_EQ(sends["items"][0]["message_id"], mail->message_id);
  auto sent_hooks = Webhooks("email.sent");
  ASSERT_EQ(sent_hooks.size(), 1u);
  EXPECT_EQ(sent_hooks[0]["data"]["email"]["message_id"], mail->message_id);
  EXPECT_EQ(sent_hooks[0]["data"]["email"]["broadcast_id"], broadcast);
  // The mailbox provider's one-click POST unsubscribes the person at once.
  const std::string path =
      unsubscribe.substr(std::string("<https://t.example.com").size(),
                         unsubscribe.size() - 1 - std::string("<https://t.example.com").size());
  HttpResult click = client_->Request("POST", path, "List-Unsubscribe=One-Click",
                                      {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(click.status, 200u) << click.body;
  EXPECT_TRUE(Get("/api/v1/leads/" + lead + "/preferences").value("unsubscribed", false));
  // A second broadcast to the same lead now refuses it: unsubscribed.
  const std::string again = Broadcast("fixed");
  json audience = json::parse(
      Call("POST", "/api/v1/broadcasts/" + again + "/audience", marketing_token_, "{}").body);
  EXPECT_EQ(audience["included"], 0) << audience;
}

TEST_F(EmailSendTest, AOneToOneEmailIsTheOwnersTouchAndOnlyTheOwners) {
  const std::string lead = Lead("u3", "ana@offsite.example");
  Template("intro", "sales_outreach", "default", "{{lead.first_name | Hello}}, a question",
           "<p>Hi {{lead.first_name | there}}, is a spring offsite something you are "
           "planning? I can send you three venues that fit your team.</p>");
  HttpResult other =
      Call("POST", "/api/v1/leads/" + lead + "/emails", rep2_token_, R"({"template":"intro"})");
  EXPECT_EQ(other.status, 409u) << other.body;
  // During the first-contact SLA only the owner may reach out.
  EXPECT_EQ(json::parse(other.body)["reasons"][0]["code"], "sla_owner_only");
  HttpResult sent =
      Call("POST", "/api/v1/leads/" + lead + "/emails", rep_token_, R"({"template":"intro"})");
  ASSERT_EQ(sent.status, 201u) << sent.body;
  json body = json::parse(sent.body);
  EXPECT_EQ(body["email"]["status"], "queued");
  EXPECT_EQ(body["touch"]["channel"], "email");
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  auto mail = email::ParseMime(sink_.Messages()[0].raw);
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->subject, "Ana, a question");
  EXPECT_EQ(mail->Header("List-Unsubscribe"), "");  // one-to-one sales email
  ASSERT_TRUE(Until(
      [&] { return Get("/api/v1/leads/" + lead + "/emails")["items"][0]["status"] == "sent"; }));
  json touches = Get("/api/v1/leads/" + lead + "/touches");
  ASSERT_EQ(touches["items"].size(), 1u);
  EXPECT_EQ(touches["items"][0]["note"], "Email: Ana, a question");
  // The first contact met the lead's SLA.
  EXPECT_FALSE(Get("/api/v1/leads/" + lead)["sla"]["met_at"].is_null());
}

TEST_F(EmailSendTest, ARelayThatRefusesDropsOrIsDownIsRetriedBouncedAndNeverSentTwice) {
  sink_.SetRules(R"({"recipients":{"gone@offsite.example":{"rcpt":550},
                    "crash@offsite.example":{"data":"drop"}}})");
  Template("intro", "sales_outreach", "default", "A question",
           "<p>Is a spring offsite something you are planning?</p>");
  const std::string gone = Lead("u4", "gone@offsite.example");
  const std::string crash = Lead("u5", "crash@offsite.example");
  auto send = [&](const std::string& lead) {
    return Call("POST", "/api/v1/leads/" + lead + "/emails", rep_token_, R"({"template":"intro"})");
  };
  ASSERT_EQ(send(gone).status, 201u);
  ASSERT_EQ(send(crash).status, 201u);
  auto status_of = [&](const std::string& lead) {
    return Get("/api/v1/leads/" + lead + "/emails")["items"][0]["status"].get<std::string>();
  };
  ASSERT_TRUE(
      Until([&] { return status_of(gone) == "bounced" && status_of(crash) == "retrying"; }));
  json bounced = Get("/api/v1/leads/" + gone + "/emails")["items"][0];
  EXPECT_EQ(bounced["smtp_code"], 550);
  auto bounce_hooks = Webhooks("email.bounced");
  ASSERT_EQ(bounce_hooks.size(), 1u);
  EXPECT_EQ(bounce_hooks[0]["data"]["email"]["to"], "gone@offsite.example");
  // The bounce is on the lead's timeline, with the relay's words.
  json timeline = Get("/api/v1/leads/" + gone + "/timeline?limit=100");
  bool on_timeline = false;
  for (const json& item : timeline["items"]) on_timeline |= item["kind"] == "email_bounced";
  EXPECT_TRUE(on_timeline) << timeline;
  // The bounced address is suppressed: the next email to it is refused before the gate.
  HttpResult again = send(gone);
  EXPECT_EQ(again.status, 422u) << again.body;
  EXPECT_EQ(json::parse(again.body)["error"]["code"], "compliance_refused");

  // The relay goes down: the retry fails again, visibly; nothing is lost.
  sink_.SetRules("{}");
  const int port = sink_.port();
  sink_.Stop();
  clock_.Advance(std::chrono::minutes(2));
  ASSERT_TRUE(Until([&] {
    json item = Get("/api/v1/leads/" + crash + "/emails")["items"][0];
    return item["attempts"] == 2 && item["status"] == "retrying";
  }));
  EXPECT_NE(
      Get("/api/v1/leads/" + crash + "/emails")["items"][0]["last_error"].get<std::string>().find(
          "refused"),
      std::string::npos);
  testing::SmtpSinkOptions same_port;
  same_port.port = port;
  sink_.Start(same_port);
  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(Until([&] { return status_of(crash) == "sent"; }));
  auto received = sink_.Messages();
  ASSERT_EQ(received.size(), 1u);  // the dropped attempt kept nothing; one copy arrived
  EXPECT_EQ(received[0].recipients, std::vector<std::string>{"crash@offsite.example"});
  std::string metrics = client_->Get("/metrics").body;
  EXPECT_NE(metrics.find("tandem_email_sends_total{result=\"bounced\"} 1"), std::string::npos)
      << metrics;
}

TEST_F(EmailSendTest, ANewLeadsOwnerHearsByEmailUnlessTheyChoseNone) {
  ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"email"})").status, 200u);
  const std::string lead = Lead("u6", "ana@offsite.example");
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  auto mail = email::ParseMime(sink_.Messages()[0].raw);
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(sink_.Messages()[0].recipients, std::vector<std::string>{"rep@meetco.example"});
  EXPECT_TRUE(mail->subject.starts_with("New lead for you: Ana Ruiz")) << mail->subject;

  ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"none"})").status, 200u);
  Lead("u7", "bo@offsite.example");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(app_->email().ProduceOnce().ok());
  app_->email().sender().Notify();
  EXPECT_FALSE(sink_.WaitForMessages(2, std::chrono::milliseconds(500)));
}

}  // namespace
}  // namespace tandem
