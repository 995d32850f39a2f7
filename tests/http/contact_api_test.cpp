// The contact gate over real HTTP on a real SQLite file: preferences, consents,
// contact checks and touches, every bad input, the RFC 8058 unsubscribe page, the
// reports and /metrics, and concurrent touches on one lead.
#include <gtest/gtest.h>

#include <barrier>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/api_fixture.h"

namespace tandem {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResult;

class ContactApiTest : public testing::ApiFixture {
 protected:
  ContactApiTest() : ApiFixture("2026-11-23T10:00:00Z") {}  // Monday 10:00 UTC

  void SetUp() override {
    OpenStoreFirst();
    for (int i = 0; i < 4; ++i) {
      reps_.push_back(AddUser(fmt::format("rep{}@x.example", i), "sales_rep",
                              &rep_tokens_.emplace_back(), 1000));
    }
    AddUser("m@x.example", "sales_manager", &token_manager_);
    AddUser("mk@x.example", "marketing", &token_marketing_);
    AddUser("v@x.example", "viewer", &token_viewer_);
    Start();
  }

  // A prospect in London asking for a demo: hot, owned at once.
  std::string HotLead(int n) {
    Ingest(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"u{0}","traits":{{"email":"p{0}@co{0}.example","timezone":"Europe/London"}}}},
        {{"type":"track","userId":"u{0}","event":"Demo Requested"}}]}})",
        n));
    return LeadIdOf("u" + std::to_string(n));
  }

  // The token of the lead's owner, and of another rep.
  std::pair<std::string, std::string> OwnerAndOther(const std::string& lead) {
    json body = json::parse(Call("GET", "/api/v1/leads/" + lead, token_manager_).body);
    for (size_t i = 0; i < reps_.size(); ++i) {
      if (body["owner"]["id"] == fmt::format("usr_{}", reps_[i])) {
        return {rep_tokens_[i], rep_tokens_[(i + 1) % reps_.size()]};
      }
    }
    ADD_FAILURE() << "no rep owns " << lead;
    return {};
  }

  std::vector<int64_t> reps_;
  std::vector<std::string> rep_tokens_;
  std::string token_manager_, token_marketing_, token_viewer_;

  HttpResult PostForm(const std::string& target, const std::string& body) {
    return client_->Request("POST", target, body,
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  bool Unsubscribed(const std::string& lead) {
    return json::parse(Call("GET", "/api/v1/leads/" + lead + "/preferences", token_manager_).body)
        .value("unsubscribed", false);
  }
  // The outbox messages of `type`, as their JSON bodies.
  std::vector<json> Outbox(const std::string& type) {
    std::vector<json> out;
    const std::vector<OutboxMessage> outbox = raw_store_->ListOutbox(0, 100000).value();
    for (const OutboxMessage& m : outbox) {
      if (m.type == type) out.push_back(json::parse(m.payload));
    }
    return out;
  }
  std::vector<std::string> TimelineKinds(const std::string& lead) {
    std::vector<std::string> kinds;
    json timeline = json::parse(
        Call("GET", "/api/v1/leads/" + lead + "/timeline?limit=500", token_manager_).body);
    for (const json& item : timeline["items"]) kinds.push_back(item["kind"]);
    return kinds;
  }
};

TEST_F(ContactApiTest, BadInputIsRefusedWithTheRightStatusAndSaysWhat) {
  std::string lead = HotLead(1);
  auto [owner, other] = OwnerAndOther(lead);
  const std::string touches = "/api/v1/leads/" + lead + "/touches";

  HttpResult channel = Call("POST", touches, owner, R"({"channel":"fax"})");
  EXPECT_EQ(channel.status, 422u);
  EXPECT_NE(channel.body.find("email, call, sms, social, meeting, mail"), std::string::npos);
  HttpResult purpose = Call("POST", touches, owner, R"({"channel":"email","purpose":"spam"})");
  EXPECT_EQ(purpose.status, 422u);
  EXPECT_NE(purpose.body.find("sales_outreach, email_marketing, phone"), std::string::npos);
  HttpResult rep_override =
      Call("POST", touches, other, R"({"channel":"email","override_reason":"I know her"})");
  EXPECT_EQ(rep_override.status, 403u);
  EXPECT_EQ(json::parse(rep_override.body)["error"]["code"], "override_not_allowed");
  HttpResult no_reason =
      Call("POST", touches, token_manager_, R"({"channel":"email","override":true})");
  EXPECT_EQ(no_reason.status, 422u);
  EXPECT_EQ(json::parse(no_reason.body)["error"]["code"], "override_reason_required");
  HttpResult unknown = Call("POST", touches, owner, R"({"channel":"email","when":"now"})");
  EXPECT_EQ(unknown.status, 422u);
  EXPECT_EQ(Call("POST", touches, owner, "{oops").status, 400u);
  HttpResult check = Call("GET", "/api/v1/leads/" + lead + "/contact-check?channel=pigeon", owner);
  EXPECT_EQ(check.status, 422u);

  const std::string prefs = "/api/v1/leads/" + lead + "/preferences";
  HttpResult backwards =
      Call("PUT", prefs, owner, R"({"out_of_office":{"from":"2026-12-10","until":"2026-12-01"}})");
  EXPECT_EQ(backwards.status, 422u);
  EXPECT_NE(backwards.body.find("ends"), std::string::npos);
  HttpResult zone = Call("PUT", prefs, owner, R"({"timezone":"Moon/Base"})");
  EXPECT_EQ(zone.status, 422u);
  HttpResult not_mine = Call("PUT", prefs, other, R"({"preferred_channel":"email"})");
  EXPECT_EQ(not_mine.status, 403u);
  HttpResult undo = Call("PUT", prefs, owner, R"({"unsubscribed":true})");
  ASSERT_EQ(undo.status, 200u) << undo.body;
  HttpResult resubscribe = Call("PUT", prefs, owner, R"({"unsubscribed":false})");
  EXPECT_EQ(resubscribe.status, 422u);
  EXPECT_EQ(json::parse(resubscribe.body)["error"]["code"], "unsubscribe_is_the_persons");
  HttpResult consent = Call("POST", "/api/v1/leads/" + lead + "/consents", token_marketing_,
                            R"({"purpose":"email_marketing","status":"granted"})");
  EXPECT_EQ(consent.status, 422u);
  EXPECT_EQ(json::parse(consent.body)["error"]["code"], "wording_required");
  // Nothing bad was stored.
  json stored = json::parse(Call("GET", prefs, owner).body);
  EXPECT_TRUE(stored["out_of_office"].is_null());
  EXPECT_TRUE(stored["timezone"].is_null());
  EXPECT_EQ(stored["unsubscribed"], true);
  EXPECT_TRUE(json::parse(Call("GET", touches, owner).body)["items"].empty());
}

TEST_F(ContactApiTest, PreferencesConsentsChecksAndTouchesWorkTogether) {
  std::string lead = HotLead(2);
  auto [owner, other] = OwnerAndOther(lead);
  const std::string base = "/api/v1/leads/" + lead;
  HttpResult put =
      Call("PUT", base + "/preferences", owner,
           R"({"preferred_channel":"email","do_not_contact":[{"channel":"sms","reason":"asked"}],
                            "out_of_office":{"from":"2026-11-25","until":"2026-11-27"}})");
  ASSERT_EQ(put.status, 200u) << put.body;
  json prefs = json::parse(put.body);
  EXPECT_EQ(prefs["do_not_contact"], json::array({"sms"}));
  EXPECT_EQ(prefs["effective_timezone"], "Europe/London");
  EXPECT_EQ(prefs["timezone_source"], "traits");
  EXPECT_EQ(prefs["out_of_office"]["until"], "2026-11-28T00:00:00.000Z");  // through the 27th
  EXPECT_EQ(prefs["consent"]["email_marketing"], "none");

  json check = json::parse(Call("GET", base + "/contact-check?channel=call", owner).body);
  EXPECT_EQ(check["allowed"], true);
  EXPECT_EQ(check["reasons"][0]["code"], "preferred_channel");
  EXPECT_EQ(check["reasons"][0]["severity"], "warn");
  json sms = json::parse(Call("GET", base + "/contact-check?channel=sms", owner).body);
  EXPECT_EQ(sms["allowed"], false);
  EXPECT_EQ(sms["reasons"][0]["code"], "do_not_contact");

  HttpResult refused = Call("POST", base + "/touches", other, R"({"channel":"email","note":"hi"})");
  ASSERT_EQ(refused.status, 409u) << refused.body;
  json r = json::parse(refused.body);
  EXPECT_EQ(r["allowed"], false);
  EXPECT_EQ(r["reasons"][0]["code"], "sla_owner_only");
  EXPECT_EQ(r["error"]["code"], "contact_refused");
  HttpResult made =
      Call("POST", base + "/touches", owner,
           R"({"channel":"email","purpose":"sales_outreach","note":"Sent the guide"})");
  ASSERT_EQ(made.status, 201u) << made.body;
  EXPECT_EQ(json::parse(made.body)["channel"], "email");
  json lead_json = json::parse(Call("GET", base, owner).body);
  EXPECT_FALSE(lead_json["sla"]["met_at"].is_null());
  // The timeline shows the touch; the consent is recorded with its wording.
  EXPECT_NE(Call("GET", base + "/timeline", other).body.find("\"kind\":\"touch\""),
            std::string::npos);
  HttpResult consent = Call("POST", base + "/consents", token_marketing_,
                            R"({"purpose":"email_marketing","status":"granted","method":"form",
                                "form_id":"newsletter","wording":"Send me the monthly newsletter"})");
  ASSERT_EQ(consent.status, 201u) << consent.body;
  EXPECT_EQ(json::parse(consent.body)["effective"], "granted");
  EXPECT_EQ(json::parse(Call("GET", base + "/consents", owner).body)["items"].size(), 1u);
}

