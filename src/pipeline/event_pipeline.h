// EventPipeline: processes stored events, in commit order, exactly once.
//
// Each batch runs in one store transaction that reads the next unprocessed events,
// applies their effects (identity stitching, the touchpoint an event is, then the
// lead's traits, scores, stage and owner) and advances the pipeline's cursor, so a
// crash at any point neither skips nor repeats an event. Ingest never waits for the
// pipeline: events are acknowledged when durable, and the pipeline catches up behind
// them (its lag is on /metrics).
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "audit/audit_store.h"
#include "core/clock.h"
#include "core/status.h"
#include "core/wake_signal.h"
#include "identity/identity.h"
#include "ingest/event_store.h"
#include "pipeline/processing_store.h"
#include "pipeline/waiting_index.h"

namespace tandem {

struct Metrics;
class LeadEngine;

// The identities an event carries: ids from the record, email from traits (identify)
// or context.traits, previousId of an alias. Unparseable payloads yield the ids only.
EventIdentities ExtractEventIdentities(const StoredEvent& event);

class EventPipeline {
 public:
  struct Options {
    size_t batch_events = 200;  // events per transaction; small keeps the write lock short
    // Behind a backlog (a batch came back full) the next batch is twice as large, up to
    // this, so the commit each batch pays is shared by more events; back to batch_events
    // once a batch is not full.
    size_t max_batch_events = 3200;
    int nice = 10;  // CPU priority of the background thread (0 = same as ingest)
    // Whether ingest is in full flow; while it is, the background thread defers its
    // next batch (up to max_deferral), so acknowledgements get the write lock first.
    std::function<bool()> ingest_busy;
    std::chrono::milliseconds max_deferral{100};
    // Behind a backlog, each batch with leads also takes up to this many events that may
    // change who owns a lead (identifies, aliases, hand-raises) ahead of the others'
    // events before them, each after its visitor's earlier events, as many events again
    // as the batch at most; 0: strictly in commit order.
    size_t ahead_roots = 2048;
    // The most waiting events the lane knows of (60 to 100 bytes each); above it, the
    // backlog is worked off in commit order alone.
    size_t ahead_capacity = 300000;
    // Applies each event to its lead (scores, stage, routing); null: stitching only.
    const LeadEngine* leads = nullptr;
    // The server's signing secret, under which an erased person's address is kept
    // (identity/erased_address.h), and the trail that records when one comes back
    // (audit_action::kErasedReturned, once per address and source). Both or neither;
    // they outlive the pipeline, and the secret is read as each event is processed.
    const std::string* erased_address_secret = nullptr;
    AuditStore* audit = nullptr;
    // Background threads processing batches; more than one only helps where batches run
    // beside each other (ProcessingTxn::concurrent(): PostgreSQL), each then taking the
    // visitors no other batch holds.
    int workers = 1;
  };

  // Batches run in `source`'s transactions; the lag is counted in `events`. They,
  // `clock` and `metrics` must outlive the pipeline.
  EventPipeline(ProcessingSource& source, EventStore& events, const Clock& clock, Metrics& metrics,
                Options options);
  // The same over a store that is both.
  template <typename S>
  requires std::derived_from<S, ProcessingSource> && std::derived_from<S, EventStore> EventPipeline(
      S& store, const Clock& clock, Metrics& metrics, Options options)
      : EventPipeline(static_cast<ProcessingSource&>(store), static_cast<EventStore&>(store), clock,
                      metrics, std::move(options)) {}
  ~EventPipeline();  // Stop()s

  // Processes at most one batch; returns how many events it processed. When the store
  // refuses the batch for its data (anything but unavailable), its events are processed
  // one by one, and one the store still refuses is set aside: marked processed without
  // effects, logged with the cause and counted (tandem_pipeline_events_set_aside_total).
  StatusOr<size_t> ProcessBatch();
  // Processes until no event is pending (on Options::workers threads), nor in a batch
  // another thread or instance has not committed yet.
  Status Drain();
  // Sets metrics' pipeline_lag_events to the store's count of unprocessed events
  // (skipped if a commit overlaps; returns whether it was set). Between refreshes the
  // writer's commits and the pipeline's batches keep the figure true; the background
  // thread refreshes it when it starts and whenever it runs out of work, and every
  // batch refreshes it until one refresh has succeeded (or whenever processing took
  // the figure below zero), so a skipped first count never hides a backlog.
  bool RefreshLag();

  // Runs ProcessBatch on the background threads (Options::workers) whenever Notify() is
  // called (and every second, to pick up events committed by other processes).
  void Start();
  void Notify();
  // Finishes the batch in progress and stops the thread. Idempotent.
  void Stop();

