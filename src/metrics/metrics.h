// Metrics: Tandem's operational counters, rendered in the Prometheus text format at
// GET /metrics. All types are thread-safe and cheap enough for the ingest hot path.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tandem {

class Counter {
 public:
  void Increment(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Stored events not yet processed, true at any moment without counting rows: the
// event writer adds what each commit stored, the pipeline subtracts each batch it
// processed, and the pipeline re-reads the exact figure from the store when it has
// nothing to do (cheap then) — which also takes in what other instances stored or
// processed. A re-read that overlapped a commit is dropped, so the two never mix.
// Thread-safe.
class BacklogGauge {
 public:
  // The writer brackets each commit: Begin before it, End with what it stored.
  void BeginCommit();
  void EndCommit(int64_t stored);
  void Processed(int64_t events);
  // A token to pass to SetExact, read before counting in the store.
  uint64_t ReadToken() const;
  // Sets the counted figure unless a commit began since `token` was read; false then.
  bool SetExact(uint64_t token, int64_t count);
  int64_t Value() const;  // never negative
  // Whether the figure rests on an exact count: false from the start until SetExact
  // succeeds, and again whenever processing took it below zero (events stored before
  // the count, e.g. by an earlier run, were processed): then it needs a new count.
  bool Exact() const;

 private:
  mutable std::mutex mu_;
  int64_t value_ = 0;           // guarded by mu_
  uint64_t commits_begun_ = 0;  // guarded by mu_
  int commits_open_ = 0;        // guarded by mu_
  bool exact_ = false;          // guarded by mu_
};

// Cumulative buckets of observed values (seconds), Prometheus style.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  void Render(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<int64_t> count_{0};
  std::atomic<int64_t> sum_micros_{0};
};

// A counter family with label values, e.g. requests by route and status.
class LabeledCounter {
 public:
  // `label_names` in order, e.g. {"route", "status"}.
  explicit LabeledCounter(std::vector<std::string> label_names) : names_(std::move(label_names)) {}
  // REQUIRES: values.size() == label_names.size().
  void Increment(const std::vector<std::string_view>& values, int64_t n = 1);
  int64_t Value(const std::vector<std::string_view>& values) const;
  void Render(std::string& out, std::string_view name, std::string_view help) const;

 private:
  std::string Key(const std::vector<std::string_view>& values) const;

  std::vector<std::string> names_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;  // rendered label set → counter
};

struct Metrics {
  LabeledCounter http_requests{{"route", "status"}};
  Gauge http_connections;
  Counter events_stored;
  Counter events_duplicate;
  LabeledCounter events_rejected{{"code"}};
  Counter requests_shed;  // answered 429
  Gauge ingest_queue_events;
  Histogram commit_seconds{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};
  Counter commit_failures;
  Counter events_processed;
  Counter events_set_aside;  // events the pipeline could not process, marked done
  BacklogGauge pipeline_lag_events;
  LabeledCounter webhook_deliveries{{"result"}};  // delivered | failed (attempts)
  Gauge webhook_pending;
  // Email: each send's outcome (sent | bounced | failed | retried | interrupted), the
  // refusals by reason (the check's, the compliance rules', the gate's), and the rate
  // the relay takes messages at (over the last minute, in milli-messages a second).
  LabeledCounter email_sends{{"result"}};
  LabeledCounter email_refused{{"reason"}};
  Gauge email_rate_millis;

  std::string RenderPrometheus() const;
};

}  // namespace tandem
