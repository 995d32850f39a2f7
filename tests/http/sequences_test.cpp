// Sequences end to end, with the real SMTP sink and a real IMAP server (dovecot): a
// rep's one-to-one sequence sends its first email; the prospect's out-of-office ("back
// on 12 January, please do not call") comes back through IMAP; the sequence pauses
// until 12 January (manual clock), then its call step is refused by the gate with
// do_not_contact and the sequence goes on. A nurture sequence enrols by its rule (a
// saved filter) and stops when the lead replies, changes stage or unsubscribes. Bad
// sequences and enrolments get clear errors.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "email/inbound_poller.h"
#include "email/mime.h"
#include "experiments/experiment.h"
#include "http/inbound_mail_fixture.h"
#include "support/api_fixture.h"
#include "support/imap_server.h"
#include "testing/smtp_sink.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpResult;

class SequencesTest : public testing::ApiFixture {
 protected:
  SequencesTest() : ApiFixture("2026-12-02T10:00:00Z") {}  // a Wednesday

  void SetUp() override {
    sink_.Start();
    imap_.Start();
    OpenStoreFirst();
    rep_ = AddUser("rep@meetco.example", "sales_rep", &rep_token_, 100, "Europe/London");
    AddUser("rep2@meetco.example", "sales_rep", &rep2_token_, 100, "Europe/London");
    AddUser("mk@meetco.example", "marketing", &marketing_token_);
    AddUser("admin@meetco.example", "admin", &admin_token_);
    Config config;
    config.email.relay = sink_.Url();
    config.email.from_address = "rep@meetco.example";
    config.email.from_name = "Sam Rep";
    config.email.company_name = "MeetCo";
    config.email.postal_address = "12 Harbour Road, Leith EH6 6LX";
    config.server.public_url = "https://t.meetco.example";
    config.sequences.sweep_every = std::chrono::seconds(1);
    Start(config);
    for (const std::string* token : {&rep_token_, &rep2_token_}) {
      ASSERT_EQ(Call("PATCH", "/api/v1/users/me", *token, R"({"notify_by":"none"})").status, 200u);
    }
    Template("intro", "sales_outreach", "{{lead.first_name | Hello}}, a question",
             "<p>Hi {{lead.first_name | there}}, is a spring offsite something you plan?</p>");
    Template("follow", "sales_outreach", "Following up, {{lead.first_name | there}}",
             "<p>Did you get a chance to think about the offsite?</p>");
    Template("guide", "email_marketing", "The venue checklist",
             "<p>Here is the checklist for choosing an offsite venue.</p>");
  }

  void TearDown() override { app_.reset(); }

  void Template(const std::string& key, const std::string& purpose, const std::string& subject,
                const std::string& html) {
    HttpResult t = Call(
        "POST", "/api/v1/email-templates", admin_token_,
        json{
            {"key", key}, {"name", key}, {"purpose", purpose}, {"subject", subject}, {"html", html}}
            .dump());
    ASSERT_EQ(t.status, 201u) << t.body;
  }

