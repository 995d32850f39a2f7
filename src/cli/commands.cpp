#include "cli/commands.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/application.h"
#include "core/random.h"
#include "ingest/segment_message.h"
#include "metrics/metrics.h"
#include "pipeline/event_pipeline.h"
#include "store/store.h"
#include "workload/workload.h"

namespace tandem::cli {
namespace {

constexpr std::string_view kDemoSourceName = "Demo website";

StatusOr<std::unique_ptr<Store>> Open(const Config& config) {
  StoreOptions options;
  options.synchronous_full = config.storage.sqlite_synchronous == "full";
  return OpenStore(config.storage.url, options);
}

// Write keys are 24 random bytes, base64url: 32 characters, no ':' (Basic auth safe).
std::string NewWriteKey() { return RandomToken(24); }

}  // namespace

Status Serve(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  SystemClock clock;
  Application app(config, std::move(store), clock);
  app.WatchSignals();
  TANDEM_RETURN_IF_ERROR(app.Start());
  app.RunUntilSignal();
  return OkStatus();
}

Status Migrate(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(int version, store->SchemaVersion());
  std::cout << fmt::format("schema is at version {} ({})\n", version, config.storage.url);
  return OkStatus();
}

Status AddSource(const Config& config, const std::string& name) {
  if (name.empty() || name.size() > 200) {
    return InvalidArgument("invalid_name", "a source name must be 1 to 200 characters");
  }
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  SystemClock clock;
  TANDEM_ASSIGN_OR_RETURN(Source source, store->CreateSource(name, NewWriteKey(), clock.Now()));
  std::cout << fmt::format("source {} \"{}\" created; send events with this write key:\n",
                           source.id, source.name)
            << source.write_key << "\n";
  return OkStatus();
}

Status ListSources(const Config& config) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto sources, store->ListSources());
  if (sources.empty()) std::cout << "no sources yet; add one with `tandem source add NAME`\n";
  for (const auto& s : sources) std::cout << fmt::format("{}\t{}\t{}\n", s.id, s.write_key, s.name);
  return OkStatus();
}

Status Demo(const Config& config, int64_t events) {
  TANDEM_ASSIGN_OR_RETURN(auto store, Open(config));
  TANDEM_ASSIGN_OR_RETURN(auto sources, store->ListSources());
  for (const auto& s : sources) {
    if (s.name == kDemoSourceName) {
      std::cout << fmt::format("demo workspace already present in {}; write key:\n{}\n",
                               config.storage.url, s.write_key);
      return OkStatus();
    }
  }
  SystemClock clock;
  const TimePoint now = clock.Now();
  TANDEM_ASSIGN_OR_RETURN(Source source, store->CreateSource(kDemoSourceName, NewWriteKey(), now));
  // Visits spread over the last few days, ending about now.
  WorkloadGenerator generator(/*seed=*/2026, now - std::chrono::hours(72));
  generator.set_visit_gap(std::chrono::milliseconds(std::chrono::hours(72)) /
                          std::max<int64_t>(events / 4, 1));
  generator.set_identify_rate(0.15);
  SegmentParser parser;
  std::vector<EventRecord> records;
  for (const std::string& message : generator.Messages(static_cast<size_t>(events))) {
    std::string body = message;
    // Stored as a client would have sent it: with no clock skew, received when sent.
    IngestRequest request{IngestCall::kBatch, {}, now, "203.0.113.7"};
    std::string batch = "{\"batch\":[" + body + "]}";
    request.body = batch;
    auto parsed = parser.Parse(request);
    if (!parsed.ok()) return parsed.status();
    for (auto& r : parsed->events) {
      r.source_id = source.id;
      r.received_at = r.timestamp;
      records.push_back(std::move(r));
    }
  }
  TANDEM_RETURN_IF_ERROR(store->AppendEvents(records).status());
  Metrics metrics;
  EventPipeline pipeline(*store, clock, metrics, EventPipeline::Options{});
  TANDEM_RETURN_IF_ERROR(pipeline.Drain());
  std::cout << fmt::format(
      "demo workspace created in {}: source \"{}\" with {} events; write key:\n{}\n",
      config.storage.url, source.name, records.size(), source.write_key);
  return OkStatus();
}

}  // namespace tandem::cli
