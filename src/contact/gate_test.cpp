// The contact gate's decisions, reason by reason, as a pure function.
#include "contact/gate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace tandem {
namespace {

TimePoint T(const char* text) { return *ParseIsoTime(text); }

UserRecord User(int64_t id, const std::string& role = "sales_rep") {
  UserRecord u;
  u.id = id;
  u.name = "User " + std::to_string(id);
  u.email = "u" + std::to_string(id) + "@x.example";
  u.role = *ParseRole(role);
  return u;
}

class GateTest : public ::testing::Test {
 protected:
  GateTest() {
    lead_.lead_id = 7;
    lead_.stage = Stage::kMql;
    lead_.owner_id = 1;
    lead_.traits = R"({"timezone":"America/New_York"})";
    facts_.subject = lead_;
    facts_.owner = User(1);
    facts_.prefs.lead_id = 7;
    Refresh();
  }

  void Refresh() { facts_.zone = FindLeadZone(facts_.prefs, nlohmann::json::parse(lead_.traits)); }

  ContactDecision Decide(const std::string& channel, int64_t actor,
                         const std::string& purpose = "sales_outreach", bool override = false,
                         const std::string& role = "sales_rep") {
    facts_.subject = lead_;
    ContactRequest r{*ParseChannel(channel), *ParsePurpose(purpose), "outbound", User(actor, role),
                     override};
    return DecideContact(policy_, facts_, r, now_);
  }

  static std::vector<std::string> Codes(const ContactDecision& d) {
    std::vector<std::string> out;
    for (const auto& r : d.reasons) out.push_back(r.code);
    return out;
  }

  TouchRecord Touch(int64_t user, const std::string& channel, const char* at) {
    TouchRecord t;
    t.lead_id = 7;
    t.user_id = user;
    t.channel = *ParseChannel(channel);
    t.purpose = Purpose::kSalesOutreach;
    t.direction = "outbound";
    t.at = T(at);
    return t;
  }

  ContactConfig policy_;
  ContactSubject lead_;
  ContactFacts facts_;
  TimePoint now_ = T("2026-11-23T15:00:00Z");  // Monday 10:00 in New York
};

TEST_F(GateTest, TheOwnerMayCallAnInboundLeadInDaytime) {
  ContactDecision d = Decide("call", 1);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.reasons.empty());
}

TEST_F(GateTest, OnlyTheOwnerStartsSalesOutreach) {
  ContactDecision d = Decide("email", 2);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"not_owner"});
  // People read it: the owner by name, the lead without its id.
  EXPECT_EQ(d.reasons[0].message, "User 1 owns the lead; only the owner starts sales outreach");
  // While the owner's SLA clock runs, the reason says so.
  AssignmentRecord a;
  a.user_id = 1;
  a.sla_due_at = T("2026-11-23T16:00:00Z");
  facts_.open_assignment = a;
  d = Decide("email", 2);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"sla_owner_only"});
  EXPECT_EQ(d.reasons[0].until, a.sla_due_at);
  // Marketing email is not sales outreach: the owner rule does not apply, consent does.
  d = Decide("email", 3, "email_marketing");
  EXPECT_EQ(Codes(d), std::vector<std::string>{"no_consent"});
  // A lead nobody owns waits for an owner.
  lead_.owner_id.reset();
  EXPECT_EQ(Codes(Decide("call", 1)), std::vector<std::string>{"not_owner"});
}