  // A London prospect who signed up for the newsletter; owned by the rep when `owned`.
  std::string Lead(const std::string& user, const std::string& email, bool owned) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{1}","name":"Ana Ruiz","timezone":"Europe/London"}}}}]}})",
        user, email));
    const std::string id = LeadIdOf(user);
    HttpResult consent = Call(
        "POST", "/api/v1/leads/" + id + "/consents", marketing_token_,
        R"({"purpose":"email_marketing","status":"granted","method":"form","form_id":"newsletter","wording":"Send me venue ideas"})");
    EXPECT_EQ(consent.status, 201u) << consent.body;
    if (owned) {
      HttpResult r =
          Call("PATCH", "/api/v1/leads/" + id, admin_token_,
               fmt::format(R"({{"owner_id":"usr_{}","reason":"met at the fair"}})", rep_));
      EXPECT_EQ(r.status, 200u) << r.body;
    }
    return id;
  }

  json Get(const std::string& target) {
    return json::parse(Call("GET", target, admin_token_).body);
  }

  // Wakes the runner until `done` holds (the runner and the sender are threads).
  bool Until(const std::function<bool()>& done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      app_->email().Wake();
      app_->email().sender().Notify();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  json Enrolment(const std::string& id) { return Get("/api/v1/enrolments/" + id); }

  std::vector<std::string> Subjects() {
    std::vector<std::string> out;
    for (const auto& m : sink_.Messages()) {
      auto parsed = email::ParseMime(m.raw);
      out.push_back(parsed.ok() ? parsed->subject : "?");
    }
    return out;
  }

  StatusOr<InboundPoller::Counts> PollOnce() {
    InboundConfig c;
    c.url = imap_.Url();
    c.user = "inbound";
    c.password = "secret";
    c.timeout_ms = 10000;
    InboundPoller poller(c, app_->inbound().mail(), clock_);
    return poller.PollOnce();
  }

  std::vector<json> Log(const std::string& lead, const std::string& kind) {
    std::vector<json> out;
    const json timeline = Get("/api/v1/leads/" + lead + "/timeline?limit=500");
    for (const json& entry : timeline["items"]) {
      if (entry["kind"] == kind) out.push_back(entry);
    }
    return out;
  }

  testing::SmtpSink sink_;
  testing::ImapServer imap_;
  int64_t rep_ = 0;
  std::string rep_token_, rep2_token_, marketing_token_, admin_token_;
};

TEST_F(SequencesTest, AnOutOfOfficeThroughImapPausesTheSequenceUntilTheReturnDay) {
  const std::string lead = Lead("u1", "ana@offsite.example", true);
  HttpResult made =
      Call("POST", "/api/v1/sequences", rep_token_,
           json{{"name", "Offsite intro"},
                {"kind", "one_to_one"},
                {"steps",
                 {{{"kind", "email"}, {"template", "intro"}},
                  {{"kind", "call"}, {"wait_days", 2}, {"note", "Call about the offsite"}},
                  {{"kind", "email"}, {"wait_days", 3}, {"template", "follow"}}}}}
               .dump());
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string sequence = json::parse(made.body)["id"];
  HttpResult enrolled = Call("POST", "/api/v1/sequences/" + sequence + "/enrolments", rep_token_,
                             json{{"lead_id", lead}}.dump());
  ASSERT_EQ(enrolled.status, 201u) << enrolled.body;
  const std::string enrolment = json::parse(enrolled.body)["id"];

  // Step 1 goes out now (Wednesday 10:00 in London), as the rep.
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  EXPECT_EQ(Subjects(), std::vector<std::string>{"Ana, a question"});
  json e = Enrolment(enrolment);
  EXPECT_EQ(e["state"], "active");
  EXPECT_EQ(e["next_step"], 2);
  EXPECT_EQ(e["due_at"], "2026-12-04T10:00:00.000Z");  // two business days on, Friday
  ASSERT_EQ(e["runs"].size(), 1u);
  EXPECT_EQ(e["runs"][0]["outcome"], "queued");
  auto out = email::ParseMime(sink_.Messages()[0].raw);
  ASSERT_TRUE(out.ok());

  // Thursday: the out-of-office comes back through IMAP.
  clock_.Set(*ParseIsoTime("2026-12-03T09:00:00Z"));
  imap_.Append("INBOX",
               fmt::format("From: Ana Ruiz <ana@offsite.example>\r\nTo: rep@meetco.example\r\n"
                           "Subject: Out of Office: Ana, a question\r\nMessage-ID: <ooo@offsite."
                           "example>\r\nIn-Reply-To: <{}>\r\nAuto-Submitted: auto-replied\r\n\r\n"
                           "I am on leave, back on 12 January, please do not call.\r\n",
                           out->message_id));
  auto polled = PollOnce();
  ASSERT_TRUE(polled.ok()) << polled.status().message();
  EXPECT_EQ(polled->received, 1u);
  ASSERT_TRUE(Until([&] { return Enrolment(enrolment)["state"] == "paused"; }));
  e = Enrolment(enrolment);
  EXPECT_EQ(e["reason"], "out_of_office");
  EXPECT_EQ(e["paused_until"], "2027-01-12T00:00:00.000Z");
  // Friday, when the call was due, nothing happens: it is paused.
  clock_.Set(*ParseIsoTime("2026-12-04T10:30:00Z"));
  app_->email().Wake();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Enrolment(enrolment)["runs"].size(), 1u);

  // 12 January: back. The call step runs and the gate refuses it (the call is on the
  // do-not-contact list); the sequence goes on to the follow-up, 3 business days on.
  clock_.Set(*ParseIsoTime("2027-01-12T10:00:00Z"));  // Tuesday
  ASSERT_TRUE(Until([&] { return Enrolment(enrolment)["runs"].size() == 2u; }));
  e = Enrolment(enrolment);
  EXPECT_EQ(e["state"], "active");
  EXPECT_EQ(e["runs"][1]["kind"], "call");
  EXPECT_EQ(e["runs"][1]["outcome"], "refused");
  EXPECT_NE(e["runs"][1]["reason"].get<std::string>().find("do_not_contact"), std::string::npos);
  EXPECT_EQ(e["next_step"], 3);
  EXPECT_EQ(e["due_at"], "2027-01-15T10:00:00.000Z");
  EXPECT_EQ(Log(lead, "sequence_paused").size(), 1u);
  EXPECT_EQ(Log(lead, "sequence_resumed").size(), 1u);

  // Friday: the follow-up goes; the sequence is finished.
  clock_.Set(*ParseIsoTime("2027-01-15T10:00:00Z"));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 2; }));
  EXPECT_EQ(Subjects().back(), "Following up, Ana");
  ASSERT_TRUE(Until([&] { return Enrolment(enrolment)["state"] == "finished"; }));
}

