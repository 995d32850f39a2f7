// The analytics facts on SQLite and on PostgreSQL (the "postgres/" entries): the
// stage transitions and touchpoints written as things happen equal what the schema's
// back-fill (store/schema/*/0010_analytics.sql) makes of the same history, and a
// database of the version before them gets them by migrating.
//
// The back-fill runs the way it runs for users: the fact tables are dropped and the
// schema set back to version 9, and opening the store migrates it again.
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
namespace {

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

  void Open() {
    pipeline_.reset();
    store_.reset();
    auto store = OpenStore(dir_.Url(), StoreOptions{});
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
        "DROP TABLE touchpoints; DROP TABLE stage_transitions; DROP TABLE inbound_messages; "
        "DROP INDEX email_sends_broadcast_reason; DROP TABLE email_bodies; "
        "DROP TABLE sequence_step_runs; DROP TABLE sequence_enrolments; DROP TABLE sequence_steps; "
        "DROP TABLE sequences; "
        "ALTER TABLE leads DROP COLUMN country; ALTER TABLE leads DROP COLUMN company_size; "
        "DROP TABLE lead_funnel; DROP TABLE funnel_days; DROP TABLE velocity_days; "
        "DROP TABLE mql_responses; "
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

TEST_F(AnalyticsFactsTest, LiveFactsEqualTheBackfillOfTheSameHistory) {
  Traffic(19, 2500);
  WorkTheLeads();
  const Facts live = ReadFacts();

  // The workload made facts of every kind, by the system and by users.
  ASSERT_GT(live.touchpoints.size(), 200u);
  auto has = [&](auto pred) {
    return std::any_of(live.touchpoints.begin(), live.touchpoints.end(), pred);
  };
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.form.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.content_item.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.term.empty(); }));
  EXPECT_TRUE(has([](const Touchpoint& t) { return !t.referrer_domain.empty(); }));
  auto by = [&](auto pred) {
    return std::count_if(live.transitions.begin(), live.transitions.end(), pred);
  };
  EXPECT_GT(by([](const StageTransition& t) { return !t.by_user_id && t.to == Stage::kMql; }), 3);
  EXPECT_GT(by([](const StageTransition& t) {
              return t.to == Stage::kCustomer && t.by_user_id && t.cause == "outcome: won";
            }),
            0);
  EXPECT_GT(by([&](const StageTransition& t) {
              return t.to == Stage::kDisqualified && t.reason == "student" &&
                     t.by_user_id == users_[0].id;
            }),
            0);
  EXPECT_GT(by([](const StageTransition& t) { return t.cause == "manual"; }), 0);

  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

