// TokenBuckets: one token bucket per key (a client address, an API token, an email
// address). Each bucket holds up to `burst` tokens and refills at `per_minute`; a request
// takes one token or is refused with the time until one is there. Time is an argument,
// so tests drive it with a ManualClock.
//
// Thread-safe. Memory is bounded: past `max_keys` buckets, the ones that are full again
// (they carry no state) are forgotten first, then the least recently used.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace tandem {

struct RateLimit {
  double per_minute = 60;  // refill rate; 0 means no limit at all
  double burst = 10;       // the most a bucket holds (requests allowed at once)
};

class TokenBuckets {
 public:
  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: until the next token, rounded up
  };

  explicit TokenBuckets(RateLimit limit, size_t max_keys = 100000)
      : limit_(limit), max_keys_(max_keys) {}

  // Takes one token from `key`'s bucket.
  Decision Take(std::string_view key, TimePoint now);
  // Gives one token back (up to the burst), e.g. when a sign-in succeeded.
  void Give(std::string_view key, TimePoint now);
  // Drops `key`'s bucket: its next use finds it full.
  void Forget(std::string_view key);
  // Whether a token is there, without taking it.
  Decision Peek(std::string_view key, TimePoint now);

  const RateLimit& limit() const { return limit_; }
  size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint updated;
  };
  // The bucket of `key` refilled up to `now`. REQUIRES: mu_ held.
  Bucket& Refill(std::string_view key, TimePoint now);
  Decision Answer(const Bucket& bucket) const;
  // Drops buckets past max_keys_. REQUIRES: mu_ held.
  void Evict(TimePoint now);

  const RateLimit limit_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace tandem
