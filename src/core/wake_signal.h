// WakeSignal: how a background thread is told there is work, or that it must stop.
//
// Notify() marks work pending; WaitForWork() sleeps until work is pending, the period
// passes (to pick up work nobody announced), or RequestStop(). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace tandem {

class WakeSignal {
 public:
  void Notify() {
    {
      std::lock_guard lock(mu_);
      pending_ = true;
    }
    wake_.notify_one();
  }

  void RequestStop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
  }

  // Returns false when stopping; otherwise clears the pending mark and returns true.
  bool WaitForWork(std::chrono::milliseconds period) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, period, [this] { return stopping_ || pending_; });
    pending_ = false;
    return !stopping_;
  }

  // Sleeps in 1 ms steps while `hold()` is true, at most `limit`; false when stopping.
  bool HoldWhile(const std::function<bool()>& hold, std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    auto until = std::chrono::steady_clock::now() + limit;
    while (!stopping_ && hold && hold() && std::chrono::steady_clock::now() < until) {
      wake_.wait_for(lock, std::chrono::milliseconds(1));
    }
    return !stopping_;
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace tandem
