// PasswordWorkers: a few threads that check passwords (argon2id takes tens of
// milliseconds of CPU and 64 MB each), so that the HTTP I/O threads never do. The queue
// is bounded: when it is full, TrySubmit refuses at once and the caller answers "busy"
// instead of making every other request wait behind a pile of hashes. The threads run at
// a lower priority (nice 10) than the HTTP threads.
//
// Thread-safe. Stop() (or the destructor) runs what is queued, then joins the threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tandem {

class PasswordWorkers {
 public:
  // REQUIRES: threads >= 1, queue_limit >= 1.
  PasswordWorkers(int threads, size_t queue_limit);
  ~PasswordWorkers();
  PasswordWorkers(const PasswordWorkers&) = delete;
  PasswordWorkers& operator=(const PasswordWorkers&) = delete;

  // Queues `job`, or returns false when `queue_limit` jobs already wait (or after Stop).
  bool TrySubmit(std::function<void()> job);
  // Runs the jobs already queued, then stops the threads. Idempotent.
  void Stop();

 private:
  void Run();

  const size_t queue_limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace tandem
