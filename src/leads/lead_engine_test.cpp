// The lead engine end to end on a real SQLite file: events in, through the pipeline,
// to scores, stages, owners, logs and outbox messages. Time is a ManualClock.
#include "leads/lead_engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/open_store.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/rescore.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "testing/append_batch.h"
#include "testing/test_store.h"

namespace tandem {
namespace {

class LeadEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
    source_id_ = store_->CreateSource("Web", "k", clock_.Now())->id;
    config_.webhooks = {{"http://127.0.0.1:9/hook", "0123456789abcdef", {}}};
    UseEngine();
  }

  void UseEngine() {
    engine_ = std::make_unique<LeadEngine>(config_.scoring, config_.routing, config_.webhooks,
                                           ContactConfig{}, SlaConfig{}, OwnerBriefFor);
    EventPipeline::Options options;
    options.leads = engine_.get();
    pipeline_ = std::make_unique<EventPipeline>(*store_, clock_, metrics_, options);
  }

  int64_t AddRep(const std::string& email, int capacity, const std::string& team = "sales",
                 const std::string& role = "sales_rep") {
    UserRecord u;
    u.email = email;
    u.name = email;
    u.role = *ParseRole(role);
    u.team = team;
    u.capacity = capacity;
    u.created_at = u.updated_at = clock_.Now();
    return store_->CreateUser(u)->id;
  }

  void Send(const std::string& batch_json) {
    Status s = testing::AppendBatch(*store_, parser_, source_id_, clock_.Now(), batch_json);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void SendAndProcess(const std::string& batch_json) {
    Send(batch_json);
    Status s = pipeline_->Drain();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  LeadRecord LeadOf(const std::string& user_id) {
    auto person = store_->FindPersonByIdentity({IdentityKind::kUserId, user_id}).value();
    EXPECT_TRUE(person.has_value()) << user_id;
    auto lead = store_->GetLead(person.value_or(0)).value();
    EXPECT_TRUE(lead.has_value()) << user_id;
    return lead.value_or(LeadRecord{});
  }

  ScoreExplanation ScoreOf(const LeadRecord& lead) {
    return engine_->ExplainScore(store_->ListScoreItems(lead.id).value(), clock_.Now()).value();
  }

  std::vector<std::string> LogKinds(int64_t lead_id) {
    std::vector<std::string> kinds;
    auto log = store_->ListLeadLog(lead_id).value();
    for (auto& e : log) kinds.push_back(e.kind);
    return kinds;
  }

  static std::string Identify(const std::string& user, const std::string& email,
                              const std::string& extra = "") {
    return fmt::format(R"({{"type":"identify","userId":"{}","traits":{{"email":"{}"{}}}}})", user,
                       email, extra);
  }

  testing::TestStore dir_;
  ManualClock clock_{*ParseIsoTime("2026-11-22T10:00:00Z")};
  Metrics metrics_;
  SegmentParser parser_;
  Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LeadEngine> engine_;
  std::unique_ptr<EventPipeline> pipeline_;
  int64_t source_id_ = 0;
};

TEST_F(LeadEngineTest, AnonymousVisitorIsNoLeadUntilItGivesAnEmail) {
  AddRep("rep@x", 10);
  SendAndProcess(R"({"batch":[{"type":"page","anonymousId":"a1","name":"Home",
      "context":{"page":{"path":"/","url":"https://x.example/?utm_source=google","referrer":"https://www.google.com/"},
                 "campaign":{"source":"google","medium":"cpc","name":"sem-buyers","term":"lead scoring"}}},
      {"type":"page","anonymousId":"a1","name":"Pricing","context":{"page":{"path":"/pricing","url":"https://x.example/pricing","referrer":"https://x.example/"}}}]})");
  EXPECT_EQ(store_->CountLeads().value(), 0);
  SendAndProcess(R"({"batch":[{"type":"identify","anonymousId":"a1","userId":"u1",
      "traits":{"email":"Ada@Acme.example","name":"Ada L","title":"Head of Marketing","company":"Acme","employees":300}}]})");
  LeadRecord lead = LeadOf("u1");
  EXPECT_EQ(lead.email, "ada@acme.example");
  EXPECT_EQ(lead.company_name, "Acme");
  EXPECT_EQ(lead.account_domain, "acme.example");
  nlohmann::json first = nlohmann::json::parse(lead.first_touch);
  EXPECT_EQ(first["source"], "google");
  EXPECT_EQ(first["medium"], "cpc");
  EXPECT_EQ(first["campaign"], "sem-buyers");
  EXPECT_EQ(first["term"], "lead scoring");
  EXPECT_EQ(first["landing_page"], "/");
  // Fit from the traits (decision maker 15 + 50+ company 10 + named 5); engagement from
  // the two anonymous page views stitched onto the lead (1 + 1 + pricing 10).
  ScoreExplanation score = ScoreOf(lead);
  EXPECT_EQ(score.fit, 30);
  EXPECT_EQ(score.engagement, 12);
  EXPECT_EQ(lead.stage, Stage::kLead);  // engagement 12 < 25
  EXPECT_FALSE(lead.owner_id);
}

