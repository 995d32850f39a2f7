// The contact gate, preferences, consent and SLA timers end to end on a real SQLite
// file, with a manual clock: nothing sleeps.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analytics/hygiene.h"
#include "app/open_store.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "pipeline/sla_scheduler.h"
#include "testing/append_batch.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

TimePoint T(const char* text) { return *ParseIsoTime(text); }

class ContactEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    source_id_ = store_->CreateSource("Web", "k", clock_.Now())->id;
    UseEngine();
  }

  void UseEngine() {
    engine_ = std::make_unique<LeadEngine>(config_.scoring, config_.routing, config_.webhooks,
                                           config_.contact, config_.sla);
    EventPipeline::Options options;
    options.leads = engine_.get();
    pipeline_ = std::make_unique<EventPipeline>(*store_, clock_, metrics_, options);
    scheduler_ = std::make_unique<SlaScheduler>(*store_, *engine_, clock_);
  }

  UserRecord AddUser(const std::string& name, const std::string& role = "sales_rep",
                     const std::string& timezone = "Europe/London") {
    UserRecord u;
    u.email = name + "@seller.example";
    u.name = name;
    u.role = *ParseRole(role);
    u.team = "sales";
    u.timezone = timezone;
    u.capacity = 50;
    u.created_at = u.updated_at = clock_.Now();
    u.id = store_->CreateUser(u)->id;
    return u;
  }

  void Send(const std::string& batch_json) {
    Status s = testing::AppendBatch(*store_, parser_, source_id_, clock_.Now(), batch_json);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(pipeline_->Drain().ok());
  }

  // A prospect who signs up and asks for a demo: hot, routed at once.
  int64_t HotLead(const std::string& user,
                  const std::string& traits = R"("timezone":"Europe/London")") {
    Send(fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","traits":{{"email":"{0}@buyer.example","name":"Prospect {0}",{1}}}}},
        {{"type":"track","userId":"{0}","event":"Demo Requested"}}]}})",
        user, traits));
    return store_->FindPersonByIdentity({IdentityKind::kUserId, user}).value().value();
  }

  LeadRecord Lead(int64_t id) { return store_->GetLead(id).value().value(); }

  // Records a touch the way the API does: check and record in one committed transaction.
  TouchResult Touch(int64_t lead, const UserRecord& user, const std::string& channel,
                    const std::string& override_reason = "") {
    TouchInput in;
    in.channel = *ParseChannel(channel);
    in.purpose = Purpose::kSalesOutreach;
    in.override_reason = override_reason;
    auto txn = store_->BeginLeadTxn().value();
    auto result = engine_->RecordTouch(*txn, lead, Actor{user}, in, clock_.Now());
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_TRUE(txn->Commit().ok());
    return result.ok() ? *result : TouchResult{};
  }

  static std::vector<std::string> Blocks(const TouchResult& r) {
    std::vector<std::string> out;
    for (const auto& reason : r.decision.reasons) {
      if (reason.severity == "block") out.push_back(reason.code);
    }
    return out;
  }

  Status SetPrefs(int64_t lead, const UserRecord& user, const PreferencesChange& change) {
    auto txn = store_->BeginLeadTxn().value();
    auto r = engine_->UpdatePreferences(*txn, lead, Actor{user}, change, clock_.Now());
    if (!r.ok()) return r.status();
    return txn->Commit();
  }

  Status GrantMarketing(int64_t lead, const UserRecord& by, const std::string& method,
                        const std::string& wording) {
    ConsentRecord c;
    c.purpose = Purpose::kEmailMarketing;
    c.status = "granted";
    c.method = method;
    c.wording = wording;
    c.at = clock_.Now();
    auto txn = store_->BeginLeadTxn().value();
    TANDEM_RETURN_IF_ERROR(engine_->RecordConsent(*txn, lead, Actor{by}, c, clock_.Now()).status());
    return txn->Commit();
  }

  std::vector<OutboxMessage> Outbox(const std::string& type) {
    std::vector<OutboxMessage> out;
    auto all = store_->ListOutbox(0, 10000).value();
    for (auto& m : all) {
      if (m.type == type) out.push_back(m);
    }
    return out;
  }

  testing::TestStore dir_;
  ManualClock clock_{T("2026-11-23T10:00:00Z")};  // Monday 10:00 in London
  Metrics metrics_;
  SegmentParser parser_;
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LeadEngine> engine_;
  std::unique_ptr<EventPipeline> pipeline_;
  std::unique_ptr<SlaScheduler> scheduler_;
  int64_t source_id_ = 0;
};

