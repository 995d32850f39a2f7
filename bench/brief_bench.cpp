// brief_bench: what a handoff brief costs for a lead with a long history.
//
// One person with 10,000 events of generated website traffic (pages, downloads,
// forms, webinars) over months, identified and routed, on a real SQLite file with the
// demo catalog. Printed, p50/p99 over repeated runs in this process:
//   1. build: extracting the brief's fields from the 10,000 stored payloads (simdjson)
//      and building the brief (the target: <= 5 ms);
//   2. the same with a JSON DOM per payload instead (nlohmann), the baseline the
//      extraction is measured against;
//   3. end to end: reading everything from the store, building, rendering Markdown.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "app/open_store.h"
#include "brief/brief.h"
#include "brief/brief_input.h"
#include "config/config.h"
#include "core/time_format.h"
#include "ingest/segment_message.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "testing/temp_dir.h"
#include "workload/demo_catalog.h"
#include "workload/workload.h"

namespace tandem {
namespace {

using Steady = std::chrono::steady_clock;

struct Figures {
  double p50 = 0, p99 = 0;
};

template <typename Work>
Figures Time(int runs, Work work) {
  for (int i = 0; i < 3; ++i) work();  // warm caches and the allocator
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = Steady::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// 10,000 events of one visitor: the generator's traffic, every message given the same
// anonymous id, spread over about four months.
std::vector<EventRecord> OnePersonsHistory(size_t count, TimePoint start) {
  WorkloadGenerator generator(11, start);
  generator.set_identify_rate(0);
  generator.set_visit_gap(std::chrono::minutes(10));
  SegmentParser parser;
  std::vector<EventRecord> out;
  for (std::string& message : generator.Messages(count)) {
    auto doc = nlohmann::json::parse(message);
    doc["anonymousId"] = "long-history";
    doc.erase("userId");
    std::string batch = "{\"batch\":[" + doc.dump() + "]}";
    auto parsed = parser.Parse(IngestRequest{IngestCall::kBatch, batch, start, "127.0.0.1"});
    for (auto& e : parsed->events) {
      e.source_id = 1;
      e.received_at = e.timestamp;
      out.push_back(std::move(e));
    }
    if (out.size() == count) break;
  }
  return out;
}

void Run() {
  testing::TempDir dir;
  auto store = std::move(OpenStore(dir.SqliteUrl(), StoreOptions{}).value());
  const TimePoint start = *ParseIsoTime("2026-07-20T08:00:00Z");
  ManualClock clock(start);
  store->CreateSource("Web", "k", start).value();
  Catalog catalog = ParseCatalogToml(DemoCatalogToml(), "demo catalog").value();
  (void)store->PutCatalog(catalog, true);
  UserRecord rep;
  rep.email = "rep@seller.example";
  rep.name = "Rep";
  rep.role = Role::kSalesRep;
  rep.created_at = rep.updated_at = start;
  store->CreateUser(rep).value();

  std::vector<EventRecord> history = OnePersonsHistory(9998, start);
  TimePoint last = history.back().timestamp;
  SegmentParser parser;
  auto identify = parser.Parse(IngestRequest{
      IngestCall::kBatch,
      R"({"batch":[{"type":"identify","anonymousId":"long-history","traits":{"email":"long@buyer.example","name":"Lee Long","title":"VP Sales","company":{"name":"Buyer Co","size":400}}},
                   {"type":"track","anonymousId":"long-history","event":"Demo Requested","context":{"page":{"path":"/pricing"}}}]})",
      last + std::chrono::minutes(5), "127.0.0.1"});
  for (auto& e : identify->events) {
    e.source_id = 1;
    history.push_back(std::move(e));
  }
  auto load_start = Steady::now();
  store->AppendEvents(history).value();
  Config config;
  LeadEngine engine(config.scoring, config.routing, config.webhooks, config.contact, config.sla,
                    OwnerBriefFor);
  Metrics metrics;
  EventPipeline::Options options;
  options.leads = &engine;
  clock.Set(last + std::chrono::minutes(5));
  EventPipeline pipeline(*store, clock, metrics, options);
  (void)pipeline.Drain();
  const int64_t lead_id =
      store->FindPersonByIdentity({IdentityKind::kAnonymousId, "long-history"}).value().value();
  LeadRecord lead = store->GetLead(lead_id).value().value();
  const TimePoint now = last + std::chrono::minutes(17);
  std::vector<StoredEvent> events = store->PersonEvents(lead_id, 100000).value();
  fmt::print("brief: lead with {} events ({} owner), stored and processed in {:.1f} s\n",
             events.size(), lead.owner_id ? "routed to an" : "no",
             std::chrono::duration<double>(Steady::now() - load_start).count());

  BriefInput base = BriefInputFor(engine, *store, lead, now).value();
  base.events.clear();  // each run extracts them again
  size_t bytes = 0;
  for (const StoredEvent& e : events) bytes += e.record.payload.size();

  nlohmann::json last_brief;
  constexpr int kRuns = 60;
  BriefInput in = std::move(base);
  Figures build = Time(kRuns, [&] {
    in.events = ExtractBriefEvents(events);
    last_brief = BuildBrief(in);
  });
  Figures dom = Time(kRuns / 3, [&] {
    size_t fields = 0;
    for (const StoredEvent& e : events) {
      auto doc = nlohmann::json::parse(e.record.payload);
      fields += doc.contains("properties") + doc.contains("context");
    }
    if (fields == 0) fmt::print("no fields\n");
  });
  Figures builder = Time(kRuns, [&] { last_brief = BuildBrief(in); });
  Figures extract = Time(kRuns, [&] {
    if (ExtractBriefEvents(events).empty()) fmt::print("no events\n");
  });
  Figures end_to_end = Time(kRuns, [&] {
    BriefInput read = BriefInputFor(engine, *store, lead, now).value();
    std::string md = RenderBriefMarkdown(BuildBrief(read));
    if (md.empty()) fmt::print("empty brief\n");
  });
  fmt::print("  payloads: {:.1f} MB; why now: \"{}\"\n", bytes / 1e6,
             last_brief["why_now"]["text"].get<std::string>());
  fmt::print(
      "  build (simdjson extraction + brief):        p50 {:>6.2f} ms, p99 {:>6.2f} ms  (target <= "
      "5 ms)\n",
      build.p50, build.p99);
  fmt::print("    extraction alone:                          p50 {:>6.2f} ms\n", extract.p50);
  fmt::print("    building alone:                            p50 {:>6.2f} ms\n", builder.p50);
  fmt::print(
      "  baseline: a JSON DOM per payload, no brief:  p50 {:>6.2f} ms  -> build is {:.2f}x the "
      "baseline\n",
      dom.p50, build.p50 / dom.p50);
  fmt::print("  end to end (store reads + build + Markdown): p50 {:>6.2f} ms, p99 {:>6.2f} ms\n",
             end_to_end.p50, end_to_end.p99);
}

}  // namespace
}  // namespace tandem

int main() {
  tandem::Run();
  return 0;
}