TEST_F(LeadEngineTest, ThresholdsMakeMqlAndRouteOnce) {
  int64_t rep = AddRep("rep@x", 10);
  SendAndProcess("{\"batch\":[" + Identify("u1", "vp@big.example", R"(,"title":"VP Sales")") +
                 "]}");
  EXPECT_EQ(LeadOf("u1").stage, Stage::kLead);
  for (int i = 0; i < 2; ++i) {
    SendAndProcess(R"({"batch":[{"type":"track","userId":"u1","event":"Content Downloaded"}]})");
  }
  LeadRecord lead = LeadOf("u1");
  EXPECT_EQ(lead.stage, Stage::kMql);  // fit 15, engagement 30
  EXPECT_EQ(lead.priority, "mql");
  EXPECT_EQ(lead.owner_id, rep);
  auto assignments = store_->ListAssignments(lead.id).value();
  ASSERT_EQ(assignments.size(), 1u);
  EXPECT_EQ(assignments[0].rule, "default");
  EXPECT_NE(assignments[0].candidates.find("rep@x"), std::string::npos);
  // More events do not re-route.
  SendAndProcess(R"({"batch":[{"type":"track","userId":"u1","event":"Content Downloaded"}]})");
  EXPECT_EQ(store_->ListAssignments(lead.id)->size(), 1u);
  auto kinds = LogKinds(lead.id);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "stage_changed"), kinds.end());
}

TEST_F(LeadEngineTest, HandRaiseIsHotAtOnce) {
  int64_t rep = AddRep("rep@x", 10);
  SendAndProcess("{\"batch\":[" + Identify("u1", "jo@small.example") +
                 R"(,{"type":"track","userId":"u1","event":"Demo Requested"}]})");
  LeadRecord lead = LeadOf("u1");
  EXPECT_EQ(lead.stage, Stage::kMql);
  EXPECT_EQ(lead.priority, "hot");
  EXPECT_EQ(lead.owner_id, rep);
  // lead.created, lead.mql, lead.stage_changed, lead.assigned, in that order.
  auto due = store_->DueDeliveries(clock_.Now(), 100).value();
  ASSERT_EQ(due.size(), 1u);  // one at a time per lead
  EXPECT_EQ(due[0].message.type, "lead.created");
}

TEST_F(LeadEngineTest, EngagementDecaysWithTheClock) {
  SendAndProcess("{\"batch\":[" + Identify("u1", "a@b.example") +
                 R"(,{"type":"track","userId":"u1","event":"Webinar Attended"}]})");
  LeadRecord lead = LeadOf("u1");
  EXPECT_EQ(ScoreOf(lead).engagement, 20);
  clock_.Advance(std::chrono::hours(24 * 30));
  EXPECT_EQ(ScoreOf(lead).engagement, 10);
  clock_.Advance(std::chrono::hours(24 * 30));
  ScoreExplanation later = ScoreOf(lead);
  EXPECT_EQ(later.engagement, 5);
  ASSERT_FALSE(later.items.empty());
  EXPECT_EQ(later.items.back().item.points, 20);
  EXPECT_EQ(later.items.back().decayed_points, 5);
}

TEST_F(LeadEngineTest, CapPerDayLimitsRepeatedEvents) {
  SendAndProcess("{\"batch\":[" + Identify("u1", "a@b.example") + R"(,
      {"type":"page","userId":"u1","name":"A"},{"type":"page","userId":"u1","name":"B"},
      {"type":"page","userId":"u1","name":"C"},{"type":"page","userId":"u1","name":"D"},
      {"type":"page","userId":"u1","name":"E"},{"type":"page","userId":"u1","name":"F"},
      {"type":"page","userId":"u1","name":"G"}]})");
  EXPECT_EQ(ScoreOf(LeadOf("u1")).engagement, 5);  // page view: 1 point, at most 5 a day
}

