#include "operator/watermark_tracker.h"

#include <gtest/gtest.h>

namespace karrow {
namespace {

using std::chrono::milliseconds;
using Clock = WatermarkTracker::Clock;

TEST(WatermarkTracker, Semantics13_MinimumOverPartitions) {
  Clock::time_point t0 = Clock::now();
  WatermarkTracker w(2, milliseconds(1000), t0);
  w.Observe(0, 500);
  EXPECT_FALSE(w.Advance(t0).has_value());  // partition 1 has shown nothing yet
  w.Observe(1, 300);
  auto wm = w.Advance(t0);
  ASSERT_TRUE(wm.has_value());
  EXPECT_FALSE(wm->idle);
  EXPECT_EQ(wm->event_time_ns, 300);
  EXPECT_FALSE(w.Advance(t0).has_value());  // unchanged: nothing new to say
  w.Observe(1, 900);
  EXPECT_EQ(w.Advance(t0)->event_time_ns, 500);
}

TEST(WatermarkTracker, Semantics13_IdlePartitionStopsHoldingBack) {
  Clock::time_point t0 = Clock::now();
  WatermarkTracker w(2, milliseconds(1000), t0);
  w.Observe(0, 100);
  w.Observe(1, 800);
  EXPECT_EQ(w.Advance(t0)->event_time_ns, 100);
  w.MarkCaughtUp(0);
  // Caught up but not yet quiet for the idle timeout: still holds it back.
  EXPECT_FALSE(w.Advance(t0 + milliseconds(999)).has_value());
  EXPECT_EQ(w.Advance(t0 + milliseconds(1000))->event_time_ns, 800);
  // Partition 1 catches up too: the whole task is idle, said once.
  w.MarkCaughtUp(1);
  auto idle = w.Advance(t0 + milliseconds(2000));
  ASSERT_TRUE(idle.has_value());
  EXPECT_TRUE(idle->idle);
  EXPECT_FALSE(w.Advance(t0 + milliseconds(3000)).has_value());
}

TEST(WatermarkTracker, Semantics13_NeverBackwards) {
  Clock::time_point t0 = Clock::now();
  WatermarkTracker w(2, milliseconds(10), t0);
  w.Observe(0, 100);
  w.Observe(1, 800);
  EXPECT_EQ(w.Advance(t0)->event_time_ns, 100);
  w.MarkCaughtUp(0);
  EXPECT_EQ(w.Advance(t0 + milliseconds(20))->event_time_ns, 800);
  // Partition 0 wakes up with an older event: no watermark below 800.
  w.Observe(0, 200);
  EXPECT_FALSE(w.Advance(t0 + milliseconds(30)).has_value());
  w.Observe(0, 1000);
  w.Observe(1, 1200);
  EXPECT_EQ(w.Advance(t0 + milliseconds(40))->event_time_ns, 1000);
}

TEST(WatermarkTracker, Semantics1_TaskWithoutPartitionsIsIdle) {
  Clock::time_point t0 = Clock::now();
  WatermarkTracker w(0, milliseconds(1000), t0);
  auto wm = w.Advance(t0);
  ASSERT_TRUE(wm.has_value());
  EXPECT_TRUE(wm->idle);
}

// A partition added while reading holds the watermark back like one that
// has shown nothing yet, until it shows an event or goes idle.
TEST(WatermarkTracker, Semantics17_AddedInputHoldsTheWatermarkUntilItSpeaks) {
  Clock::time_point t0 = Clock::now();
  WatermarkTracker w(1, milliseconds(1000), t0);
  w.Observe(0, 500);
  EXPECT_EQ(w.Advance(t0)->event_time_ns, 500);
  w.AddInputs(1, t0 + milliseconds(10));
  w.Observe(0, 700);
  EXPECT_FALSE(w.Advance(t0 + milliseconds(20)).has_value());
  w.Observe(1, 600);
  EXPECT_EQ(w.Advance(t0 + milliseconds(30))->event_time_ns, 600);
  // A task without partitions was idle; one discovered makes it active.
  WatermarkTracker none(0, milliseconds(1000), t0);
  EXPECT_TRUE(none.Advance(t0)->idle);
  none.AddInputs(1, t0);
  none.Observe(0, 42);
  auto wm = none.Advance(t0);
  ASSERT_TRUE(wm.has_value());
  EXPECT_FALSE(wm->idle);
  EXPECT_EQ(wm->event_time_ns, 42);
}

}  // namespace
}  // namespace karrow