TEST_F(GateTest, ThePersonsWillBlocksAndCannotBeOverridden) {
  facts_.prefs.unsubscribed_at = T("2026-11-01T00:00:00Z");
  facts_.prefs.do_not_contact = R"({"call":"asked on the phone"})";
  ContactDecision email = Decide("email", 1, "sales_outreach", /*override=*/true, "sales_manager");
  EXPECT_FALSE(email.allowed);
  EXPECT_EQ(Codes(email), std::vector<std::string>{"unsubscribed"});
  ContactDecision call = Decide("call", 1, "sales_outreach", true, "sales_manager");
  EXPECT_FALSE(call.allowed);
  EXPECT_EQ(Codes(call), std::vector<std::string>{"do_not_contact"});
  EXPECT_NE(call.reasons[0].message.find("asked on the phone"), std::string::npos);
  EXPECT_TRUE(Decide("meeting", 1).allowed);
  facts_.prefs.do_not_contact = R"({"all":"GDPR objection"})";
  EXPECT_EQ(Codes(Decide("meeting", 1)), std::vector<std::string>{"do_not_contact"});
}

TEST_F(GateTest, ConsentFollowsThePurposeAndTheAddressSource) {
  // Marketing email needs a granted consent; an import never undoes a withdrawal.
  ConsentRecord granted{0,     7, Purpose::kEmailMarketing, "granted", T("2026-10-01T00:00:00Z"),
                        "form"};
  facts_.consents = {granted};
  EXPECT_TRUE(Decide("email", 3, "email_marketing").allowed);
  ConsentRecord withdrawn{
      0, 7, Purpose::kEmailMarketing, "withdrawn", T("2026-10-02T00:00:00Z"), "unsubscribe_link"};
  ConsentRecord imported{0,       7, Purpose::kEmailMarketing, "granted", T("2026-10-03T00:00:00Z"),
                         "import"};
  facts_.consents = {granted, withdrawn, imported};
  EXPECT_EQ(ConsentState(facts_.consents, Purpose::kEmailMarketing), "withdrawn");
  EXPECT_EQ(Codes(Decide("email", 3, "email_marketing")), std::vector<std::string>{"no_consent"});
  // The person's own form grants again.
  ConsentRecord form{0, 7, Purpose::kEmailMarketing, "granted", T("2026-10-04T00:00:00Z"), "form"};
  facts_.consents.push_back(form);
  EXPECT_TRUE(Decide("email", 3, "email_marketing").allowed);
  // A purchased address has no inbound basis for sales outreach.
  facts_.prefs.address_source = "purchased";
  ContactDecision d = Decide("email", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"no_consent"});
  EXPECT_NE(d.reasons[0].message.find("purchased"), std::string::npos);
}

TEST_F(GateTest, QuietHoursAreTheLeadsLocalTimeAcrossDaylightSaving) {
  // Sunday 2026-03-08, the day New York springs forward. 12:30Z = 08:30 EDT: allowed;
  // the same UTC time a day earlier was 07:30 EST: quiet.
  now_ = T("2026-03-08T12:30:00Z");
  EXPECT_TRUE(Decide("call", 1).allowed);
  now_ = T("2026-03-07T12:30:00Z");
  ContactDecision d = Decide("call", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"quiet_hours"});
  EXPECT_EQ(d.reasons[0].until, T("2026-03-07T13:00:00Z"));  // 08:00 EST
  // 20:10 EDT: quiet until 08:00 the next morning.
  now_ = T("2026-03-09T00:10:00Z");
  d = Decide("call", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"quiet_hours"});
  EXPECT_EQ(d.reasons[0].until, T("2026-03-09T12:00:00Z"));
  // Email has no quiet hours by default.
  EXPECT_TRUE(Decide("email", 1).allowed);
}

TEST_F(GateTest, UnknownTimeZoneRefusesCallsUnlessTheConfigAllows) {
  lead_.traits = R"({"country":"Atlantis"})";
  Refresh();
  EXPECT_EQ(facts_.zone.source, "unknown");
  ContactDecision d = Decide("call", 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"unknown_timezone"});
  EXPECT_TRUE(Decide("email", 1).allowed);
  policy_.allow_unknown_timezone = true;
  d = Decide("call", 1);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reasons[0].severity, "warn");
  // A country gives its main zone.
  lead_.traits = R"({"address":{"country":"DE"}})";
  Refresh();
  EXPECT_EQ(facts_.zone.source, "country");
  EXPECT_EQ(facts_.zone.zone->name(), "Europe/Berlin");
}

