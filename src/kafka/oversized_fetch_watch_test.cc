// OversizedFetchWatch without a broker: which partitions it names, and when.
#include "kafka/oversized_fetch_watch.h"

#include <gtest/gtest.h>

namespace karrow {
namespace {

using Clock = OversizedFetchWatch::Clock;
using std::chrono::milliseconds;

constexpr const char* kRefused =
    "127.0.0.1:9092/1: Receive failed: Invalid response size 1600093 (0..1500000): "
    "increase receive.message.max.bytes";

PartitionPosition At(int32_t partition, int64_t next_offset, int64_t high_watermark) {
  PartitionPosition pos;
  pos.partition = partition;
  pos.next_offset = next_offset;
  pos.high_watermark = high_watermark;
  return pos;
}

TEST(OversizedFetchWatch, RecognizesLibrdkafkasRefusal) {
  EXPECT_TRUE(OversizedFetchWatch::IsOversizedResponse(kRefused));
  EXPECT_FALSE(OversizedFetchWatch::IsOversizedResponse("127.0.0.1:9092/1: Disconnected"));
  EXPECT_FALSE(OversizedFetchWatch::IsOversizedResponse(
      "`receive.message.max.bytes` must be >= `fetch.max.bytes` + 512"));
}

TEST(OversizedFetchWatch, NamesThePartitionThatStoppedAfterTheGracePeriod) {
  OversizedFetchWatch watch;
  Clock::time_point t = Clock::now();
  // 0 stops at 7 after the report; 1 keeps reading; 2 is read to its end;
  // 3 is finished.
  PartitionPosition done = At(3, 50, 50);
  done.finished = true;
  PartitionPosition idle = At(2, 9, 9);
  idle.at_end = true;
  EXPECT_TRUE(watch.Stuck({At(0, 1, 100)}, t).empty());  // no report yet: nothing watched
  watch.Reported(kRefused, t);
  ASSERT_TRUE(watch.watching());
  EXPECT_EQ(watch.client_error(), kRefused);
  // Records fetched before the refused response are still being handed out.
  EXPECT_TRUE(watch.Stuck({At(0, 5, 100), At(1, 10, 100), idle, done}, t).empty());
  EXPECT_TRUE(
      watch.Stuck({At(0, 7, 100), At(1, 20, 100), idle, done}, t + milliseconds(100)).empty());
  // A later report (librdkafka repeats it every 30 s) does not restart the clock.
  watch.Reported("another", t + milliseconds(4000));
  EXPECT_EQ(watch.client_error(), kRefused);
  std::vector<PartitionPosition> later = {At(0, 7, 100), At(1, 60, 100), idle, done};
  EXPECT_TRUE(watch.Stuck(later, t + milliseconds(5000)).empty());  // 0 stopped only 4.9 s ago
  std::vector<PartitionPosition> stuck = watch.Stuck(later, t + milliseconds(5100));
  ASSERT_EQ(stuck.size(), 1u);
  EXPECT_EQ(stuck[0].partition, 0);
  EXPECT_EQ(stuck[0].next_offset, 7);
}

TEST(OversizedFetchWatch, NamesEveryPartitionThatStayed) {
  OversizedFetchWatch watch;
  Clock::time_point t = Clock::now();
  watch.Reported(kRefused, t);
  // Before the first record the offset is unknown (kOffsetBeginning), and so is the end.
  std::vector<PartitionPosition> positions = {At(0, kOffsetBeginning, -1), At(1, 3, -1)};
  EXPECT_TRUE(watch.Stuck(positions, t).empty());
  std::vector<PartitionPosition> stuck = watch.Stuck(positions, t + std::chrono::seconds(6));
  ASSERT_EQ(stuck.size(), 2u);
  EXPECT_EQ(stuck[0].partition, 0);
  EXPECT_EQ(stuck[1].partition, 1);
}

TEST(OversizedFetchWatch, EndsWhenLibrdkafkaStopsReporting) {
  OversizedFetchWatch watch;
  Clock::time_point t = Clock::now();
  watch.Reported(kRefused, t);
  // Partition 0 keeps moving: nothing is stuck.
  for (int s = 0; s <= 60; s += 5) {
    EXPECT_TRUE(watch.Stuck({At(0, s, 1000)}, t + std::chrono::seconds(s)).empty());
  }
  watch.Reported(kRefused, t + std::chrono::seconds(30));
  EXPECT_TRUE(watch.watching());
  EXPECT_TRUE(watch.Stuck({At(0, 99, 1000)}, t + std::chrono::seconds(96)).empty());
  EXPECT_FALSE(watch.watching());  // 66 s without a report
  // A new report starts a new watch, from its own time.
  watch.Reported(kRefused, t + std::chrono::seconds(100));
  EXPECT_TRUE(watch.Stuck({At(0, 99, 1000)}, t + std::chrono::seconds(100)).empty());
  EXPECT_EQ(watch.Stuck({At(0, 99, 1000)}, t + std::chrono::seconds(105)).size(), 1u);
}

}  // namespace
}  // namespace karrow