TEST_F(ContactApiTest, OneClickUnsubscribeAndTheTamperedToken) {
  std::string lead = HotLead(3);
  auto [owner, other] = OwnerAndOther(lead);
  json link = json::parse(Call("GET", "/api/v1/leads/" + lead + "/unsubscribe-link", owner).body);
  std::string token = link["token"];
  EXPECT_EQ(link["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  EXPECT_NE(link["url"].get<std::string>().find("/u/" + token), std::string::npos);

  // A changed character: 404, and nothing changes.
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(client_->Get("/u/" + tampered).status, 404u);
  HttpResult forged = client_->Request("POST", "/u/" + tampered, "List-Unsubscribe=One-Click",
                                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(forged.status, 404u);
  std::string other_id = token.substr(0, token.find('.'));
  EXPECT_EQ(
      client_->Get("/u/" + std::to_string(std::stoll(other_id) + 1) + token.substr(token.find('.')))
          .status,
      404u);
  EXPECT_EQ(json::parse(
                Call("GET", "/api/v1/leads/" + lead + "/preferences", owner).body)["unsubscribed"],
            false);

  HttpResult page = client_->Get("/u/" + token);
  ASSERT_EQ(page.status, 200u);
  EXPECT_NE(page.body.find("Unsubscribe from all email"), std::string::npos);
  EXPECT_NE(page.body.find("p***@co3.example"), std::string::npos);
  // RFC 8058 one-click: recorded at once, 200.
  HttpResult one_click = client_->Request("POST", "/u/" + token, "List-Unsubscribe=One-Click",
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(one_click.status, 200u);
  EXPECT_NE(one_click.body.find("unsubscribed from all our emails"), std::string::npos);
  json prefs = json::parse(Call("GET", "/api/v1/leads/" + lead + "/preferences", owner).body);
  EXPECT_EQ(prefs["unsubscribed"], true);
  EXPECT_EQ(prefs["consent"]["email_marketing"], "withdrawn");
  HttpResult email =
      Call("POST", "/api/v1/leads/" + lead + "/touches", owner, R"({"channel":"email"})");
  EXPECT_EQ(email.status, 409u);
  EXPECT_EQ(json::parse(email.body)["reasons"][0]["code"], "unsubscribed");
  // The person may change their mind, confirming from their mailbox (see below).
  HttpResult again = PostForm("/u/" + token, "choice=resubscribe");
  ASSERT_EQ(again.status, 200u);
  EXPECT_NE(again.body.find("We sent a link to p***@co3.example"), std::string::npos);
  EXPECT_TRUE(Unsubscribed(lead));
}

// A viewer can read the unsubscribe link; with it they can unsubscribe the person but
// never subscribe them again: that takes the confirmation sent to the address.
TEST_F(ContactApiTest, ResubscribingNeedsTheConfirmationSentToTheAddressNotTheStaffLink) {
  std::string lead = HotLead(11);
  HttpResult link = Call("GET", "/api/v1/leads/" + lead + "/unsubscribe-link", token_viewer_);
  ASSERT_EQ(link.status, 200u) << link.body;
  const std::string token = json::parse(link.body)["token"];
  EXPECT_EQ(json::parse(link.body)["scope"], "unsubscribe");
  ASSERT_EQ(PostForm("/u/" + token, "List-Unsubscribe=One-Click").status, 200u);
  ASSERT_TRUE(Unsubscribed(lead));
  auto set_email = [&](const std::string& email) {
    HttpResult r = Call("PATCH", "/api/v1/leads/" + lead, token_manager_,
                        R"({"traits":{"email":")" + email + R"("}})");
    ASSERT_EQ(r.status, 200u) << r.body;
  };
  // Whoever changes the lead's address cannot have a confirmation sent to theirs: it goes
  // only to the address that opted out.
  set_email("someone.else@elsewhere.example");
  HttpResult elsewhere = PostForm("/u/" + token, "choice=resubscribe");
  EXPECT_EQ(elsewhere.status, 200u);
  EXPECT_NE(elsewhere.body.find("not the one that unsubscribed"), std::string::npos);
  EXPECT_TRUE(Outbox("person.resubscribe_confirmation").empty());
  set_email("p11@co11.example");

  // The staff-readable link asks for a confirmation; nothing changes.
  HttpResult asked = PostForm("/u/" + token, "choice=resubscribe");
  ASSERT_EQ(asked.status, 200u);
  EXPECT_TRUE(Unsubscribed(lead));
  EXPECT_EQ(json::parse(Call("GET", "/api/v1/leads/" + lead + "/preferences", token_viewer_)
                            .body)["consent"]["email_marketing"],
            "withdrawn");
  // Asking again at once sends no second message (the page cannot flood a mailbox).
  ASSERT_EQ(PostForm("/u/" + token, "choice=resubscribe").status, 200u);
  std::vector<json> sent = Outbox("person.resubscribe_confirmation");
  ASSERT_EQ(sent.size(), 1u);
  const json& mail = sent[0]["data"];
  EXPECT_EQ(mail["to"], "p11@co11.example");
  const std::string confirm = mail["confirm_path"];
  ASSERT_TRUE(confirm.starts_with("/u/"));
  EXPECT_NE(mail["text"].get<std::string>().find(confirm), std::string::npos);
  // It goes to no webhook, and the API shows it nowhere.
  EXPECT_EQ(Call("GET", "/api/v1/leads/" + lead + "/timeline?limit=500", token_viewer_)
                .body.find(confirm.substr(3)),
            std::string::npos);
  std::vector<std::string> kinds = TimelineKinds(lead);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "resubscribe_requested"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "resubscribed"), 0);

  // A manage token cannot be dressed up as a confirmation, nor a confirmation forged.
  std::string fake =
      token.substr(0, token.find('.')) + ".4102444800" + token.substr(token.find('.'));
  EXPECT_EQ(PostForm("/u/" + fake, "choice=confirm").status, 404u);
  std::string tampered = confirm.substr(3);
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(PostForm("/u/" + tampered, "choice=confirm").status, 404u);
  EXPECT_EQ(PostForm("/u/" + token, "choice=confirm").status, 400u);
  EXPECT_TRUE(Unsubscribed(lead));

  // The link works only while the lead still has the address it was sent to.
  set_email("someone.else@elsewhere.example");
  EXPECT_EQ(client_->Get(confirm).status, 404u);
  set_email("p11@co11.example");

  // Opening the link changes nothing (mail scanners open links); the button does.
  HttpResult page = client_->Get(confirm);
  ASSERT_EQ(page.status, 200u);
  EXPECT_NE(page.body.find("Yes, subscribe me again"), std::string::npos);
  EXPECT_TRUE(Unsubscribed(lead));
  clock_.Advance(std::chrono::hours(1));
  HttpResult confirmed = client_->Request(
      "POST", confirm, "choice=confirm",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", "Mail/1.0"}});
  ASSERT_EQ(confirmed.status, 200u) << confirmed.body;
  EXPECT_FALSE(Unsubscribed(lead));
  // A fresh consent record says how it was given.
  json consents =
      json::parse(Call("GET", "/api/v1/leads/" + lead + "/consents", token_viewer_).body);
  const json& fresh = consents["items"].back();
  EXPECT_EQ(fresh["status"], "granted");
  EXPECT_EQ(fresh["method"], "email_confirmation");
  EXPECT_EQ(fresh["actor"], "person");
  EXPECT_EQ(fresh["at"], FormatIsoTime(clock_.Now()));
  EXPECT_NE(fresh["wording"].get<std::string>().find("confirmed"), std::string::npos);
  json evidence = json::parse(fresh["evidence"].get<std::string>());
  EXPECT_EQ(evidence["confirmation_sent_to"], "p11@co11.example");
  EXPECT_EQ(evidence["user_agent"], "Mail/1.0");
  EXPECT_EQ(evidence["ip"], "127.0.0.1");
  kinds = TimelineKinds(lead);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "resubscribed"), 1);

  // The link is spent; after a new unsubscribe an old link is dead too.
  EXPECT_EQ(PostForm(confirm, "choice=confirm").status, 404u);
  ASSERT_EQ(PostForm("/u/" + token, "choice=all_email").status, 200u);
  EXPECT_EQ(client_->Get(confirm).status, 404u);
  // A new request's link expires after a week.
  clock_.Advance(std::chrono::hours(1));
  ASSERT_EQ(PostForm("/u/" + token, "choice=resubscribe").status, 200u);
  sent = Outbox("person.resubscribe_confirmation");
  ASSERT_EQ(sent.size(), 2u);
  const std::string second = sent[1]["data"]["confirm_path"];
  clock_.Advance(std::chrono::hours(24 * 7 + 1));
  EXPECT_EQ(PostForm(second, "choice=confirm").status, 404u);
  EXPECT_TRUE(Unsubscribed(lead));
}

// Staff cannot reverse the person's opt-out; they can record a new consent the person
// gave, with how it was given, dated after the opt-out.
TEST_F(ContactApiTest, StaffResubscribeOnlyByRecordingAFreshConsentWithItsEvidence) {
  std::string lead = HotLead(12);
  const std::string token = json::parse(
      Call("GET", "/api/v1/leads/" + lead + "/unsubscribe-link", token_manager_).body)["token"];
  ASSERT_EQ(PostForm("/u/" + token, "choice=all_email").status, 200u);
  const std::string unsubscribed_at = FormatIsoTime(clock_.Now());
  clock_.Advance(std::chrono::hours(2));
  const std::string consents = "/api/v1/leads/" + lead + "/consents";
  HttpResult api = Call("POST", consents, token_marketing_,
                        R"({"purpose":"email_marketing","method":"api","wording":"Yes please"})");
  EXPECT_EQ(api.status, 422u) << api.body;
  EXPECT_EQ(json::parse(api.body)["error"]["code"], "fresh_consent_required");
  HttpResult no_evidence =
      Call("POST", consents, token_marketing_,
           R"({"purpose":"email_marketing","method":"form","wording":"Yes please"})");
  EXPECT_EQ(no_evidence.status, 422u);
  HttpResult older = Call("POST", consents, token_marketing_,
                          json{{"purpose", "email_marketing"},
                               {"method", "form"},
                               {"wording", "Yes please"},
                               {"evidence", "trade show sign-up sheet 14"},
                               {"at", "2026-11-01T00:00:00Z"}}
                              .dump());
  EXPECT_EQ(older.status, 422u);
  EXPECT_NE(older.body.find(unsubscribed_at), std::string::npos) << older.body;
  EXPECT_TRUE(Unsubscribed(lead));
  HttpResult fresh = Call("POST", consents, token_marketing_,
                          json{{"purpose", "email_marketing"},
                               {"method", "form"},
                               {"form_id", "newsletter-signup"},
                               {"wording", "Send me the monthly newsletter"},
                               {"evidence", "form submission 8812 from 203.0.113.9"}}
                              .dump());
  ASSERT_EQ(fresh.status, 201u) << fresh.body;
  EXPECT_EQ(json::parse(fresh.body)["evidence"], "form submission 8812 from 203.0.113.9");
  EXPECT_FALSE(Unsubscribed(lead));
  // The timeline tells it was staff recording a consent, not the person's page.
  json timeline = json::parse(
      Call("GET", "/api/v1/leads/" + lead + "/timeline?limit=500", token_manager_).body);
  const json& last = timeline["items"].back();
  EXPECT_EQ(last["kind"], "resubscribed");
  EXPECT_EQ(last["how"], "consent_recorded");
  EXPECT_TRUE(last["actor"].get<std::string>().starts_with("user:"));
}

// Inbound touches someone other than the owner records earn nothing until a manager
// confirms them; then they earn their points once.
TEST_F(ContactApiTest, InboundTouchesByOthersEarnPointsOnlyOnceAManagerConfirms) {
  // A lead nobody owns: identified, no hand-raise.
  Ingest(R"({"batch":[{"type":"identify","userId":"cold","traits":{"email":"c@cold.example"}}]})");
  const std::string lead = LeadIdOf("cold");
  const std::string base = "/api/v1/leads/" + lead;
  auto engagement = [&] {
    return json::parse(Call("GET", base, token_manager_).body)["score"]["engagement"].get<double>();
  };
  const double before = engagement();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    HttpResult t = Call("POST", base + "/touches", i % 2 ? token_marketing_ : rep_tokens_[0],
                        R"({"channel":"call","direction":"inbound","note":"they called"})");
    ASSERT_EQ(t.status, 201u) << t.body;
    EXPECT_EQ(json::parse(t.body)["score"], "awaiting_confirmation");
    ids.push_back(json::parse(t.body)["id"]);
  }
  json lead_now = json::parse(Call("GET", base, token_manager_).body);
  EXPECT_EQ(engagement(), before);
  EXPECT_EQ(lead_now["stage"], "lead");
  EXPECT_TRUE(lead_now["owner"].is_null());

  const std::string confirm = base + "/touches/" + ids[0] + "/confirm";
  EXPECT_EQ(Call("POST", confirm, rep_tokens_[1]).status, 403u);
  EXPECT_EQ(Call("POST", confirm, token_marketing_).status, 403u);
  EXPECT_EQ(Call("POST", base + "/touches/tch_999999/confirm", token_manager_).status, 404u);
  EXPECT_EQ(Call("POST", base + "/touches/nope/confirm", token_manager_).status, 404u);
  HttpResult ok = Call("POST", confirm, token_manager_);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["score"], "confirmed");
  EXPECT_NEAR(engagement(), before + 15, 0.01);
  HttpResult twice = Call("POST", confirm, token_manager_);
  EXPECT_EQ(twice.status, 409u);
  EXPECT_EQ(json::parse(twice.body)["error"]["code"], "already_counted");
  EXPECT_NEAR(engagement(), before + 15, 0.01);
  std::vector<std::string> kinds = TimelineKinds(lead);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "touch_confirmed"), 1);
  // A rescore keeps exactly the confirmed touch's points.
  json touches = json::parse(Call("GET", base + "/touches", token_manager_).body);
  int confirmed = 0, waiting = 0;
  for (const json& t : touches["items"]) {
    confirmed += t["score"] == "confirmed";
    waiting += t["score"] == "awaiting_confirmation";
  }
  EXPECT_EQ(confirmed, 1);
  EXPECT_EQ(waiting, 5);
  // The owner's own inbound touch counts at once.
  std::string hot = HotLead(13);
  auto [owner, other] = OwnerAndOther(hot);
  HttpResult own = Call("POST", "/api/v1/leads/" + hot + "/touches", owner,
                        R"({"channel":"email","direction":"inbound"})");
  ASSERT_EQ(own.status, 201u) << own.body;
  EXPECT_EQ(json::parse(own.body)["score"], "counted");
  HttpResult not_owner = Call("POST", "/api/v1/leads/" + hot + "/touches", other,
                              R"({"channel":"email","direction":"inbound"})");
  EXPECT_EQ(json::parse(not_owner.body)["score"], "awaiting_confirmation");
  HttpResult outbound =
      Call("POST", "/api/v1/leads/" + hot + "/touches", owner, R"({"channel":"email"})");
  ASSERT_EQ(outbound.status, 201u) << outbound.body;
  HttpResult not_inbound =
      Call("POST",
           "/api/v1/leads/" + hot + "/touches/" +
               json::parse(outbound.body)["id"].get<std::string>() + "/confirm",
           token_manager_);
  EXPECT_EQ(not_inbound.status, 409u);
}