TEST_F(LeadEngineTest, AnOversizedCompanyDomainOrEmailMakesNoAccountAndNeverStallsProcessing) {
  // Longer than an index entry can be on PostgreSQL (about 2.7 KB), and letters that do
  // not compress (PostgreSQL compresses a long index entry first).
  auto letters = [](size_t n, uint32_t seed) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      seed = seed * 1103515245u + 12345u;
      out.push_back(static_cast<char>('a' + (seed >> 16) % 26));
    }
    return out;
  };
  const std::string huge_domain = letters(30000, 1) + ".example";
  const std::string huge_email = letters(3000, 2) + "@" + letters(3000, 3) + ".example";
  Send("{\"batch\":[" +
       Identify("u1", "ada@acme.example", R"(,"company":{"domain":")" + huge_domain + "\"}") +
       "]}");
  Send(
      "{\"batch\":[" +
      Identify("u2", "bob@beta.example", R"(,"company":{"domain":"Not A Host!"})") + "," +
      Identify("u3", "cy@gamma.example", R"(,"company":{"domain":"https://www.Gamma.example/x"})") +
      "]}");
  Send("{\"batch\":[" + Identify("u3", huge_email) + "]}");
  Status drained = pipeline_->Drain();
  ASSERT_TRUE(drained.ok()) << drained.ToString();
  EXPECT_EQ(*store_->CountUnprocessedEvents(), 0);
  EXPECT_EQ(LeadOf("u1").account_domain, "acme.example") << "the email's domain instead";
  EXPECT_EQ(LeadOf("u2").account_domain, "beta.example");
  LeadRecord gamma = LeadOf("u3");
  EXPECT_EQ(gamma.account_domain, "gamma.example");
  EXPECT_EQ(gamma.email, "cy@gamma.example") << "an address over 254 characters is not used";
}

TEST_F(LeadEngineTest, SameAccountGoesToTheAccountOwner) {
  AddRep("a@x", 10);
  AddRep("b@x", 10);
  SendAndProcess("{\"batch\":[" + Identify("u1", "one@acme.example") +
                 R"(,{"type":"track","userId":"u1","event":"Demo Requested"}]})");
  SendAndProcess("{\"batch\":[" + Identify("u2", "two@acme.example") +
                 R"(,{"type":"track","userId":"u2","event":"Demo Requested"}]})");
  LeadRecord one = LeadOf("u1"), two = LeadOf("u2");
  EXPECT_EQ(one.owner_id, two.owner_id);
  EXPECT_EQ(store_->ListAssignments(two.id)->at(0).rule, "account_match");
  // Free-mail addresses are no account.
  SendAndProcess("{\"batch\":[" + Identify("u3", "x@gmail.com") +
                 R"(,{"type":"track","userId":"u3","event":"Demo Requested"}]})");
  EXPECT_EQ(LeadOf("u3").account_domain, "");
  EXPECT_NE(LeadOf("u3").owner_id, one.owner_id);  // round robin's next
}

TEST_F(LeadEngineTest, OutOfOfficeRepsAreSkippedAndFullTeamsQueue) {
  int64_t away = AddRep("away@x", 10);
  int64_t here = AddRep("here@x", 1);
  UserRecord u = store_->GetUser(away).value().value();
  u.ooo_from = clock_.Now() - std::chrono::hours(1);
  u.ooo_until = clock_.Now() + std::chrono::hours(48);
  ASSERT_TRUE(store_->UpdateUser(u).ok());
  SendAndProcess("{\"batch\":[" + Identify("u1", "a@one.example") +
                 R"(,{"type":"track","userId":"u1","event":"Demo Requested"}]})");
  LeadRecord first = LeadOf("u1");
  EXPECT_EQ(first.owner_id, here);
  std::string candidates = store_->ListAssignments(first.id)->at(0).candidates;
  EXPECT_NE(candidates.find("out_of_office"), std::string::npos) << candidates;
  // `here` is now at capacity (1 open lead) and `away` is away: the lead waits.
  SendAndProcess("{\"batch\":[" + Identify("u2", "b@two.example") +
                 R"(,{"type":"track","userId":"u2","event":"Demo Requested"}]})");
  LeadRecord second = LeadOf("u2");
  EXPECT_FALSE(second.owner_id);
  EXPECT_TRUE(second.queued);
  auto kinds = LogKinds(second.id);
  EXPECT_EQ(kinds.back(), "queued");
}

