// report_bench: the closed-loop reports over a long history, against the independent
// recount over the raw tables (testing/raw_reports.h) in the same run.
//
//   history  the fixed-seed workload's events (TANDEM_BENCH_REPORT_EVENTS, default
//            10,000,000; a person for every three or four events, identify rate 0.9,
//            so about a lead per nine events, over about a year) through the real
//            pipeline into a SQLite file, with reps who answer hand-raises after minutes
//            to days or never and record outcomes, reasons and amounts. Kept in
//            build/bench-data/ and reused while its size matches: the history takes long
//            to make, the reports are what is measured.
//   reports  funnel by campaign, outcomes by keyword, speed to lead by rep and W-shaped
//            attribution by source over the quarter in the middle of the history, as the
//            API runs them (analytics/reports.h): p50 and p99 of 20 runs each.
//   raw      the same figures recounted from the raw tables, once each (after reading
//            the raw tables apart once, timed on its own): raw / p50, and (raw + the
//            reading apart) / p50.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "analytics/reports.h"
#include "app/open_store.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/append_batch.h"
#include "testing/raw_reports.h"
#include "workload/workload.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;

const TimePoint kStart = *ParseIsoTime("2025-12-01T00:00:00Z");

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <typename T>
T Must(StatusOr<T> value, std::string_view what) {
  if (!value.ok()) {
    fmt::print(stderr, "report_bench: {}: {}\n", what, value.status().ToString());
    std::exit(1);
  }
  return std::move(value).value();
}

void Must(const Status& st, std::string_view what) {
  if (!st.ok()) {
    fmt::print(stderr, "report_bench: {}: {}\n", what, st.ToString());
    std::exit(1);
  }
}