TEST_F(SequencesTest, TheRuleEnrolsAndAReplyOrAStageChangeTakesTheLeadOut) {
  const std::string ana = Lead("u1", "ana@offsite.example", false);
  const std::string ben = Lead("u2", "ben@offsite.example", false);
  HttpResult filter = Call("POST", "/api/v1/lead-filters", marketing_token_,
                           R"({"name":"New leads","query":"stage=lead"})");
  ASSERT_EQ(filter.status, 201u) << filter.body;
  HttpResult made = Call("POST", "/api/v1/sequences", marketing_token_,
                         json{{"name", "Venue nurture"},
                              {"kind", "nurture"},
                              {"filter_id", json::parse(filter.body)["id"]},
                              {"steps",
                               {{{"kind", "email"}, {"template", "guide"}},
                                {{"kind", "email"}, {"wait_days", 5}, {"template", "guide"}}}}}
                             .dump());
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string sequence = json::parse(made.body)["id"];
  // Both are enrolled by the rule and get the first email.
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 2; }))
      << Get("/api/v1/enrolments/en_1").dump();
  json list = Get("/api/v1/sequences/" + sequence + "/enrolments");
  ASSERT_EQ(list["items"].size(), 2u) << list.dump();
  EXPECT_EQ(list["items"][0]["enrolled_by"], "rule");
  const std::string ana_enrolment = Get("/api/v1/leads/" + ana + "/enrolments")["items"][0]["id"];
  const std::string ben_enrolment = Get("/api/v1/leads/" + ben + "/enrolments")["items"][0]["id"];

  // Ana replies to it; Ben raises a hand and becomes an MQL.
  auto first = email::ParseMime(sink_.Messages()[0].raw);
  ASSERT_TRUE(first.ok());
  const std::string to_ana = first->to_mailboxes.at(0).address == "ana@offsite.example"
                                 ? first->message_id
                                 : email::ParseMime(sink_.Messages()[1].raw)->message_id;
  clock_.Advance(std::chrono::hours(1));
  HttpResult reply = client_->Request(
      "POST", "/api/v1/inbound/mime",
      fmt::format("From: Ana Ruiz <ana@offsite.example>\r\nTo: rep@meetco.example\r\n"
                  "Subject: Re: The venue checklist\r\nMessage-ID: <r1@offsite.example>\r\n"
                  "In-Reply-To: <{}>\r\n\r\nThanks! Can we talk next week?\r\n",
                  to_ana),
      {{"Authorization", "Bearer " + admin_token_}, {"Content-Type", "message/rfc822"}});
  ASSERT_EQ(reply.status, 201u) << reply.body;
  Ingest(R"({"batch":[{"type":"track","userId":"u2","event":"Demo Requested"}]})");
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(Until([&] {
    return Enrolment(ana_enrolment)["state"] == "exited" &&
           Enrolment(ben_enrolment)["state"] == "exited";
  }));
  json a = Enrolment(ana_enrolment);
  EXPECT_EQ(a["reason"], "replied");
  EXPECT_EQ(a["detail"].get<std::string>().substr(0, 3), "in_");
  EXPECT_EQ(Enrolment(ben_enrolment)["reason"], "stage_changed");
  EXPECT_EQ(Enrolment(ben_enrolment)["detail"], "mql");
  // A week later no second email went to either.
  clock_.Advance(std::chrono::hours(24 * 8));
  app_->email().Wake();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink_.ReceivedCount(), 2u);
  EXPECT_EQ(Log(ana, "sequence_exited").size(), 1u);
  // The rule does not enrol them again: Ana is still a lead, but was in it already.
  EXPECT_EQ(Get("/api/v1/sequences/" + sequence)["enrolments"]["exited"], 2);
}

