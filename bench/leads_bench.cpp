// leads_bench: what lead processing costs, and how fast a rep's inbox query is.
//
// 1. Pipeline: the same generated traffic (about 10% of events from identified leads,
//    about 1% of events making a lead MQL by score or hand-raise) is stored and
//    processed in fresh SQLite files: stitching only (the foundation); with scoring,
//    stages, routing and the outbox; and the same with the store keeping nothing for
//    the reports. Three rounds, alternated; printed: the best rate of each and the
//    ratios with leads / foundation and reports kept / not kept.
// 2. Inbox: 1,000,000 leads over 20 reps (each owned lead with a few events), then
//    GET /api/v1/leads?owner=me&sort=sla, the same with include=why_now and 200 leads a
//    page, and the web inbox's request, over real HTTP on loopback; printed: p50/p99.
// TANDEM_BENCH_QUICK=1: a tenth of each. TANDEM_BENCH_PIPELINE_ONLY=kept or not_kept: one
// pipeline run of the store keeping the reports or not, for a profiler.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>

#include "app/application.h"
#include "app/open_store.h"
#include "auth/tokens.h"
#include "bench_pg.h"
#include "brief/brief_input.h"
#include "ingest/segment_message.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "store/sqlite/sqlite_db.h"
#include "support/http_client.h"
#include "testing/temp_dir.h"
#include "workload/workload.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<EventRecord> Traffic(size_t count, TimePoint start) {
  WorkloadGenerator generator(7, start);
  generator.set_identify_rate(0.045);  // about 10% of events end up belonging to leads
  SegmentParser parser;
  std::vector<EventRecord> out;
  std::string batch;
  auto messages = generator.Messages(count);
  for (size_t i = 0; i < messages.size(); i += 500) {
    batch = "{\"batch\":[";
    for (size_t j = i; j < std::min(messages.size(), i + 500); ++j) {
      if (j > i) batch += ',';
      batch += messages[j];
    }
    batch += "]}";
    auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, batch, start, "127.0.0.1"});
    for (auto& e : parsed->events) {
      e.source_id = 1;
      e.received_at = e.timestamp;
      out.push_back(std::move(e));
    }
  }
  return out;
}

// Stores and processes the traffic; returns events per second and the lead count.
// `url` is a store URL; empty: a SQLite file in a temporary directory.
// `keep_reports`: whether the store keeps what the reports count (StoreOptions).
std::pair<double, int64_t> StoreAndProcess(const std::vector<EventRecord>& events, bool leads,
                                           const std::string& url = "", bool keep_reports = true) {
  testing::TempDir dir;
  StoreOptions store_options;
  store_options.keep_reports = keep_reports;
  auto store = std::move(OpenStore(url.empty() ? dir.SqliteUrl() : url, store_options).value());
  SystemClock clock;
  (void)store->CreateSource("Web", "k", clock.Now()).value();
  for (int i = 0; i < 7; ++i) {
    UserRecord u;
    u.email = fmt::format("rep{}@x", i);
    u.name = u.email;
    u.role = Role::kSalesRep;
    u.team = "sales";
    u.capacity = 100000;
    u.created_at = u.updated_at = clock.Now();
    (void)store->CreateUser(u).value();
  }
  LeadEngine engine(DefaultScoring(), RoutingConfig{}, {}, ContactConfig{}, SlaConfig{},
                    OwnerBriefFor);
  Metrics metrics;
  EventPipeline::Options options;
  options.leads = leads ? &engine : nullptr;
  options.nice = 0;
  options.workers = store->concurrent_batches() ? 2 : 1;  // as the server runs it
  if (const char* w = std::getenv("TANDEM_BENCH_WORKERS")) options.workers = std::atoi(w);
  // The lane ahead for hand-raises, as the server runs it; 0 turns it off for a profile.
  if (const char* a = std::getenv("TANDEM_BENCH_AHEAD_ROOTS")) options.ahead_roots = std::stoul(a);
  EventPipeline pipeline(*store, clock, metrics, options);
  auto start = Clock::now();
  for (size_t i = 0; i < events.size(); i += 500) {
    std::span<const EventRecord> chunk(events.data() + i, std::min<size_t>(500, events.size() - i));
    (void)store->AppendEvents(chunk).value();
  }
  const double stored = Seconds(start);
  if (!pipeline.Drain().ok()) std::abort();
  double rate = static_cast<double>(events.size()) / Seconds(start);
  // What a profile wants to know first: how the time splits between storing and processing.
  if (std::getenv("TANDEM_BENCH_PIPELINE_ONLY") != nullptr) {
    fmt::print("  stored in {:.2f} s, then processed in {:.2f} s\n", stored,
               Seconds(start) - stored);
  }
  if (leads) {
    // What the workload made of it: events that belong to leads, leads that are MQL.
    size_t lead_events = 0, mql = 0;
    auto ids = store->ListLeadIds().value();
    for (int64_t id : ids) {
      lead_events += static_cast<size_t>(store->CountPersonEvents(id).value());
      if (store->GetLead(id).value()->stage == Stage::kMql) ++mql;
    }
    fmt::print(
        "  workload: {:.1f}% of events from leads; {} of {} leads MQL ({:.2f}% of events "
        "crossed)\n",
        100.0 * static_cast<double>(lead_events) / static_cast<double>(events.size()), mql,
        ids.size(), 100.0 * static_cast<double>(mql) / static_cast<double>(events.size()));
  }
  return {rate, store->CountLeads().value()};
}