TEST_F(AnalyticsFactsTest, EventsStoredBeforeTheMigrationAndProcessedAfterItAreCountedOnce) {
  WorkloadGenerator workload = Traffic(23, 1200);
  WorkTheLeads();
  // More traffic, stored but not yet processed when the server is upgraded.
  Send(workload.Messages(800));
  MigrateFromVersion9();
  Process();
  WorkTheLeads();
  const Facts live = ReadFacts();
  ASSERT_GT(live.touchpoints.size(), 150u);

  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

// The reports' kept counts (0018_funnel_counts.sql), kept as the workload moved leads,
// merged persons, added touchpoints and touches, equal what the migration's back-fill makes of
// the same facts.
TEST_F(AnalyticsFactsTest, KeptFunnelCountsEqualTheBackfillOfTheSameFacts) {
  Traffic(29, 2500);
  AnswerTheMqls();
  WorkTheLeads();
  auto dump = [&](const std::string& sql, int columns) {
    std::vector<std::string> rows;
    auto db = dir_.OpenDb();
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return rows;
    auto stmt = (*db)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return rows;
    for (;;) {
      auto row = (*stmt)->Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      std::string line;
      for (int c = 0; c < columns; ++c)
        line += ((*stmt)->IsNull(c) ? "null" : (*stmt)->Text(c)) + "|";
      rows.push_back(line);
    }
    (*stmt)->Reset();
    return rows;
  };
  auto kept = [&] {
    std::vector<std::string> all = dump(
        "SELECT lead_id, created_at, cur, hist, t2, t3, t4, t5, t6, first_at, first_event_id, "
        "source, medium, campaign, term, referrer_domain, landing_page, form, content_item, "
        "owner_id, team, country, company_size FROM lead_funnel ORDER BY lead_id",
        23);
    for (const char* table : {"funnel_days", "velocity_days"}) {
      const bool funnel = std::string_view(table) == "funnel_days";
      for (std::string& row :
           dump(fmt::format("SELECT dim, day, g, {1}, n FROM {0} WHERE n <> 0 ORDER BY dim, day, "
                            "g, {1}",
                            table, funnel ? "cur, hist" : "k, h"),
                6))
        all.push_back(std::string(table) + ": " + row);
    }
    for (std::string& row : dump("SELECT transition_id, lead_id, at, minutes, reached_sal, "
                                 "reached_sql, won FROM mql_responses ORDER BY transition_id",
                                 7))
      all.push_back("mql_responses: " + row);
    return all;
  };
  const std::vector<std::string> live = kept();
  // Every lead is counted, some with a campaign, some as far as customer.
  ASSERT_EQ(dump("SELECT id FROM leads", 1).size(),
            dump("SELECT lead_id FROM lead_funnel", 1).size());
  EXPECT_FALSE(
      dump("SELECT lead_id FROM lead_funnel WHERE hist = 6 AND t6 IS NOT NULL", 1).empty());
  EXPECT_FALSE(dump("SELECT lead_id FROM lead_funnel WHERE campaign <> ''", 1).empty());
  EXPECT_FALSE(
      dump("SELECT lead_id FROM lead_funnel WHERE owner_id IS NOT NULL AND team <> ''", 1).empty());
  EXPECT_FALSE(dump("SELECT k FROM velocity_days WHERE k = 5", 1).empty());
  EXPECT_FALSE(dump("SELECT * FROM person_merges", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE minutes IS NOT NULL", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE won = 1", 1).empty());
  EXPECT_FALSE(dump("SELECT 1 FROM mql_responses WHERE minutes IS NULL", 1).empty());

  pipeline_.reset();
  store_.reset();
  Status undone = dir_.RunSql(
      "DROP TABLE lead_funnel; DROP TABLE funnel_days; DROP TABLE velocity_days; "
      "DROP TABLE mql_responses; DROP INDEX stage_transitions_outcomes; "
      "DELETE FROM schema_migrations WHERE version >= 18;");
  ASSERT_TRUE(undone.ok()) << undone.ToString();
  Open();
  const std::vector<std::string> backfilled = kept();
  ASSERT_EQ(backfilled.size(), live.size());
  for (size_t i = 0; i < live.size(); ++i) EXPECT_EQ(backfilled[i], live[i]) << "row " << i;
}

// The lead dimensions kept from the traits (leads/lead_traits.h) equal what the
// back-fill of 0017_lead_dimensions.sql makes of the same traits, shape by shape.
TEST_F(AnalyticsFactsTest, LeadCountryAndCompanySizeEqualTheirBackfill) {
  const char* traits[] = {
      R"("address":{"country":"DE"},"country":"FR","company":{"size":12})",
      R"("country":"Österreich","company":{"name":"A","employees":"51-200"})",
      R"("address":"Berlin","country":7,"company":{"size":10.9})",
      R"("company_size":"250 people")",
      R"("company":{"size":"about 50"})",
      R"("company":{"size":0.5},"country":"")",
      R"("company":{"size":1e300})",
      R"("company":{"size":"99999999999999999999999"})",
      R"("company":"Acme","employee_count":5001)",
      R"("company":{"size":true},"address":{"country":null})",
  };
  std::vector<std::string> messages;
  for (size_t i = 0; i < std::size(traits); ++i) {
    messages.push_back(fmt::format(
        R"({{"type":"identify","userId":"d{}","messageId":"d{}","traits":{{"email":"d{}@dims.example",{}}}}})",
        i, i, i, traits[i]));
  }
  Send(messages);
  Process();
  std::map<int64_t, std::pair<std::string, std::string>> live;
  for (int64_t id : Get(store_->ListLeadIds())) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    live[id] = {lead.country, lead.company_size};
  }
  ASSERT_EQ(live.size(), std::size(traits));
  std::map<std::string, int> bands;
  for (const auto& [id, dims] : live) ++bands[dims.second];
  EXPECT_EQ(bands["1-10"], 1) << "10.9";
  EXPECT_EQ(bands["11-50"], 1);
  EXPECT_EQ(bands["51-200"], 1);
  EXPECT_EQ(bands["201-1000"], 1);
  EXPECT_EQ(bands["5001+"], 3);

  MigrateFromVersion9();
  for (const auto& [id, dims] : live) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    EXPECT_EQ(lead.country, dims.first) << "ld_" << id;
    EXPECT_EQ(lead.company_size, dims.second) << "ld_" << id;
  }
}

