// keep_up_bench: whether the pipeline keeps up with what ingest acknowledges, and how
// long a hand-raise waits for its owner meanwhile.
//
// One server in this process (the real Application: ingest, the pipeline with leads and
// the reports' facts, seven reps) on a fresh SQLite file, and on PostgreSQL when
// TANDEM_BENCH_PG_URL names one (then also two servers on one database, each with its
// own pipeline, the load split between them). 16 connections send /v1/batch (100
// events a request) back to back for the run's length (120 s; TANDEM_BENCH_QUICK: 20 s);
// meanwhile, every 250 ms, a new prospect identifies and requests a demo, and the time
// from its acknowledgement to its lead having an owner is taken (routing writes the
// owner and the handoff brief in one transaction, so an owner means a brief too).
// Printed: events/s acknowledged and processed over the run, their ratio, the lag left
// at the end (events, and seconds of processing), the hand-raises' p50/p90/p99/max. On
// SQLite the same runs again starting behind a backlog stored before the server starts
// (1,000,000 events; QUICK: 300,000; TANDEM_BENCH_BACKLOG=N sets it). TANDEM_BENCH_HANDS=1
// prints each hand-raise's wait on stderr as it ends.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/application.h"
#include "app/open_store.h"
#include "bench_pg.h"
#include "http_load.h"
#include "ingest/segment_message.h"
#include "support/http_client.h"
#include "testing/temp_dir.h"