TEST_F(LeadEngineTest, RoutingRulesPickTheTeamAndFallbackCatchesTheRest) {
  Condition big;
  big.field = "company.size";
  big.op = ConditionOp::kGte;
  big.number = 1000;
  config_.routing.rules = {{"enterprise", {big}, "enterprise", 1}};
  config_.routing.fallback_team = "sales";
  UseEngine();
  int64_t ent = AddRep("ent@x", 1, "enterprise");
  int64_t smb = AddRep("smb@x", 10, "sales");
  SendAndProcess("{\"batch\":[" +
                 Identify("u1", "a@bigco.example", R"(,"company":{"name":"Big","size":5000})") +
                 R"(,{"type":"track","userId":"u1","event":"Demo Requested"}]})");
  EXPECT_EQ(LeadOf("u1").owner_id, ent);
  SendAndProcess("{\"batch\":[" +
                 Identify("u2", "b@bigger.example", R"(,"company":{"name":"Bigger","size":9000})") +
                 R"(,{"type":"track","userId":"u2","event":"Demo Requested"}]})");
  LeadRecord second = LeadOf("u2");
  EXPECT_EQ(second.owner_id, smb);  // enterprise is full: the fallback team
  EXPECT_EQ(store_->ListAssignments(second.id)->at(0).rule, "fallback");
}

