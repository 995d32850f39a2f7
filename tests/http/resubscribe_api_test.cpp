// Subscribing again needs the person: the confirmation sent to the address that opted out,
// or a fresh consent staff record with its evidence.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/contact_api_fixture.h"

namespace tandem {
namespace {

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
}  // namespace
}  // namespace tandem
