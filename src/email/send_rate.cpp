#include "email/send_rate.h"

#include <algorithm>
#include <cmath>

namespace tandem::email {
namespace {

int64_t SecondOf(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

TokenBucket::TokenBucket(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

std::chrono::microseconds TokenBucket::Take(TimePoint now) {
  if (rate_ <= 0) return std::chrono::microseconds(0);
  if (!last_) {
    tokens_ = burst_;
    last_ = now;
  } else if (now > *last_) {
    double elapsed = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::microseconds(0);
  // Rounded up, less a hair of floating-point noise, so a caller never goes early.
  return std::chrono::microseconds(static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1e6 - 1e-6)));
}

void AcceptedRate::Attempted(TimePoint now) {
  if (!first_attempt_) first_attempt_ = now;
}

void AcceptedRate::Accepted(TimePoint now) {
  Attempted(now);
  int64_t second = SecondOf(now);
  size_t slot = static_cast<size_t>(((second % kWindowSeconds) + kWindowSeconds) % kWindowSeconds);
  if (second_of_[slot] != second) {
    second_of_[slot] = second;
    counts_[slot] = 0;
  }
  ++counts_[slot];
}

double AcceptedRate::PerSecond(TimePoint now) const {
  if (!first_attempt_) return 0;
  int64_t current = SecondOf(now);
  int64_t accepted = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (second_of_[i] > current - kWindowSeconds && second_of_[i] <= current) {
      accepted += counts_[i];
    }
  }
  double since_first = std::chrono::duration<double>(now - *first_attempt_).count();
  double span = std::clamp(since_first, 1.0, static_cast<double>(kWindowSeconds));
  return static_cast<double>(accepted) / span;
}

}  // namespace tandem::email