TEST_F(LeadEngineTest, OutcomesAndReassignmentKeepOneOwner) {
  int64_t a = AddRep("a@x", 10);
  int64_t b = AddRep("b@x", 10);
  int64_t manager = AddRep("m@x", 0, "sales", "sales_manager");
  SendAndProcess("{\"batch\":[" + Identify("u1", "a@one.example") +
                 R"(,{"type":"track","userId":"u1","event":"Demo Requested"}]})");
  LeadRecord lead = LeadOf("u1");
  ASSERT_EQ(lead.owner_id, a);
  Actor rep_b{store_->GetUser(b).value()};
  Actor boss{store_->GetUser(manager).value()};
  {
    auto txn = store_->BeginLeadTxn().value();
    auto refused =
        engine_->RecordOutcome(*txn, lead.id, rep_b, {"accepted", "", {}, {}}, clock_.Now());
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
    auto moved = engine_->Reassign(*txn, lead.id, boss, b, "a is on leave", clock_.Now());
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto assignments = store_->ListAssignments(lead.id).value();
  ASSERT_EQ(assignments.size(), 2u);
  EXPECT_TRUE(assignments[0].ended_at.has_value());
  EXPECT_FALSE(assignments[1].ended_at.has_value());
  EXPECT_EQ(assignments[1].user_id, b);
  EXPECT_EQ(assignments[1].reason, "a is on leave");
  {
    auto txn = store_->BeginLeadTxn().value();
    auto recycled = engine_->RecordOutcome(
        *txn, lead.id, rep_b,
        {"recycled", "no budget this year", {}, clock_.Now() + std::chrono::hours(24 * 90)},
        clock_.Now());
    ASSERT_TRUE(recycled.ok()) << recycled.status().ToString();
    ASSERT_TRUE(txn->Commit().ok());
  }
  LeadRecord after = store_->GetLead(lead.id).value().value();
  EXPECT_EQ(after.stage, Stage::kRecycled);
  EXPECT_FALSE(after.owner_id);
  EXPECT_EQ(after.stage_reason, "no budget this year");
  EXPECT_TRUE(store_->ListAssignments(lead.id)->back().ended_at.has_value());
}

// A command that makes leads (the demo, an import) records the rules it scores under,
// so the server's first start does not rescore a new workspace.
TEST_F(LeadEngineTest, ANewWorkspaceRecordsItsRulesAndIsNotRescoredOnStart) {
  EXPECT_EQ(RescoreIfNeeded(*store_, *engine_, clock_).value(), 0u);
  SendAndProcess("{\"batch\":[" + Identify("u1", "a@b.example") + "]}");
  EXPECT_FALSE(RescoreNeeded(*store_, *engine_).value());
  config_.scoring.engagement = {};
  UseEngine();
  EXPECT_TRUE(RescoreNeeded(*store_, *engine_).value());
  EXPECT_EQ(RescoreIfNeeded(*store_, *engine_, clock_).value(), 1u);
  EXPECT_FALSE(RescoreNeeded(*store_, *engine_).value());
}

TEST_F(LeadEngineTest, RescoreAppliesChangedRulesToHistory) {
  SendAndProcess(
      "{\"batch\":[" + Identify("u1", "a@b.example") +
      R"(,{"type":"page","userId":"u1","name":"Jobs","context":{"page":{"path":"/careers/eng"}}}]})");
  EXPECT_EQ(ScoreOf(LeadOf("u1")).engagement, -9);  // page view 1, careers -10
  config_.scoring.engagement = {};
  EngagementRule jobs;
  jobs.name = "jobs";
  jobs.path = "/careers*";
  jobs.points = 7;
  config_.scoring.engagement.push_back(jobs);
  UseEngine();
  EXPECT_TRUE(RescoreNeeded(*store_, *engine_).value());
  EXPECT_EQ(RescoreAll(*store_, *engine_, clock_).value(), 1u);
  EXPECT_EQ(ScoreOf(LeadOf("u1")).engagement, 7);
  EXPECT_FALSE(RescoreNeeded(*store_, *engine_).value());
}

TEST_F(LeadEngineTest, ConcurrentEventsNeverGiveALeadTwoOwners) {
  for (int i = 0; i < 4; ++i) AddRep(fmt::format("rep{}@x", i), 1000);
  pipeline_->Start();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      SegmentParser parser;  // one per thread
      for (int i = 0; i < 40; ++i) {
        int person = (t + i) % 6;
        int account = person % 3;
        std::string batch = fmt::format(
            R"({{"batch":[{{"type":"identify","userId":"p{0}","traits":{{"email":"p{0}@acct{1}.example","title":"Director"}}}},
                {{"type":"track","userId":"p{0}","event":"{2}"}}]}})",
            person, account, i % 5 == 0 ? "Demo Requested" : "Content Downloaded");
        std::string body = batch;
        auto parsed =
            parser.Parse(IngestRequest{IngestCall::kBatch, body, clock_.Now(), "127.0.0.1"});
        ASSERT_TRUE(parsed.ok());
        for (auto& e : parsed->events) e.source_id = source_id_;
        ASSERT_TRUE(store_->AppendEvents(parsed->events).ok());
        pipeline_->Notify();
      }
    });
  }
  for (auto& th : threads) th.join();
  pipeline_->Stop();
  ASSERT_TRUE(pipeline_->Drain().ok());
  int leads_checked = 0;
  auto ids = store_->ListLeadIds().value();
  for (int64_t id : ids) {
    auto maybe = store_->GetLead(id).value();
    ASSERT_TRUE(maybe.has_value())
        << "lead " << id << " listed but not found; count " << store_->CountLeads().value();
    LeadRecord lead = *maybe;
    auto assignments = store_->ListAssignments(id).value();
    int open = 0;
    for (size_t i = 0; i < assignments.size(); ++i) {
      if (!assignments[i].ended_at) ++open;
      if (i > 0) {
        ASSERT_TRUE(assignments[i - 1].ended_at.has_value());
        EXPECT_LE(*assignments[i - 1].ended_at, assignments[i].started_at);
      }
    }
    EXPECT_LE(open, 1);
    if (lead.owner_id) {
      ASSERT_EQ(open, 1);
      EXPECT_EQ(assignments.back().user_id, *lead.owner_id);
    }
    // Every point is explained.
    ScoreExplanation score = ScoreOf(lead);
    double sum = 0;
    for (auto& item : score.items) sum += item.decayed_points;
    EXPECT_NEAR(sum, score.total, 1e-9);
    ++leads_checked;
  }
  EXPECT_EQ(leads_checked, 6);
  // Same account, same owner.
  std::map<std::string, std::set<int64_t>> owners;
  for (int64_t id : ids) {
    LeadRecord lead = store_->GetLead(id).value().value();
    if (lead.owner_id) owners[lead.account_domain].insert(*lead.owner_id);
  }
  for (auto& [domain, set] : owners) EXPECT_EQ(set.size(), 1u) << domain;
}

