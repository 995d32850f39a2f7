#include "metrics/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace tandem {
namespace {

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Simple(std::string& out, std::string_view name, std::string_view help, std::string_view type,
            int64_t value) {
  Header(out, name, help, type);
  out += fmt::format("{} {}\n", name, value);
}

std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void BacklogGauge::BeginCommit() {
  std::lock_guard lock(mu_);
  ++commits_begun_;
  ++commits_open_;
}

void BacklogGauge::EndCommit(int64_t stored) {
  std::lock_guard lock(mu_);
  value_ += stored;
  --commits_open_;
}

void BacklogGauge::Processed(int64_t events) {
  std::lock_guard lock(mu_);
  value_ -= events;
  if (value_ < 0) exact_ = false;
}

uint64_t BacklogGauge::ReadToken() const {
  std::lock_guard lock(mu_);
  // While a commit is open, no count can be matched to the figure: no valid token.
  return commits_open_ > 0 ? UINT64_MAX : commits_begun_;
}

bool BacklogGauge::SetExact(uint64_t token, int64_t count) {
  std::lock_guard lock(mu_);
  if (token != commits_begun_ || commits_open_ > 0) return false;
  value_ = count;
  exact_ = true;
  return true;
}

bool BacklogGauge::Exact() const {
  std::lock_guard lock(mu_);
  return exact_;
}

int64_t BacklogGauge::Value() const {
  std::lock_guard lock(mu_);
  return std::max<int64_t>(0, value_);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<int64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<int64_t>(value * 1e6), std::memory_order_relaxed);
}

void Histogram::Render(std::string& out, std::string_view name, std::string_view help) const {
  Header(out, name, help, "histogram");
  int64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds_[i], cumulative);
  }
  cumulative += counts_[bounds_.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
  out += fmt::format("{}_sum {:.6f}\n", name, static_cast<double>(sum_micros_.load()) / 1e6);
  out += fmt::format("{}_count {}\n", name, count_.load());
}

std::string LabeledCounter::Key(const std::vector<std::string_view>& values) const {
  std::string key;
  for (size_t i = 0; i < names_.size() && i < values.size(); ++i) {
    if (i > 0) key.push_back(',');
    key += names_[i];
    key += "=\"";
    key += EscapeLabel(values[i]);
    key += '"';
  }
  return key;
}

void LabeledCounter::Increment(const std::vector<std::string_view>& values, int64_t n) {
  std::string key = Key(values);
  std::lock_guard lock(mu_);
  auto& counter = counters_[key];
  if (!counter) counter = std::make_unique<Counter>();
  counter->Increment(n);
}

int64_t LabeledCounter::Value(const std::vector<std::string_view>& values) const {
  std::string key = Key(values);
  std::lock_guard lock(mu_);
  auto it = counters_.find(key);
  return it == counters_.end() ? 0 : it->second->Value();
}

void LabeledCounter::Render(std::string& out, std::string_view name, std::string_view help) const {
  Header(out, name, help, "counter");
  std::lock_guard lock(mu_);
  for (const auto& [labels, counter] : counters_) {
    out += fmt::format("{}{{{}}} {}\n", name, labels, counter->Value());
  }
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  http_requests.Render(out, "tandem_http_requests_total",
                       "HTTP requests answered, by route and status.");
  Simple(out, "tandem_http_connections", "Open HTTP connections.", "gauge",
         http_connections.Value());
  Simple(out, "tandem_events_stored_total", "Events stored durably.", "counter",
         events_stored.Value());
  Simple(out, "tandem_events_duplicate_total", "Replayed messageIds acknowledged but stored once.",
         "counter", events_duplicate.Value());
  events_rejected.Render(out, "tandem_events_rejected_total",
                         "Messages refused at ingest, by reason.");
  Simple(out, "tandem_ingest_shed_total",
         "Ingest requests answered 429 because the queue was full.", "counter",
         requests_shed.Value());
  Simple(out, "tandem_ingest_queue_events", "Events waiting for the writer (queue depth).", "gauge",
         ingest_queue_events.Value());
  commit_seconds.Render(out, "tandem_ingest_commit_seconds", "Latency of one group commit.");
  Simple(out, "tandem_ingest_commit_failures_total", "Group commits that failed.", "counter",
         commit_failures.Value());
  Simple(out, "tandem_pipeline_events_processed_total",
         "Events processed by the pipeline (stitching, leads).", "counter",
         events_processed.Value());
  Simple(out, "tandem_pipeline_events_set_aside_total",
         "Events the store refused to process, set aside so the pipeline goes on (the log "
         "has each one and why).",
         "counter", events_set_aside.Value());
  Simple(out, "tandem_pipeline_lag_events", "Stored events not yet processed.", "gauge",
         pipeline_lag_events.Value());
  webhook_deliveries.Render(out, "tandem_webhook_attempts_total",
                            "Webhook delivery attempts, by result.");
  Simple(out, "tandem_webhook_pending", "Webhook deliveries waiting to be delivered.", "gauge",
         webhook_pending.Value());
  email_sends.Render(out, "tandem_email_sends_total",
                     "Email attempts, by result: sent, bounced (a permanent refusal; the address "
                     "is suppressed), retried, failed (retries ran out), interrupted.");
  email_refused.Render(out, "tandem_email_refused_total",
                       "Emails refused before sending, by reason (the pre-send check, the "
                       "compliance rules, the contact gate).");
  out += fmt::format(
      "# HELP tandem_email_send_rate Messages a second the relay accepted over the last "
      "minute.\n# TYPE tandem_email_send_rate gauge\ntandem_email_send_rate {:.3f}\n",
      static_cast<double>(email_rate_millis.Value()) / 1000.0);
  return out;
}

}  // namespace tandem
