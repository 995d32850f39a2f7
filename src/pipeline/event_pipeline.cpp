#include "pipeline/event_pipeline.h"

#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "analytics/facts/touchpoint.h"
#include "brief/brief_event.h"
#include "core/ids.h"
#include "experiments/experiment.h"
#include "experiments/web_exposure.h"
#include "identity/email.h"
#include "identity/erased_address.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"

namespace tandem {
namespace {

std::string EmailIn(simdjson::dom::element root, const char* pointer) {
  std::string_view text;
  if (root.at_pointer(pointer).get_string().get(text) != simdjson::SUCCESS) return "";
  return NormalizeEmail(text);
}

}  // namespace

EventIdentities ExtractEventIdentities(const StoredEvent& event) {
  thread_local simdjson::dom::parser parser;
  EventIdentities ids;
  ids.user_id = event.record.user_id;
  ids.anonymous_id = event.record.anonymous_id;
  simdjson::dom::element root;
  if (parser.parse(event.record.payload).get(root) != simdjson::SUCCESS) return ids;
  if (event.record.type == "identify") ids.email = EmailIn(root, "/traits/email");
  if (ids.email.empty()) ids.email = EmailIn(root, "/context/traits/email");
  if (event.record.type == "alias") {
    std::string_view previous;
    if (root.at_pointer("/previousId").get_string().get(previous) == simdjson::SUCCESS) {
      ids.previous_id = std::string(previous);
    } else if (auto number = root.at_pointer("/previousId"); number.is_number()) {
      ids.previous_id = simdjson::minify(number.value_unsafe());
    }
  }
  return ids;
}

EventPipeline::EventPipeline(ProcessingSource& source, EventStore& events, const Clock& clock,
                             Metrics& metrics, Options options)
    : source_(source), events_(events), clock_(clock), metrics_(metrics), options_(options) {}

EventPipeline::~EventPipeline() { Stop(); }

StatusOr<size_t> EventPipeline::ProcessBatch() {
  const size_t size = std::max(batch_size_.load(), options_.batch_events);
  StatusOr<size_t> processed = ProcessEvents(size);
  if (processed.ok()) {
    batch_size_ =
        *processed == size
            ? std::min(size * 2, std::max(options_.max_batch_events, options_.batch_events))
            : options_.batch_events;
  }
  if (processed.ok() || processed.status().code() == StatusCode::kUnavailable) return processed;
  batch_size_ = options_.batch_events;
  // The store refused something in the batch (not a passing outage): process its events
  // one by one, and set aside the one it refuses, so one event never stalls the others.
  spdlog::warn("event pipeline: batch failed ({}); processing its events one by one",
               processed.status().ToString());
  size_t done = 0;
  while (done < size) {
    StatusOr<size_t> one = ProcessEvents(1);
    if (one.ok() && *one == 0) break;
    if (!one.ok()) {
      if (one.status().code() == StatusCode::kUnavailable) {
        if (done > 0) break;
        return one.status();
      }
      TANDEM_RETURN_IF_ERROR(SetAsideNext(one.status()));
    }
    ++done;
  }
  return done;
}

Status EventPipeline::SetAsideNext(const Status& cause) {
  TANDEM_ASSIGN_OR_RETURN(auto txn, source_.BeginProcessing());
  TANDEM_ASSIGN_OR_RETURN(auto events, txn->NextUnprocessed(1));
  if (events.empty()) return OkStatus();
  const StoredEvent& event = events.front();
  TANDEM_RETURN_IF_ERROR(txn->MarkProcessed(event));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  spdlog::error("event pipeline: event {} (source {}, messageId {}) set aside unprocessed: {}",
                event.id, event.record.source_id, event.record.message_id, cause.ToString());
  metrics_.events_set_aside.Increment();
  metrics_.pipeline_lag_events.Processed(1);
  return OkStatus();
}

Status EventPipeline::ExposeToWebExperiments(ProcessingTxn& txn, const StoredEvent& event,
                                             int64_t person_id) {
  for (const WebExposure& x : WebExposuresOf(event.record.payload)) {
    TANDEM_ASSIGN_OR_RETURN(auto experiment, txn.RunningExperiment({.web_key = x.key}));
    // A page rendered for another version, or a variant it does not have: not exposed.
    if (!experiment || experiment->version != x.version) continue;
    const std::optional<size_t> arm = experiment->VariantIndex(x.variant);
    if (!arm) continue;
    // Only the arm the snippet gives this visitor (by their user id or anonymous id): a
    // client does not choose its own arm.
    const std::vector<double> weights = experiment->Weights();
    const auto hashed = [&](const std::string& id) {
      return !id.empty() && AssignArm(x.key, x.version, weights, id) == *arm;
    };
    if (!hashed(event.record.user_id) && !hashed(event.record.anonymous_id)) continue;
    TANDEM_RETURN_IF_ERROR(
        txn.ExposePerson(experiment->id, person_id, *arm, event.record.received_at).status());
  }
  return OkStatus();
}

Status EventPipeline::NoteErasedReturn(ProcessingTxn& txn, const StoredEvent& event,
                                       const EventIdentities& ids, int64_t person_id, TimePoint now,
                                       std::vector<AuditEntry>& returns) const {
  if (ids.email.empty() || options_.audit == nullptr || options_.erased_address_secret == nullptr ||
      options_.erased_address_secret->empty()) {
    return OkStatus();
  }
  const std::string key = ErasedAddressKey(*options_.erased_address_secret, ids.email);
  TANDEM_ASSIGN_OR_RETURN(bool returned,
                          txn.NoteErasedAddressReturn(key, event.record.source_id, person_id, now));
  if (!returned) return OkStatus();
  AuditEntry entry;
  entry.at = now;
  entry.actor = "system";
  entry.action = std::string(audit_action::kErasedReturned);
  entry.subject = LeadIdText(person_id);
  // Where it came back through, never the address.
  entry.detail = nlohmann::json{
      {"source_id", event.record.source_id},
      {"event_type", event.record.type},
      {"event_id",
       event.id}}.dump();
  returns.push_back(std::move(entry));
  return OkStatus();
}

StatusOr<size_t> EventPipeline::ProcessEvents(size_t limit) {
  TANDEM_ASSIGN_OR_RETURN(auto txn, source_.BeginProcessing());
  TANDEM_ASSIGN_OR_RETURN(auto events, txn->NextUnprocessed(limit));
  if (events.empty()) return size_t{0};
  const TimePoint now = clock_.Now();
  // What the brief reads of each event, kept with the person it is stitched to.
  const BriefEvents brief = ExtractBriefEvents(events);
  std::vector<AuditEntry> returns;  // erased addresses that came back, recorded once committed
  for (size_t i = 0; i < events.size(); ++i) {
    const StoredEvent& event = events[i];
    EventIdentities ids = ExtractEventIdentities(event);
    std::vector<Identity> keys = IdentitiesToLookUp(ids);
    TANDEM_ASSIGN_OR_RETURN(auto known, txn->LookUpIdentities(keys));
    StitchPlan plan = PlanStitch(ids, known);
    TANDEM_ASSIGN_OR_RETURN(int64_t person_id, txn->ApplyStitch(event, plan, now));
    TANDEM_RETURN_IF_ERROR(NoteErasedReturn(*txn, event, ids, person_id, now, returns));
    TANDEM_RETURN_IF_ERROR(txn->KeepBriefEvent(person_id, brief[i]));
    // Before the lead's work, so a hand-raise on the page that showed a variant counts.
    TANDEM_RETURN_IF_ERROR(ExposeToWebExperiments(*txn, event, person_id));
    // Without the lead engine, any person may have a lead made elsewhere.
    bool lead = true;
    if (options_.leads != nullptr) {
      TANDEM_ASSIGN_OR_RETURN(lead, options_.leads->OnEvent(*txn, event, person_id, plan, now));
    }
    // The reports read the touchpoints of leads only: most visitors never become one, and
    // a new lead's creation keeps those of its person's events so far, this one included.
    std::optional<Touchpoint> touchpoint;
    if (lead && txn->KeepsTouchpoints()) touchpoint = TouchpointOf(event);
    if (touchpoint) {
      touchpoint->person_id = person_id;
      TANDEM_RETURN_IF_ERROR(txn->AddTouchpoint(*touchpoint));
    }
  }
  TANDEM_RETURN_IF_ERROR(txn->MarkProcessed(events.back()));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  txn.reset();  // the store's writer is free again: the trail takes its own write
  for (const AuditEntry& entry : returns) {
    // Committed already: a trail that cannot take the entry now is logged, not retried.
    if (auto kept = options_.audit->AppendAudit(entry); !kept.ok()) {
      spdlog::error("event pipeline: cannot record {} of {}: {}", entry.action, entry.subject,
                    kept.status().ToString());
    }
  }
  metrics_.events_processed.Increment(static_cast<int64_t>(events.size()));
  metrics_.pipeline_lag_events.Processed(static_cast<int64_t>(events.size()));
  // Until one count succeeds (the first may have overlapped a commit), the figure misses
  // what was stored before this run: count again after every batch until it holds.
  if (!metrics_.pipeline_lag_events.Exact()) RefreshLag();
  return events.size();
}

bool EventPipeline::RefreshLag() {
  const uint64_t token = metrics_.pipeline_lag_events.ReadToken();
  if (token == UINT64_MAX) return false;  // a commit is in progress; its end counts it
  auto lag = events_.CountUnprocessedEvents();
  if (!lag.ok()) {
    spdlog::warn("event pipeline: cannot count unprocessed events: {}", lag.status().ToString());
    return false;
  }
  return metrics_.pipeline_lag_events.SetExact(token, *lag);
}

Status EventPipeline::Drain() {
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(size_t n, ProcessBatch());
    if (n == 0) return OkStatus();
  }
}

void EventPipeline::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void EventPipeline::Notify() { signal_.Notify(); }

void EventPipeline::Stop() {
  signal_.RequestStop();
  if (thread_.joinable()) thread_.join();
}

void EventPipeline::Run() {
  // Ingest comes first: acknowledging events is what clients wait for, while the
  // pipeline may lag behind (its lag is on /metrics) and catches up when ingest is
  // idle. A lower CPU priority for this thread does exactly that on a busy machine.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
    spdlog::debug("event pipeline: cannot lower its priority: {}", std::strerror(errno));
  }
  RefreshLag();  // events stored before a restart, or by other instances
  while (signal_.WaitForWork(std::chrono::seconds(1))) {
    for (;;) {
      auto processed = ProcessBatch();
      if (!processed.ok()) {
        spdlog::error("event pipeline: {}", processed.status().ToString());
        break;  // retried on the next wake-up
      }
      if (*processed == 0) {
        // Idle: the count is small now, and takes in other instances' work.
        RefreshLag();
        break;
      }
      if (!signal_.HoldWhile(options_.ingest_busy, options_.max_deferral)) return;
    }
  }
}

}  // namespace tandem
