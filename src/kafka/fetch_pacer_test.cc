// FetchPacer without a broker: when librdkafka's stopped fetcher is woken,
// and that a reader whose queue never fills never wakes it.
#include "kafka/fetch_pacer.h"

#include <gtest/gtest.h>

namespace karrow {
namespace {

using Clock = FetchPacer::Clock;
using std::chrono::milliseconds;

TEST(FetchPacer, WakesAFetcherThatStoppedAtAFullQueue) {
  int wakes = 0;
  // 100 records or 100 KB; records of 1 KB: the threshold is 100 records.
  FetchPacer pacer(0, 100, 100 * 1024, [&] { ++wakes; });
  for (int i = 0; i < 10; ++i) pacer.CountRecord(1024);
  Clock::time_point t = Clock::now();
  int timeout = 100;
  pacer.BeforeConsume(60, true, t, &timeout);  // near full (half or more)
  pacer.AfterConsume(60, 0, 60, t);
  EXPECT_EQ(wakes, 0);
  // Drained under a quarter, and not growing: wait kFetchQuiet, then wake.
  timeout = 100;
  pacer.BeforeConsume(0, true, t + milliseconds(1), &timeout);
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(timeout, FetchPacer::kFetchQuiet.count());  // looks again soon
  pacer.BeforeConsume(0, true, t + milliseconds(20), &timeout);
  EXPECT_EQ(wakes, 1);
  // Not again within kFetchQuiet; again after it while nothing arrives.
  pacer.BeforeConsume(0, true, t + milliseconds(25), &timeout);
  EXPECT_EQ(wakes, 1);
  pacer.BeforeConsume(0, true, t + milliseconds(40), &timeout);
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(pacer.wakeups(), 2);
  // Records arrive: the fetcher runs; no wake-up until the queue is full again.
  pacer.BeforeConsume(10, true, t + milliseconds(50), &timeout);
  pacer.AfterConsume(10, 0, 10, t + milliseconds(50));
  pacer.BeforeConsume(0, true, t + milliseconds(100), &timeout);
  EXPECT_EQ(wakes, 2);
}

TEST(FetchPacer, NeverWakesWhenTheQueueStaysLowOrNothingIsBehind) {
  int wakes = 0;
  FetchPacer pacer(0, 100, 100 * 1024, [&] { ++wakes; });
  pacer.CountRecord(1024);
  Clock::time_point t = Clock::now();
  int timeout = 100;
  for (int i = 0; i < 100; ++i) {
    pacer.BeforeConsume(10, true, t + milliseconds(20 * i), &timeout);
    pacer.AfterConsume(10, 0, 10, t + milliseconds(20 * i));
  }
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(timeout, 100);
  // Full once, drained, but every partition is at its end: nothing to fetch.
  pacer.BeforeConsume(90, true, t, &timeout);
  pacer.AfterConsume(90, 0, 90, t);
  pacer.BeforeConsume(0, false, t + milliseconds(100), &timeout);
  EXPECT_EQ(wakes, 0);
}

TEST(FetchPacer, RateLimitBurstIsATenthOfASecond) {
  FetchPacer unlimited(0, 1, 1, {});
  EXPECT_EQ(unlimited.max_batch(), FetchPacer::kMaxFetchPerCall);
  EXPECT_EQ(unlimited.Charge(1000000).count(), 0);
  FetchPacer limited(1000, 1, 1, {});
  EXPECT_EQ(limited.max_batch(), 100);
  FetchPacer slow(0.5, 1, 1, {});
  EXPECT_EQ(slow.max_batch(), 1);
}

}  // namespace
}  // namespace karrow