// The funnel's counts, recomputed from the raw rows: each lead's log of stage changes
// (not the facts) and its events run through TouchpointOf (not the touchpoints table).
TEST_F(AnalyticsFactsTest, FunnelCountsEqualARecountFromTheLeadLogAndTheEvents) {
  Traffic(29, 1500);
  WorkTheLeads();
  FunnelQuery query{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                    std::nullopt};
  std::map<std::pair<std::string, int>, int64_t> expected;  // (campaign, deepest) → leads
  for (int64_t id : Get(store_->ListLeadIds())) {
    const LeadRecord lead = store_->GetLead(id).value().value();
    int deepest = std::max(1, FunnelRank(lead.stage));
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      if (entry.kind != "stage_changed") continue;
      auto to = ParseStage(nlohmann::json::parse(entry.data)["to"].get<std::string>());
      deepest = std::max(deepest, FunnelRank(*to));
    }
    ++expected[{FirstCampaign(id), deepest}];
  }
  std::map<std::pair<std::string, int>, int64_t> counted;
  for (const FunnelCount& c : Get(store_->CountFunnel(query))) {
    counted[{c.group, std::max({1, c.current_rank, c.transition_rank})}] += c.leads;
  }
  EXPECT_EQ(counted, expected);
  EXPECT_GT(expected.size(), 4u);

  // A rep's own leads only.
  query.owner_id = users_[1].id;
  int64_t own = 0;
  for (const FunnelCount& c : Get(store_->CountFunnel(query))) own += c.leads;
  int64_t owned = 0;
  for (int64_t id : Get(store_->ListLeadIds())) {
    owned += store_->GetLead(id).value()->owner_id == users_[1].id ? 1 : 0;
  }
  EXPECT_EQ(own, owned);
  EXPECT_GT(owned, 0);
}

