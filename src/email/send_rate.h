// The arithmetic of a send rate: pacing sends to a limit (TokenBucket) and measuring
// how many the relay accepted (AcceptedRate). Pure: every call takes the time, so
// tests drive it with chosen instants. Not thread-safe; SmtpPool guards them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/clock.h"

namespace tandem::email {

// A token bucket: `rate` tokens a second, at most `burst` saved up while idle.
class TokenBucket {
 public:
  // rate <= 0: no limit (Take never waits). burst below 1 counts as 1.
  TokenBucket(double rate, double burst);

  // Takes one token at `now` and says how long its holder must wait before using it:
  // zero when one was saved up. Tokens may be owed, so callers arriving together are
  // spaced 1/rate apart, each after the ones before it. A clock stepping back gives
  // nothing and takes nothing away.
  std::chrono::microseconds Take(TimePoint now);

 private:
  const double rate_;
  const double burst_;
  double tokens_ = 0;
  std::optional<TimePoint> last_;
};

// Messages accepted per second over the last 60 s, in one-second buckets.
class AcceptedRate {
 public:
  static constexpr int kWindowSeconds = 60;

  // A send was attempted at `now` (the first one starts the measurement).
  void Attempted(TimePoint now);
  // The relay accepted a message at `now`.
  void Accepted(TimePoint now);
  // Accepted messages in the buckets of the last 60 s, divided by 60 s or, when the
  // first attempt is more recent, by the time since it (at least 1 s). 0 before any.
  double PerSecond(TimePoint now) const;

 private:
  std::array<int64_t, kWindowSeconds> counts_{};
  std::array<int64_t, kWindowSeconds> second_of_{};  // which second each bucket counts
  std::optional<TimePoint> first_attempt_;
};

}  // namespace tandem::email
