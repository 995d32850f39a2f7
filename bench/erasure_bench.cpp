// erasure_bench: what erasing a person with a long history costs (the target: <= 100 ms).
//
// One person with 10,000 events of generated website traffic, identified and routed,
// on a real SQLite file and, when `make bench` names a PostgreSQL cluster
// (TANDEM_BENCH_PG_URL), on PostgreSQL too. Printed: the erasure's time (one transaction:
// every table of the person, the tombstone, the suppression list), and the rows it
// deleted or anonymized.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "app/open_store.h"
#include "bench_pg.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "privacy/erasure.h"
#include "testing/temp_dir.h"
#include "workload/workload.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;

// `count` events of one visitor who then identifies and asks for a demo.
std::vector<EventRecord> OnePersonsHistory(size_t count, TimePoint start) {
  WorkloadGenerator generator(11, start);
  generator.set_identify_rate(0);
  generator.set_visit_gap(std::chrono::minutes(10));
  SegmentParser parser;
  std::vector<EventRecord> out;
  auto add = [&](const std::string& batch, TimePoint at) {
    auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, batch, at, "127.0.0.1"});
    for (auto& e : parsed->events) {
      e.source_id = 1;
      e.received_at = e.timestamp;
      out.push_back(std::move(e));
    }
  };
  for (std::string& message : generator.Messages(count - 2)) {
    auto doc = nlohmann::json::parse(message);
    doc["anonymousId"] = "long-history";
    doc.erase("userId");
    add("{\"batch\":[" + doc.dump() + "]}", start);
    if (out.size() >= count - 2) break;
  }
  add(R"({"batch":[{"type":"identify","anonymousId":"long-history","traits":{"email":"long@buyer.example","name":"Lee Long","title":"VP Sales","company":{"name":"Buyer Co","size":400}}},
                   {"type":"track","anonymousId":"long-history","event":"Demo Requested"}]})",
      out.back().timestamp + std::chrono::minutes(5));
  return out;
}

void Measure(const char* backend, const std::string& url) {
  auto store = std::move(OpenStore(url, StoreOptions{}).value());
  const TimePoint start = *ParseIsoTime("2026-07-20T08:00:00Z");
  store->CreateSource("Web", "k", start).value();
  UserRecord rep;
  rep.email = "rep@seller.example";
  rep.name = "Rep";
  rep.role = Role::kSalesRep;
  rep.created_at = rep.updated_at = start;
  store->CreateUser(rep).value();
  std::vector<EventRecord> history = OnePersonsHistory(10'000, start);
  const TimePoint last = history.back().timestamp;
  store->AppendEvents(history).value();
  Config config;
  LeadEngine engine(config.scoring, config.routing, config.webhooks, config.contact, config.sla,
                    OwnerBriefFor);
  Metrics metrics;
  EventPipeline::Options options;
  options.leads = &engine;
  ManualClock clock(last + std::chrono::minutes(5));
  EventPipeline pipeline(*store, clock, metrics, options);
  (void)pipeline.Drain();
  const int64_t person =
      store->FindPersonByIdentity({IdentityKind::kAnonymousId, "long-history"}).value().value();
  const int64_t events = store->CountPersonEvents(person).value();

  const auto began = Steady::now();
  auto counts = ErasePerson(*store, "bench secret", person, last + std::chrono::hours(1));
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - began).count();
  if (!counts.ok()) {
    fmt::print("erasure ({}): {}\n", backend, counts.status().ToString());
    return;
  }
  fmt::print("erasure ({}): a person with {} events erased in {:.1f} ms (target <= 100 ms)\n",
             backend, events, ms);
  fmt::print("  rows: {}\n", ErasureDetail(*counts).dump());
}

}  // namespace
}  // namespace tandem

int main() {
  tandem::testing::TempDir dir;
  tandem::Measure("SQLite", dir.SqliteUrl());
  const std::string pg = tandem::bench::PgBenchUrl();
  if (pg.empty()) {
    fmt::print("erasure (PostgreSQL): skipped, TANDEM_BENCH_PG_URL is not set\n");
  } else {
    tandem::Measure("PostgreSQL", tandem::bench::PgSchemaUrl(pg, "erasure_bench"));
  }
  return 0;
}