// The outcomes report and the attribution totals, recomputed from the raw rows: the
// lead log's stage changes and outcome entries (with their amounts as recorded), and
// the first touchpoint from the raw events.
TEST_F(AnalyticsFactsTest, OutcomesAndDealsEqualARecountFromTheLeadLogAndTheEvents) {
  Traffic(31, 1500);
  WorkTheLeads();
  const FunnelQuery scope{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                          std::nullopt};
  // (campaign, outcome, reason) → outcomes; the totals of the deals by kind.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> expected;
  int64_t won = 0, revenue = 0, opportunities = 0, pipeline = 0;
  for (int64_t id : Get(store_->ListLeadIds())) {
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      const nlohmann::json data = nlohmann::json::parse(entry.data);
      if (entry.kind == "outcome" && data.contains("amount")) {
        const auto cents = static_cast<int64_t>(data["amount"].get<double>() * 100 + 0.5);
        const bool win = data["disposition"] == "won";
        (win ? won : opportunities) += 1;
        (win ? revenue : pipeline) += cents;
      }
      if (entry.kind != "stage_changed") continue;
      const std::string cause = data.value("cause", "");
      const std::string to = data["to"].get<std::string>();
      const bool recorded =
          cause == "outcome: rejected" || cause == "outcome: lost" || cause == "outcome: recycled";
      if (!recorded && to != "disqualified") continue;
      ++expected[{FirstCampaign(id), recorded ? cause.substr(9) : to, data.value("reason", "")}];
    }
  }
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counted;
  for (const OutcomeCount& c : Get(store_->CountOutcomes(OutcomeQuery{.scope = scope}))) {
    counted[{c.group, c.outcome, c.reason}] += c.count;
  }
  EXPECT_EQ(counted, expected);
  EXPECT_GT(expected.size(), 3u);

  AttributionQuery query;
  query.scope = scope;
  query.model = AttributionModel::kWShaped;
  AttributionBuilder report(query);
  ASSERT_TRUE(store_
                  ->ForEachDeal(query,
                                [&report](Deal deal) {
                                  report.Add(deal);
                                  return OkStatus();
                                })
                  .ok());
  EXPECT_EQ(report.total().won_deals, won);
  EXPECT_EQ(report.total().revenue_cents, revenue);
  EXPECT_EQ(report.total().opportunity_deals, opportunities);
  EXPECT_EQ(report.total().pipeline_cents, pipeline);
  EXPECT_GT(won, 0);
  // Summed over the groups, the credits are the deals and the amounts the totals.
  int64_t micros = 0, cents = 0;
  for (const auto& [group, row] : report.groups()) {
    micros += row.won_micros;
    cents += row.revenue_cents;
  }
  EXPECT_EQ(micros, won * 1'000'000);
  EXPECT_EQ(cents, revenue);
}

// Speed to lead, recomputed from the raw rows: each move to MQL in the lead log, the
// sales touches the gate recorded, and how far the lead went afterwards.
TEST_F(AnalyticsFactsTest, SpeedToLeadEqualsARecountFromTheLeadLogAndTheTouches) {
  Traffic(37, 1500);
  AnswerTheMqls();
  WorkTheLeads();
  using Key = std::tuple<std::string, std::optional<int64_t>, bool, bool, bool>;
  std::map<Key, int64_t> expected;
  for (int64_t id : Get(store_->ListLeadIds())) {
    std::vector<std::pair<TimePoint, std::string>> moves;
    for (const LeadLogEntry& entry : Get(store_->ListLeadLog(id))) {
      if (entry.kind != "stage_changed") continue;
      moves.emplace_back(entry.at, nlohmann::json::parse(entry.data)["to"].get<std::string>());
    }
    const auto touches = Get(store_->ListTouches(id, TimePoint{}));
    for (const auto& [at, to] : moves) {
      if (to != "mql") continue;
      std::optional<int64_t> minutes;
      for (const TouchRecord& t : touches) {
        if (t.at < at || t.direction != "outbound" || !t.user_id ||
            t.purpose == Purpose::kEmailMarketing) {
          continue;
        }
        const int64_t m = (ToUnixMillis(t.at) - ToUnixMillis(at)) / 60000;
        if (!minutes || m < *minutes) minutes = m;
      }
      auto reached = [&](std::initializer_list<std::string_view> stages) {
        return std::any_of(moves.begin(), moves.end(), [&](const auto& move) {
          return move.first >= at &&
                 std::find(stages.begin(), stages.end(), move.second) != stages.end();
        });
      };
      ++expected[{FirstCampaign(id), minutes, reached({"sal", "sql", "opportunity", "customer"}),
                  reached({"sql", "opportunity", "customer"}), reached({"customer"})}];
    }
  }
  std::map<Key, int64_t> counted;
  const FunnelQuery scope{kStart, kStart + std::chrono::hours(24 * 365), Dimension::kCampaign,
                          std::nullopt};
  for (const SpeedCount& c : Get(store_->CountSpeedToLead(scope))) {
    counted[{c.group, c.minutes, c.accepted, c.qualified, c.won}] += c.count;
  }
  EXPECT_EQ(counted, expected);
  int64_t answered = 0;
  for (const auto& [key, count] : expected) answered += std::get<1>(key) ? count : 0;
  EXPECT_GT(answered, 5);
  EXPECT_GT(expected.size(), 8u);
}