// Seed 002: three reps pounce on one sign-up, by email and phone, one calling during a
// vacation whose out-of-office said not to call. Only what the policy allows gets through.
TEST_F(ContactEngineTest, ThreeRepsOneProspectOnlyTheOwnerGetsThrough) {
  UserRecord a = AddUser("Ana");
  UserRecord b = AddUser("Ben");
  UserRecord c = AddUser("Cleo");
  UserRecord manager = AddUser("Mia", "sales_manager");
  const int64_t lead = HotLead("p1");
  // Round robin gave the lead to the first rep; the others try anyway.
  ASSERT_EQ(Lead(lead).owner_id, a.id);
  EXPECT_EQ(Blocks(Touch(lead, b, "email")), std::vector<std::string>{"sla_owner_only"});
  EXPECT_EQ(Blocks(Touch(lead, c, "call")), std::vector<std::string>{"sla_owner_only"});

  // The prospect goes on vacation and asks not to be called.
  PreferencesChange away;
  away.out_of_office = OutOfOfficeInput{T("2026-11-23T11:00:00Z"), T("2026-11-30T00:00:00Z")};
  away.do_not_contact = std::map<std::string, std::string>{{"call", "vacation: no calls"}};
  ASSERT_TRUE(SetPrefs(lead, a, away).ok());

  // Before the vacation starts the owner emails: allowed, meets the SLA.
  TouchResult first = Touch(lead, a, "email");
  ASSERT_TRUE(first.touch.has_value());
  EXPECT_EQ(Lead(lead).sla_met_at, clock_.Now());

  // During the vacation nobody gets through, and each refusal names why.
  clock_.Set(T("2026-11-24T14:00:00Z"));
  EXPECT_EQ(Blocks(Touch(lead, a, "call")),
            (std::vector<std::string>{"do_not_contact", "out_of_office"}));
  EXPECT_EQ(Blocks(Touch(lead, a, "email")), std::vector<std::string>{"out_of_office"});
  EXPECT_EQ(Blocks(Touch(lead, b, "email")),
            (std::vector<std::string>{"not_owner", "out_of_office", "recent_touch_by_other"}));
  EXPECT_EQ(Blocks(Touch(lead, c, "call")),
            (std::vector<std::string>{"not_owner", "do_not_contact", "out_of_office",
                                      "recent_touch_by_other"}));
  // Even a manager's override cannot make a call the person refused.
  TouchResult forced = Touch(lead, manager, "call", "urgent: contract question");
  EXPECT_FALSE(forced.touch.has_value());
  EXPECT_EQ(Blocks(forced).front(), "not_owner");

  // After the vacation the owner may email again; calls stay refused.
  clock_.Set(T("2026-12-01T10:00:00Z"));
  EXPECT_TRUE(Touch(lead, a, "email").touch.has_value());
  EXPECT_EQ(Blocks(Touch(lead, a, "call")), std::vector<std::string>{"do_not_contact"});

  // The store holds exactly the two allowed emails, both by the owner.
  auto touches = store_->ListTouches(lead, TimePoint{}).value();
  ASSERT_EQ(touches.size(), 2u);
  for (const TouchRecord& t : touches) {
    EXPECT_EQ(t.user_id, a.id);
    EXPECT_EQ(t.channel, Channel::kEmail);
  }
  RefusalCounts refused = store_->CountRefusals(TimePoint{}).value();
  EXPECT_EQ(refused.total, 8);
  EXPECT_EQ(refused.by_code.front().first, "out_of_office");  // the most frequent reason
}

