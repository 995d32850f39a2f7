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

#include "email/html_facts.h"
#include "email/mime.h"
#include "experiments/experiment.h"
#include "support/api_fixture.h"
#include "support/fixture_http_server.h"
#include "testing/smtp_sink.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class EmailSendTest : public testing::ApiFixture {
 protected:
  EmailSendTest()
      : ApiFixture("2026-11-23T10:00:00Z"),  // Monday 10:00 UTC
        images_(std::string(TANDEM_SOURCE_DIR) + "/tests/support/fixture_http_server.py") {}

  void SetUp() override {
    sink_.Start();
    OpenStoreFirst();
    rep_ = AddUser("rep@meetco.example", "sales_rep", &rep_token_);
    AddUser("manager@meetco.example", "sales_manager", &rep2_token_);
    AddUser("mk@meetco.example", "marketing", &marketing_token_);
    Config config;
    config.email.relay = sink_.Url();
    config.email.from_address = "news@meetco.example";
    config.email.from_name = "MeetCo";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.email.fetch_private_hosts = true;  // the images are on this machine
    config.email.connections = 2;
    config.server.public_url = "https://t.example.com";
    config.webhooks.push_back(
        {"http://127.0.0.1:9/hook", "secret", {"email.sent", "email.bounced"}});
    Start(config);
    // The owner hears of new leads by email only where a test asks for it.
    ASSERT_EQ(Call("PATCH", "/api/v1/users/me", rep_token_, R"({"notify_by":"none"})").status,
              200u);
  }

  // A London prospect who asked for a demo: hot, owned by the rep at once.
  std::string Lead(const std::string& user, const std::string& email) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{1}","name":"Ana Ruiz","company":{{"name":"Offsite Co"}},"timezone":"Europe/London"}}}},
        {{"type":"track","userId":"{0}","event":"Demo Requested"}}]}})",
        user, email));
    return LeadIdOf(user);
  }

  void Consent(const std::string& lead) {
    HttpResult r = Call("POST", "/api/v1/leads/" + lead + "/consents", marketing_token_,
                        R"({"purpose":"email_marketing","status":"granted","method":"form",)"
                        R"("form_id":"newsletter","wording":"Send me venue ideas"})");
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  void Template(const std::string& key, const std::string& purpose, const std::string& layout,
                const std::string& subject, const std::string& html) {
    json body = {{"key", key},       {"name", key},        {"purpose", purpose},
                 {"layout", layout}, {"subject", subject}, {"html", html}};
    HttpResult r = Call("POST", "/api/v1/email-templates", marketing_token_, body.dump());
    ASSERT_EQ(r.status, 201u) << r.body;
  }

  // A new experiment of `body`, started by marketing; its id.
  std::string StartedExperiment(const json& body) {
    HttpResult created = Call("POST", "/api/v1/experiments", marketing_token_, body.dump());
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id = json::parse(created.body).value("id", "");
    EXPECT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", marketing_token_, "{}").status,
              200u);
    return id;
  }

  // The experiment of `body` as the server places persons in its share and arms.
  static Experiment PlacedAs(const json& body) {
    Experiment e;
    e.key = body["key"];
    e.test_share = body.value("test_share", 1.0);
    for (const json& v : body["variants"]) {
      e.variants.push_back(
          {v["key"], v["weight"], v.value("subject", ""), v.value("template", "")});
    }
    return e;
  }

  // A draft broadcast of `key` to the hot leads; its id.
  std::string Broadcast(const std::string& key) {
    HttpResult f =
        Call("POST", "/api/v1/lead-filters", marketing_token_,
             json{{"name", fmt::format("hot {} {}", key, ++filters_)}, {"query", "priority=hot"}}
                 .dump());
    EXPECT_EQ(f.status, 201u) << f.body;
    HttpResult b = Call(
        "POST", "/api/v1/broadcasts", marketing_token_,
        json{{"name", key}, {"template", key}, {"filter_id", json::parse(f.body)["id"]}}.dump());
    EXPECT_EQ(b.status, 201u) << b.body;
    return json::parse(b.body)["id"];
  }

  // Runs the producer and wakes the sender until `done` holds (at most 30 s).
  bool Until(const std::function<bool()>& done) {
    for (int i = 0; i < 3000; ++i) {
      EXPECT_TRUE(app_->email().ProduceOnce().ok());
      if (done()) return true;
      app_->email().sender().Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // The webhook messages of `type` in the outbox, as their JSON bodies.
  std::vector<json> Webhooks(const std::string& type) {
    std::vector<json> out;
    const std::vector<OutboxMessage> outbox = *raw_store_->ListOutbox(0, 10000);
    for (const OutboxMessage& m : outbox) {
      if (m.type == type) out.push_back(json::parse(m.payload));
    }
    return out;
  }

  json Get(const std::string& target) {
    return json::parse(Call("GET", target, marketing_token_).body);
  }

  std::string Logo(int w, int h) { return images_.Url(fmt::format("/image.png?w={}&h={}", w, h)); }

  testing::SmtpSink sink_;
  testing::FixtureHttpServer images_;
  int64_t rep_ = 0;
  int filters_ = 0;
  std::string rep_token_, rep2_token_, marketing_token_;
};

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

// Seed 004's question, answered: a subject line tested on a broadcast, judged on what sales
// did. Each recipient gets their arm's subject; the relay's acceptance is the exposure; a
// recipient the gate refuses is assigned, never exposed; the owner accepting a lead counts
// for that lead's arm; a started experiment's variants no longer change.
TEST_F(EmailSendTest, ASubjectExperimentSendsEachArmItsSubjectAndCountsWhatSalesDid) {
  std::vector<std::string> leads;
  for (int i = 0; i < 12; ++i) {
    leads.push_back(Lead(fmt::format("x{}", i), fmt::format("pat{}@buyer{}.example", i, i)));
    if (i != 11) Consent(leads.back());  // the last has no consent: the gate refuses it
  }
  Template("invite", "email_marketing", "default", "Your spring offsite, planned",
           "<p>Hi {{lead.first_name | there}}, tell me your team size and dates and I will send "
           "you three venues that fit your budget.</p><p><a href=\"" +
               images_.Url("/page.html") + "\">See last spring's venues</a></p>");
  const std::string broadcast = Broadcast("invite");
  json experiment = {
      {"key", "invite-subject"},
      {"name", "Spring invite: subject"},
      {"kind", "email"},
      {"broadcast_id", broadcast},
      {"variants",
       {{{"key", "control"}, {"weight", 0.5}},
        {{"key", "question"}, {"weight", 0.4}, {"subject", "Still planning your offsite?"}}}},
      {"metric", "sal"},
      {"window_days", 30}};
  // Bad input is refused with what is wrong, and nothing is kept.
  HttpResult bad = Call("POST", "/api/v1/experiments", marketing_token_, experiment.dump());
  EXPECT_EQ(bad.status, 400u) << bad.body;
  EXPECT_EQ(json::parse(bad.body)["error"]["code"], "invalid_weights");
  EXPECT_NE(bad.body.find("0.9"), std::string::npos) << bad.body;
  experiment["variants"][1]["weight"] = 0.5;
  HttpResult by_rep = Call("POST", "/api/v1/experiments", rep_token_, experiment.dump());
  EXPECT_EQ(by_rep.status, 403u) << by_rep.body;
  experiment["variants"][1]["subject"] = "Hi\r\nBcc: all@example.com";
  EXPECT_EQ(Call("POST", "/api/v1/experiments", marketing_token_, experiment.dump()).status, 400u);
  experiment["variants"][1]["subject"] = "Still planning your offsite?";
  EXPECT_EQ(Get("/api/v1/experiments")["items"].size(), 0u);

  HttpResult created = Call("POST", "/api/v1/experiments", marketing_token_, experiment.dump());
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json::parse(created.body)["id"];
  ASSERT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", marketing_token_, "{}").status,
            200u);
  HttpResult changed = Call("PUT", "/api/v1/experiments/" + id, marketing_token_,
                            R"({"variants":[{"key":"a","weight":0.5},{"key":"b","weight":0.5}]})");
  EXPECT_EQ(changed.status, 409u) << changed.body;
  EXPECT_EQ(json::parse(changed.body)["error"]["code"], "experiment_started");

  ASSERT_EQ(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/schedule", marketing_token_, "{}").status,
      200u);
  ASSERT_TRUE(Until([&] { return Get("/api/v1/broadcasts/" + broadcast)["state"] == "done"; }));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 11; }));
  const std::vector<double> halves = {0.5, 0.5};
  std::map<std::string, size_t> arm_of;  // address -> arm
  for (size_t i = 0; i < leads.size(); ++i) {
    const std::string person = leads[i].substr(3);  // ld_<n>: the person's id
    arm_of[fmt::format("pat{}@buyer{}.example", i, i)] =
        AssignArm("invite-subject", 1, halves, person);
  }
  std::array<int64_t, 2> sent{};
  for (const auto& m : sink_.Messages()) {
    auto mail = email::ParseMime(m.raw);
    ASSERT_TRUE(mail.ok());
    const size_t arm = arm_of.at(m.recipients.at(0));
    EXPECT_EQ(mail->subject,
              arm == 0 ? "Your spring offsite, planned" : "Still planning your offsite?");
    ++sent[arm];
  }
  ASSERT_EQ(sent[0] + sent[1], 11);
  const size_t refused_arm = arm_of.at("pat11@buyer11.example");

  // The owner accepts one of the leads the relay took: its arm reached SAL.
  const json unreached = Get("/api/v1/experiments/" + id + "/results");
  ASSERT_EQ(unreached["warnings"].size(), 1u) << unreached;
  EXPECT_NE(unreached["warnings"][0].get<std::string>().find("no exposed person has reached sal"),
            std::string::npos);
  const std::string accepted = leads[0];
  const size_t accepted_arm = arm_of.at("pat0@buyer0.example");
  ASSERT_EQ(Call("POST", "/api/v1/leads/" + accepted + "/outcome", rep_token_,
                 R"({"disposition":"accepted"})")
                .status,
            200u);

  const json result = Get("/api/v1/experiments/" + id + "/results");
  ASSERT_EQ(result["arms"].size(), 2u) << result;
  for (size_t arm = 0; arm < 2; ++arm) {
    const json& a = result["arms"][arm];
    EXPECT_EQ(a["exposed"], sent[arm]) << a;
    EXPECT_EQ(a["assigned"], sent[arm] + (arm == refused_arm ? 1 : 0)) << a;
    EXPECT_EQ(a["primary"], arm == accepted_arm ? 1 : 0) << a;
  }
  EXPECT_EQ(result["decision"], "collecting") << result;  // 100 per arm before any decision
  // A started experiment changes only by a new version, and not on a broadcast that is done.
  HttpResult version = Call("POST", "/api/v1/experiments/" + id + "/versions", marketing_token_,
                            R"({"variants":[{"key":"control","weight":0.5},)"
                            R"({"key":"short","weight":0.5,"subject":"Offsite?"}]})");
  EXPECT_EQ(version.status, 422u) << version.body;
  EXPECT_EQ(json::parse(version.body)["error"]["code"], "invalid_target");
  EXPECT_NE(version.body.find("is done"), std::string::npos) << version.body;
  EXPECT_EQ(result["arms"][1]["variant"], "question");
  EXPECT_TRUE(result["arms"][1]["effect"]["low"].is_null());
  // A recipient unsubscribes with the message's one-click link: a guardrail count for the
  // recipient's arm.
  const auto first = sink_.Messages().at(0);
  auto first_mail = email::ParseMime(first.raw);
  ASSERT_TRUE(first_mail.ok());
  const std::string unsubscribe = first_mail->Header("List-Unsubscribe");
  const std::string origin = "<https://t.example.com";
  ASSERT_TRUE(unsubscribe.starts_with(origin)) << unsubscribe;
  HttpResult click = client_->Request(
      "POST", unsubscribe.substr(origin.size(), unsubscribe.size() - 1 - origin.size()),
      "List-Unsubscribe=One-Click", {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(click.status, 200u) << click.body;
  const size_t unsubscribed_arm = arm_of.at(first.recipients.at(0));
  // A reader of the other arm clicks the message's tracked link twice: one click for its arm.
  const size_t clicked_arm = 1 - unsubscribed_arm;
  std::string tracked;
  for (const auto& m : sink_.Messages()) {
    if (arm_of.at(m.recipients.at(0)) != clicked_arm) continue;
    auto mail = email::ParseMime(m.raw);
    ASSERT_TRUE(mail.ok());
    const email::HtmlFacts facts = email::ReadHtmlAsWritten(mail->html);
    ASSERT_FALSE(facts.links.empty()) << mail->html;
    tracked = facts.links[0].href;
    break;
  }
  const std::string site = "https://t.example.com";
  ASSERT_TRUE(tracked.starts_with(site + "/t/c/")) << tracked;
  clock_.Advance(std::chrono::minutes(5));
  const std::string firefox =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0";
  for (int i = 0; i < 2; ++i) {
    HttpResult visit =
        client_->Request("GET", tracked.substr(site.size()), "", {{"User-Agent", firefox}});
    ASSERT_EQ(visit.status, 302u) << visit.body;
    EXPECT_EQ(visit.headers["Location"], images_.Url("/page.html"));
    clock_.Advance(std::chrono::hours(1));
  }
  const json after = Get("/api/v1/experiments/" + id + "/results");
  for (size_t arm = 0; arm < 2; ++arm) {
    EXPECT_EQ(after["arms"][arm]["outcomes"]["unsubscribes"], arm == unsubscribed_arm ? 1 : 0)
        << after;
    EXPECT_EQ(after["arms"][arm]["outcomes"]["clicks"], arm == clicked_arm ? 1 : 0) << after;
  }
}

// A broadcast that tests on a share first: the test share gets the arms, the broadcast
// waits while the experiment has no verdict, and the rest get the control once the
// experiment stops without a winner — every recipient once.
TEST_F(EmailSendTest, ATestShareGoesFirstAndTheRestWaitForTheDecision) {
  std::vector<std::string> leads;
  for (int i = 0; i < 16; ++i) {
    leads.push_back(Lead(fmt::format("s{}", i), fmt::format("sam{}@buyer{}.example", i, i)));
    Consent(leads.back());
  }
  Template("invite", "email_marketing", "default", "Your spring offsite, planned",
           "<p>Hi {{lead.first_name | there}}, tell me your team size and dates.</p>");
  const std::string broadcast = Broadcast("invite");
  json body = {{"key", "invite-share"},
               {"name", "Spring invite: a test share first"},
               {"kind", "email"},
               {"broadcast_id", broadcast},
               {"test_share", 0.5},
               {"variants",
                {{{"key", "control"}, {"weight", 0.5}},
                 {{"key", "question"}, {"weight", 0.5}, {"subject", "Still planning?"}}}}};
  const std::string id = StartedExperiment(body);
  const Experiment e = PlacedAs(body);
  std::set<std::string> test_share;
  for (size_t i = 0; i < leads.size(); ++i) {
    if (InTestShare(e, leads[i].substr(3))) {
      test_share.insert(fmt::format("sam{}@buyer{}.example", i, i));
    }
  }
  ASSERT_GT(test_share.size(), 0u);
  ASSERT_LT(test_share.size(), leads.size());

  ASSERT_EQ(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/schedule", marketing_token_, "{}").status,
      200u);
  ASSERT_TRUE(Until([&] {
    return Get("/api/v1/broadcasts/" + broadcast)["test_phase"] == "waiting" &&
           sink_.ReceivedCount() >= test_share.size();
  }));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(app_->email().ProduceOnce().ok());  // no verdict yet
  std::set<std::string> first;
  for (const auto& m : sink_.Messages()) first.insert(m.recipients.at(0));
  EXPECT_EQ(first, test_share);
  EXPECT_EQ(Get("/api/v1/broadcasts/" + broadcast)["state"], "sending");

  // Stopped without a winner: the rest get the control, once each.
  ASSERT_EQ(Call("POST", "/api/v1/experiments/" + id + "/stop", marketing_token_, "{}").status,
            200u);
  ASSERT_TRUE(Until([&] { return Get("/api/v1/broadcasts/" + broadcast)["state"] == "done"; }));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= leads.size(); }));
  std::map<std::string, int> received;
  for (const auto& m : sink_.Messages()) {
    const std::string to = m.recipients.at(0);
    ++received[to];
    if (!test_share.contains(to)) {
      auto mail = email::ParseMime(m.raw);
      ASSERT_TRUE(mail.ok());
      EXPECT_EQ(mail->subject, "Your spring offsite, planned") << to;
    }
  }
  EXPECT_EQ(received.size(), leads.size());
  for (const auto& [to, n] : received) EXPECT_EQ(n, 1) << to;
  const json done = Get("/api/v1/broadcasts/" + broadcast);
  EXPECT_EQ(done["rest_arm"], 0) << done;
  // Only the test share was exposed.
  const json result = Get("/api/v1/experiments/" + id + "/results");
  EXPECT_EQ(result["arms"][0]["exposed"].get<size_t>() + result["arms"][1]["exposed"].get<size_t>(),
            test_share.size());
  // A test share is a broadcast's only.
  body["kind"] = "web";
  body.erase("broadcast_id");
  body["key"] = "web-share";
  HttpResult web = Call("POST", "/api/v1/experiments", marketing_token_, body.dump());
  EXPECT_EQ(web.status, 400u) << web.body;
  EXPECT_NE(web.body.find("variants[1]"), std::string::npos) << web.body;  // a subject, first
}