TEST_F(SequencesTest, ARecycledLeadIsNurturedAndComesBackToItsRepOnItsRevisitDate) {
  const std::string lead = Lead("u1", "ana@offsite.example", true);
  HttpResult filter = Call("POST", "/api/v1/lead-filters", marketing_token_,
                           R"({"name":"Not ready yet","query":"stage=recycled&reason=not_ready"})");
  ASSERT_EQ(filter.status, 201u) << filter.body;
  HttpResult made = Call("POST", "/api/v1/sequences", marketing_token_,
                         json{{"name", "Not ready: venue nurture"},
                              {"filter_id", json::parse(filter.body)["id"]},
                              {"steps",
                               {{{"kind", "email"}, {"template", "guide"}},
                                {{"kind", "email"}, {"wait_days", 10}, {"template", "guide"}}}}}
                             .dump());
  ASSERT_EQ(made.status, 201u) << made.body;
  // The rep says: not ready, look again on 1 March. The lead loses its owner and is
  // nurtured for that reason.
  HttpResult recycled =
      Call("POST", "/api/v1/leads/" + lead + "/outcome", rep_token_,
           R"({"disposition":"rejected","reason":"not_ready","revisit_on":"2027-03-01"})");
  ASSERT_EQ(recycled.status, 200u) << recycled.body;
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 1; }));
  const std::string enrolment = Get("/api/v1/leads/" + lead + "/enrolments")["items"][0]["id"];
  EXPECT_EQ(Enrolment(enrolment)["enrolled_by"], "rule");
  // Mid-January: the second email.
  clock_.Set(*ParseIsoTime("2027-01-14T10:00:00Z"));
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 2; }));
  ASSERT_TRUE(Until([&] { return Enrolment(enrolment)["state"] == "finished"; }));

  // 1 March: back to sales, to the rep who had it, and the brief says why and what it did.
  clock_.Set(*ParseIsoTime("2027-03-01T10:00:00Z"));
  ASSERT_TRUE(app_->sla().FireDue(clock_.Now()).ok());
  json l = Get("/api/v1/leads/" + lead);
  EXPECT_EQ(l["stage"], "mql");
  EXPECT_EQ(l["owner"]["id"], fmt::format("usr_{}", rep_)) << l.dump();
  std::vector<json> assigned = Log(lead, "assigned");
  ASSERT_FALSE(assigned.empty());
  EXPECT_EQ(assigned.back()["rule"], "previous_owner");
  json brief = Get("/api/v1/leads/" + lead + "/brief");
  EXPECT_EQ(brief["why_now"]["trigger"], "revisit") << brief["why_now"].dump();
  EXPECT_EQ(brief["why_now"]["came_back"], true);
  const std::string text = brief["why_now"]["text"];
  EXPECT_NE(text.find("Came back after being recycled"), std::string::npos) << text;
  EXPECT_NE(text.find("(not_ready)"), std::string::npos) << text;
  EXPECT_NE(text.find("was sent 2 nurture emails"), std::string::npos) << brief["why_now"].dump();
  // Recycled again, it is nurtured again.
  HttpResult again =
      Call("POST", "/api/v1/leads/" + lead + "/outcome", rep_token_,
           R"({"disposition":"rejected","reason":"not_ready","revisit_on":"2027-06-01"})");
  ASSERT_EQ(again.status, 200u) << again.body;
  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(
      Until([&] { return Get("/api/v1/leads/" + lead + "/enrolments")["items"].size() == 2u; }));
}