void PipelinePhase(size_t count) {
  auto events = Traffic(count, SystemClock().Now() - std::chrono::hours(24 * 7));
  // Alternate runs so drift of the shared machine hits both alike.
  std::vector<double> plain, with_leads, without_reports;
  int64_t leads = 0;
  for (int round = 0; round < 3; ++round) {
    plain.push_back(StoreAndProcess(events, false).first);
    auto [rate, n] = StoreAndProcess(events, true);
    with_leads.push_back(rate);
    leads = n;
    without_reports.push_back(StoreAndProcess(events, true, "", false).first);
  }
  double p = *std::max_element(plain.begin(), plain.end());
  double l = *std::max_element(with_leads.begin(), with_leads.end());
  double u = *std::max_element(without_reports.begin(), without_reports.end());
  fmt::print("pipeline: {} events, {} leads\n", events.size(), leads);
  fmt::print("  stored + stitched (foundation):              {:>9.0f} events/s\n", p);
  fmt::print(
      "  stored + stitched + scored, staged, routed:  {:>9.0f} events/s = {:.2f} x  (target >= 0.7 "
      "x)\n",
      l, l / p);
  // What keeping the reports' facts and counts (analytics/) costs: the same with the
  // store keeping none of them.
  fmt::print(
      "  the same, reports not kept:                 {:>9.0f} events/s; kept / not kept = {:.2f} "
      "x  (target >= 0.85 x)\n",
      u, l / u);
  // The same on PostgreSQL: every statement a round trip to the server, lead work under
  // the write lock that instances share (what one cluster of instances processes).
  if (const std::string pg = bench::PgBenchUrl(); !pg.empty()) {
    const double pg_plain =
        StoreAndProcess(events, false, bench::PgSchemaUrl(pg, "bench_plain")).first;
    const double pg_leads =
        StoreAndProcess(events, true, bench::PgSchemaUrl(pg, "bench_leads")).first;
    fmt::print(
        "  postgres: stitched {:.0f} events/s ({:.2f} x SQLite), with leads {:.0f} events/s "
        "({:.2f} x SQLite)\n",
        pg_plain, pg_plain / p, pg_leads, pg_leads / l);
  }
}

// Four events for each owned lead (person id = lead id), with what the pipeline keeps of
// them for the brief, its MQL move in the log, and the pipeline's cursor past them all.
constexpr const char* kOwnedLeadHistory = R"sql(
WITH k(n) AS (VALUES (0), (1), (2), (3))
INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, person_id,
                    timestamp, received_at, payload)
