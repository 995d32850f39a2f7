#include "http/delayed_answers.h"

#include <vector>

namespace tandem::http {

DelayedAnswers::DelayedAnswers(size_t max_held) : max_held_(max_held) {
  thread_ = std::thread([this] { Run(); });
}

DelayedAnswers::~DelayedAnswers() { Stop(); }

void DelayedAnswers::Answer(Responder respond, Response response, std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mu_);
    if (delay.count() > 0 && !stopping_ && held_.size() < max_held_) {
      held_.emplace(Due{std::chrono::steady_clock::now() + delay, next_++},
                    Held{std::move(respond), std::move(response)});
      cv_.notify_one();
      return;
    }
  }
  respond(std::move(response));
}

void DelayedAnswers::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DelayedAnswers::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (held_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    const auto due = held_.begin()->first.first;
    if (!stopping_ && std::chrono::steady_clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    // Everything due now (or everything, when stopping) goes out without the lock.
    std::vector<Held> ready;
    const auto now = std::chrono::steady_clock::now();
    while (!held_.empty() && (stopping_ || held_.begin()->first.first <= now)) {
      ready.push_back(std::move(held_.begin()->second));
      held_.erase(held_.begin());
    }
    lock.unlock();
    for (Held& h : ready) h.respond(std::move(h.response));
    lock.lock();
  }
}

}  // namespace tandem::http
