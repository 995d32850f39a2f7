// EventWriter: durable acknowledgement by group commit.
//
// Ingest requests hand their events to the writer and wait (without holding a thread)
// for a callback. One writer thread takes everything queued, stores it in a single
// transaction, and then calls back every request of the group: a request is answered
// only after its events are durable, and a busy server pays one commit for many
// requests. When a group's commit fails on its data (not because the store is
// unavailable), each of its requests is committed again alone, and a request of
// several events that still fails has its events committed one by one: one event the
// store refuses never fails the others, and is answered alone. When the store is
// unavailable the whole group fails at once, without retries. The queue is bounded;
// when it is full TrySubmit refuses, so the caller can answer 429 instead of
// buffering without limit.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "ingest/event_store.h"

namespace tandem {

struct Metrics;

struct WriteOutcome {
  // Not OK: the submission must be sent again (nothing of it was stored, or, if the
  // store went away while its events were committed one by one, its retry finds the
  // ones stored as duplicates).
  Status status;
  size_t stored = 0;
  size_t duplicates = 0;
  // Status OK: positions (in the submission) of the events the store refused; all
  // the others were stored.
  std::vector<size_t> refused;
};

class EventWriter {
 public:
  // Called on the writer thread; must not block.
  using Done = std::function<void(const WriteOutcome&)>;

  struct Options {
    size_t queue_max_events = 200000;
    size_t commit_max_events = 20000;
  };

  // `store` and `metrics` must outlive the writer. Starts the writer thread.
  EventWriter(EventStore& store, Metrics& metrics, Options options);
  ~EventWriter();  // Stop()s

  // Queues events; `done` runs once they are durable (or failed). Returns false, and
  // never calls `done`, when the queue cannot take them (load shedding) or the writer
  // is stopping. Thread-safe.
  bool TrySubmit(std::vector<EventRecord> events, Done done);

  // Commits everything queued, then stops the thread. Idempotent.
  void Stop();

  size_t QueuedEvents() const;
  // True while events wait for a commit, or a commit ended within `window`: ingest is
  // in full flow even if the queue is empty for a moment between commits.
  bool Busy(std::chrono::milliseconds window) const;

  // Called after each successful commit, on the writer thread (e.g. to wake the
  // pipeline). Set before the first submission.
  void SetOnCommit(std::function<void()> on_commit) { on_commit_ = std::move(on_commit); }

 private:
  struct Submission {
    std::vector<EventRecord> events;
    Done done;
  };

  void Run();
  void CommitGroup(std::vector<Submission>& group);
  // Commits a submission's events one by one after its commit failed on its data;
  // returns the number stored.
  size_t CommitOneByOne(std::span<const EventRecord> events, Submission& s);
  // One store commit, timed and counted on the metrics; a failure is logged.
  StatusOr<AppendResult> Append(std::span<const EventRecord> events);
  // Notes each source's latest stored event on its record, at most once a minute per
  // source (the sources page's "last event"), so a request answered has its source's
  // activity noted too.
  void NoteActivity(std::span<const EventRecord> events, const AppendResult& result);

  EventStore& store_;
  Metrics& metrics_;
  const Options options_;
  std::function<void()> on_commit_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Submission> queue_;            // guarded by mu_
  size_t queued_events_ = 0;                // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::atomic<int64_t> last_commit_ns_{0};  // steady clock
  std::thread thread_;
  std::unordered_map<int64_t, TimePoint> activity_noted_;  // writer thread only
};

}  // namespace tandem