TEST_F(ContactEngineTest, BadTouchesAreRefusedBeforeTheGate) {
  UserRecord a = AddUser("Ana");
  UserRecord viewer = AddUser("Vic", "viewer");
  UserRecord manager = AddUser("Mia", "sales_manager");
  const int64_t lead = HotLead("p2");
  auto txn = store_->BeginLeadTxn().value();
  // The channel and purpose are read where they are given.
  auto channel = ChannelField("channel", "fax");
  ASSERT_EQ(channel.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(channel.status().message().find("email, call, sms, social, meeting, mail"),
            std::string::npos);
  EXPECT_EQ(PurposeField("purpose", "cold_calling").status().code(), StatusCode::kUnprocessable);
  TouchInput in{Channel::kEmail, Purpose::kSalesOutreach};
  in.override = true;  // a rep may not override
  auto r = engine_->RecordTouch(*txn, lead, Actor{a}, in, clock_.Now());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().error_code(), "override_not_allowed");
  r = engine_->RecordTouch(*txn, lead, Actor{manager}, in, clock_.Now());  // no reason
  EXPECT_EQ(r.status().error_code(), "override_reason_required");
  in.override = false;
  EXPECT_EQ(engine_->RecordTouch(*txn, lead, Actor{viewer}, in, clock_.Now()).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ContactEngineTest, AnOutOfOfficeThatEndsBeforeItStartsIsRefused) {
  UserRecord a = AddUser("Ana");
  const int64_t lead = HotLead("p3");
  PreferencesChange change;
  change.out_of_office = OutOfOfficeInput{T("2026-12-10T00:00:00Z"), T("2026-12-01T00:00:00Z")};
  Status s = SetPrefs(lead, a, change);
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  EXPECT_NE(s.message().find("ends"), std::string::npos);
  change = {};
  change.timezone = "Europe/Nowhere";
  EXPECT_EQ(SetPrefs(lead, a, change).code(), StatusCode::kUnprocessable);
  EXPECT_FALSE(store_->GetContactPrefs(lead).value().ooo_until.has_value());
}

TEST_F(ContactEngineTest, ManagersOverrideWithAReasonAndItIsAudited) {
  UserRecord a = AddUser("Ana");
  UserRecord manager = AddUser("Mia", "sales_manager");
  const int64_t lead = HotLead("p4");
  TouchResult r = Touch(lead, manager, "call", "Ana is sick; the prospect asked for today");
  ASSERT_TRUE(r.touch.has_value());
  EXPECT_EQ(json::parse(r.touch->overridden), json::array({"sla_owner_only"}));
  auto log = store_->ListLeadLog(lead).value();
  ASSERT_EQ(log.back().kind, "touch_override");
  json data = json::parse(log.back().data);
  EXPECT_EQ(data["override_reason"], "Ana is sick; the prospect asked for today");
  EXPECT_EQ(log.back().actor, "user:usr_" + std::to_string(manager.id));
}

TEST_F(ContactEngineTest, SlaRemindsThenBreachesThenReassigns) {
  UserRecord a = AddUser("Ana");
  UserRecord b = AddUser("Ben");
  AddUser("Mia", "sales_manager");
  const int64_t lead = HotLead("p5");
  LeadRecord l = Lead(lead);
  ASSERT_EQ(l.owner_id, a.id);
  ASSERT_EQ(l.priority, "hot");
  // Hot: 15 business minutes; Ana works 09:00-17:30 London (= UTC in November).
  EXPECT_EQ(l.sla_due_at, T("2026-11-23T10:15:00Z"));

  ASSERT_EQ(scheduler_->FireDue(clock_.Now()).value(), 0u);
  clock_.Set(T("2026-11-23T10:08:00Z"));  // past the warning point (50%)
  ASSERT_EQ(scheduler_->FireDue(clock_.Now()).value(), 1u);
  ASSERT_EQ(Outbox("lead.sla_warning").size(), 1u);
  json warning = json::parse(Outbox("lead.sla_warning")[0].payload);
  EXPECT_EQ(warning["data"]["notify"][0]["email"], a.email);
  EXPECT_EQ(scheduler_->FireDue(clock_.Now()).value(), 0u);  // fires once

  clock_.Set(T("2026-11-23T10:16:00Z"));
  ASSERT_EQ(scheduler_->FireDue(clock_.Now()).value(), 1u);
  ASSERT_EQ(Outbox("lead.sla_breached").size(), 1u);
  json breach = json::parse(Outbox("lead.sla_breached")[0].payload);
  EXPECT_EQ(breach["data"]["notify"][0]["email"], "Mia@seller.example");
  EXPECT_NE(breach["data"]["text"].get<std::string>().find("no"), std::string::npos);
  // Reassigned to the next eligible rep, with a fresh clock.
  l = Lead(lead);
  EXPECT_EQ(l.owner_id, b.id);
  EXPECT_EQ(l.sla_due_at, T("2026-11-23T10:31:00Z"));
  auto assignments = store_->ListAssignments(lead).value();
  ASSERT_EQ(assignments.size(), 2u);
  EXPECT_EQ(assignments[0].sla_breached_at, T("2026-11-23T10:16:00Z"));
  EXPECT_TRUE(assignments[0].ended_at.has_value());
  EXPECT_EQ(scheduler_->FireDue(clock_.Now()).value(), 0u);

  // Ben calls in time: met, and no more timers.
  clock_.Set(T("2026-11-23T10:20:00Z"));
  ASSERT_TRUE(Touch(lead, b, "call").touch.has_value());
  clock_.Set(T("2026-11-24T10:00:00Z"));
  EXPECT_EQ(scheduler_->FireDue(clock_.Now()).value(), 0u);
  EXPECT_EQ(Outbox("lead.sla_breached").size(), 1u);

  HygieneReport report = BuildHygieneReport(*store_, TimePoint{}, clock_.Now()).value();
  EXPECT_EQ(report.overall.assigned, 2);
  EXPECT_EQ(report.overall.met, 1);
  EXPECT_EQ(report.overall.breached, 1);
  EXPECT_DOUBLE_EQ(*report.overall.compliance, 0.5);
  EXPECT_DOUBLE_EQ(*report.overall.median_minutes_to_first_touch, 4);
  ASSERT_EQ(report.by_rep.size(), 2u);
  EXPECT_EQ(report.by_rep[0].breached, 1);  // Ana
  EXPECT_EQ(report.by_rep[1].met, 1);       // Ben
}

TEST_F(ContactEngineTest, NotifyOnlyKeepsTheOwner) {
  config_.sla.on_breach = "notify";
  UseEngine();
  UserRecord a = AddUser("Ana");
  AddUser("Ben");
  const int64_t lead = HotLead("p6");
  clock_.Set(T("2026-11-23T12:00:00Z"));
  ASSERT_EQ(scheduler_->FireDue(clock_.Now()).value(), 1u);
  LeadRecord l = Lead(lead);
  EXPECT_EQ(l.owner_id, a.id);
  EXPECT_EQ(l.sla_breached_at, T("2026-11-23T12:00:00Z"));
  // A reminder skipped by a late pass is folded into the breach: one message each.
  EXPECT_EQ(Outbox("lead.sla_breached").size(), 1u);
}

TEST_F(ContactEngineTest, BusinessHoursSlaAcrossADaylightSavingChange) {
  config_.sla.mql = {0, 1};
  UseEngine();
  AddUser("Nora", "sales_rep", "America/New_York");
  // Friday 2026-03-06 17:20 EST: a demo request; hot = 15 business minutes: 10 on
  // Friday, 5 on Monday 2026-03-09 → 09:05 EDT (13:05Z), not 14:05Z as the offset
  // on Friday would say.
  clock_.Set(T("2026-03-06T22:20:00Z"));
  const int64_t lead = HotLead("p7");
  EXPECT_EQ(Lead(lead).sla_due_at, T("2026-03-09T13:05:00Z"));
  clock_.Set(T("2026-03-09T13:04:00Z"));
  scheduler_->FireDue(clock_.Now()).value();
  EXPECT_FALSE(Lead(lead).sla_breached_at.has_value());
  clock_.Set(T("2026-03-09T13:05:00Z"));
  scheduler_->FireDue(clock_.Now()).value();
  EXPECT_EQ(Lead(lead).sla_breached_at, T("2026-03-09T13:05:00Z"));
}

TEST_F(ContactEngineTest, LeakReportListsMqlsNobodyContacted) {
  UserRecord a = AddUser("Ana");
  const int64_t touched = HotLead("p8");
  const int64_t forgotten = HotLead("p9");
  ASSERT_TRUE(Touch(touched, a, "email").touch.has_value());
  auto leaks = store_->NeverTouchedLeads(10).value();
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].id, forgotten);
  EXPECT_EQ(store_->CountNeverTouchedLeads().value(), 1);
  // An inbound reply is not a follow-up: still a leak, but it earns engagement.
  auto txn = store_->BeginLeadTxn().value();
  TouchInput in{Channel::kEmail, Purpose::kSalesOutreach, "inbound", "replied: call me Tuesday"};
  auto before = Lead(forgotten).engagement_ref;
  ASSERT_TRUE(engine_->RecordTouch(*txn, forgotten, Actor{a}, in, clock_.Now()).ok());
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_GT(Lead(forgotten).engagement_ref, before);
  EXPECT_EQ(store_->CountNeverTouchedLeads().value(), 1);
}

