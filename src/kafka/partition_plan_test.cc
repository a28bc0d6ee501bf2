// PartitionPlan without a broker: assignment, start and stop positions
// (docs/semantics.md §1, §2) against a scripted OffsetLookup.
#include "kafka/partition_plan.h"

#include <gtest/gtest.h>

#include <map>

namespace karrow {
namespace {

// Answers ListOffsets from per-timestamp tables and Committed from a map.
class FakeLookup : public OffsetLookup {
 public:
  std::map<int64_t, std::map<int32_t, int64_t>> by_timestamp;  // timestamp -> partition -> offset
  std::map<int32_t, int64_t> committed;
  int list_calls = 0;

  Result<std::vector<int64_t>> ListOffsets(const std::vector<int32_t>& partitions,
                                           const std::vector<int64_t>& timestamps) override {
    ++list_calls;
    std::vector<int64_t> out;
    for (size_t i = 0; i < partitions.size(); ++i) {
      const auto& table = by_timestamp[timestamps[i]];
      auto it = table.find(partitions[i]);
      out.push_back(it == table.end() ? kLatest : it->second);
    }
    return out;
  }
  Result<std::vector<int64_t>> Committed(const std::vector<int32_t>& partitions) override {
    std::vector<int64_t> out;
    for (int32_t p : partitions) out.push_back(committed.count(p) ? committed[p] : -1001);
    return out;
  }
};

KafkaSourceConfig Config() {
  KafkaSourceConfig c;
  c.topic = "t";
  c.bootstrap_servers = "b:1";
  return c;
}

std::vector<int64_t> NextOffsets(const PartitionPlan& plan) {
  std::vector<int64_t> out;
  for (const PartitionPosition& pos : plan.positions()) out.push_back(pos.next_offset);
  return out;
}

TEST(PartitionPlan, Semantics1_TaskIOfNOwnsPModNEqualsI) {
  PartitionPlan plan(8, TaskInfo{1, 3});
  EXPECT_EQ(plan.partitions(), (std::vector<int32_t>{1, 4, 7}));
  EXPECT_NE(plan.Find(4), nullptr);
  EXPECT_EQ(plan.Find(3), nullptr);
  EXPECT_EQ(plan.Find(8), nullptr);
  EXPECT_EQ(plan.Find(-1), nullptr);
  PartitionPlan none(2, TaskInfo{2, 3});
  EXPECT_TRUE(none.positions().empty());
}

TEST(PartitionPlan, Semantics2_RestoredOffsetsWinAndNewPartitionsStartAtTheBeginning) {
  FakeLookup lookup;
  KafkaSourceConfig c = Config();
  c.offset_mode = OffsetMode::kLatest;  // must not matter once restored
  PartitionPlan plan(3, TaskInfo{0, 1});
  ASSERT_TRUE(plan.Resolve(c, {{0, 10}, {1, 20}}, lookup).ok());
  EXPECT_EQ(NextOffsets(plan), (std::vector<int64_t>{10, 20, kOffsetBeginning}));
  EXPECT_EQ(lookup.list_calls, 0);
}

// Partitions added while reading (docs/semantics.md §17): the task takes
// its share by p % n == i, at the beginning, after its other partitions,
// whatever offset_mode said at the start.
TEST(PartitionPlan, Semantics17_AddedPartitionsGoByModuloAndStartAtTheBeginning) {
  FakeLookup lookup;
  lookup.by_timestamp[OffsetLookup::kLatest] = {{1, 100}, {4, 400}};
  KafkaSourceConfig c = Config();
  c.offset_mode = OffsetMode::kLatest;
  PartitionPlan plan(5, TaskInfo{1, 3});
  ASSERT_TRUE(plan.Resolve(c, {}, lookup).ok());
  EXPECT_EQ(NextOffsets(plan), (std::vector<int64_t>{100, 400}));
  EXPECT_EQ(plan.AddPartitions(9), (std::vector<int32_t>{7}));
  EXPECT_EQ(plan.topic_partitions(), 9);
  EXPECT_EQ(plan.partitions(), (std::vector<int32_t>{1, 4, 7}));
  EXPECT_EQ(NextOffsets(plan), (std::vector<int64_t>{100, 400, kOffsetBeginning}));
  ASSERT_NE(plan.Find(7), nullptr);
  EXPECT_EQ(plan.Find(8), nullptr);                       // task 2's
  EXPECT_EQ(plan.NextOffsets().at(7), kOffsetBeginning);  // so a checkpoint saves it
  EXPECT_TRUE(plan.AddPartitions(9).empty());             // nothing new
  EXPECT_TRUE(plan.AddPartitions(6).empty());             // a stale, smaller answer changes nothing
  EXPECT_EQ(plan.topic_partitions(), 9);
  PartitionPlan idle(2, TaskInfo{2, 3});
  EXPECT_EQ(idle.AddPartitions(3), (std::vector<int32_t>{2}));
}

TEST(PartitionPlan, Semantics2_OffsetModes) {
  FakeLookup lookup;
  lookup.by_timestamp[OffsetLookup::kLatest] = {{0, 100}, {1, 200}};
  lookup.by_timestamp[5000] = {{0, 42}};  // partition 1 has nothing that late
  lookup.committed = {{1, 7}};
  KafkaSourceConfig c = Config();

  auto resolve = [&](const KafkaSourceConfig& config) {
    PartitionPlan plan(2, TaskInfo{0, 1});
    Status st = plan.Resolve(config, {}, lookup);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return NextOffsets(plan);
  };
  EXPECT_EQ(resolve(c), (std::vector<int64_t>{kOffsetBeginning, kOffsetBeginning}));
  c.offset_mode = OffsetMode::kLatest;
  EXPECT_EQ(resolve(c), (std::vector<int64_t>{100, 200}));
  c.offset_mode = OffsetMode::kTimestamp;
  c.start_timestamp_ms = 5000;
  EXPECT_EQ(resolve(c), (std::vector<int64_t>{42, 200}));  // none that late: the end
  c.offset_mode = OffsetMode::kOffsets;
  c.start_offsets = {{1, 3}};
  EXPECT_EQ(resolve(c), (std::vector<int64_t>{kOffsetBeginning, 3}));
  c.offset_mode = OffsetMode::kGroup;  // no committed offset: the beginning, never the end
  EXPECT_EQ(resolve(c), (std::vector<int64_t>{kOffsetBeginning, 7}));
}

// kcat's -o N and -o -N, and -p (docs/semantics.md §2).
TEST(PartitionPlan, Semantics2_OffsetTailAndSelectedPartitions) {
  FakeLookup lookup;
  lookup.by_timestamp[OffsetLookup::kLatest] = {{0, 100}, {1, 200}, {2, 5}};
  lookup.by_timestamp[OffsetLookup::kEarliest] = {{0, 10}, {1, 0}, {2, 3}};
  KafkaSourceConfig c = Config();
  c.offset_mode = OffsetMode::kOffset;
  c.start_offset = 50;
  PartitionPlan every(3, TaskInfo{0, 1});
  ASSERT_TRUE(every.Resolve(c, {}, lookup).ok());
  EXPECT_EQ(NextOffsets(every), (std::vector<int64_t>{50, 50, 50}));
  // The last 95 of each: partition 0 keeps only 90 (from 10), 2 only 2 (from 3).
  c.offset_mode = OffsetMode::kTail;
  c.tail_records = 95;
  PartitionPlan tail(3, TaskInfo{0, 1});
  ASSERT_TRUE(tail.Resolve(c, {}, lookup).ok());
  EXPECT_EQ(NextOffsets(tail), (std::vector<int64_t>{10, 105, 3}));
  c.tail_records = 0;  // none: the end
  PartitionPlan none(3, TaskInfo{0, 1});
  ASSERT_TRUE(none.Resolve(c, {}, lookup).ok());
  EXPECT_EQ(NextOffsets(none), (std::vector<int64_t>{100, 200, 5}));
  // Selected partitions, within the task's share; discovery adds none unlisted.
  PartitionPlan selected(4, TaskInfo{0, 2}, {2, 1});
  EXPECT_EQ(selected.partitions(), (std::vector<int32_t>{2}));
  EXPECT_TRUE(selected.AddPartitions(8).empty());
  PartitionPlan grown(2, TaskInfo{0, 1}, {1, 3});
  EXPECT_EQ(grown.partitions(), (std::vector<int32_t>{1}));
  EXPECT_EQ(grown.AddPartitions(4), (std::vector<int32_t>{3}));
}

TEST(PartitionPlan, BoundedRunsStopWhereConfigured) {
  FakeLookup lookup;
  lookup.by_timestamp[OffsetLookup::kLatest] = {{0, 100}, {1, 200}, {2, 0}};
  KafkaSourceConfig c = Config();
  c.stop_at_end = true;
  c.stop_offsets = {{1, 150}};
  PartitionPlan plan(3, TaskInfo{0, 1});
  ASSERT_TRUE(plan.Resolve(c, {{0, 99}, {1, 0}, {2, 0}}, lookup).ok());
  EXPECT_EQ(plan.positions()[0].stop_offset, 100);
  EXPECT_EQ(plan.positions()[1].stop_offset, 150);
  EXPECT_TRUE(plan.positions()[2].finished);  // empty partition: nothing to read
  EXPECT_FALSE(plan.ended());
  EXPECT_TRUE(plan.AnyBehind());

  EXPECT_TRUE(plan.Advance(*plan.Find(0), 100));
  EXPECT_FALSE(plan.Advance(*plan.Find(0), 101));  // finished once only
  EXPECT_FALSE(plan.Advance(*plan.Find(1), 149));
  EXPECT_FALSE(plan.ended());
  EXPECT_TRUE(plan.Advance(*plan.Find(1), 150));
  EXPECT_TRUE(plan.ended());
  EXPECT_FALSE(plan.AnyBehind());
  EXPECT_EQ(plan.NextOffsets(), (PartitionOffsets{{0, 101}, {1, 150}, {2, 0}}));
}

TEST(PartitionPlan, StopOffsetsAloneMustListEveryPartition) {
  FakeLookup lookup;
  KafkaSourceConfig c = Config();
  c.stop_offsets = {{0, 5}};
  PartitionPlan plan(2, TaskInfo{0, 1});
  Status st = plan.Resolve(c, {}, lookup);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("stop_offsets has no offset for partition 1 of topic 't'"),
            std::string::npos)
      << st.message();
}

TEST(PartitionPlan, UnboundedRunsNeverEndAndATaskWithoutPartitionsEndsABoundedRun) {
  FakeLookup lookup;
  PartitionPlan idle(1, TaskInfo{1, 2});
  ASSERT_TRUE(idle.Resolve(Config(), {}, lookup).ok());
  EXPECT_FALSE(idle.ended());
  KafkaSourceConfig bounded = Config();
  bounded.stop_at_end = true;
  PartitionPlan idle_bounded(1, TaskInfo{1, 2});
  ASSERT_TRUE(idle_bounded.Resolve(bounded, {}, lookup).ok());
  EXPECT_TRUE(idle_bounded.ended());
}

}  // namespace
}  // namespace karrow
