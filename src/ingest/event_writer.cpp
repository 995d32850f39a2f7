#include "ingest/event_writer.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "metrics/metrics.h"

namespace tandem {

EventWriter::EventWriter(EventStore& store, Metrics& metrics, Options options)
    : store_(store), metrics_(metrics), options_(options), thread_([this] { Run(); }) {}

EventWriter::~EventWriter() { Stop(); }

bool EventWriter::TrySubmit(std::vector<EventRecord> events, Done done) {
  size_t n = events.size();
  {
    std::lock_guard lock(mu_);
    if (stopping_ || (queued_events_ > 0 && queued_events_ + n > options_.queue_max_events)) {
      return false;
    }
    queued_events_ += n;
    queue_.push_back({std::move(events), std::move(done)});
    metrics_.ingest_queue_events.Set(static_cast<int64_t>(queued_events_));
  }
  wake_.notify_one();
  return true;
}

void EventWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

size_t EventWriter::QueuedEvents() const {
  std::lock_guard lock(mu_);
  return queued_events_;
}

bool EventWriter::Busy(std::chrono::milliseconds window) const {
  if (QueuedEvents() > 0) return true;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return std::chrono::nanoseconds(
             std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() -
             last_commit_ns_.load()) < window;
}

void EventWriter::Run() {
  std::vector<Submission> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is committed
      size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().events.size() <=
                                                      options_.commit_max_events)) {
        events += queue_.front().events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

StatusOr<AppendResult> EventWriter::Append(std::span<const EventRecord> events) {
  auto started = std::chrono::steady_clock::now();
  metrics_.pipeline_lag_events.BeginCommit();
  StatusOr<AppendResult> result = store_.AppendEvents(events);
  metrics_.pipeline_lag_events.EndCommit(result.ok() ? static_cast<int64_t>(result->stored) : 0);
  auto ended = std::chrono::steady_clock::now();
  metrics_.commit_seconds.Observe(std::chrono::duration<double>(ended - started).count());
  last_commit_ns_.store(
      std::chrono::duration_cast<std::chrono::nanoseconds>(ended.time_since_epoch()).count());
  if (!result.ok()) {
    // The store's own words go to the log; clients hear a generic 503.
    spdlog::error("commit of {} events failed: {}", events.size(), result.status().ToString());
    metrics_.commit_failures.Increment();
    return result;
  }
  metrics_.events_stored.Increment(static_cast<int64_t>(result->stored));
  metrics_.events_duplicate.Increment(static_cast<int64_t>(result->duplicates));
  return result;
}

void EventWriter::NoteActivity(std::span<const EventRecord> events, const AppendResult& result) {
  constexpr auto kGranularity = std::chrono::minutes(1);
  for (size_t i = 0; i < events.size(); ++i) {
    if (!result.inserted[i]) continue;
    const EventRecord& e = events[i];
    auto [noted, first] = activity_noted_.try_emplace(e.source_id, e.received_at);
    if (!first && e.received_at < noted->second + kGranularity) continue;
    noted->second = e.received_at;
    if (Status s = store_.NoteSourceActivity(e.source_id, e.received_at); !s.ok()) {
      spdlog::warn("could not note the activity of source {}: {}", e.source_id, s.ToString());
    }
  }
}

void EventWriter::CommitGroup(std::vector<Submission>& group) {
  std::vector<EventRecord> all;
  size_t total = 0;
  for (const auto& s : group) total += s.events.size();
  all.reserve(total);
  for (auto& s : group) {
    for (auto& e : s.events) all.push_back(std::move(e));
  }
  // Each submission's events are one contiguous slice of `all`.
  auto slice = [&](size_t offset, const Submission& s) {
    return std::span<const EventRecord>(all).subspan(offset, s.events.size());
  };
  auto answer = [](Submission& s, const AppendResult& result, size_t offset) {
    WriteOutcome outcome;
    for (size_t i = 0; i < s.events.size(); ++i) {
      ++(result.inserted[offset + i] ? outcome.stored : outcome.duplicates);
    }
    s.done(outcome);
  };
  size_t stored = 0;
  StatusOr<AppendResult> result = Append(all);
  {
    // Out of the queue before anyone is answered (a retry below is a commit in progress).
    std::lock_guard lock(mu_);
    queued_events_ -= total;
    metrics_.ingest_queue_events.Set(static_cast<int64_t>(queued_events_));
  }
  if (result.ok()) {
    stored = result->stored;
    size_t offset = 0;
    NoteActivity(all, *result);
    for (auto& s : group) {
      answer(s, *result, offset);
      offset += s.events.size();
    }
  } else if (result.status().code() == StatusCode::kUnavailable) {
    // The store is down: retrying each request against it would only multiply the wait.
    for (auto& s : group) s.done(WriteOutcome{result.status(), 0, 0});
  } else {
    // The store refused the data: one request's events must not fail the others', so
    // each request is committed alone (and its events one by one if it still fails).
    if (group.size() > 1) {
      spdlog::warn("committing the {} requests of the failed group one by one", group.size());
    }
    size_t offset = 0;
    for (auto& s : group) {
      StatusOr<AppendResult> alone =
          group.size() == 1 ? std::move(result) : Append(slice(offset, s));
      if (alone.ok()) {
        stored += alone->stored;
        answer(s, *alone, 0);
      } else if (s.events.size() > 1 && alone.status().code() != StatusCode::kUnavailable) {
        stored += CommitOneByOne(slice(offset, s), s);
      } else {
        s.done(WriteOutcome{alone.status(), 0, 0});
      }
      offset += s.events.size();
    }
  }
  if (on_commit_ && stored > 0) on_commit_();
}

size_t EventWriter::CommitOneByOne(std::span<const EventRecord> events, Submission& s) {
  spdlog::warn("committing the {} events of a refused request one by one", events.size());
  WriteOutcome outcome;
  for (size_t i = 0; i < events.size(); ++i) {
    StatusOr<AppendResult> one = Append(events.subspan(i, 1));
    if (one.ok()) {
      ++(one->inserted[0] ? outcome.stored : outcome.duplicates);
    } else if (one.status().code() == StatusCode::kUnavailable) {
      // The store went away midway: the request fails, and its retry finds the events
      // stored so far as duplicates.
      s.done(WriteOutcome{one.status(), 0, 0});
      return outcome.stored;
    } else {
      outcome.refused.push_back(i);
    }
  }
  size_t stored = outcome.stored;
  s.done(outcome);
  return stored;
}

}  // namespace tandem