TEST_F(ContactEngineTest, AnOptOutSurvivesAMergeAndAnImport) {
  UserRecord a = AddUser("Ana");
  UserRecord marketer = AddUser("Max", "marketing");
  const int64_t lead = HotLead("p10");
  {
    auto txn = store_->BeginLeadTxn().value();
    ASSERT_TRUE(
        engine_->ApplyOptOut(*txn, lead, OptOut::kAllEmail, "one_click", clock_.Now()).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  // An import later claims a marketing consent: recorded, but the withdrawal stands.
  ASSERT_TRUE(GrantMarketing(lead, a, "import", "Trade show list 2026").ok());
  EXPECT_EQ(ConsentState(store_->ListConsents(lead).value(), Purpose::kEmailMarketing),
            "withdrawn");
  // The same person shows up under another id, with a fresh consent on that record;
  // the merge keeps the opt-out.
  clock_.Advance(minutes(5));
  Send(
      R"({"batch":[{"type":"identify","anonymousId":"anon-x","traits":{"email":"other@buyer.example"}}]})");
  const int64_t other =
      store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "anon-x"}).value().value();
  ASSERT_TRUE(GrantMarketing(other, marketer, "form", "Send me the newsletter").ok());
  clock_.Advance(minutes(5));
  Send(R"({"batch":[{"type":"alias","userId":"p10","previousId":"anon-x"}]})");
  const int64_t survivor = store_->ResolveLeadId(other).value().value();
  EXPECT_EQ(survivor, store_->ResolveLeadId(lead).value().value());
  ContactPrefs prefs = store_->GetContactPrefs(survivor).value();
  EXPECT_TRUE(prefs.unsubscribed_at.has_value());
  EXPECT_EQ(ConsentState(store_->ListConsents(survivor).value(), Purpose::kEmailMarketing),
            "withdrawn");
}

}  // namespace
}  // namespace tandem