SELECT 1, 'hist-' || l.id || '-' || k.n, CASE k.n WHEN 3 THEN 'track' ELSE 'page' END,
       CASE k.n WHEN 3 THEN 'Content Downloaded' ELSE NULL END, 'u' || l.id, NULL, l.id,
       l.created_at - (4 - k.n) * 86400000, l.created_at - (4 - k.n) * 86400000,
       CASE k.n WHEN 3 THEN '{"type":"track","event":"Content Downloaded"}'
                WHEN 0 THEN '{"type":"page","context":{"page":{"path":"/blog/a"}}}'
                ELSE '{"type":"page","context":{"page":{"path":"/pricing"}}}' END
FROM leads l, k WHERE l.owner_id IS NOT NULL;
INSERT INTO brief_events (person_id, timestamp, event_id, type, name, path, title, asset_id, form,
                          subject, utm_campaign, known)
SELECT person_id, timestamp, id, type, COALESCE(event, ''),
       CASE WHEN type = 'page' THEN json_extract(payload, '$.context.page.path') ELSE '' END,
       '', '', '', '', '', 1
FROM events WHERE message_id LIKE 'hist-%';
INSERT INTO lead_log (lead_id, at, kind, actor, data)
SELECT id, mql_at, 'stage_changed', 'system',
       '{"from":"lead","to":"mql","cause":"score 62 reached the MQL threshold"}'
FROM leads WHERE owner_id IS NOT NULL AND mql_at IS NOT NULL;
INSERT OR REPLACE INTO processing_cursors (name, last_event_id)
SELECT 'pipeline', MAX(id) FROM events;
)sql";