TEST_F(SequencesTest, BadSequencesAndEnrolmentsAreRefusedWithTheReason) {
  auto post = [&](const std::string& token, const json& body) {
    return Call("POST", "/api/v1/sequences", token, body.dump());
  };
  auto error = [](const HttpResult& r) {
    return json::parse(r.body)["error"]["message"].get<std::string>();
  };
  // A marketing template in a rep's sequence; an email step without a template; a
  // wait of a year and a day; a call with nothing to do; an unknown field.
  HttpResult r = post(rep_token_, {{"name", "x"},
                                   {"kind", "one_to_one"},
                                   {"steps", {{{"kind", "email"}, {"template", "guide"}}}}});
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error(r).find("steps[0].template \"guide\" is for email_marketing"), std::string::npos)
      << r.body;
  r = post(marketing_token_, {{"name", "x"}, {"steps", {{{"kind", "email"}}}}});
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error(r).find("steps[0].template is required"), std::string::npos) << r.body;
  r = post(marketing_token_,
           {{"name", "x"}, {"steps", {{{"kind", "task"}, {"wait_days", 366}, {"note", "n"}}}}});
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error(r).find("wait_days must be 0 to 365"), std::string::npos) << r.body;
  r = post(marketing_token_, {{"name", "x"}, {"steps", {{{"kind", "call"}}}}});
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error(r).find("steps[0].note"), std::string::npos) << r.body;
  r = post(marketing_token_,
           {{"name", "x"}, {"colour", "red"}, {"steps", {{{"kind", "task"}, {"note", "n"}}}}});
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error(r).find("colour is not a sequence field"), std::string::npos) << r.body;
  r = post(marketing_token_, {{"name", "x"}, {"steps", json::array()}});
  EXPECT_EQ(r.status, 422u);
  // A rep may not make nurture; a name is taken once.
  EXPECT_EQ(
      post(rep_token_, {{"name", "x"}, {"steps", {{{"kind", "task"}, {"note", "n"}}}}}).status,
      403u);
  ASSERT_EQ(
      post(marketing_token_, {{"name", "Once"}, {"steps", {{{"kind", "task"}, {"note", "n"}}}}})
          .status,
      201u);
  EXPECT_EQ(
      post(marketing_token_, {{"name", "Once"}, {"steps", {{{"kind", "task"}, {"note", "n"}}}}})
          .status,
      409u);

  // A one-to-one sequence takes only its rep's own leads; another rep may not use it.
  r = post(rep_token_, {{"name", "Mine"},
                        {"kind", "one_to_one"},
                        {"steps",
                         {{{"kind", "email"}, {"template", "intro"}},
                          {{"kind", "task"}, {"wait_days", 5}, {"note", "Send the venue list"}}}}});
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string mine = json::parse(r.body)["id"];
  const std::string owned = Lead("u1", "ana@offsite.example", true);
  const std::string unowned = Lead("u2", "ben@offsite.example", false);
  auto enrol = [&](const std::string& token, const std::string& lead) {
    return Call("POST", "/api/v1/sequences/" + mine + "/enrolments", token,
                json{{"lead_id", lead}}.dump());
  };
  r = enrol(rep_token_, unowned);
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_owner");
  EXPECT_EQ(enrol(rep2_token_, owned).status, 403u);
  EXPECT_EQ(enrol(rep_token_, "ld_999999").status, 404u);
  EXPECT_EQ(enrol(rep_token_, "").status, 422u);
  HttpResult first = enrol(rep_token_, owned);
  ASSERT_EQ(first.status, 201u) << first.body;
  EXPECT_EQ(enrol(rep_token_, owned).status, 409u);
  const std::string e = json::parse(first.body)["id"];
  EXPECT_EQ(Call("POST", "/api/v1/enrolments/" + e + "/stop", rep2_token_).status, 403u);
  EXPECT_EQ(Call("POST", "/api/v1/enrolments/" + e + "/stop", rep_token_).status, 200u);
  EXPECT_EQ(Call("POST", "/api/v1/enrolments/" + e + "/stop", rep_token_).status, 409u);
  EXPECT_EQ(Call("POST", "/api/v1/enrolments/" + e + "/resume", rep_token_).status, 409u);
  EXPECT_EQ(Enrolment(e)["reason"], "stopped");
  // Stopped, it may be enrolled again by hand.
  EXPECT_EQ(enrol(rep_token_, owned).status, 201u);
  EXPECT_EQ(Call("GET", "/api/v1/enrolments/en_x", rep_token_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/sequences/" + mine + "/enrolments?state=gone", rep_token_).status,
            400u);
}