TEST_F(AnalyticsFactsTest, MergedPersonsKeepTheirTouchpointsAndStageHistory) {
  // An anonymous visit from a campaign that turns into a hand-raise, then the same
  // human identified under a userId from another browser, and finally both joined.
  Send(
      {R"({"type":"page","anonymousId":"m-anon","messageId":"m1","timestamp":"2026-01-01T10:00:00Z",
           "properties":{"path":"/pricing","url":"https://tandem.example/pricing"},
           "context":{"campaign":{"source":"newsletter","medium":"email","name":"jan"}}})",
       R"({"type":"identify","anonymousId":"m-anon","messageId":"m2","timestamp":"2026-01-01T10:01:00Z",
           "traits":{"email":"mia@acme.example"},"context":{"campaign":{"name":"jan"}}})",
       R"({"type":"track","anonymousId":"m-anon","messageId":"m3","timestamp":"2026-01-01T10:02:00Z",
           "event":"Demo Requested","properties":{"form":"demo-request"}})",
       R"({"type":"page","anonymousId":"m-other","userId":"mia-1","messageId":"m4",
           "timestamp":"2026-01-02T09:00:00Z","properties":{"path":"/","url":"https://tandem.example/",
           "referrer":"https://www.linkedin.com/feed"}})"});
  Process();
  const int64_t anon =
      store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "m-anon"}).value().value();
  const int64_t known =
      store_->FindPersonByIdentity({IdentityKind::kUserId, "mia-1"}).value().value();
  ASSERT_NE(anon, known);
  // The campaign visit, the identify from it, the form.
  ASSERT_EQ(store_->TouchpointsOf(anon).value().size(), 3u);
  ASSERT_EQ(store_->StageTransitionsOf(anon).value().size(), 1u);

  Send({R"({"type":"identify","anonymousId":"m-anon","userId":"mia-1","messageId":"m5",
           "timestamp":"2026-01-02T09:05:00Z"})"});
  Process();
  const int64_t survivor =
      store_->FindPersonByIdentity({IdentityKind::kAnonymousId, "m-anon"}).value().value();
  EXPECT_EQ(store_->FindPersonByIdentity({IdentityKind::kUserId, "mia-1"}).value().value(),
            survivor);
  const int64_t gone = survivor == anon ? known : anon;
  auto touchpoints = store_->TouchpointsOf(survivor).value();
  ASSERT_EQ(touchpoints.size(), 4u);
  EXPECT_EQ(touchpoints[0].campaign, "jan");
  EXPECT_EQ(touchpoints[1].type, "identify");
  EXPECT_EQ(touchpoints[2].form, "demo-request");
  EXPECT_EQ(touchpoints[3].referrer_domain, "linkedin.com");
  for (const Touchpoint& t : touchpoints) EXPECT_EQ(t.person_id, survivor);
  EXPECT_TRUE(store_->TouchpointsOf(gone).value().empty());
  auto transitions = store_->StageTransitionsOf(survivor).value();
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_EQ(transitions[0].to, Stage::kMql);
  EXPECT_EQ(transitions[0].lead_id, survivor);
  EXPECT_TRUE(transitions[0].cause.starts_with("hand-raise: Demo Requested"));
  EXPECT_TRUE(store_->StageTransitionsOf(gone).value().empty());

  const Facts live = ReadFacts();
  MigrateFromVersion9();
  ExpectSame(ReadFacts(), live);
}

}  // namespace
}  // namespace tandem
