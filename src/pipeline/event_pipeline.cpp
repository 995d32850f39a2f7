#include "pipeline/event_pipeline.h"

#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analytics/facts/touchpoint.h"
#include "brief/brief_event.h"
#include "core/ids.h"
#include "experiments/experiment.h"
#include "experiments/web_exposure.h"
#include "identity/email.h"
#include "identity/erased_address.h"
#include "leads/lead_engine.h"
#include "metrics/metrics.h"
#include "pipeline/visitor_claims.h"
#include "scoring/scorer.h"

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
    : source_(source),
      events_(events),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      waiting_(options.ahead_capacity) {}

EventPipeline::~EventPipeline() { Stop(); }

StatusOr<size_t> EventPipeline::ProcessBatch() { return Batch(true); }

StatusOr<size_t> EventPipeline::Batch(bool beside) {
  ++in_flight_;
  struct Done {
    std::atomic<int>& n;
    ~Done() { --n; }
  } leaving{in_flight_};
  size_t size = std::max(batch_size_.load(), options_.batch_events);
  if (beside && source_.concurrent_batches()) size = std::min(size, kMaxBesideBatch);
  bool full = false;
  StatusOr<size_t> processed = ProcessEvents(size, beside, &full);
  // Batches beside each other may deadlock on a row both write (the store gives up one of
  // them): that one runs again at once.
  for (int again = 0; again < kMaxRetries && !processed.ok() &&
                      processed.status().code() == StatusCode::kUnavailable;
       ++again) {
    processed = ProcessEvents(size, beside, &full);
  }
  if (processed.ok()) {
    last_full_ = full;
    batch_size_ =
        full ? std::min(size * 2, std::max(options_.max_batch_events, options_.batch_events))
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
    int64_t tried = 0;
    StatusOr<size_t> one = ProcessEvents(1, false, nullptr, &tried);
    if (one.ok() && *one == 0) break;
    if (!one.ok()) {
      if (one.status().code() == StatusCode::kUnavailable) {
        if (done > 0) break;
        return one.status();
      }
      TANDEM_RETURN_IF_ERROR(SetAsideNext(one.status(), tried));
    }
    ++done;
  }
  return done;
}