// An experiment on a sequence's step: each enrolled lead gets its arm's subject, the relay's
// acceptance exposes it, and a reply, a complaint and a bounce count for their arms.
TEST_F(SequencesTest, AnExperimentOnAStepSendsEachArmItsSubjectAndCountsWhatCameBack) {
  HttpResult made = Call("POST", "/api/v1/sequences", marketing_token_,
                         json{{"name", "Checklist"},
                              {"kind", "nurture"},
                              {"steps", {{{"kind", "email"}, {"template", "guide"}}}}}
                             .dump());
  ASSERT_EQ(made.status, 201u) << made.body;
  const std::string sequence = json::parse(made.body)["id"];
  HttpResult created =
      Call("POST", "/api/v1/experiments", marketing_token_,
           json{{"key", "checklist-subject"},
                {"name", "Checklist: subject"},
                {"kind", "email"},
                {"sequence_id", sequence},
                {"sequence_step", 1},
                {"metric", "sql"},
                {"variants",
                 {{{"key", "control"}, {"weight", 0.5}},
                  {{"key", "short"}, {"weight", 0.5}, {"subject", "Checklist inside"}}}}}
               .dump());
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = json::parse(created.body)["id"];
  ASSERT_EQ(Call("POST", "/api/v1/experiments/" + id + "/start", marketing_token_, "{}").status,
            200u);
  std::map<std::string, size_t> arm_of;  // address -> arm
  for (int i = 0; i < 6; ++i) {
    const std::string address = fmt::format("e{}@offsite{}.example", i, i);
    const std::string lead = Lead(fmt::format("e{}", i), address, false);
    arm_of[address] = AssignArm("checklist-subject", 1, {0.5, 0.5}, lead.substr(3));
    HttpResult enrolled = Call("POST", "/api/v1/sequences/" + sequence + "/enrolments",
                               marketing_token_, json{{"lead_id", lead}}.dump());
    ASSERT_EQ(enrolled.status, 201u) << enrolled.body;
  }
  ASSERT_TRUE(Until([&] { return sink_.ReceivedCount() >= 6; }));
  std::array<int64_t, 2> sent{};
  std::string replied_to;
  size_t replied_arm = 0;
  for (const auto& m : sink_.Messages()) {
    auto mail = email::ParseMime(m.raw);
    ASSERT_TRUE(mail.ok());
    const size_t arm = arm_of.at(m.recipients.at(0));
    EXPECT_EQ(mail->subject, arm == 0 ? "The venue checklist" : "Checklist inside");
    ++sent[arm];
    if (replied_to.empty()) {
      replied_to = mail->message_id;
      replied_arm = arm;
    }
  }
  clock_.Advance(std::chrono::hours(1));
  // What came back, handed in as the inbound mail webhook would.
  const auto hand_in = [&](const std::string& mime) {
    return client_->Request(
        "POST", "/api/v1/inbound/mime", mime,
        {{"Authorization", "Bearer " + admin_token_}, {"Content-Type", "message/rfc822"}});
  };
  HttpResult reply = hand_in(fmt::format(
      "From: Pat <{}>\r\nTo: rep@meetco.example\r\nSubject: Re: checklist\r\n"
      "Message-ID: <x1@offsite.example>\r\nIn-Reply-To: <{}>\r\n\r\nUseful, thanks.\r\n",
      sink_.Messages()[0].recipients.at(0), replied_to));
  ASSERT_EQ(reply.status, 201u) << reply.body;
  // Another recipient's mailbox reports the message as spam: a complaint for its arm.
  const auto second = sink_.Messages().at(1);
  auto second_mail = email::ParseMime(second.raw);
  ASSERT_TRUE(second_mail.ok());
  const size_t complained_arm = arm_of.at(second.recipients.at(0));
  HttpResult complaint =
      hand_in(inbound_test::Complaint(second.recipients.at(0), second_mail->message_id));
  ASSERT_EQ(complaint.status, 201u) << complaint.body;
  // A third recipient's mailbox no longer exists: the bounce the relay sent back later is
  // a guardrail count for its arm.
  const auto third = sink_.Messages().at(2);
  auto third_mail = email::ParseMime(third.raw);
  ASSERT_TRUE(third_mail.ok());
  const size_t bounced_arm = arm_of.at(third.recipients.at(0));
  HttpResult bounce = hand_in(inbound_test::Dsn(third.recipients.at(0), third_mail->message_id,
                                                "5.1.1", "dsn.1@mx.meetco.example"));
  ASSERT_EQ(bounce.status, 201u) << bounce.body;
  const json result = Get("/api/v1/experiments/" + id + "/results");
  for (size_t arm = 0; arm < 2; ++arm) {
    EXPECT_EQ(result["arms"][arm]["exposed"], sent[arm]) << result;
    EXPECT_EQ(result["arms"][arm]["outcomes"]["replies"], arm == replied_arm ? 1 : 0) << result;
    EXPECT_EQ(result["arms"][arm]["outcomes"]["complaints"], arm == complained_arm ? 1 : 0)
        << result;
    EXPECT_EQ(result["arms"][arm]["outcomes"]["unsubscribes"], arm == complained_arm ? 1 : 0)
        << result;  // a complaint unsubscribes
    EXPECT_EQ(result["arms"][arm]["outcomes"]["bounces"], arm == bounced_arm ? 1 : 0) << result;
  }
}

}  // namespace
}  // namespace tandem
