// Honest numbers: a fixed-seed workload of more than 20,000 persons — anonymous visits
// from campaigns, keywords and referrals, forms, downloads, identifies, hand-raises —
// routed to two reps who answer after minutes, hours or days or never, and who record
// outcomes with reasons and amounts over two weeks. Then every report is read through
// the API and each figure recomputed by RawReports (testing/raw_reports.h) with SQL
// over the raw tables — events, lead log, touches — never the fact tables; over the
// whole range, over a part of it, and as of a moment in the middle of the workload. On
// SQLite and, as postgres/ReportHonestyTest, on PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/time_format.h"
#include "http/report_fixture.h"
#include "testing/raw_reports.h"
#include "workload/workload.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

constexpr const char* kStages[] = {"lead", "mql", "sal", "sql", "opportunity", "customer"};

// What each rep does with a new MQL: answer after `answer_after` rounds of traffic (or
// never), then record these outcomes a few rounds apart.
struct Plan {
  std::optional<int> answer_after;
  std::vector<std::string> outcomes;
};

// The value at `share` of `values` by nearest rank.
std::optional<int64_t> NearestRank(std::vector<int64_t> values, double share) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(share * static_cast<double>(values.size())));
  return values[std::max<size_t>(rank, 1) - 1];
}

json OrNull(std::optional<int64_t> value) { return value ? json(*value) : json(); }

json Days(std::optional<int64_t> hours) {
  if (!hours) return nullptr;
  return std::round(static_cast<double>(*hours) / 24 * 100) / 100;
}

int64_t Cents(const json& dollars) { return std::llround(dollars.get<double>() * 100); }

