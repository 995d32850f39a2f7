#include "http/body_queue.h"

namespace tandem::http {

BodyQueue::BodyQueue(size_t max_buffered, std::function<void()> wake)
    : max_buffered_(max_buffered), wake_(std::move(wake)) {}

Status BodyQueue::Write(std::string chunk) {
  if (chunk.empty()) return OkStatus();
  {
    std::unique_lock lock(mu_);
    // One chunk larger than the bound still goes, alone.
    room_.wait(lock, [&] {
      return cancelled_ || unwritten_ == 0 || unwritten_ + chunk.size() <= max_buffered_;
    });
    if (cancelled_) {
      return Unavailable("connection_closed",
                         "the client closed the connection or the server stopped");
    }
    unwritten_ += chunk.size();
    chunks_.push_back(std::move(chunk));
  }
  wake_();
  return OkStatus();
}

void BodyQueue::Finish(Status status) {
  {
    std::lock_guard lock(mu_);
    end_ = std::move(status);
  }
  wake_();
}

void BodyQueue::Cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
  }
  room_.notify_all();
}

BodyQueue::Next BodyQueue::Take() {
  std::lock_guard lock(mu_);
  Next next;
  if (!chunks_.empty()) {
    next.chunk = std::move(chunks_.front());
    chunks_.pop_front();
  } else if (end_) {
    next.end = *end_;
  }
  return next;
}

void BodyQueue::Written(size_t bytes) {
  {
    std::lock_guard lock(mu_);
    unwritten_ -= std::min(bytes, unwritten_);
  }
  room_.notify_all();
}

}  // namespace tandem::http
