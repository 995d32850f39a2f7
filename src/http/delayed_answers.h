// DelayedAnswers: answers held back until their time, without holding an HTTP thread.
//
// A refused sign-in is answered after a pause (a tarpit): a client flooding /auth/login
// waits for each answer before it sends the next attempt, so a pause turns thousands of
// attempts a second into a handful, and the HTTP threads stay free for everyone else.
//
// Thread-safe. One thread sleeps until the next answer is due. At most `max_held` answers
// wait; past that, answers go out at once. Stop() (or the destructor) sends every held
// answer at once and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "http/http_types.h"

namespace tandem::http {

class DelayedAnswers {
 public:
  explicit DelayedAnswers(size_t max_held);
  ~DelayedAnswers();
  DelayedAnswers(const DelayedAnswers&) = delete;
  DelayedAnswers& operator=(const DelayedAnswers&) = delete;

  // Calls `respond(response)` after `delay` (at once when `delay` is not positive, when
  // `max_held` answers already wait, or after Stop()).
  void Answer(Responder respond, Response response, std::chrono::milliseconds delay);
  void Stop();

 private:
  using Due = std::pair<std::chrono::steady_clock::time_point, uint64_t>;
  struct Held {
    Responder respond;
    Response response;
  };
  void Run();

  const size_t max_held_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Due, Held> held_;  // guarded by mu_
  uint64_t next_ = 0;         // guarded by mu_; orders answers due at the same time
  bool stopping_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace tandem::http