Status EventPipeline::SetAsideNext(const Status& cause, int64_t tried) {
  TANDEM_ASSIGN_OR_RETURN(auto txn, source_.BeginProcessing(true));
  TANDEM_ASSIGN_OR_RETURN(auto events, txn->NextUnprocessed(1));
  // Another batch may have processed it since (it failed here, alone): then nothing is.
  if (events.empty() || events.front().id != tried) return OkStatus();
  const StoredEvent& event = events.front();
  TANDEM_RETURN_IF_ERROR(txn->MarkProcessed(event.id));
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

Status EventPipeline::ProcessInOrder(ProcessingTxn& txn, const std::vector<StoredEvent>& events,
                                     TimePoint now, std::vector<AuditEntry>& returns) {
  // What the brief reads of each event, kept with the person it is stitched to.
  const BriefEvents brief = ExtractBriefEvents(events);
  std::vector<EventIdentities> carried;
  std::vector<std::vector<Identity>> keys;
  carried.reserve(events.size());
  keys.reserve(events.size());
  std::vector<Identity> all;
  for (const StoredEvent& event : events) {
    carried.push_back(ExtractEventIdentities(event));
    keys.push_back(IdentitiesToLookUp(carried.back()));
    all.insert(all.end(), keys.back().begin(), keys.back().end());
  }
  TANDEM_RETURN_IF_ERROR(txn.PrepareLookUps(all));
  for (size_t i = 0; i < events.size(); ++i) {
    const StoredEvent& event = events[i];
    const EventIdentities& ids = carried[i];
    TANDEM_ASSIGN_OR_RETURN(auto known, txn.LookUpIdentities(keys[i]));
    StitchPlan plan = PlanStitch(ids, known);
    TANDEM_ASSIGN_OR_RETURN(int64_t person_id, txn.ApplyStitch(event, plan, now));
    TANDEM_RETURN_IF_ERROR(NoteErasedReturn(txn, event, ids, person_id, now, returns));
    TANDEM_RETURN_IF_ERROR(txn.KeepBriefEvent(person_id, brief[i]));
    // Before the lead's work, so a hand-raise on the page that showed a variant counts.
    TANDEM_RETURN_IF_ERROR(ExposeToWebExperiments(txn, event, person_id));
    // Without the lead engine, any person may have a lead made elsewhere.
    bool lead = true;
    if (options_.leads != nullptr) {
      TANDEM_ASSIGN_OR_RETURN(lead, options_.leads->OnEvent(txn, event, person_id, plan, now));
    }
    // The reports read the touchpoints of leads only: most visitors never become one, and
    // a new lead's creation keeps those of its person's events so far, this one included.
    std::optional<Touchpoint> touchpoint;
    if (lead && txn.KeepsTouchpoints()) touchpoint = TouchpointOf(event);
    if (touchpoint) {
      touchpoint->person_id = person_id;
      TANDEM_RETURN_IF_ERROR(txn.AddTouchpoint(*touchpoint));
    }
  }
  return OkStatus();
}

Status EventPipeline::ScanWaiting() {
  std::shared_ptr<const ScoringConfig> scoring = options_.leads->scoring();
  const auto urgency = [&](const EventKey& key) {
    if (key.type == "track" && MayBeHandRaise(*scoring, key.event)) {
      return WaitingIndex::Urgency::kHandRaise;
    }
    if (key.type == "identify" || key.type == "alias") return WaitingIndex::Urgency::kMayMakeLead;
    return WaitingIndex::Urgency::kNone;
  };
  // The address an event carries links devices as much as an anonymous id does, and so
  // does an alias's previous id.
  const auto carried = [](const EventKey& key) {
    if (key.payload.empty()) return EventIdentities();
    StoredEvent e;
    e.record.type = key.type;
    e.record.payload = key.payload;
    return ExtractEventIdentities(e);
  };
  // A share of the backlog at a time, so one batch never waits long for it.
  for (size_t read = 0; read < kMaxScanPerBatch && !waiting_.full();) {
    const int64_t after = std::max(waiting_.last(), processed_through_);
    TANDEM_ASSIGN_OR_RETURN(auto keys, events_.UnprocessedEventKeys(after, kScanChunk));
    for (const EventKey& key : keys) {
      const EventIdentities ids = carried(key);
      if (!waiting_.Add(key.id, key.anonymous_id, key.user_id, ids.email, urgency(key),
                        ids.previous_id))
        break;
    }
    read += keys.size();
    if (keys.size() < kScanChunk) break;
  }
  return OkStatus();
}

StatusOr<std::optional<std::vector<StoredEvent>>> EventPipeline::WaitingBefore(
    ProcessingTxn& txn, const StoredEvent& root, int64_t after_id,
    const std::map<int64_t, StoredEvent>& chosen, size_t room,
    std::vector<Identity>& followed) const {
  // The visitor's identities: the root's, those of the persons they point to, and those
  // the waiting events found carry, until no new one turns up.
  std::vector<Identity> pending = IdentitiesToLookUp(ExtractEventIdentities(root));
  std::set<int64_t> persons;
  std::map<int64_t, StoredEvent> found;
  for (int round = 0; !pending.empty(); ++round) {
    if (round == kMaxAheadRounds) return std::optional<std::vector<StoredEvent>>();
    std::vector<Identity> fresh;
    for (Identity& id : pending) {
      if (std::find(followed.begin(), followed.end(), id) != followed.end()) continue;
      if (std::find(fresh.begin(), fresh.end(), id) != fresh.end()) continue;
      fresh.push_back(std::move(id));
    }
    followed.insert(followed.end(), fresh.begin(), fresh.end());
    pending.clear();
    // Each step one read for all of the round's identities, persons and events.
    TANDEM_RETURN_IF_ERROR(txn.PrepareLookUps(fresh));
    TANDEM_ASSIGN_OR_RETURN(auto known, txn.LookUpIdentities(fresh));
    std::vector<int64_t> new_persons;
    for (const KnownIdentity& k : known) {
      if (persons.insert(k.person_id).second) new_persons.push_back(k.person_id);
    }
    TANDEM_ASSIGN_OR_RETURN(auto held, txn.PersonIdentities(new_persons));
    pending.insert(pending.end(), held.begin(), held.end());
    const auto follow = [&](const StoredEvent& e) {
      for (Identity& carried : IdentitiesToLookUp(ExtractEventIdentities(e)))
        pending.push_back(std::move(carried));
    };
    std::set<int64_t> fetch;
    for (const Identity& id : fresh) {
      for (int64_t event_id : waiting_.Carrying(id, after_id, root.id)) {
        if (found.contains(event_id)) continue;
        // An event an earlier root took still links its identities: their waiting
        // events after that root and before this one come first too.
        if (auto taken = chosen.find(event_id); taken != chosen.end()) {
          follow(taken->second);
          continue;
        }
        fetch.insert(event_id);
      }
    }
    // The root needs room too.
    if (found.size() + fetch.size() >= room) return std::optional<std::vector<StoredEvent>>();
    if (!fetch.empty()) {
      const std::vector<int64_t> ids(fetch.begin(), fetch.end());
      TANDEM_ASSIGN_OR_RETURN(auto waiting, txn.UnprocessedEvents(ids));
      for (StoredEvent& e : waiting) {
        follow(e);
        found.emplace(e.id, std::move(e));
      }
    }
  }
  std::vector<StoredEvent> out;
  out.reserve(found.size());
  for (auto& [id, e] : found) out.push_back(std::move(e));
  return std::optional(std::move(out));
}

StatusOr<std::vector<StoredEvent>> EventPipeline::GatherAhead(ProcessingTxn& txn, int64_t after_id,
                                                              size_t budget,
                                                              const std::set<int64_t>* held) const {
  const std::vector<int64_t> urgent = waiting_.Urgent(options_.ahead_roots);
  std::map<int64_t, StoredEvent> chosen;
  // The identities of roots left to wait (and of their visitors, as far as followed): a
  // later root linked to one of them waits too, so no visitor's events are reordered —
  // an address an identify carries links devices as much as an anonymous id does.
  std::vector<Identity> blocked;
  // The roots are read a few at a time, as the budget leaves room for more.
  std::vector<StoredEvent> roots;
  size_t next = 0, at = 0;
  while (chosen.size() < budget) {
    if (at == roots.size()) {
      if (next >= urgent.size()) break;
      const size_t n = std::min(kRootChunk, urgent.size() - next);
      TANDEM_ASSIGN_OR_RETURN(roots, txn.UnprocessedEvents(std::span(urgent).subspan(next, n)));
      next += n;
      at = 0;
      // What the roots carry, looked up at once.
      std::vector<Identity> carried;
      for (const StoredEvent& root : roots) {
        for (Identity& id : IdentitiesToLookUp(ExtractEventIdentities(root)))
          carried.push_back(std::move(id));
      }
      TANDEM_RETURN_IF_ERROR(txn.PrepareLookUps(carried));
      continue;
    }
    StoredEvent& root = roots[at++];
    if (chosen.contains(root.id)) continue;
    std::vector<Identity> linked;
    TANDEM_ASSIGN_OR_RETURN(
        auto before, WaitingBefore(txn, root, after_id, chosen, budget - chosen.size(), linked));
    const auto unheld = [&](const StoredEvent& e) {
      return (held && !held->contains(e.id)) || refused_ahead_.contains(e.id);
    };
    const bool waits = !before || unheld(root) ||
                       std::any_of(before->begin(), before->end(), unheld) ||
                       std::any_of(linked.begin(), linked.end(), [&](const Identity& i) {
                         return std::find(blocked.begin(), blocked.end(), i) != blocked.end();
                       });
    if (waits) {
      // Too much of this visitor is waiting (a bot, say), or it is linked to one that is:
      // it waits for its turn in commit order; unrelated roots after it still go ahead.
      blocked.insert(blocked.end(), linked.begin(), linked.end());
      continue;
    }
    for (StoredEvent& e : *before) chosen.emplace(e.id, std::move(e));
    chosen.emplace(root.id, std::move(root));
  }
  std::vector<StoredEvent> out;
  out.reserve(chosen.size());
  for (auto& [id, e] : chosen) out.push_back(std::move(e));
  return out;
}

StatusOr<std::vector<StoredEvent>> EventPipeline::TakeAheadBeside(
    size_t budget, TimePoint now, std::vector<AuditEntry>& returns) {
  TANDEM_ASSIGN_OR_RETURN(auto txn, source_.BeginProcessing(false));
  TANDEM_ASSIGN_OR_RETURN(const int64_t cursor, txn->Cursor());
  TANDEM_ASSIGN_OR_RETURN(auto chosen, GatherAhead(*txn, cursor, budget));
  if (chosen.empty()) return chosen;
  // What was read of these visitors before they were held may have changed: read again
  // once they are held, and take the visitors whose events (as read then) all are; the
  // others wait for their turn in commit order.
  VisitorLinks links;
  int64_t first_left = 0;
  TANDEM_ASSIGN_OR_RETURN(auto kept, HoldVisitors(*txn, std::move(chosen), links, &first_left));
  txn->ForgetReads();
  std::set<int64_t> held;
  for (const StoredEvent& e : kept) held.insert(e.id);
  if (held.empty()) return std::vector<StoredEvent>();
  TANDEM_ASSIGN_OR_RETURN(auto taken, GatherAhead(*txn, cursor, budget, &held));
  if (taken.empty()) return taken;
  std::vector<AuditEntry> returned;
  Status processed = ProcessInOrder(*txn, taken, now, returned);
  if (processed.ok()) processed = txn->Commit();
  if (!processed.ok()) {
    // Refused (not a passing outage): what it took waits for its turn in commit order.
    if (processed.code() != StatusCode::kUnavailable) {
      for (const StoredEvent& e : taken) refused_ahead_.insert(e.id);
    }
    return processed;
  }
  returns.insert(returns.end(), returned.begin(), returned.end());
  return taken;
}

std::unique_lock<std::mutex> EventPipeline::TakeLane(bool ahead) {
  // The lane ahead is for leads' owners; the one-by-one retry of a refused batch keeps
  // strictly to commit order, and so does a backlog larger than the lane can know of:
  // the lane could not see the newest events, and reading ahead would only slow batches.
  // Of several workers, the one that has the lane works it.
  std::unique_lock<std::mutex> lane;
  if (!ahead || options_.leads == nullptr || options_.ahead_roots == 0) return lane;
  lane = std::unique_lock(lane_mu_, std::try_to_lock);
  if (lane &&
      metrics_.pipeline_lag_events.Value() > static_cast<int64_t>(options_.ahead_capacity)) {
    waiting_.Clear();
    lane = {};
  }
  return lane;
}

StatusOr<size_t> EventPipeline::ProcessEvents(size_t limit, bool ahead, bool* full,
                                              int64_t* tried) {
  std::unique_lock<std::mutex> lane = TakeLane(ahead);
  // With one writer (SQLite), read once the batch has begun: nothing else commits until
  // it does, so the lane sees every event acknowledged so far (read before, a hand-raise
  // acknowledged in between waited a whole batch more: p99 1.3-1.7 s instead of 0.9 s,
  // starting 200,000 events behind). Reading first and then only what arrived meanwhile
  // held the writer less but let hand-raises wait up to 5 s while the lane read the
  // backlog. Beside others, the lane runs after its batch commits: read before, holding
  // no connection the batch needs.
  const bool scans = lane && last_full_;
  const bool one_writer = !source_.concurrent_batches();
  if (scans && !one_writer) TANDEM_RETURN_IF_ERROR(ScanWaiting());
  TANDEM_ASSIGN_OR_RETURN(auto txn, source_.BeginProcessing(!ahead));
  if (scans && one_writer) TANDEM_RETURN_IF_ERROR(ScanWaiting());
  const bool takes_ahead = lane && last_full_ && !waiting_.Urgent(1).empty();
  // Beside other batches, this one takes the visitors none of them holds.
  TANDEM_ASSIGN_OR_RETURN(Claim claim, ClaimInOrder(*txn, limit, kMaxClaimReads));
  std::vector<StoredEvent>& events = claim.events;
  // Behind a backlog: as many waited as it could take, though others may hold some.
  const bool behind = claim.read >= limit;
  if (full != nullptr) *full = behind;
  if (tried != nullptr && !events.empty()) *tried = events.front().id;
  if (events.empty()) {
    if (lane && claim.read == 0) waiting_.Clear();  // caught up
    return size_t{0};
  }
  const TimePoint now = clock_.Now();
  std::vector<AuditEntry> returns;  // erased addresses that came back, recorded once committed
  TANDEM_RETURN_IF_ERROR(ProcessInOrder(*txn, events, now, returns));
  // Behind a backlog (the batch came back full), what may change who owns a lead goes
  // next, each after its visitor's earlier events, ahead of everyone else's page views.
  // Alone, in the same transaction; beside other batches, in the next one, so that what
  // this one holds (a turn at routing, say) is not held while the lane reads.
  std::vector<StoredEvent> taken_ahead;
  const bool concurrent = txn->concurrent();
  if (takes_ahead && behind && !concurrent) {
    TANDEM_ASSIGN_OR_RETURN(taken_ahead,
                            GatherAhead(*txn, claim.through, std::min(limit, kMaxAheadEvents)));
    TANDEM_RETURN_IF_ERROR(ProcessInOrder(*txn, taken_ahead, now, returns));
  }
  TANDEM_RETURN_IF_ERROR(txn->MarkProcessed(claim.through));
  TANDEM_RETURN_IF_ERROR(txn->Commit());
  txn.reset();  // the store's writer is free again: the trail takes its own write
  if (takes_ahead && behind && concurrent) {
    // The batch in order is committed: a lane that fails leaves its events to later.
    auto taken = TakeAheadBeside(limit, now, returns);
    if (taken.ok()) {
      taken_ahead = std::move(*taken);
    } else {
      spdlog::warn("event pipeline: cannot take events ahead: {}", taken.status().ToString());
    }
  }
  if (lane) {
    processed_through_ = std::max(processed_through_, claim.through);
    waiting_.ForgetThrough(claim.through);
    refused_ahead_.erase(refused_ahead_.begin(), refused_ahead_.upper_bound(claim.through));
    for (const StoredEvent& e : events) waiting_.Forget(e.id);
    for (const StoredEvent& e : taken_ahead) waiting_.Forget(e.id);
  }
  for (const AuditEntry& entry : returns) {
    // Committed already: a trail that cannot take the entry now is logged, not retried.
    if (auto kept = options_.audit->AppendAudit(entry); !kept.ok()) {
      spdlog::error("event pipeline: cannot record {} of {}: {}", entry.action, entry.subject,
                    kept.status().ToString());
    }
  }
  const size_t done = events.size() + taken_ahead.size();
  metrics_.events_processed.Increment(static_cast<int64_t>(done));
  metrics_.pipeline_lag_events.Processed(static_cast<int64_t>(done));
  // Until one count succeeds (the first may have overlapped a commit), the figure misses
  // what was stored before this run: count again after every batch until it holds.
  if (!metrics_.pipeline_lag_events.Exact()) RefreshLag();
  return done;
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
  const auto drain = [this]() -> Status {
    for (;;) {
      TANDEM_ASSIGN_OR_RETURN(size_t n, ProcessBatch());
      if (n > 0) continue;
      // Nothing free: done, unless a batch of another thread holds what is left.
      if (in_flight_ == 0) return OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  if (!source_.concurrent_batches()) return drain();
  // The workers at once. One may find nothing while another batch (this pipeline's
  // background one, or another instance's) still holds the rest: at the end, batches
  // that run alone wait for every other to commit, until nothing is left.
  std::vector<Status> drained(static_cast<size_t>(std::max(1, options_.workers)));
  std::vector<std::thread> others;
  for (size_t i = 1; i < drained.size(); ++i) others.emplace_back([&, i] { drained[i] = drain(); });
  drained[0] = drain();
  for (std::thread& t : others) t.join();
  for (const Status& s : drained) TANDEM_RETURN_IF_ERROR(s);
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(size_t n, Batch(false));
    if (n == 0) return OkStatus();
  }
}

void EventPipeline::Start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { Run(); });
}

void EventPipeline::Notify() { signal_.Notify(); }

void EventPipeline::Stop() {
  signal_.RequestStop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
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
      // Behind a backlog (the batch came back full), deferring to ingest would only let
      // the backlog grow: the pipeline takes its turn at the write lock as the writer does.
      if (last_full_) {
        if (signal_.stopping()) return;
        if (options_.workers > 1) signal_.Notify();  // another worker may join in
      } else if (!signal_.HoldWhile(options_.ingest_busy, options_.max_deferral)) {
        return;
      }
    }
  }
}

}  // namespace tandem