// Makes the history in `path`: rounds of traffic, each followed by what the reps do.
void MakeHistory(const std::string& path, int64_t events) {
  auto store = Must(OpenStore("sqlite:" + path, StoreOptions{}), "open");
  ManualClock clock(kStart);
  const int64_t source = Must(store->CreateSource("Web", "k", clock.Now()), "source").id;
  std::vector<UserRecord> reps;
  for (int i = 0; i < 6; ++i) {
    UserRecord u;
    u.email = fmt::format("rep{}@bench.example", i);
    u.name = u.email;
    u.role = Role::kSalesRep;
    u.team = i < 3 ? "east" : "west";
    u.capacity = 10'000'000;
    u.created_at = u.updated_at = clock.Now();
    reps.push_back(Must(store->CreateUser(u), "user"));
  }
  Metrics metrics;
  LeadEngine engine{DefaultScoring(), RoutingConfig{}, {},
                    ContactConfig{},  SlaConfig{},     OwnerBriefFor};
  EventPipeline::Options options;
  options.leads = &engine;
  EventPipeline pipeline(*store, clock, metrics, options);
  auto raw = Must(sqlite::Database::Open(path), "raw connection");
  SegmentParser parser;
  WorkloadGenerator workload(20261203, kStart);
  workload.set_identify_rate(0.9);
  // Persons are picked at random, so some come back and are identified once: three persons
  // for every ten events give about a lead per nine events.
  workload.set_people(static_cast<size_t>(std::max<int64_t>(1440, events * 3 / 10)));
  // About a year of traffic whatever the size: 165,000 events span 135 days at pace 1.
  workload.set_pace(static_cast<int>(std::max<int64_t>(1, events / 450'000)));
  std::mt19937_64 rng(7);
  std::multimap<int, std::pair<int64_t, std::string>> due;  // round → (lead, "" or outcome)
  int64_t stored = 0, last_log = 0;
  const auto began = Steady::now();
  for (int round = 0; stored < events; ++round) {
    std::vector<std::string> messages = workload.Messages(4000);
    TimePoint latest = clock.Now();
    for (size_t i = 0; i < messages.size(); i += 500) {
      std::string batch = "{\"batch\":[";
      for (size_t j = i; j < std::min(messages.size(), i + 500); ++j) {
        batch += (j > i ? "," : "") + messages[j];
      }
      latest = std::max(
          latest, *ParseIsoTime(nlohmann::json::parse(
                                    messages[std::min(messages.size(), i + 500) - 1])["timestamp"]
                                    .get<std::string>()));
      Must(testing::AppendBatch(*store, parser, source, latest, batch + "]}"), "append");
    }
    stored += static_cast<int64_t>(messages.size());
    clock.Set(latest);
    Must(pipeline.Drain(), "pipeline");
    // The new MQLs, each given a plan: an answer after 0 to 60 rounds or never, then a
    // way down the funnel a few rounds apart.
    auto moves = Must(raw->Prepare("SELECT id, lead_id, data FROM lead_log WHERE id > ? AND "
                                   "kind = 'stage_changed' ORDER BY id"),
                      "moves");
    moves->Bind(1, last_log);
    std::vector<int64_t> mqls;
    while (Must(moves->Step(), "moves")) {
      last_log = moves->Int(0);
      if (moves->TextView(2).find("\"to\":\"mql\"") != std::string_view::npos) {
        mqls.push_back(moves->Int(1));
      }
    }
    for (int64_t lead : mqls) {
      const int answer = std::discrete_distribution<int>({30, 20, 20, 15, 15})(rng);
      int at = round + std::array{0, 1, 4, 30}[std::min(answer, 3)];
      if (answer < 4) due.emplace(at, std::pair{lead, std::string()});
      const int way = std::discrete_distribution<int>({20, 10, 25, 10, 35})(rng);
      const std::vector<std::vector<std::string>> paths = {
          {"accepted", "qualified", "opportunity", "won"},
          {"accepted", "qualified", "opportunity", "lost"},
          {"rejected"},
          {"accepted", "lost"},
          {}};
      for (const std::string& d : paths[way]) {
        at += std::uniform_int_distribution<int>(1, 20)(rng);
        due.emplace(at, std::pair{lead, d});
      }
    }
    const char* reasons[] = {"student", "competitor", "no_budget", "bad_fit", "spam"};
    while (!due.empty() && due.begin()->first <= round) {
      auto [lead_id, what] = due.begin()->second;
      due.erase(due.begin());
      clock.Advance(std::chrono::seconds(30));
      auto lead = store->GetLead(lead_id);
      if (!lead.ok() || !*lead || !(*lead)->owner_id) continue;
      auto owner = std::find_if(reps.begin(), reps.end(),
                                [&](const UserRecord& u) { return u.id == *(*lead)->owner_id; });
      if (owner == reps.end()) continue;
      auto txn = Must(store->BeginLeadTxn(), "txn");
      const Actor actor{*owner};
      if (what.empty()) {
        TouchInput email{Channel::kEmail, Purpose::kSalesOutreach, "outbound", "The guide"};
        (void)engine.RecordTouch(*txn, lead_id, actor, email, clock.Now());
      } else {
        Outcome outcome{what, "", std::nullopt, std::nullopt};
        if (what == "rejected") outcome.reason = reasons[lead_id % 5];
        if (what == "lost") outcome.reason = "competitor";
        if (what == "opportunity" || what == "won") {
          outcome.amount = static_cast<double>(1000 + lead_id % 90'000) + 0.25;
        }
        (void)engine.RecordOutcome(*txn, lead_id, actor, outcome, clock.Now());
      }
      Must(txn->Commit(), "commit");
    }
    if (round % 50 == 0) {
      fmt::print(stderr, "  history: {} of {} events, {:.0f} s\n", stored, events,
                 Ms(Steady::now() - began) / 1000);
    }
  }
  std::ofstream(path + ".done") << events;
}

struct Figures {
  double p50 = 0, p99 = 0;
};

template <typename Work>
Figures Time(int runs, Work work) {
  work();  // warm the page cache and the statement cache
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto begun = Steady::now();
    work();
    ms.push_back(Ms(Steady::now() - begun));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

template <typename Work>
double Once(Work work) {
  const auto begun = Steady::now();
  work();
  return Ms(Steady::now() - begun);
}

void Run() {
  const char* env = std::getenv("TANDEM_BENCH_REPORT_EVENTS");
  const int64_t events = env ? std::atoll(env) : 10'000'000;
  const std::filesystem::path dir = std::filesystem::path(TANDEM_BENCH_DATA_DIR);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / fmt::format("reports-v3-{}.db", events)).string();
  std::string done;
  std::ifstream(path + ".done") >> done;
  if (done != std::to_string(events)) {
    std::filesystem::remove(path);
    fmt::print("report_bench: making a history of {} events in {} (once)\n", events, path);
    const auto begun = Steady::now();
    MakeHistory(path, events);
    fmt::print("  made in {:.0f} s\n", Ms(Steady::now() - begun) / 1000);
  }
  auto store = Must(OpenStore("sqlite:" + path, StoreOptions{}), "open");
  auto raw_db = Must(sqlite::Database::Open(path), "raw connection");
  auto count = [&](const char* sql) {
    auto stmt = Must(raw_db->Prepare(sql), sql);
    Must(stmt->Step(), sql);
    const int64_t n = stmt->Int(0);
    stmt->Reset();
    return n;
  };
  const int64_t leads = count("SELECT COUNT(*) FROM leads");
  auto first = Must(raw_db->Prepare("SELECT MIN(created_at), MAX(created_at) FROM leads"), "span");
  Must(first->Step(), "span");
  const TimePoint oldest = FromUnixMillis(first->Int(0)), newest = FromUnixMillis(first->Int(1));
  first->Reset();
  // The quarter in the middle of the history.
  const TimePoint from = oldest + (newest - oldest) / 2 - std::chrono::hours(24 * 45);
  FunnelQuery quarter{from, from + std::chrono::hours(24 * 91), Dimension::kNone, std::nullopt};
  fmt::print("report_bench: {} events, {} leads, {} deals; the quarter from {}\n",
             count("SELECT COUNT(*) FROM events"), leads,
             count("SELECT COUNT(*) FROM stage_transitions WHERE to_stage IN ('opportunity', "
                   "'customer')"),
             FormatIsoTime(from));

  testing::RawReports raw(*raw_db);
  const double load = Once([&] { Must(raw.Load(), "raw load"); });
  fmt::print("  raw tables read apart once: {:.0f} ms\n", load);
  const testing::RawScope raw_scope{quarter.from, quarter.to, std::nullopt};
  // raw: the recount's query over the tables already read apart; raw/p50, and with the
  // reading apart (which every recount needs, and which is shared here) counted in.
  auto line = [load](std::string_view name, Figures f, double raw_ms) {
    fmt::print(
        "  {:<32} p50 {:7.1f} ms  p99 {:7.1f} ms  raw {:8.1f} ms  raw/p50 {:6.1f}x  "
        "(raw+reading)/p50 {:7.0f}x\n",
        name, f.p50, f.p99, raw_ms, raw_ms / f.p50, (raw_ms + load) / f.p50);
  };
  FunnelQuery q = quarter;
  q.by = Dimension::kCampaign;
  line("funnel by campaign", Time(20, [&] { Must(RunFunnel(*store, q), "funnel"); }),
       Once([&] { Must(raw.Funnel(raw_scope, "campaign"), "raw funnel"); }));
  q.by = Dimension::kKeyword;
  line("outcomes by keyword",
       Time(20, [&] { Must(RunOutcomes(*store, OutcomeQuery{.scope = q}), "outcomes"); }),
       Once([&] { Must(raw.Outcomes(raw_scope, "keyword"), "raw outcomes"); }));
  q.by = Dimension::kRep;
  line("speed to lead by rep", Time(20, [&] { Must(RunSpeedToLead(*store, q), "speed"); }),
       Once([&] { Must(raw.Mqls(raw_scope, "rep"), "raw speed"); }));
  q.by = Dimension::kSource;
  AttributionQuery attribution{.scope = q, .model = AttributionModel::kWShaped};
  line("w-shaped attribution by source",
       Time(20, [&] { Must(RunAttribution(*store, attribution), "attribution"); }),
       Once([&] { Must(raw.Deals(raw_scope, "source", false), "raw deals"); }));
}

}  // namespace
}  // namespace tandem

int main() {
  // Each figure as it is measured, even into a file: the history takes long.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  tandem::Run();
  return 0;
}