namespace tandem {
namespace {

TEST_F(ContactEngineTest, TheBrowsersTimeZoneIsTheLeadsUntilItTellsAnother) {
  AddUser("Ana");
  Send(
      R"({"batch":[{"type":"page","anonymousId":"v1","context":{"timezone":"America/Chicago","page":{"path":"/"}}},
      {"type":"identify","anonymousId":"v1","userId":"tz1","traits":{"email":"tz1@buyer.example"},
       "context":{"timezone":"Mars/Base"}}]})");
  const int64_t lead = store_->FindPersonByIdentity({IdentityKind::kUserId, "tz1"}).value().value();
  json traits = json::parse(Lead(lead).traits);
  EXPECT_EQ(traits["timezone"], "America/Chicago");
  Send(R"({"batch":[{"type":"identify","userId":"tz1","traits":{"timezone":"Europe/Vienna"},
       "context":{"timezone":"Asia/Tokyo"}}]})");
  EXPECT_EQ(json::parse(Lead(lead).traits)["timezone"], "Europe/Vienna");
}

// A sender other than the lead engine (an email sender) records its touches through the
// contact service alone: the gate decides, the touch or the refusal is stored, and the
// lead's own record is left to the lead engine.
TEST_F(ContactEngineTest, TheContactServiceRecordsATouchOnItsOwn) {
  UserRecord a = AddUser("Ana");
  const int64_t lead = HotLead("p9");
  const LeadRecord before = Lead(lead);
  ASSERT_EQ(before.owner_id, a.id);
  const ContactService& contacts = engine_->contacts();
  TouchInput in;
  in.channel = Channel::kEmail;
  in.purpose = Purpose::kSalesOutreach;
  auto record = [&]() {
    EXPECT_TRUE(contacts.CheckMayRecordTouch(a, in).ok());
    auto txn = store_->BeginLeadTxn().value();
    ContactStores stores{*txn, *txn, *txn, *txn, *txn};
    const ContactSubject subject = ContactSubjectOf(txn->GetLead(lead).value().value());
    auto outcome = contacts.RecordTouch(stores, subject, a, in, clock_.Now());
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    EXPECT_TRUE(txn->Commit().ok());
    return outcome.ok() ? *outcome : TouchOutcome{};
  };
  TouchOutcome sent = record();
  ASSERT_TRUE(sent.touch.has_value());
  EXPECT_TRUE(sent.decision.allowed);
  EXPECT_EQ(store_->ListTouches(lead, TimePoint{}).value().size(), 1u);
  EXPECT_EQ(Lead(lead).contacted_at, before.contacted_at);

  // The person unsubscribes: the next one is refused and counted for the reports.
  {
    auto txn = store_->BeginLeadTxn().value();
    ASSERT_TRUE(
        engine_->ApplyOptOut(*txn, lead, OptOut::kAllEmail, "unsubscribe_link", clock_.Now()).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  clock_.Advance(hours(1));
  TouchOutcome refused = record();
  EXPECT_FALSE(refused.touch.has_value());
  EXPECT_FALSE(refused.decision.allowed);
  EXPECT_EQ(store_->ListTouches(lead, TimePoint{}).value().size(), 1u);
  EXPECT_EQ(store_->CountRefusals(TimePoint{}).value().total, 1);
}

}  // namespace
}  // namespace tandem
