#include "ingest/event_writer.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "metrics/metrics.h"

namespace tandem {

EventWriter::EventWriter(Store& store, Metrics& metrics, Options options)
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

void EventWriter::CommitGroup(std::vector<Submission>& group) {
  std::vector<EventRecord> all;
  size_t total = 0;
  for (const auto& s : group) total += s.events.size();
  all.reserve(total);
  for (auto& s : group) {
    for (auto& e : s.events) all.push_back(std::move(e));
  }
  auto started = std::chrono::steady_clock::now();
  StatusOr<AppendResult> result = store_.AppendEvents(all);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.commit_seconds.Observe(seconds);
  last_commit_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count());
  {
    std::lock_guard lock(mu_);
    queued_events_ -= total;
    metrics_.ingest_queue_events.Set(static_cast<int64_t>(queued_events_));
  }
  if (!result.ok()) {
    spdlog::error("commit of {} events failed: {}", total, result.status().ToString());
    metrics_.commit_failures.Increment();
    for (auto& s : group) s.done(WriteOutcome{result.status(), 0, 0});
    return;
  }
  metrics_.events_stored.Increment(static_cast<int64_t>(result->stored));
  metrics_.events_duplicate.Increment(static_cast<int64_t>(result->duplicates));
  size_t offset = 0;
  for (auto& s : group) {
    WriteOutcome outcome;
    for (size_t i = 0; i < s.events.size(); ++i) {
      ++(result->inserted[offset + i] ? outcome.stored : outcome.duplicates);
    }
    offset += s.events.size();
    s.done(outcome);
  }
  if (on_commit_ && result->stored > 0) on_commit_();
}

}  // namespace tandem