class ReportHonestyTest : public ReportFixture {
 protected:
  void SetUp() override {
    OpenStoreWithTeam();
    Start();
    // The test moves the pipeline itself, round by round, with the time of the round.
    app_->pipeline().Stop();
    auto db = dir_.OpenDb();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  // Rounds of 40 visits (about twenty minutes of traffic) until the store holds
  // `persons`; after each the reps do what is due. The moment the store held half of
  // them is as_of_.
  void RunWorkload(int64_t persons) {
    WorkloadGenerator workload(20261122, clock_.Now());
    workload.set_identify_rate(0.3);
    workload.set_pace(10);
    for (int round = 0;; ++round) {
      std::string batch = R"({"batch":[)";
      TimePoint latest = clock_.Now();
      for (int visit = 0; visit < 40; ++visit) {
        for (const std::string& message : workload.NextVisit()) {
          if (batch.back() != '[') batch += ',';
          batch += message;
          latest =
              std::max(latest, *ParseIsoTime(json::parse(message)["timestamp"].get<std::string>()));
        }
      }
      // Received as the last of them was sent.
      clock_.Set(latest);
      HttpResult r =
          client_->Post("/v1/batch", batch + "]}", {{"Authorization", BasicAuth("key")}});
      ASSERT_EQ(r.status, 200u) << r.body;
      ASSERT_TRUE(app_->pipeline().Drain().ok());
      PlanNewMqls(round);
      DoWhatIsDue(round);
      if (round % 25 != 24) continue;
      const int64_t stored = Count("SELECT COUNT(*) FROM persons WHERE merged_into IS NULL");
      if (stored >= persons) break;
      if (!as_of_ && stored >= persons / 2) as_of_ = clock_.Now();
    }
    ASSERT_TRUE(as_of_) << "the workload ended before its middle";
  }

  int64_t Count(const std::string& sql) {
    auto stmt = db_->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    EXPECT_TRUE((*stmt)->Step().value());
    const int64_t n = (*stmt)->Int(0);
    (*stmt)->Reset();
    return n;
  }

  // The leads that moved to MQL since the last look, each given a plan.
  void PlanNewMqls(int round) {
    auto stmt = db_->Prepare(
        "SELECT id, lead_id, data FROM lead_log WHERE id > ? AND kind = 'stage_changed' ORDER BY "
        "id");
    ASSERT_TRUE(stmt.ok());
    (*stmt)->Bind(1, last_log_id_);
    for (;;) {
      auto row = (*stmt)->Step();
      ASSERT_TRUE(row.ok()) << row.status().ToString();
      if (!*row) break;
      last_log_id_ = (*stmt)->Int(0);
      if (json::parse((*stmt)->TextView(2))["to"] != "mql") continue;
      Schedule(round, "ld_" + std::to_string((*stmt)->Int(1)));
    }
  }

  void Schedule(int round, const std::string& lead) {
    auto pick = [&](std::initializer_list<double> weights) {
      return std::discrete_distribution<int>(weights)(rng_);
    };
    auto amount = [&] {
      const int64_t cents = std::uniform_int_distribution<int64_t>(50'000, 5'000'000)(rng_);
      return fmt::format("{}.{:02d}", cents / 100, cents % 100);
    };
    Plan plan;
    // Rounds: within minutes, within the hour, an hour or two, half a day, a day and a half.
    constexpr int kAnswer[] = {0, 1, 3, 40, 90};
    if (const int when = pick({35, 15, 15, 10, 10, 15}); when < 5)
      plan.answer_after = kAnswer[when];
    const char* reasons[] = {"student", "competitor", "no_budget", "bad_fit", "not_ready", "spam"};
    const std::string opportunity =
        fmt::format(R"({{"disposition":"opportunity","amount":{}}})", amount());
    switch (pick({22, 10, 25, 8, 5, 10, 20})) {
      case 0:
        plan.outcomes = {R"({"disposition":"accepted"})", R"({"disposition":"qualified"})",
                         opportunity,
                         fmt::format(R"({{"disposition":"won","amount":{}}})", amount())};
        break;
      case 1:
        plan.outcomes = {R"({"disposition":"accepted"})", R"({"disposition":"qualified"})",
                         opportunity, R"({"disposition":"lost","reason":"competitor"})"};
        break;
      case 2:
        plan.outcomes = {fmt::format(R"({{"disposition":"rejected","reason":"{}"}})",
                                     reasons[pick({3, 2, 2, 2, 1, 1})])};
        break;
      case 3:
        plan.outcomes = {R"({"disposition":"accepted"})",
                         R"({"disposition":"lost","reason":"no_budget"})"};
        break;
      case 4:
        plan.outcomes = {
            R"({"disposition":"recycled","reason":"next year","revisit_on":"2027-06-01"})"};
        break;
      case 5:
        plan.outcomes = {R"({"disposition":"accepted"})", R"({"disposition":"qualified"})"};
        break;
      default:
        break;
    }
    int at = round + plan.answer_after.value_or(0);
    if (plan.answer_after) due_.emplace(at, Action{lead, ""});
    for (const std::string& outcome : plan.outcomes) {
      at += std::uniform_int_distribution<int>(1, 30)(rng_);
      due_.emplace(at, Action{lead, outcome});
    }
  }

  // The owner's answers and outcomes due by this round, a minute apart. A lead another
  // rule moved on (folded into another, handed back) refuses what no longer fits.
  void DoWhatIsDue(int round) {
    while (!due_.empty() && due_.begin()->first <= round) {
      const Action action = due_.begin()->second;
      due_.erase(due_.begin());
      clock_.Advance(std::chrono::seconds(20));
      auto lead = raw_store_->GetLead(std::stoll(action.lead.substr(3)));
      if (!lead.ok() || !*lead || !(*lead)->owner_id) continue;
      const std::string& token = (*lead)->owner_id == rep_a_ ? token_rep_a_ : token_rep_b_;
      if (action.outcome.empty()) {
        HttpResult r = Call("POST", "/api/v1/leads/" + action.lead + "/touches", token,
                            R"({"channel":"email","note":"Sent the guide you asked for"})");
        ++(r.status == 201 ? touched_ : refused_);
        continue;
      }
      HttpResult r =
          Call("POST", "/api/v1/leads/" + action.lead + "/outcome", token, action.outcome);
      ++(r.status == 200 ? recorded_ : refused_);
    }
  }

  // The report with the groups of all its pages, seven groups a page: every page has
  // the same total, and no group comes twice.
  json Report(const std::string& report, const std::string& query) {
    json whole;
    std::set<std::string> seen;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      const std::string target = "/api/v1/reports/" + report + "?" + query + "&limit=7" +
                                 (cursor.empty() ? "" : "&cursor=" + cursor);
      HttpResult r = Call("GET", target, token_marketing_);
      EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
      json page = json::parse(r.body, nullptr, false);
      if (r.status != 200u) return page;
      for (const json& g : page["groups"]) {
        EXPECT_TRUE(seen.insert(g["group"].get<std::string>()).second) << target << g["group"];
      }
      if (whole.is_null()) {
        whole = page;
      } else {
        EXPECT_EQ(page["total"], whole["total"]) << target;
        for (const json& g : page["groups"]) whole["groups"].push_back(g);
      }
      if (page["next_cursor"].is_null()) return whole;
      cursor = page["next_cursor"].get<std::string>();
    }
    ADD_FAILURE() << report << "?" << query << " never ended";
    return whole;
  }

  template <typename T>
  T Raw(StatusOr<T> read) {
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.ok() ? std::move(read).value() : T{};
  }

  void CheckFunnel(const RawScope& scope, const std::string& query, const std::string& by) {
    SCOPED_TRACE("funnel?" + query + "&by=" + by);
    const json report = Report("funnel", query + "&by=" + by);
    RawReports::FunnelCounts counted;
    for (const json& g : report["groups"]) {
      for (size_t i = 0; i < std::size(kStages); ++i) {
        counted[g["group"].get<std::string>()][i] = g["counts"][kStages[i]].get<int64_t>();
      }
    }
    const RawReports::FunnelCounts expected = Raw(raw_->Funnel(scope, by));
    EXPECT_EQ(counted, expected);
    EXPECT_GE(expected.size(), 3u);
    // The total is over every lead: the groups' sum.
    for (size_t i = 0; i < std::size(kStages); ++i) {
      int64_t sum = 0;
      for (const auto& [group, reached] : expected) sum += reached[i];
      EXPECT_EQ(report["total"]["counts"][kStages[i]], sum) << kStages[i];
    }
    // Stage velocity: how many took each step, and their median and p90 days.
    const RawReports::StepHours hours = Raw(raw_->Velocity(scope, by));
    for (const json& g : report["groups"]) {
      const auto found = hours.find(g["group"].get<std::string>());
      ASSERT_NE(found, hours.end()) << g["group"];
      for (size_t step = 0; step < 5; ++step) {
        const std::vector<int64_t>& took = found->second[step];
        const json& conversion = g["conversions"][step];
        EXPECT_EQ(conversion["leads"], took.size()) << g["group"] << " step " << step;
        EXPECT_EQ(conversion["median_days"], Days(NearestRank(took, 0.5))) << g["group"];
        EXPECT_EQ(conversion["p90_days"], Days(NearestRank(took, 0.9))) << g["group"];
      }
    }
  }

  void CheckOutcomes(const RawScope& scope, const std::string& query, const std::string& by) {
    SCOPED_TRACE("outcomes?" + query + "&by=" + by);
    const json report = Report("outcomes", query + "&by=" + by);
    RawReports::OutcomeCounts counted;
    int64_t total = 0;
    for (const json& g : report["groups"]) {
      for (const json& r : g["reasons"]) {
        counted[{g["group"].get<std::string>(), r["outcome"].get<std::string>(),
                 r["reason"].get<std::string>()}] += r["count"].get<int64_t>();
      }
    }
    const RawReports::OutcomeCounts expected = Raw(raw_->Outcomes(scope, by));
    for (const auto& [key, n] : expected) total += n;
    EXPECT_EQ(counted, expected);
    EXPECT_EQ(report["total"]["outcomes"], total);
    EXPECT_GT(expected.size(), 5u);
  }

  void CheckSpeed(const RawScope& scope, const std::string& query, const std::string& by) {
    SCOPED_TRACE("speed-to-lead?" + query + "&by=" + by);
    const json report = Report("speed-to-lead", query + "&by=" + by);
    struct Group {
      std::vector<int64_t> minutes;
      int64_t mqls = 0;
      std::array<std::array<int64_t, 4>, 5> buckets{};  // mqls, accepted, qualified, won
    };
    std::map<std::string, Group> expected;
    for (const RawMql& mql : Raw(raw_->Mqls(scope, by))) {
      Group& g = expected[mql.group];
      ++g.mqls;
      size_t bucket = 4;
      if (mql.response_ms) {
        const int64_t minutes = *mql.response_ms / 60'000;
        // The report's step: whole minutes under an hour, quarter hours under a day, whole
        // hours beyond, each rounded down.
        g.minutes.push_back(minutes < 60     ? minutes
                            : minutes < 1440 ? minutes / 15 * 15
                                             : minutes / 60 * 60);
        bucket = minutes < 5 ? 0 : minutes < 60 ? 1 : minutes < 1440 ? 2 : 3;
      }
      auto& b = g.buckets[bucket];
      b[0] += 1;
      b[1] += mql.later_rank >= 3;
      b[2] += mql.later_rank >= 4;
      b[3] += mql.later_rank == 6;
    }
    ASSERT_EQ(report["groups"].size(), expected.size());
    EXPECT_GE(expected.size(), 2u);
    int64_t mqls = 0;
    for (const auto& [name, g] : expected) mqls += g.mqls;
    EXPECT_EQ(report["total"]["mqls"], mqls);
    for (const json& row : report["groups"]) {
      const std::string name = row["group"];
      ASSERT_TRUE(expected.contains(name)) << name;
      const Group& g = expected[name];
      EXPECT_EQ(row["mqls"], g.mqls) << name;
      EXPECT_EQ(row["responded"], g.minutes.size()) << name;
      EXPECT_EQ(row["median_minutes"], OrNull(NearestRank(g.minutes, 0.5))) << name;
      EXPECT_EQ(row["p90_minutes"], OrNull(NearestRank(g.minutes, 0.9))) << name;
      for (size_t i = 0; i < 5; ++i) {
        const json& b = row["buckets"][i];
        EXPECT_EQ(b["mqls"], g.buckets[i][0]) << name << " " << b["bucket"];
        EXPECT_EQ(b["accepted"]["converted"], g.buckets[i][1]) << name << " " << b["bucket"];
        EXPECT_EQ(b["qualified"]["converted"], g.buckets[i][2]) << name << " " << b["bucket"];
        EXPECT_EQ(b["won"]["converted"], g.buckets[i][3]) << name << " " << b["bucket"];
      }
    }
  }

  // First and last touch credit each deal wholly to one group; every model credits
  // the same deals and amounts in total.
  void CheckAttribution(const RawScope& scope, const std::string& query, const std::string& by) {
    struct Totals {
      int64_t opportunities = 0, pipeline = 0, won = 0, revenue = 0;
      bool operator==(const Totals&) const = default;
    };
    Totals all;
    for (const bool last : {false, true}) {
      const std::string model = last ? "last_touch" : "first_touch";
      SCOPED_TRACE("attribution?" + query + "&by=" + by + "&model=" + model);
      std::map<std::string, Totals> expected, counted;
      all = Totals{};
      for (const RawDeal& deal : Raw(raw_->Deals(scope, by, last))) {
        for (Totals* t : {&expected[deal.group], &all}) {
          if (deal.stage == "customer") {
            ++t->won;
            t->revenue += deal.cents;
          } else {
            ++t->opportunities;
            t->pipeline += deal.cents;
          }
        }
      }
      const json report = Report("attribution", query + "&by=" + by + "&model=" + model);
      for (const json& g : report["groups"]) {
        Totals& t = counted[g["group"].get<std::string>()];
        t.opportunities = std::llround(g["opportunities"].get<double>());
        t.pipeline = Cents(g["pipeline"]);
        t.won = std::llround(g["won"].get<double>());
        t.revenue = Cents(g["revenue"]);
        EXPECT_EQ(g["opportunities"].get<double>(), static_cast<double>(t.opportunities));
      }
      EXPECT_EQ(counted, expected);
      EXPECT_GT(expected.size(), 2u);
    }
    SCOPED_TRACE("attribution?" + query + "&by=" + by + "&model=w_shaped");
    const json report = Report("attribution", query + "&by=" + by + "&model=w_shaped");
    const json& total = report["total"];
    EXPECT_EQ(total["opportunity_deals"], all.opportunities);
    EXPECT_EQ(Cents(total["pipeline"]), all.pipeline);
    EXPECT_EQ(total["won_deals"], all.won);
    EXPECT_EQ(Cents(total["revenue"]), all.revenue);
    EXPECT_GT(all.won, 3);
    int64_t won_micros = 0, revenue = 0;
    for (const json& g : report["groups"]) {
      won_micros += std::llround(g["won"].get<double>() * 1e6);
      revenue += Cents(g["revenue"]);
    }
    EXPECT_EQ(won_micros, all.won * 1'000'000);
    EXPECT_EQ(revenue, all.revenue);
  }

  struct Action {
    std::string lead;
    std::string outcome;  // empty: an answer (an email to the lead)
  };

  std::unique_ptr<sql::Db> db_;
  std::optional<RawReports> raw_;
  std::mt19937_64 rng_{19};
  int64_t last_log_id_ = 0;
  std::multimap<int, Action> due_;
  int touched_ = 0, recorded_ = 0, refused_ = 0;
  std::optional<TimePoint> as_of_;
};

TEST_F(ReportHonestyTest, EveryFigureEqualsARecountOverTheRawTables) {
  RunWorkload(20'000);
  if (HasFatalFailure()) return;
  EXPECT_GE(Count("SELECT COUNT(*) FROM persons WHERE merged_into IS NULL"), 20'000);
  EXPECT_GT(touched_, 300);
  EXPECT_GT(recorded_, 1000);
  // Few of the reps' actions found their lead moved on.
  EXPECT_LT(refused_ * 10, touched_ + recorded_);
  raw_.emplace(*db_);
  ASSERT_TRUE(raw_->Load().ok());

  const TimePoint start = *ParseIsoTime("2026-11-22T00:00:00Z");
  const struct {
    RawScope scope;
    std::string query;
  } scopes[] = {
      {{start, start + std::chrono::hours(24 * 39), std::nullopt}, "from=2026-11-22&to=2026-12-31"},
      {{start + std::chrono::hours(24 * 4), start + std::chrono::hours(24 * 8), std::nullopt},
       "from=2026-11-26&to=2026-11-30"},
      {{start, start + std::chrono::hours(24 * 39), as_of_},
       "from=2026-11-22&to=2026-12-31&as_of=" + FormatIsoTime(*as_of_)},
  };
  for (const auto& [scope, query] : scopes) {
    CheckFunnel(scope, query, "campaign");
    CheckFunnel(scope, query, "rep");
    CheckOutcomes(scope, query, "keyword");
    CheckOutcomes(scope, query, "rep");
    CheckSpeed(scope, query, "rep");
    CheckSpeed(scope, query, "source");
    CheckAttribution(scope, query, "source");
    CheckAttribution(scope, query, "referrer_domain");
  }
  // The reps answered in every bucket of speed to lead, and some never did.
  std::array<int, 5> buckets{};
  for (const RawMql& mql : Raw(raw_->Mqls(scopes[0].scope, ""))) {
    const int64_t minutes = mql.response_ms.value_or(-1) / 60'000;
    ++buckets[!mql.response_ms ? 4 : minutes < 5 ? 0 : minutes < 60 ? 1 : minutes < 1440 ? 2 : 3];
  }
  for (int n : buckets) EXPECT_GT(n, 10) << "bucket " << (&n - buckets.data());
}

}  // namespace
}  // namespace tandem::testing
