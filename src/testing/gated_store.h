// GatedStore: a StoreWrapper whose commits (AppendEvents) wait while the gate is
// closed and fail on demand, so tests can hold requests mid-commit or lose the disk;
// and whose pipeline transactions (BeginProcessing) wait while processing is held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "testing/store_wrapper.h"

namespace tandem::testing {

class GatedStore final : public StoreWrapper {
 public:
  explicit GatedStore(Store& target, bool open = true) : StoreWrapper(target), open_(open) {}

  StatusOr<AppendResult> AppendEvents(std::span<const EventRecord> events) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
      --waiting_;
      ++commits_;
    }
    if (fail_) return Unavailable("store_unavailable", "disk I/O error");
    std::string refused;
    {
      std::lock_guard lock(mu_);
      refused = refused_prefix_;
    }
    for (const EventRecord& e : events) {
      if (!refused.empty() && e.message_id.starts_with(refused)) {
        return Internal("ERROR:  value too long for an index row (" + e.message_id + ")");
      }
    }
    return target().AppendEvents(events);
  }

  StatusOr<std::unique_ptr<ProcessingTxn>> BeginProcessing(bool alone) override {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return processing_open_; });
    }
    return target().BeginProcessing(alone);
  }
  // While held, the pipeline stores nothing: events stay unprocessed.
  void SetProcessingOpen(bool open) {
    std::lock_guard lock(mu_);
    processing_open_ = open;
    cv_.notify_all();
  }

  void SetOpen(bool open) {
    std::lock_guard lock(mu_);
    open_ = open;
    cv_.notify_all();
  }
  // Blocks until a commit is waiting at (or passing through) the gate.
  void WaitForWaitingCommit() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return waiting_ > 0; });
  }
  int commits() {
    std::lock_guard lock(mu_);
    return commits_;
  }
  void SetFailing(bool fail) { fail_ = fail; }
  // While failing, the health check's read fails too.
  StatusOr<int> SchemaVersion() override {
    if (fail_) return Unavailable("store_unavailable", "could not connect to db.internal:5432");
    return StoreWrapper::SchemaVersion();
  }
  // Commits holding an event whose messageId starts with `prefix` are refused, as a
  // store refuses a value it cannot hold ("" refuses none).
  void SetRefusedPrefix(std::string prefix) {
    std::lock_guard lock(mu_);
    refused_prefix_ = std::move(prefix);
  }

 private:
  std::mutex mu_;
  std::string refused_prefix_;  // guarded by mu_
  std::condition_variable cv_;
  bool open_;
  bool processing_open_ = true;
  int waiting_ = 0;
  int commits_ = 0;
  std::atomic<bool> fail_{false};
};

}  // namespace tandem::testing