// Reassigned right after another rep emailed the lead: the new owner's deadline runs
// from the end of the cooldown, not from now.
TEST_F(ContactApiTest, AFirstContactDeadlineNeverFallsBeforeTheGateAllowsTheContact) {
  std::string lead = HotLead(14);
  auto [owner, other] = OwnerAndOther(lead);
  const TimePoint emailed = clock_.Now();
  ASSERT_EQ(
      Call("POST", "/api/v1/leads/" + lead + "/touches", owner, R"({"channel":"email"})").status,
      201u);
  clock_.Advance(std::chrono::minutes(5));
  std::string to;
  for (size_t i = 0; i < reps_.size(); ++i) {
    if (rep_tokens_[i] == other) to = fmt::format("usr_{}", reps_[i]);
  }
  HttpResult moved = Call("PATCH", "/api/v1/leads/" + lead, token_manager_,
                          json{{"owner_id", to}, {"reason", "territory"}}.dump());
  ASSERT_EQ(moved.status, 200u) << moved.body;
  const TimePoint gate_opens = emailed + std::chrono::hours(48);
  const TimePoint due = *ParseIsoTime(json::parse(moved.body)["sla"]["due_at"].get<std::string>());
  // Hot: 15 business minutes from when the new owner may first make the contact.
  EXPECT_GE(due, gate_opens + std::chrono::minutes(15));
  EXPECT_LE(due, gate_opens + std::chrono::hours(24 * 3));
  HttpResult check = Call("GET", "/api/v1/leads/" + lead + "/contact-check?channel=email", other);
  EXPECT_EQ(json::parse(check.body)["allowed"], false);
  json timeline = json::parse(
      Call("GET", "/api/v1/leads/" + lead + "/timeline?limit=500", token_manager_).body);
  EXPECT_EQ(timeline["items"].back()["kind"], "assigned");
  EXPECT_EQ(timeline["items"].back()["sla_counts_from"], FormatIsoTime(gate_opens));
}