namespace tandem {
namespace {

using Clock = std::chrono::steady_clock;

// Messages the load cycles through: a visitor comes back once a cycle, so at full rate
// a history grows by a few events every few seconds, as a busy site's regulars do.
constexpr size_t kTemplates = 200000;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Check(const Status& status) {
  if (!status.ok()) {
    fmt::print(stderr, "keep_up_bench: {}\n", status.ToString());
    std::abort();
  }
}

// A store with the source "Web" (returns its write key) and seven reps.
std::string Prepare(Store& store, TimePoint now) {
  auto source = store.CreateSource("Web", "bench-write-key", now);
  Check(source.status());
  for (int i = 0; i < 7; ++i) {
    UserRecord u;
    u.email = fmt::format("rep{}@tandem.example", i);
    u.name = fmt::format("Rep {}", i);
    u.role = Role::kSalesRep;
    u.capacity = 1000000;
    u.created_at = u.updated_at = now;
    Check(store.CreateUser(u).status());
  }
  return "bench-write-key";
}

Config BenchConfig() {
  Config config;
  config.server.listen = "127.0.0.1:0";
  return config;
}

struct HandRaises {
  std::vector<double> ms;             // acknowledgement to owner, each
  int never = 0;                      // no owner within 60 s
  std::vector<double> unfinished_ms;  // waiting when the load stopped, for so long
  double Percentile(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

// Every 250 ms until `stop`: a new prospect identifies and requests a demo through
// `port`; meanwhile, on a thread of its own (a request may wait for the store's writer,
// and the time must not), the leads of those raised so far are looked up in `store`
// every 5 ms until each has an owner.
HandRaises RaiseHands(uint16_t port, const std::string& auth, Store& store,
                      const std::atomic<bool>& stop, const std::string& prefix) {
  HandRaises out;
  const auto started = Clock::now();
  std::mutex mu;
  std::vector<std::pair<std::string, Clock::time_point>> waiting;  // user id, acknowledged
  std::atomic<bool> posted{false};  // the last hand-raise is sent (or failed)
  std::thread watcher([&] {
    for (bool last = false; !last;) {
      last = posted.load();
      std::vector<std::pair<std::string, Clock::time_point>> looked;
      {
        std::lock_guard lock(mu);
        looked = waiting;
      }
      std::vector<std::string> done;
      for (const auto& [user, acknowledged] : looked) {
        auto person = store.FindPersonByIdentity({IdentityKind::kUserId, user});
        bool owned = false;
        if (person.ok() && *person) {
          auto lead = store.GetLead(**person);
          owned = lead.ok() && *lead && (*lead)->owner_id;
        }
        if (owned) {
          out.ms.push_back(Seconds(Clock::now() - acknowledged) * 1000);
          if (std::getenv("TANDEM_BENCH_HANDS"))
            fmt::print(stderr, "hand {} at {:.2f} s: {:.0f} ms\n", user,
                       Seconds(acknowledged - started), out.ms.back());
        } else if (Clock::now() - acknowledged >= std::chrono::seconds(60)) {
          ++out.never;
        } else {
          continue;
        }
        done.push_back(user);
      }
      std::lock_guard lock(mu);
      std::erase_if(waiting, [&](const auto& w) {
        return std::find(done.begin(), done.end(), w.first) != done.end();
      });
      if (!last) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  testing::HttpClient client(port);
  auto next = Clock::now();
  for (int n = 0; !stop;) {
    if (Clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    next += std::chrono::milliseconds(250);
    const std::string user = fmt::format("{}-buyer-{}", prefix, n);
    const std::string body = fmt::format(
        R"({{"batch":[{{"type":"identify","userId":"{0}","messageId":"{0}-i","traits":{{"email":"{0}@acme-{1}.example","name":"Buyer {1}","title":"VP Sales","company":"Acme {1}"}}}},{{"type":"track","userId":"{0}","messageId":"{0}-t","event":"Demo Requested","properties":{{}}}}]}})",
        user, n++);
    if (client.Post("/v1/batch", body, {{"Authorization", auth}}).status == 200) {
      std::lock_guard lock(mu);
      waiting.emplace_back(user, Clock::now());
    }
  }
  posted = true;
  watcher.join();
  // Those still without an owner when the load stopped: how long they had waited.
  for (const auto& w : waiting)
    out.unfinished_ms.push_back(Seconds(Clock::now() - w.second) * 1000);
  return out;
}

// Full-rate /v1/batch load on `apps` (split evenly) for `length`, with hand-raises on
// the first; prints what the pipelines made of it.
void KeepUp(const std::string& label, std::vector<Application*> apps, const std::string& key,
            Clock::duration length) {
  const std::string auth = bench::BasicAuth(key);
  Store& store = apps.front()->store();
  const auto processed_before = [&] {
    int64_t sum = 0;
    for (Application* app : apps) sum += app->metrics().events_processed.Value();
    return sum;
  };
  const int64_t processed_at_start = processed_before();
  const auto started = Clock::now();
  const auto deadline = started + length;
  std::atomic<bool> stop{false};
  HandRaises hands;
  std::thread raiser(
      [&] { hands = RaiseHands(apps.front()->port(), auth, store, stop, label.substr(0, 2)); });
  std::vector<std::thread> loaders;
  std::vector<bench::LoadResult> loads(apps.size());
  for (size_t i = 0; i < apps.size(); ++i) {
    loaders.emplace_back([&, i] {
      bench::BodyFactory bodies(fmt::format("{}{}", label.substr(0, 2), i), 100, kTemplates);
      loads[i] =
          bench::RunLoad(apps[i]->port(), "/v1/batch", auth, 16 / apps.size(),
                         bench::Until(deadline), 100, [&](uint64_t r) { return bodies.Batch(r); });
    });
  }
  for (auto& t : loaders) t.join();
  const double seconds = Seconds(Clock::now() - started);
  const int64_t processed = processed_before() - processed_at_start;
  auto lag = store.CountUnprocessedEvents();
  Check(lag.status());
  stop = true;
  raiser.join();
  uint64_t acked = 0, shed = 0, errors = 0;
  bench::LoadResult all;
  for (auto& l : loads) {
    acked += l.events;
    shed += l.shed;
    errors += l.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), l.latencies_ms.begin(), l.latencies_ms.end());
  }
  const double raise_p50 = hands.Percentile(0.5), raise_p90 = hands.Percentile(0.9),
               raise_p99 = hands.Percentile(0.99);
  const double raise_max = hands.ms.empty() ? 0.0 : hands.ms.back();  // sorted now
  const double ack_rate = static_cast<double>(acked) / seconds;
  const double processed_rate = static_cast<double>(processed) / seconds;
  fmt::print("{}: {:.0f} s of /v1/batch at full rate ({} shed, {} errors)\n", label, seconds, shed,
             errors);
  fmt::print(
      "  acknowledged {:>8.0f} events/s (p50 {:.1f} ms, p99 {:.1f} ms a request); pipeline with "
      "leads processed {:>8.0f} events/s = {:.2f} x  (target >= 1.0 x)\n",
      ack_rate, all.Percentile(0.5), all.Percentile(0.99), processed_rate,
      processed_rate / ack_rate);
  fmt::print("  lag at the end: {} events = {:.1f} s of processing  (target <= 1 s)\n", *lag,
             processed_rate > 0 ? static_cast<double>(*lag) / processed_rate : 0.0);
  fmt::print(
      "  hand-raise to owner + brief: {} raised, p50 {:.0f} ms, p90 {:.0f} ms, p99 {:.0f} ms, max "
      "{:.0f} ms, "
      "{} without an owner after 60 s, {} still waiting when the load stopped (the longest for "
      "{:.0f} ms)  (target p99 <= 1000 ms)\n",
      hands.ms.size() + static_cast<size_t>(hands.never) + hands.unfinished_ms.size(), raise_p50,
      raise_p90, raise_p99, raise_max, hands.never, hands.unfinished_ms.size(),
      hands.unfinished_ms.empty()
          ? 0.0
          : *std::max_element(hands.unfinished_ms.begin(), hands.unfinished_ms.end()));
}

// Stores `events` events of the workload (100 a request's worth at a time) as ingest
// would, before any pipeline runs: a backlog, as after an outage or a burst.
void StoreBacklog(Store& store, size_t events, TimePoint now) {
  bench::BodyFactory bodies("backlog", 100, kTemplates);
  SegmentParser parser;
  for (uint64_t r = 0; r * 100 < events; ++r) {
    const std::string body = bodies.Batch(r);
    auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, body, now, "127.0.0.1"});
    Check(parsed.status());
    for (auto& e : parsed->events) e.source_id = 1;
    Check(store.AppendEvents(parsed->events).status());
  }
}

std::unique_ptr<Store> Open(const std::string& url) {
  auto store = OpenStore(url, StoreOptions{});
  Check(store.status());
  return std::move(*store);
}

}  // namespace
}  // namespace tandem

int main() {
  using namespace tandem;
  const bool quick = std::getenv("TANDEM_BENCH_QUICK") != nullptr;
  const auto length = std::chrono::seconds(quick ? 20 : 120);
  spdlog::set_level(spdlog::level::warn);
  SystemClock clock;
  const char* only = std::getenv("TANDEM_BENCH_ONLY");
  if (only == nullptr || std::string_view(only) != "postgres") {
    testing::TempDir dir;
    auto store = Open(dir.SqliteUrl());
    const std::string key = Prepare(*store, clock.Now());
    Application app(BenchConfig(), std::move(store), clock);
    Check(app.Start());
    KeepUp("sqlite", {&app}, key, length);
  }
  if (only == nullptr || std::string_view(only) != "postgres") {
    // The same, starting behind a backlog: the hand-raises go ahead of it.
    const size_t backlog = std::getenv("TANDEM_BENCH_BACKLOG")
                               ? std::stoul(std::getenv("TANDEM_BENCH_BACKLOG"))
                           : quick ? 300000
                                   : 1000000;
    testing::TempDir dir;
    auto store = Open(dir.SqliteUrl());
    const std::string key = Prepare(*store, clock.Now());
    StoreBacklog(*store, backlog, clock.Now());
    Application app(BenchConfig(), std::move(store), clock);
    Check(app.Start());
    KeepUp(fmt::format("sqlite, starting {} events behind", backlog), {&app}, key, length);
  }
  if (const std::string pg = bench::PgBenchUrl(); !pg.empty()) {
    {
      auto store = Open(bench::PgSchemaUrl(pg, "bench_keep_up"));
      const std::string key = Prepare(*store, clock.Now());
      Application app(BenchConfig(), std::move(store), clock);
      Check(app.Start());
      KeepUp("postgres, one instance", {&app}, key, length);
    }
    const std::string url = bench::PgSchemaUrl(pg, "bench_keep_up_two");
    auto first_store = Open(url);
    const std::string key = Prepare(*first_store, clock.Now());
    Application first(BenchConfig(), std::move(first_store), clock);
    Application second(BenchConfig(), Open(url), clock);
    Check(first.Start());
    Check(second.Start());
    KeepUp("postgres, two instances", {&first, &second}, key, length);
  }
  return 0;
}
