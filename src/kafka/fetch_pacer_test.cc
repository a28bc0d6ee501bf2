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

// docs/semantics.md §7: however slow the rate, the reader never waits more
// than kMaxWait at once (so it answers barriers and stop requests), and the
// slices add up to exactly the limiter's wait: no message is taken earlier.
TEST(FetchPacer, RateLimitWaitComesInSlicesThatAddUpToTheWholeWait) {
  FetchPacer pacer(0.05, 1, 1, {});  // one message every 20 s, a burst of 1
  Clock::time_point t = Clock::now();
  EXPECT_EQ(pacer.Charge(1, t).count(), 0);  // within the burst
  EXPECT_EQ(pacer.WaitBeforeConsume(t).count(), 0);
  const std::chrono::nanoseconds whole = pacer.Charge(1, t);
  EXPECT_NEAR(std::chrono::duration<double>(whole).count(), 20.0, 1e-6);
  Clock::time_point now = t;
  int slices = 0;
  while (true) {
    const std::chrono::nanoseconds slice = pacer.WaitBeforeConsume(now);
    if (slice.count() == 0) break;
    EXPECT_LE(slice, FetchPacer::kMaxWait);
    now += slice;
    ++slices;
  }
  EXPECT_EQ(now - t, whole);  // not a nanosecond earlier: the limit is exact
  EXPECT_GE(slices, 200);     // 20 s in slices of 100 ms at most
  EXPECT_LE(slices, 201);
  // The next message again costs 20 s, counted from where the last wait ended.
  const std::chrono::nanoseconds next = pacer.Charge(1, now);
  EXPECT_NEAR(std::chrono::duration<double>(next).count(), 20.0, 1e-6);
  EXPECT_EQ(pacer.WaitBeforeConsume(now), FetchPacer::kMaxWait);
  EXPECT_EQ(pacer.WaitBeforeConsume(now + next).count(), 0);
}

TEST(FetchPacer, UnlimitedNeverWaits) {
  FetchPacer pacer(0, 1, 1, {});
  Clock::time_point t = Clock::now();
  pacer.Charge(1000000, t);
  EXPECT_EQ(pacer.WaitBeforeConsume(t).count(), 0);
}

}  // namespace
}  // namespace karrow