TEST_F(GateTest, OutOfOfficeBlocksUntilItEnds) {
  facts_.prefs.ooo_from = T("2026-11-20T00:00:00Z");
  facts_.prefs.ooo_until = T("2026-11-30T00:00:00Z");
  ContactDecision d = Decide("email", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"out_of_office"});
  EXPECT_EQ(d.reasons[0].until, T("2026-11-30T00:00:00Z"));
  now_ = T("2026-11-30T15:00:00Z");
  EXPECT_TRUE(Decide("email", 1).allowed);
}

TEST_F(GateTest, FrequencyCapsCountTheWholeCompany) {
  facts_.touches = {Touch(1, "email", "2026-11-17T15:00:00Z"),
                    Touch(1, "email", "2026-11-19T15:00:00Z")};
  EXPECT_TRUE(Decide("email", 1).allowed);
  facts_.touches.push_back(Touch(1, "call", "2026-11-22T15:00:00Z"));
  ContactDecision d = Decide("email", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"frequency_cap"});
  EXPECT_EQ(d.reasons[0].until, T("2026-11-24T15:00:00Z"));  // when the oldest drops out
  EXPECT_FALSE(d.concurrent);
  // One call a day: a call 5 minutes ago blocks another.
  facts_.touches = {Touch(1, "call", "2026-11-23T14:55:00Z")};
  d = Decide("call", 1);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"frequency_cap"});
  EXPECT_EQ(d.reasons[0].until, T("2026-11-24T14:55:00Z"));
}

// A touch stamped a moment after the decision's `now` — committed first by a request
// that read the clock later, or by an instance whose clock runs ahead — still counts.
TEST_F(GateTest, ATouchStampedAfterNowStillCounts) {
  facts_.touches = {Touch(1, "email", "2026-11-22T15:00:00Z"),
                    Touch(1, "email", "2026-11-23T14:00:00Z"),
                    Touch(1, "email", "2026-11-23T15:00:00.040Z")};
  ContactDecision d = Decide("email", 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"frequency_cap"});
  EXPECT_TRUE(d.concurrent);
  facts_.touches = {Touch(1, "email", "2026-11-23T15:00:00.040Z")};
  d = Decide("email", 2);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"not_owner", "recent_touch_by_other"}));
}

TEST_F(GateTest, OthersWaitAfterATouchAndJustNowMeansConcurrent) {
  lead_.stage = Stage::kOpportunity;
  facts_.touches = {Touch(1, "email", "2026-11-23T14:59:30Z")};
  ContactDecision d = Decide("email", 2, "sales_outreach", true, "sales_manager");
  // The manager may override not_owner, but the cooldown is overridable too: allowed.
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.overridden, (std::vector<std::string>{"not_owner", "recent_touch_by_other"}));
  d = Decide("email", 2);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"not_owner", "recent_touch_by_other"}));
  EXPECT_TRUE(d.concurrent);
}

TEST_F(GateTest, ClosedStagesAndPreferredChannel) {
  lead_.stage = Stage::kDisqualified;
  EXPECT_EQ(Codes(Decide("email", 1)), std::vector<std::string>{"stage_closed"});
  lead_.stage = Stage::kSal;
  facts_.prefs.preferred_channel = Channel::kEmail;
  ContactDecision d = Decide("call", 1);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"preferred_channel"});
  EXPECT_EQ(d.reasons[0].severity, "warn");
}

TEST_F(GateTest, InboundTouchesAreAlwaysRecorded) {
  facts_.prefs.unsubscribed_at = T("2026-11-01T00:00:00Z");
  ContactRequest r{Channel::kEmail, Purpose::kSalesOutreach, "inbound", User(9), false};
  EXPECT_TRUE(DecideContact(policy_, facts_, r, now_).allowed);
}

}  // namespace
}  // namespace tandem