// "Out of office until 12 December" are the lead's days, in its own zone.
TEST_F(ContactApiTest, DateOnlyOutOfOfficeIsTheLeadsOwnDays) {
  Ingest(
      R"({"batch":[{"type":"identify","userId":"tokyo","traits":{"email":"t@tokyo.example","timezone":"Asia/Tokyo"}}]})");
  const std::string lead = LeadIdOf("tokyo");
  HttpResult put = Call("PUT", "/api/v1/leads/" + lead + "/preferences", token_manager_,
                        R"({"out_of_office":{"from":"2026-12-01","until":"2026-12-12"}})");
  ASSERT_EQ(put.status, 200u) << put.body;
  json prefs = json::parse(put.body);
  // Midnight in Tokyo (UTC+9) is 15:00 UTC the day before.
  EXPECT_EQ(prefs["out_of_office"]["from"], "2026-11-30T15:00:00.000Z");
  EXPECT_EQ(prefs["out_of_office"]["until"], "2026-12-12T15:00:00.000Z");
  // A zone set in the same change is the one the dates are read in.
  HttpResult ny = Call(
      "PUT", "/api/v1/leads/" + lead + "/preferences", token_manager_,
      R"({"timezone":"America/New_York","out_of_office":{"from":"2026-12-01","until":"2026-12-12T12:00:00Z"}})");
  ASSERT_EQ(ny.status, 200u) << ny.body;
  EXPECT_EQ(json::parse(ny.body)["out_of_office"]["from"], "2026-12-01T05:00:00.000Z");
  EXPECT_EQ(json::parse(ny.body)["out_of_office"]["until"], "2026-12-12T12:00:00.000Z");
  // A user's dates are days in the user's own zone.
  HttpResult user = Call(
      "PATCH", "/api/v1/users/me", rep_tokens_[3],
      R"({"timezone":"Asia/Tokyo","out_of_office":{"from":"2026-12-20","until":"2027-01-02"}})");
  ASSERT_EQ(user.status, 200u) << user.body;
  EXPECT_EQ(json::parse(user.body)["out_of_office"]["from"], "2026-12-19T15:00:00.000Z");
  EXPECT_EQ(json::parse(user.body)["out_of_office"]["until"], "2027-01-02T15:00:00.000Z");
}

