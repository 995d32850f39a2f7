// The fixture of the analytics facts tests (analytics_facts_test.cpp,
// analytics_recount_test.cpp), on SQLite and on PostgreSQL (the "postgres/" entries): a
// store with a team of reps, the fixed-seed workload through the real pipeline, the reps
// working its leads, and the facts read back.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "analytics/attribution.h"
#include "analytics/facts/touchpoint.h"
#include "analytics/outcomes.h"
#include "analytics/speed_to_lead.h"
#include "app/open_store.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "leads/lead_engine.h"
#include "leads/lifecycle.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "store/schema/schema.h"
#include "testing/append_batch.h"
#include "testing/test_store.h"
#include "workload/workload.h"

namespace tandem {

constexpr TimePoint kStart = TimePoint(std::chrono::milliseconds(1'767'225'600'000));  // 2026-01

// The value of a read, by value: a range-for over it keeps it alive.
template <typename T>
T Get(StatusOr<T> read) {
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  return std::move(read).value();
}

struct Facts {
  std::vector<StageTransition> transitions;
  std::vector<Touchpoint> touchpoints;
};

class AnalyticsFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    source_id_ = store_->CreateSource("Web", "k", clock_.Now())->id;
    for (int i = 0; i < 3; ++i) {
      UserRecord u;
      u.email = fmt::format("rep{}@tandem.example", i);
      u.name = u.email;
      u.role = i == 0 ? Role::kSalesManager : Role::kSalesRep;
      u.team = "sales";
      u.capacity = 100000;
      u.created_at = u.updated_at = clock_.Now();
      users_.push_back(store_->CreateUser(u).value());
    }
  }

  void Open(const StoreOptions& store_options = {}) {
    pipeline_.reset();
    store_.reset();
    auto store = OpenStore(dir_.Url(), store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    EventPipeline::Options options;
    options.leads = &engine_;
    pipeline_ = std::make_unique<EventPipeline>(*store_, clock_, metrics_, options);
  }

  void Send(const std::vector<std::string>& messages) {
    for (size_t i = 0; i < messages.size(); i += 200) {
      std::string batch = "{\"batch\":[";
      for (size_t j = i; j < std::min(messages.size(), i + 200); ++j) {
        batch += (j > i ? "," : "") + messages[j];
      }
      batch += "]}";
      Status s = testing::AppendBatch(*store_, parser_, source_id_, clock_.Now(), batch);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  void Process() {
    Status s = pipeline_->Drain();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // `messages` of the fixed-seed workload (a third of the visitors identify), stored and
  // processed; the generator goes on from there.
  WorkloadGenerator Traffic(uint64_t seed, int messages) {
    WorkloadGenerator workload(seed, kStart);
    workload.set_identify_rate(0.3);
    Send(workload.Messages(messages));
    Process();
    return workload;
  }

  // Sales works the qualified leads by hand: each a different way down the funnel.
  void WorkTheLeads() {
    const Actor manager{users_[0]};
    int n = 0;
    for (int64_t id : Get(store_->ListLeadIds())) {
      if (store_->GetLead(id).value()->stage != Stage::kMql) continue;
      clock_.Advance(std::chrono::minutes(7));
      auto txn = store_->BeginLeadTxn().value();
      auto outcome = [&](std::string disposition, std::string reason = "",
                         std::optional<double> amount = std::nullopt) {
        auto done = engine_.RecordOutcome(
            *txn, id, manager, Outcome{disposition, reason, amount, std::nullopt}, clock_.Now());
        ASSERT_TRUE(done.ok()) << disposition << ": " << done.status().ToString();
      };
      switch (n++ % 4) {
        case 0:
          outcome("accepted");
          outcome("qualified");
          outcome("opportunity", "", 1200.50);
          outcome("won", "", 1300);
          break;
        case 1:
          outcome("rejected", "student");
          break;
        case 2: {
          auto moved = engine_.ChangeStage(*txn, id, manager, Stage::kSal, "called back",
                                           std::nullopt, clock_.Now());
          ASSERT_TRUE(moved.ok()) << moved.status().ToString();
          outcome("lost", "no_budget");
          break;
        }
        default:
          break;  // left for later
      }
      ASSERT_TRUE(txn->Commit().ok());
    }
  }

  Facts ReadFacts() {
    Facts facts;
    FactRange range{TimePoint{}, kStart + std::chrono::hours(24 * 3650), std::nullopt, 500};
    for (;;) {
      auto page = store_->ListStageTransitions(range).value();
      if (page.empty()) break;
      range.after = FactRange::After{page.back().at, page.back().id};
      for (StageTransition& t : page) {
        t.id = 0;  // numbered by each writer
        facts.transitions.push_back(std::move(t));
      }
    }
    range.after.reset();
    for (;;) {
      auto page = store_->ListTouchpoints(range).value();
      if (page.empty()) break;
      range.after = FactRange::After{page.back().at, page.back().event_id};
      facts.touchpoints.insert(facts.touchpoints.end(), page.begin(), page.end());
    }
    return facts;
  }

  // Owners answer their MQLs after 0 minutes to a day and a half, some not at all.
  void AnswerTheMqls() {
    int n = 0;
    for (int64_t id : Get(store_->ListLeadIds())) {
      const LeadRecord lead = store_->GetLead(id).value().value();
      if (lead.stage != Stage::kMql || !lead.owner_id || n++ % 4 == 3) continue;
      clock_.Advance(std::chrono::minutes(n * 97 % 2200));
      auto txn = store_->BeginLeadTxn().value();
      const auto owner = std::find_if(users_.begin(), users_.end(),
                                      [&](const UserRecord& u) { return u.id == *lead.owner_id; });
      ASSERT_NE(owner, users_.end());
      TouchInput email{Channel::kEmail, Purpose::kSalesOutreach, "outbound", "Sent the guide"};
      ASSERT_TRUE(engine_.RecordTouch(*txn, id, Actor{*owner}, email, clock_.Now()).ok());
      ASSERT_TRUE(txn->Commit().ok());
    }
  }

  // The database as version 9 left it (the tables and indexes of 10 and later undone),
  // then opened (and so migrated) again.
  void MigrateFromVersion9() {
    pipeline_.reset();
    store_.reset();
    Status dropped = dir_.RunSql(
        std::string(testing::kUndoVersion26) +
        "DROP TABLE touchpoints; DROP TABLE stage_transitions; DROP TABLE inbound_messages; "
        "DROP INDEX email_sends_broadcast_reason; DROP TABLE email_bodies; "
        "DROP TABLE sequence_step_runs; DROP TABLE sequence_enrolments; DROP TABLE sequence_steps; "
        "DROP TABLE sequences; "
        "ALTER TABLE leads DROP COLUMN country; ALTER TABLE leads DROP COLUMN company_size; "
        "DROP TABLE lead_funnel; DROP TABLE funnel_days; DROP TABLE velocity_days; "
        "DROP TABLE mql_responses; DROP TABLE account_owners; DROP INDEX leads_owner_stage; DROP "
        "INDEX persons_merged_into; DROP TABLE speed_days; DROP TABLE lead_outcomes; DROP TABLE "
        "outcome_days; "
        "DROP TABLE attributed_deals; DROP TABLE attributed_touches; DROP TABLE attribution_days; "
        "DROP TABLE email_engagements; ALTER TABLE email_sends DROP COLUMN opens; "
        "ALTER TABLE email_sends DROP COLUMN machine_opens; "
        "ALTER TABLE email_sends DROP COLUMN clicks; "
        "ALTER TABLE email_sends DROP COLUMN first_opened_at; "
        "ALTER TABLE email_sends DROP COLUMN first_clicked_at; "
        "ALTER TABLE email_sends ADD COLUMN html TEXT NOT NULL DEFAULT ''; "
        "ALTER TABLE email_sends ADD COLUMN text TEXT NOT NULL DEFAULT ''; "
        "CREATE INDEX email_sends_broadcast ON email_sends(broadcast_id, status); "
        "DELETE FROM schema_migrations WHERE version >= 10;");
    ASSERT_TRUE(dropped.ok()) << dropped.ToString();
    Open();
    EXPECT_EQ(store_->SchemaVersion().value(), schema::SqliteMigrations().back().version);
  }

  static void ExpectSame(const Facts& backfilled, const Facts& live) {
    ASSERT_EQ(backfilled.transitions.size(), live.transitions.size());
    for (size_t i = 0; i < live.transitions.size(); ++i) {
      EXPECT_EQ(backfilled.transitions[i], live.transitions[i]) << "transition " << i;
    }
    ASSERT_EQ(backfilled.touchpoints.size(), live.touchpoints.size());
    for (size_t i = 0; i < live.touchpoints.size(); ++i) {
      EXPECT_EQ(backfilled.touchpoints[i], live.touchpoints[i])
          << "touchpoint of event " << live.touchpoints[i].event_id;
    }
  }

  // The campaign of a person's first touchpoint, from its raw events (not the facts).
  std::string FirstCampaign(int64_t person_id) {
    std::optional<Touchpoint> first;
    for (const StoredEvent& e : Get(store_->PersonEvents(person_id, 100000))) {
      auto t = TouchpointOf(e);
      if (t && (!first || std::pair(t->at, t->event_id) < std::pair(first->at, first->event_id))) {
        first = t;
      }
    }
    return first ? first->campaign : "";
  }

  testing::TestStore dir_;
  ManualClock clock_{kStart};
  Metrics metrics_;
  LeadEngine engine_{DefaultScoring(), RoutingConfig{}, {},
                     ContactConfig{},  SlaConfig{},     OwnerBriefFor};
  SegmentParser parser_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventPipeline> pipeline_;
  int64_t source_id_ = 0;
  std::vector<UserRecord> users_;
};

}  // namespace tandem
