#include "kafka/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>

namespace karrow {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, WaitsOnlyPastTheBurst) {
  RateLimiter limiter(1000, 100);  // 1 ms per message, 100 at once
  auto t0 = RateLimiter::Clock::time_point(seconds(100));
  EXPECT_EQ(limiter.Charge(100, t0).count(), 0);
  // 100 more at the same instant run 100 ms ahead of the burst allowance.
  EXPECT_EQ(limiter.Charge(100, t0), milliseconds(100));
  // A second later the bucket has drained.
  EXPECT_EQ(limiter.Charge(50, t0 + seconds(1)).count(), 0);
}

TEST(RateLimiter, IdleTimeBanksNoMoreThanTheBurst) {
  RateLimiter limiter(1000, 100);
  auto t0 = RateLimiter::Clock::time_point(seconds(100));
  EXPECT_EQ(limiter.Charge(10, t0).count(), 0);
  // After a minute of nothing, 300 at once may not all go: 200 past the burst.
  EXPECT_EQ(limiter.Charge(300, t0 + seconds(60)), milliseconds(200));
}

TEST(RateLimiter, ZeroRateIsUnlimited) {
  RateLimiter limiter(0, 100);
  EXPECT_FALSE(limiter.limited());
  auto t0 = RateLimiter::Clock::time_point(seconds(100));
  EXPECT_EQ(limiter.Charge(1'000'000, t0).count(), 0);
  EXPECT_EQ(limiter.Charge(1'000'000, t0).count(), 0);
}

TEST(RateLimiter, BurstIsAtLeastOneMessage) {
  RateLimiter limiter(10, 0);
  EXPECT_TRUE(limiter.limited());
  EXPECT_EQ(limiter.max_batch(), 1);
  auto t0 = RateLimiter::Clock::time_point(seconds(100));
  EXPECT_EQ(limiter.Charge(1, t0).count(), 0);
  EXPECT_EQ(limiter.Charge(1, t0), milliseconds(100));  // 10 a second: 100 ms apart
}

}  // namespace
}  // namespace karrow