void InboxPhase(size_t leads) {
  testing::TempDir dir;
  auto store = std::move(OpenStore(dir.SqliteUrl(), StoreOptions{}).value());
  SystemClock clock;
  const TimePoint now = clock.Now();
  (void)store->CreateSource("Web", "k", now).value();  // source 1, of the leads' events
  std::vector<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    UserRecord u;
    u.email = fmt::format("rep{}@x", i);
    u.name = u.email;
    u.role = Role::kSalesRep;
    u.created_at = u.updated_at = now;
    int64_t id = store->CreateUser(u)->id;
    tokens.push_back(NewApiToken());
    (void)store->AddApiToken(id, HashApiToken(tokens.back()), now);
  }
  std::string manager_token = NewApiToken();
  {
    UserRecord m;
    m.email = "manager@x";
    m.role = Role::kSalesManager;
    m.created_at = m.updated_at = now;
    int64_t id = store->CreateUser(m)->id;
    (void)store->AddApiToken(id, HashApiToken(manager_token), now);
  }
  std::mt19937_64 rng(3);
  auto start = Clock::now();
  for (size_t done = 0; done < leads;) {
    auto txn = store->BeginLeadTxn().value();
    for (size_t i = 0; i < 50000 && done < leads; ++i, ++done) {
      LeadRecord l;
      l.id = static_cast<int64_t>(done + 1);
      l.email = fmt::format("p{}@co{}.example", done, done % 5000);
      l.name = fmt::format("Person {}", done);
      l.stage = rng() % 4 == 0 ? Stage::kMql : Stage::kLead;
      if (l.stage == Stage::kMql)
        l.mql_at = now - std::chrono::hours(static_cast<int64_t>(rng() % 500));
      l.owner_id = static_cast<int64_t>(rng() % 21);  // 0: nobody
      if (*l.owner_id == 0) l.owner_id.reset();
      if (l.owner_id && rng() % 2 == 0) {
        l.sla_due_at = now + std::chrono::minutes(static_cast<int64_t>(rng() % 100000)) -
                       std::chrono::hours(24);
      }
      l.fit = static_cast<double>(rng() % 40);
      l.created_at = l.updated_at =
          now - std::chrono::minutes(static_cast<int64_t>(rng() % 1000000));
      if (!txn->PutLead(l).ok()) std::abort();
    }
    if (!txn->Commit().ok()) std::abort();
  }
  fmt::print("inbox: {} leads over 20 reps loaded in {:.1f} s\n", leads, Seconds(start));
  {
    // The API finds a lead through its person; give the synthetic leads theirs.
    auto db = sqlite::Database::Open(dir.SqliteUrl().substr(std::string_view("sqlite:").size()));
    if (!db.ok() || !(*db)
                         ->Exec("INSERT INTO persons (id, email, created_at, updated_at) SELECT "
                                "id, email, created_at, updated_at FROM leads")
                         .ok()) {
      std::abort();
    }
    // Each owned lead's history, for its why-now line: three page views (two of pricing)
    // and a download over the week before it was created, already processed; the MQLs
    // their move to MQL in the log.
    const auto start_events = Clock::now();
    if (!(*db)->Exec(kOwnedLeadHistory).ok()) std::abort();
    fmt::print("  with 4 events for each owned lead, loaded in {:.1f} s\n", Seconds(start_events));
  }
  // The synthetic leads have no score items to recompute; mark them current.
  (void)store->PutSetting("scoring_policy", ScoringPolicyHash(DefaultScoring()));
  Config config;
  config.server.listen = "127.0.0.1:0";
  // One client sends every request as fast as it can: the API's request limits (which
  // would answer 429 past a few hundred) are not what is measured.
  config.limits.api_per_client_per_minute = 0;
  config.limits.api_per_token_per_minute = 0;
  Application app(config, std::move(store), clock);
  if (!app.Start().ok()) std::abort();
  testing::HttpClient client(app.port());
  // p50 and p99 of `n` GETs of `target`, each as the next rep.
  auto time_get = [&](const std::string& target, int n) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      const std::string& token = tokens[static_cast<size_t>(i) % tokens.size()];
      auto t0 = Clock::now();
      auto r = client.Request("GET", target, "", {{"Authorization", "Bearer " + token}});
      ms.push_back(Seconds(t0) * 1000);
      if (r.status != 200) {
        fmt::print("unexpected {}: {}\n", r.status, r.body);
        std::abort();
      }
    }
    std::sort(ms.begin(), ms.end());
    return std::pair(ms[ms.size() / 2], ms[ms.size() * 99 / 100]);
  };
  auto [page_p50, page_p99] = time_get("/api/v1/leads?owner=me&sort=sla", 2000);
  fmt::print(
      "  GET /api/v1/leads?owner=me&sort=sla (50 leads a page): p50 {:.2f} ms, p99 {:.2f} ms  "
      "(target p99 <= 20 ms)\n",
      page_p50, page_p99);
  auto [plain_p50, plain_p99] = time_get("/api/v1/leads?owner=me&sort=sla&limit=200", 400);
  fmt::print("  GET /api/v1/leads?owner=me&sort=sla&limit=200: p50 {:.2f} ms, p99 {:.2f} ms\n",
             plain_p50, plain_p99);
  auto [why_p50, why_p99] =
      time_get("/api/v1/leads?owner=me&sort=sla&include=why_now&limit=200", 400);
  fmt::print(
      "  GET /api/v1/leads?owner=me&sort=sla&include=why_now&limit=200: p50 {:.2f} ms, p99 "
      "{:.2f} ms  (target p99 <= 10 ms)\n",
      why_p50, why_p99);
  // What the web app's inbox asks: open stages, 200 leads, each with its why-now line.
  auto [inbox_p50, inbox_p99] = time_get(
      "/api/v1/leads?owner=me&stage=mql,sal,sql,opportunity&sort=sla&include=why_now&limit=200",
      200);
  fmt::print(
      "  the web inbox's request (200 leads with why_now): p50 {:.2f} ms, p99 {:.2f} ms "
      "({:.1f} x the 50-lead page)\n",
      inbox_p50, inbox_p99, inbox_p50 / page_p50);

  // The contact gate: a touch (check and record, one fsynced transaction) beside a plain
  // read of the same lead, alternating, on leads their owners work.
  std::vector<double> read_ms, touch_ms;
  auto touch_start = Clock::now();
  double touch_total = 0;
  for (int i = 0, done = 0; done < 1000; ++i) {
    const int64_t id = static_cast<int64_t>(1 + (static_cast<size_t>(i) * 7919) % leads);
    auto lead = app.store().GetLead(id).value();
    if (!lead->owner_id) continue;
    const std::string auth = "Bearer " + tokens[static_cast<size_t>(*lead->owner_id - 1)];
    auto t0 = Clock::now();
    auto r = client.Request("GET", fmt::format("/api/v1/leads/ld_{}", id), "",
                            {{"Authorization", auth}});
    read_ms.push_back(Seconds(t0) * 1000);
    t0 = Clock::now();
    auto t = client.Request("POST", fmt::format("/api/v1/leads/ld_{}/touches", id),
                            R"({"channel":"email","note":"bench"})", {{"Authorization", auth}});
    const double took = Seconds(t0);
    touch_ms.push_back(took * 1000);
    touch_total += took;
    if (r.status != 200 || t.status != 201) {
      fmt::print("unexpected {} / {}: {}\n", r.status, t.status, t.body);
      std::abort();
    }
    ++done;
  }
  (void)touch_start;
  std::sort(read_ms.begin(), read_ms.end());
  std::sort(touch_ms.begin(), touch_ms.end());
  fmt::print(
      "  POST /api/v1/leads/{{id}}/touches (gate + record): p50 {:.2f} ms, p99 {:.2f} ms, {:.0f} "
      "touches/s sequential; GET the same lead: p50 {:.2f} ms (touch/read p50 = {:.1f} x)\n",
      touch_ms[touch_ms.size() / 2], touch_ms[touch_ms.size() * 99 / 100],
      static_cast<double>(touch_ms.size()) / touch_total, read_ms[read_ms.size() / 2],
      touch_ms[touch_ms.size() / 2] / read_ms[read_ms.size() / 2]);

  // Reports over every lead: the leak report, the hygiene report, /metrics.
  for (const char* target :
       {"/api/v1/reports/leaks?limit=100", "/api/v1/reports/hygiene", "/metrics"}) {
    std::vector<double> report_ms;
    for (int i = 0; i < 20; ++i) {
      auto t0 = Clock::now();
      auto r = client.Request("GET", target, "", {{"Authorization", "Bearer " + manager_token}});
      report_ms.push_back(Seconds(t0) * 1000);
      if (r.status != 200) {
        fmt::print("unexpected {} for {}: {}\n", r.status, target, r.body);
        std::abort();
      }
    }
    std::sort(report_ms.begin(), report_ms.end());
    fmt::print("  GET {}: p50 {:.1f} ms, max {:.1f} ms\n", target, report_ms[report_ms.size() / 2],
               report_ms.back());
  }
}

}  // namespace
}  // namespace tandem

int main() {
  const bool quick = std::getenv("TANDEM_BENCH_QUICK") != nullptr;
  // For a profiler: one pipeline run with the reports kept or not, and nothing else
  // (on the PostgreSQL cluster TANDEM_BENCH_PG_URL names, if any).
  if (const char* only = std::getenv("TANDEM_BENCH_PIPELINE_ONLY")) {
    auto events = tandem::Traffic(quick ? 20000 : 200000,
                                  tandem::SystemClock().Now() - std::chrono::hours(24 * 7));
    // On PostgreSQL when a cluster is named.
    const std::string pg = tandem::bench::PgBenchUrl();
    const auto [rate, leads] = tandem::StoreAndProcess(
        events, true, pg.empty() ? "" : tandem::bench::PgSchemaUrl(pg, "bench_profile"),
        std::string_view(only) == "kept");
    fmt::print("pipeline{}, reports {}: {:.0f} events/s, {} leads\n",
               pg.empty() ? "" : " on postgres", only, rate, leads);
    return 0;
  }
  tandem::PipelinePhase(quick ? 20000 : 200000);
  tandem::InboxPhase(quick ? 100000 : 1000000);
  return 0;
}
