#include "auth/password_workers.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace tandem {

PasswordWorkers::PasswordWorkers(int threads, size_t queue_limit) : queue_limit_(queue_limit) {
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

PasswordWorkers::~PasswordWorkers() { Stop(); }

bool PasswordWorkers::TrySubmit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void PasswordWorkers::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void PasswordWorkers::Run() {
  // Below the HTTP threads: under a flood of sign-ins the hashes wait for the CPU, not
  // every other request. (Linux gives each thread its own nice value.)
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace tandem
