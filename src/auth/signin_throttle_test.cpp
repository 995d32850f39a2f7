// Token buckets and the sign-in throttle on a manual clock: limits per client and per
// address, and the owner of an account passing a flood aimed at it.
#include "auth/signin_throttle.h"

#include <gtest/gtest.h>

#include "auth/password_workers.h"

#include <future>

namespace tandem {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = FromUnixMillis(1'800'000'000'000);

TEST(TokenBucketsTest, ABurstThenTheRefillRate) {
  TokenBuckets buckets({/*per_minute=*/6, /*burst=*/3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(buckets.Take("a", kStart).allowed);
  auto refused = buckets.Take("a", kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(10));  // one token every 10 s
  EXPECT_TRUE(buckets.Take("b", kStart).allowed) << "each key has its own bucket";
  EXPECT_FALSE(buckets.Take("a", kStart + seconds(9)).allowed);
  EXPECT_TRUE(buckets.Take("a", kStart + seconds(10)).allowed);
  buckets.Give("a", kStart + seconds(10));
  EXPECT_TRUE(buckets.Take("a", kStart + seconds(10)).allowed);
  EXPECT_TRUE(TokenBuckets({0, 1}).Take("x", kStart).allowed) << "0 a minute: no limit";
}

TEST(TokenBucketsTest, MemoryStaysBounded) {
  TokenBuckets buckets({60, 5}, /*max_keys=*/100);
  for (int i = 0; i < 1000; ++i) buckets.Take("key" + std::to_string(i), kStart);
  EXPECT_LE(buckets.size(), 100u);
}

SignInThrottle::Options Figures() {
  SignInThrottle::Options o;
  o.per_client = {6, 10};
  o.per_address = {5.0 / 15, 5};  // 5 at once, 5 more every 15 minutes
  return o;
}

TEST(SignInThrottleTest, OneClientGetsItsBurstThenWaits) {
  SignInThrottle throttle(Figures());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(
        throttle.Admit("10.0.0.9", "user" + std::to_string(i) + "@x.example", kStart).allowed);
  }
  auto refused = throttle.Admit("10.0.0.9", "other@x.example", kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(10));
  EXPECT_TRUE(throttle.Admit("10.0.0.9", "other@x.example", kStart + seconds(10)).allowed);
}

TEST(SignInThrottleTest, AnAddressIsLimitedKnownOrNotAndWhateverItsCase) {
  SignInThrottle throttle(Figures());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(throttle.Admit("10.0.1." + std::to_string(i), "Anna@X.example", kStart).allowed);
  }
  // Once the address's attempts are spent, another client gets one of its own, then one
  // every five minutes: slowed, not shut out.
  auto one = throttle.Admit("10.0.2.1", " anna@x.example", kStart);
  EXPECT_TRUE(one.allowed);
  EXPECT_FALSE(one.took_address);
  auto refused = throttle.Admit("10.0.2.1", "ANNA@x.example", kStart + seconds(1));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(299));
  EXPECT_TRUE(throttle.Admit("10.0.2.1", "anna@x.example", kStart + minutes(5)).allowed);
}

TEST(SignInThrottleTest, AFloodNeverLocksTheOwnerOutEvenOnANewDevice) {
  SignInThrottle throttle(Figures());
  // Strangers keep the address's bucket empty, each from its own machine …
  for (int round = 0; round < 3; ++round) {
    const TimePoint at = kStart + minutes(5 * round);
    for (int i = 0; i < 50; ++i) throttle.Admit("bot" + std::to_string(i), "anna@x.example", at);
  }
  // … yet the owner, on a device never used before, still gets to try.
  const TimePoint now = kStart + minutes(10) + seconds(1);
  auto attempt = throttle.Admit("new-laptop", "anna@x.example", now);
  ASSERT_TRUE(attempt.allowed);
  throttle.Succeeded("new-laptop", "anna@x.example", attempt, now);
  // Signed in, that device is in good standing: the flood no longer slows it.
  EXPECT_TRUE(throttle.Admit("new-laptop", "anna@x.example", now + seconds(1)).allowed);
  // A bot that already had its attempt waits its five minutes.
  EXPECT_FALSE(throttle.Admit("bot7", "anna@x.example", now + seconds(1)).allowed);
}

TEST(SignInThrottleTest, TheOwnerPassesAFloodAimedAtTheAccount) {
  SignInThrottle throttle(Figures());
  auto admitted = throttle.Admit("owner", "anna@x.example", kStart);
  ASSERT_TRUE(admitted.allowed);
  throttle.Succeeded("owner", "anna@x.example", admitted, kStart);
  // Strangers use up the address's attempts.
  for (int i = 0; i < 50; ++i) throttle.Admit("bot" + std::to_string(i), "anna@x.example", kStart);
  EXPECT_FALSE(throttle.Admit("bot10", "anna@x.example", kStart).allowed);
  // The owner's client, in good standing, still gets to try (within its own bucket) …
  EXPECT_TRUE(throttle.Admit("owner", "anna@x.example", kStart + seconds(1)).allowed);
  // … and its standing is for this address only, and lasts `trust_for` (30 days).
  for (int i = 0; i < 50; ++i) throttle.Admit("bot" + std::to_string(i), "bert@x.example", kStart);
  throttle.Admit("owner", "bert@x.example", kStart + seconds(2));  // its one attempt there
  EXPECT_FALSE(throttle.Admit("owner", "bert@x.example", kStart + seconds(3)).allowed);
  const TimePoint later = kStart + std::chrono::hours(24 * 31);
  for (int i = 0; i < 50; ++i) throttle.Admit("bot" + std::to_string(i), "anna@x.example", later);
  throttle.Admit("owner", "anna@x.example", later);  // no longer in good standing: one attempt
  EXPECT_FALSE(throttle.Admit("owner", "anna@x.example", later + seconds(1)).allowed);
}

TEST(PasswordWorkersTest, AFullQueueRefusesAtOnceAndQueuedWorkStillRuns) {
  PasswordWorkers workers(/*threads=*/1, /*queue_limit=*/2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(workers.TrySubmit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the one thread is busy
  std::atomic<int> ran{0};
  EXPECT_TRUE(workers.TrySubmit([&] { ++ran; }));
  EXPECT_TRUE(workers.TrySubmit([&] { ++ran; }));
  EXPECT_FALSE(workers.TrySubmit([&] { ++ran; })) << "two wait already";
  release.set_value();
  workers.Stop();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(workers.TrySubmit([] {})) << "stopped";
}

}  // namespace
}  // namespace tandem
