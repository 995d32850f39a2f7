#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tandem {
namespace {

// Refills are sums of fractions: a token counts as there when this close to whole.
constexpr double kWhole = 1 - 1e-9;

}  // namespace

TokenBuckets::Bucket& TokenBuckets::Refill(std::string_view key, TimePoint now) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Evict(now);
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
    return it->second;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    const double elapsed_ms = static_cast<double>((now - b.updated).count());
    b.tokens = std::min(limit_.burst, b.tokens + elapsed_ms * limit_.per_minute / 60000.0);
    b.updated = now;
  }
  return b;
}

TokenBuckets::Decision TokenBuckets::Answer(const Bucket& bucket) const {
  if (bucket.tokens >= kWhole) return {};
  const double seconds = (kWhole - bucket.tokens) * 60 / limit_.per_minute;
  return {false, std::chrono::seconds(static_cast<int64_t>(std::ceil(seconds)))};
}

TokenBuckets::Decision TokenBuckets::Take(std::string_view key, TimePoint now) {
  if (limit_.per_minute <= 0) return {};
  std::lock_guard lock(mu_);
  Bucket& b = Refill(key, now);
  Decision d = Answer(b);
  if (d.allowed) b.tokens = std::max(0.0, b.tokens - 1);
  return d;
}

void TokenBuckets::Forget(std::string_view key) {
  std::lock_guard lock(mu_);
  buckets_.erase(std::string(key));
}

void TokenBuckets::Give(std::string_view key, TimePoint now) {
  if (limit_.per_minute <= 0) return;
  std::lock_guard lock(mu_);
  Bucket& b = Refill(key, now);
  b.tokens = std::min(limit_.burst, b.tokens + 1);
}

TokenBuckets::Decision TokenBuckets::Peek(std::string_view key, TimePoint now) {
  if (limit_.per_minute <= 0) return {};
  std::lock_guard lock(mu_);
  return Answer(Refill(key, now));
}

size_t TokenBuckets::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void TokenBuckets::Evict(TimePoint now) {
  // A bucket that has refilled to the burst is the same as no bucket: forget those.
  const auto full_after = std::chrono::duration<double, std::ratio<60>>(
      limit_.burst / std::max(limit_.per_minute, 1e-9));
  std::erase_if(buckets_, [&](const auto& entry) {
    return std::chrono::duration<double, std::ratio<60>>(now - entry.second.updated) >= full_after;
  });
  if (buckets_.size() < max_keys_) return;
  // Still too many: forget the least recently used tenth.
  std::vector<TimePoint> times;
  times.reserve(buckets_.size());
  for (const auto& [_, b] : buckets_) times.push_back(b.updated);
  auto cut = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 10);
  std::nth_element(times.begin(), cut, times.end());
  const TimePoint oldest_kept = *cut;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.updated < oldest_kept; });
  if (buckets_.size() >= max_keys_) buckets_.erase(buckets_.begin());
}

}  // namespace tandem