// Routing by account reads the account's owner from account_owners
// (store/schema/*/0019_pipeline_lookups.sql), kept as leads are assigned, reassigned,
// released and moved to another account; it equals what its back-fill makes of leads
// and assignments, before and after a migration.
TEST_F(LeadEngineTest, TheAccountOwnerIsKeptAsLeadsAreAssignedAndReleased) {
  const int64_t a = AddRep("a@x", 10), b = AddRep("b@x", 10), c = AddRep("c@x", 10);
  const Actor boss{store_->GetUser(AddRep("m@x", 0, "sales", "sales_manager")).value()};
  auto demo = [&](const std::string& user, const std::string& email) {
    clock_.Advance(std::chrono::minutes(3));
    SendAndProcess("{\"batch\":[" + Identify(user, email) + R"(,{"type":"track","userId":")" +
                   user + R"(","event":"Demo Requested"}]})");
    return LeadOf(user);
  };
  auto in_txn = [&](auto act) {
    clock_.Advance(std::chrono::minutes(3));
    auto txn = store_->BeginLeadTxn().value();
    auto done = act(*txn);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    ASSERT_TRUE(txn->Commit().ok());
  };
  const LeadRecord one = demo("u1", "one@acme.example");
  ASSERT_EQ(one.owner_id, a);
  EXPECT_EQ(demo("u2", "two@acme.example").owner_id, a) << "the account's owner";
  // Given to c by hand, u2 makes c the owner of the account's latest assignment.
  in_txn([&](LeadTxn& txn) {
    return engine_->Reassign(txn, LeadOf("u2").id, boss, c, "c knows them", clock_.Now());
  });
  EXPECT_EQ(demo("u3", "three@acme.example").owner_id, c);
  // u2 and u3 rejected: their owner lets go; the account is a's again.
  for (const char* user : {"u2", "u3"}) {
    in_txn([&](LeadTxn& txn) {
      return engine_->RecordOutcome(txn, LeadOf(user).id, boss, {"rejected", "student", {}, {}},
                                    clock_.Now());
    });
  }
  EXPECT_EQ(demo("u4", "four@acme.example").owner_id, a);
  // u1 and u4 move to another company: acme has no owner left; round robin goes on to b.
  for (const char* user : {"u1", "u4"}) {
    SendAndProcess("{\"batch\":[" + Identify(user, std::string(user) + "@beta.example") + "]}");
    EXPECT_EQ(LeadOf(user).account_domain, "beta.example");
  }
  EXPECT_EQ(demo("u5", "five@acme.example").owner_id, b);
  EXPECT_EQ(demo("u6", "six@beta.example").owner_id, a);

  auto rows = [&](const std::string& sql) {
    std::vector<std::string> out;
    auto db = dir_.OpenDb();
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return out;
    auto stmt = (*db)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return out;
    for (;;) {
      auto row = (*stmt)->Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      out.push_back(fmt::format("{} {} {} {}", (*stmt)->Int(0), (*stmt)->Text(1), (*stmt)->Int(2),
                                (*stmt)->Int(3)));
    }
    return out;
  };
  const std::string kept =
      "SELECT lead_id, account_domain, owner_id, started_at FROM account_owners ORDER BY lead_id";
  const std::vector<std::string> live = rows(kept);
  EXPECT_EQ(live,
            rows("SELECT l.id, l.account_domain, l.owner_id, a.started_at FROM leads l JOIN "
                 "assignments a ON a.lead_id = l.id AND a.ended_at IS NULL WHERE l.account_domain "
                 "<> '' AND l.owner_id IS NOT NULL ORDER BY l.id"));
  ASSERT_EQ(live.size(), 4u) << "u1, u4, u6 at beta; u5 at acme";

  pipeline_.reset();
  engine_.reset();
  store_.reset();
  Status undone = dir_.RunSql(
      std::string(testing::kUndoVersion26) +
      "DROP TABLE account_owners; DROP INDEX leads_owner_stage; DROP INDEX persons_merged_into; "
      "DROP TABLE speed_days; DROP TABLE lead_outcomes; DROP TABLE outcome_days; "
      "DROP TABLE attributed_deals; DROP TABLE attributed_touches; DROP TABLE attribution_days; "
      "DELETE FROM schema_migrations WHERE version >= 19;");
  ASSERT_TRUE(undone.ok()) << undone.ToString();
  store_ = std::move(OpenStore(dir_.Url(), StoreOptions{}).value());
  EXPECT_EQ(rows(kept), live);
}

}  // namespace
}  // namespace tandem