 private:
  void Run();
  // ProcessBatch, `beside` other batches or alone (in strict commit order, after every
  // batch in progress committed).
  StatusOr<size_t> Batch(bool beside);
  // One transaction processing up to `limit` events in commit order; then, behind a
  // backlog (as many waited) and when `ahead` holds, events taken ahead (GatherAhead), in
  // the same transaction alone, in a transaction of their own beside other batches
  // (TakeAheadBeside); returns how many. Not `ahead`: alone, strictly in commit order
  // (the one-by-one retry).
  // `full`: whether as many events waited as it could take (beside others, that hold
  // some of them, it may take fewer); `tried`: the first it took.
  StatusOr<size_t> ProcessEvents(size_t limit, bool ahead, bool* full = nullptr,
                                 int64_t* tried = nullptr);
  // Stitches `events`, in their order, and applies them to leads.
  Status ProcessInOrder(ProcessingTxn& txn, const std::vector<StoredEvent>& events, TimePoint now,
                        std::vector<AuditEntry>& returns);
  // Beside other batches, a transaction of its own that processes what the lane takes
  // ahead (GatherAhead) of the visitors it holds, unchanged since they were read; gives
  // the events it processed once committed.
  // `returns` gets its erased addresses that came back once it committed.
  StatusOr<std::vector<StoredEvent>> TakeAheadBeside(size_t budget, TimePoint now,
                                                     std::vector<AuditEntry>& returns);
  // Up to `budget` waiting events after `after_id`, by id: the next ones that may change
  // who owns a lead (identifies, aliases, hand-raises), each with its visitor's waiting
  // events before it, so no visitor's events are reordered.
  // With `held`, only visitors whose events are all in it; never one with an event the
  // store refused to the lane (refused_ahead_).
  StatusOr<std::vector<StoredEvent>> GatherAhead(ProcessingTxn& txn, int64_t after_id,
                                                 size_t budget,
                                                 const std::set<int64_t>* held = nullptr) const;
  // The waiting events in (after_id, root) of `root`'s visitor — every event carrying one
  // of its anonymous ids or user ids, as the persons they point to and those events
  // themselves link them — not in `chosen`; none when more than room - 1 (or too many
  // links to follow). `followed` gets the visitor's identities looked at (the root's
  // first, all of them when the events are returned).
  StatusOr<std::optional<std::vector<StoredEvent>>> WaitingBefore(
      ProcessingTxn& txn, const StoredEvent& root, int64_t after_id,
      const std::map<int64_t, StoredEvent>& chosen, size_t room,
      std::vector<Identity>& followed) const;
  // Reads the keys of waiting events past those waiting_ holds (a share at a time).
  Status ScanWaiting();
  // The lane, held, when this batch (`ahead`: not a one-by-one retry) may work it: not
  // while another worker does, nor behind more than the lane can know of (it forgets
  // what it knew then).
  std::unique_lock<std::mutex> TakeLane(bool ahead);
  static constexpr int kMaxAheadRounds = 8;
  static constexpr size_t kScanChunk = 10000;
  static constexpr size_t kMaxScanPerBatch = 50000;
  static constexpr size_t kRootChunk = 64;  // urgent events read at once by GatherAhead
  // Events the lane takes in the batch's transaction at most (SQLite, one writer): what
  // may make a lead costs several times a page view, and a hand-raise that arrives
  // meanwhile waits for the whole transaction (3,200 took up to 2 s; beside others the
  // batch, and so the lane, is kMaxBesideBatch at most).
  static constexpr size_t kMaxAheadEvents = 1024;
  static constexpr int kMaxClaimReads =
      4;  // reads of `limit` events a claim makes at most (ClaimInOrder)
  static constexpr int kMaxRetries = 2;  // of a batch the store gave up (unavailable)
  // Events a batch beside others takes at most: it holds a lock for each of their
  // identities and persons, and PostgreSQL's lock table is shared by all
  // (max_locks_per_transaction × max_connections, 6,400 by default).
  static constexpr size_t kMaxBesideBatch = 512;
  // The running web experiments `event` exposed its person to (experiments/web_exposure.h).
  Status ExposeToWebExperiments(ProcessingTxn& txn, const StoredEvent& event, int64_t person_id);
  // Notes in `txn` whether the address `ids` carries is an erased one that came back
  // through `event`'s source; if so, adds the entry to record to `returns`.
  Status NoteErasedReturn(ProcessingTxn& txn, const StoredEvent& event, const EventIdentities& ids,
                          int64_t person_id, TimePoint now, std::vector<AuditEntry>& returns) const;
  // Marks the next unprocessed event processed without its effects, for `cause`, when it
  // is still `tried` (the one that failed).
  Status SetAsideNext(const Status& cause, int64_t tried);

  ProcessingSource& source_;
  EventStore& events_;
  const Clock& clock_;
  Metrics& metrics_;
  const Options options_;
  std::atomic<size_t> batch_size_{0};   // the next batch's size; 0: batch_events
  std::atomic<bool> last_full_{false};  // whether the last batch came back full
  std::atomic<int> in_flight_{0};       // batches in progress, of every thread

  // The lane ahead (guarded by lane_mu_): the last event processed in commit order, and
  // what is known of the events after it.
  std::mutex lane_mu_;
  int64_t processed_through_ = 0;
  // Events a transaction of the lane took and the store refused: their visitors wait for
  // their turn in commit order (where the one refused is set aside).
  std::set<int64_t> refused_ahead_;
  WaitingIndex waiting_;

  WakeSignal signal_;
  std::vector<std::thread> threads_;
};

}  // namespace tandem
