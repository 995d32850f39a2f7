// Experiments on email against a real SMTP server: a subject line tested on a broadcast
// and judged on what sales did; a test share sent first, the rest waiting for the
// decision and then getting the winner (or the control once stopped without one).
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>

#include "email/html_facts.h"
#include "email/mime.h"
#include "http/email_send_fixture.h"

namespace tandem {
namespace {

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
