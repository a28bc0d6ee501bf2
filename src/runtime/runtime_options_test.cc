#include <gtest/gtest.h>

#include "karrow/runtime.h"

namespace karrow {
namespace {

RuntimeOptions Valid() {
  RuntimeOptions o;
  o.job.name = "job";
  o.job.topic = "orders";
  o.job.group = "karrow-orders";
  o.checkpoint_dir = "/tmp/checkpoints";
  o.sink_dir = "/tmp/out";
  return o;
}

void ExpectInvalid(const RuntimeOptions& o, const std::string& fragment) {
  Status st = o.Validate();
  ASSERT_FALSE(st.ok()) << "expected an error mentioning " << fragment;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find(fragment), std::string::npos) << st.message();
}

// The next checkpoint's time is now + the interval on the steady clock: an
// interval of centuries would overflow it, so the range ends at 30 days.
TEST(RuntimeOptions, CheckpointIntervalIsOneMillisecondToThirtyDays) {
  auto o = Valid();
  ASSERT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  o.checkpoint_interval = RuntimeOptions::kMaxCheckpointInterval;
  EXPECT_TRUE(o.Validate().ok());
  o.checkpoint_interval = std::chrono::milliseconds(1);
  EXPECT_TRUE(o.Validate().ok());
  for (int64_t ms : {int64_t{0}, int64_t{-5}, int64_t{2'592'000'001}, INT64_MAX}) {
    o.checkpoint_interval = std::chrono::milliseconds(ms);
    ExpectInvalid(o, "checkpoint_interval " + std::to_string(ms) +
                         " ms: must be from 1 ms to 30 days (2592000000 ms)");
  }
}

// The stop deadline is now + the timeout on the steady clock, like the
// next checkpoint's time: the same range.
TEST(RuntimeOptions, StopTimeoutIsOneMillisecondToThirtyDays) {
  auto o = Valid();
  EXPECT_EQ(o.stop_timeout, std::chrono::seconds(30));  // the default
  o.stop_timeout = RuntimeOptions::kMaxStopTimeout;
  EXPECT_TRUE(o.Validate().ok());
  o.stop_timeout = std::chrono::milliseconds(1);
  EXPECT_TRUE(o.Validate().ok());
  for (int64_t ms : {int64_t{0}, int64_t{-5}, int64_t{2'592'000'001}, INT64_MAX}) {
    o.stop_timeout = std::chrono::milliseconds(ms);
    ExpectInvalid(o, "stop_timeout " + std::to_string(ms) +
                         " ms: must be from 1 ms to 30 days (2592000000 ms)");
  }
}

TEST(RuntimeOptions, ParallelismIsOneTo1024) {
  auto o = Valid();
  o.parallelism = 0;
  ExpectInvalid(o, "parallelism 0: must be 1 to 1024");
  o.parallelism = 1025;
  ExpectInvalid(o, "parallelism 1025: must be 1 to 1024");
}

}  // namespace
}  // namespace karrow