// A lead a server pushes through the API (traits.lead = true) has an address the
// sender gave, not the person: its source is api, with no inbound basis.
TEST_F(ContactApiTest, AServerPushedLeadsAddressIsFromTheApi) {
  Ingest(
      R"({"batch":[{"type":"identify","userId":"pushed","traits":{"email":"p@pushed.example","lead":true}}]})");
  json prefs = json::parse(
      Call("GET", "/api/v1/leads/" + LeadIdOf("pushed") + "/preferences", token_manager_).body);
  EXPECT_EQ(prefs["address_source"], "api");
  // From the person's browser it is an address they gave.
  Ingest(
      R"({"batch":[{"type":"identify","userId":"browser","traits":{"email":"b@browser.example","lead":true},
             "context":{"page":{"path":"/signup"},"userAgent":"Mozilla/5.0"}}]})");
  prefs = json::parse(
      Call("GET", "/api/v1/leads/" + LeadIdOf("browser") + "/preferences", token_manager_).body);
  EXPECT_EQ(prefs["address_source"], "event");
}

TEST_F(ContactApiTest, ReportsAndMetricsShowLeaksAndRefusals) {
  std::string touched = HotLead(4);
  std::string forgotten = HotLead(5);
  auto [owner, other] = OwnerAndOther(touched);
  ASSERT_EQ(
      Call("POST", "/api/v1/leads/" + touched + "/touches", owner, R"({"channel":"call"})").status,
      201u);
  EXPECT_EQ(
      Call("POST", "/api/v1/leads/" + touched + "/touches", other, R"({"channel":"call"})").status,
      409u);
  EXPECT_EQ(Call("GET", "/api/v1/reports/leaks", owner).status, 403u);
  HttpResult leaks = Call("GET", "/api/v1/reports/leaks", token_manager_);
  ASSERT_EQ(leaks.status, 200u) << leaks.body;
  json l = json::parse(leaks.body);
  EXPECT_EQ(l["total"], 1);
  EXPECT_EQ(l["items"][0]["id"], forgotten);
  EXPECT_EQ(l["items"][0]["mql_age_minutes"], 0);
  json h = json::parse(Call("GET", "/api/v1/reports/hygiene?days=7", token_marketing_).body);
  EXPECT_EQ(h["never_touched_mqls"], 1);
  EXPECT_EQ(h["sla"]["overall"]["assigned"], 2);
  EXPECT_EQ(h["sla"]["overall"]["met"], 1);
  EXPECT_EQ(h["sla"]["overall"]["pending"], 1);
  EXPECT_EQ(h["refusals"]["by_reason"]["not_owner"], 1);  // the SLA was met: plain not_owner
  EXPECT_EQ(h["refusals"]["by_reason"]["recent_touch_by_other"], 1);
  EXPECT_EQ(h["refusals"]["concurrent_attempts_stopped"], 1);
  EXPECT_EQ(h["refusals"]["by_reason"]["frequency_cap"], 1);
  EXPECT_EQ(Call("GET", "/api/v1/reports/hygiene?days=0", token_manager_).status, 400u);
  std::string metrics = client_->Get("/metrics").body;
  EXPECT_NE(metrics.find("tandem_leads_never_touched 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tandem_touch_refusals{reason=\"frequency_cap\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("tandem_sla_assignments{team=\"sales\",state=\"met\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("tandem_first_touch_minutes{quantile=\"0.5\"} 0.0\n"), std::string::npos);
}

// 16 threads, five users, one lead, all at once: exactly the touches the policy allows
// get through (the owner's first three: one call a day, three touches a week), every
// other attempt gets 409, and the store holds nothing the policy forbids.
TEST_F(ContactApiTest, ConcurrentTouchesOnOneLeadLetThroughExactlyWhatIsAllowed) {
  constexpr int kThreads = 16;
  constexpr int kRounds = 200;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kThreads; ++i) clients.push_back(std::make_unique<HttpClient>(app_->port()));
  std::string target;
  std::vector<unsigned> statuses(kThreads);
  std::barrier start(kThreads + 1), done(kThreads + 1);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // Threads i, i+4, … are the same rep; half of each rep's attempts are calls.
      const std::string& token = i == kThreads - 1 ? token_manager_ : rep_tokens_[i % 4];
      const char* channel = (i / 4) % 2 == 0 ? "email" : "call";
      for (;;) {
        start.arrive_and_wait();
        if (stop) return;
        statuses[i] = clients[i]
                          ->Request("POST", target, fmt::format(R"({{"channel":"{}"}})", channel),
                                    {{"Authorization", "Bearer " + token}})
                          .status;
        done.arrive_and_wait();
      }
    });
  }
  int mismatched_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::string lead = HotLead(100 + round);
    target = "/api/v1/leads/" + lead + "/touches";
    start.arrive_and_wait();
    done.arrive_and_wait();
    int created = 0, refused = 0;
    for (unsigned s : statuses) {
      created += s == 201u;
      refused += s == 409u;
    }
    // The owner made at least two emails and a call (rep 3 has one call fewer, the
    // manager's thread stands in): one call a day and three touches a week let
    // exactly 3 through, whatever the order.
    if (created != 3 || refused != kThreads - 3) ++mismatched_rounds;
    auto touches = raw_store_->ListTouches(std::stoll(lead.substr(3)), TimePoint{}).value();
    auto owner = raw_store_->GetLead(std::stoll(lead.substr(3))).value()->owner_id;
    int calls = 0;
    for (const TouchRecord& t : touches) {
      EXPECT_EQ(t.user_id, owner) << lead;
      calls += t.channel == "call";
    }
    EXPECT_LE(calls, 1) << lead;
    EXPECT_EQ(touches.size(), 3u) << lead;
  }
  stop = true;
  start.arrive_and_wait();
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatched_rounds, 0);
}

}  // namespace
}  // namespace tandem