// A test share whose variant the decision rule calls better: the rest of the recipients
// get the winning variant's email, and only once the verdict names it.
TEST_F(EmailSendTest, WhenTheDecisionNamesAWinnerTheRestGetIt) {
  std::vector<std::string> leads;
  for (int i = 0; i < 60; ++i) {
    leads.push_back(Lead(fmt::format("w{}", i), fmt::format("wen{}@buyer{}.example", i, i)));
    Consent(leads.back());
  }
  Template("invite", "email_marketing", "default", "Your spring offsite, planned",
           "<p>Hi {{lead.first_name | there}}, tell me your team size and dates.</p>");
  // The variant is another template: its own subject and words.
  Template("invite-question", "email_marketing", "default", "Still planning?",
           "<p>Still planning your offsite? Three venues are free in May.</p>");
  const std::string broadcast = Broadcast("invite");
  json body = {{"key", "invite-winner"},
               {"name", "Spring invite: the rest get the winner"},
               {"kind", "email"},
               {"broadcast_id", broadcast},
               {"test_share", 0.6},
               {"metric", "sal"},
               {"baseline", 0.1},
               {"minimum_per_arm", 10},
               {"variants",
                {{{"key", "control"}, {"weight", 0.5}},
                 {{"key", "question"}, {"weight", 0.5}, {"template", "invite-question"}}}}};
  const std::string id = StartedExperiment(body);
  const Experiment e = PlacedAs(body);
  std::vector<std::string> in_test[2];  // per arm, the test share's leads
  std::set<std::string> rest;           // the others' addresses
  for (size_t i = 0; i < leads.size(); ++i) {
    const std::string person = leads[i].substr(3);
    if (InTestShare(e, person)) {
      in_test[AssignArm(e.key, 1, e.Weights(), person)].push_back(leads[i]);
    } else {
      rest.insert(fmt::format("wen{}@buyer{}.example", i, i));
    }
  }
  ASSERT_GE(in_test[0].size(), 10u);
  ASSERT_GE(in_test[1].size(), 10u);
  ASSERT_FALSE(rest.empty());

  ASSERT_EQ(
      Call("POST", "/api/v1/broadcasts/" + broadcast + "/schedule", marketing_token_, "{}").status,
      200u);
  const size_t tested = in_test[0].size() + in_test[1].size();
  ASSERT_TRUE(Until([&] {
    return Get("/api/v1/broadcasts/" + broadcast)["test_phase"] == "waiting" &&
           sink_.ReceivedCount() >= tested;
  }));
  // Sales accepts every lead the variant reached and none of the control's: until the
  // last of them, the rule has no winner and the rest wait.
  for (size_t i = 0; i < in_test[1].size(); ++i) {
    ASSERT_EQ(Call("POST", "/api/v1/leads/" + in_test[1][i] + "/outcome", rep_token_,
                   R"({"disposition":"accepted"})")
                  .status,
              200u);
    if (i == 0) {
      for (int k = 0; k < 5; ++k) ASSERT_TRUE(app_->email().ProduceOnce().ok());
      EXPECT_EQ(Get("/api/v1/broadcasts/" + broadcast)["test_phase"], "waiting");
      EXPECT_EQ(sink_.ReceivedCount(), tested);
    }
  }
  const json decided = Get("/api/v1/experiments/" + id + "/results");
  ASSERT_EQ(decided["decision"], "variant better") << decided;
  EXPECT_EQ(decided["winner"], "question") << decided;
  ASSERT_TRUE(Until([&] { return Get("/api/v1/broadcasts/" + broadcast)["state"] == "done"; }));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= leads.size(); }));
  std::map<std::string, int> received;
  size_t questions = 0;
  for (const auto& m : sink_.Messages()) {
    const std::string to = m.recipients.at(0);
    ++received[to];
    auto mail = email::ParseMime(m.raw);
    ASSERT_TRUE(mail.ok());
    const bool question = mail->subject == "Still planning?";
    EXPECT_EQ(question, mail->html.find("free in May") != std::string::npos) << to;
    if (rest.contains(to)) {
      EXPECT_TRUE(question) << to;
    }
    questions += question ? 1 : 0;
  }
  EXPECT_EQ(received.size(), leads.size());
  for (const auto& [to, n] : received) EXPECT_EQ(n, 1) << to;
  EXPECT_EQ(questions, in_test[1].size() + rest.size());
  EXPECT_EQ(Get("/api/v1/broadcasts/" + broadcast)["rest_arm"], 1);
  // The rest are outside the experiment: only the test share was exposed.
  const json result = Get("/api/v1/experiments/" + id + "/results");
  EXPECT_EQ(result["arms"][0]["exposed"].get<size_t>() + result["arms"][1]["exposed"].get<size_t>(),
            tested);
}

}  // namespace
}  // namespace tandem
