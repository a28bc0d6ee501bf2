// Which partitions a task reads and where it stands on each: assignment by
// p % n == i, the start and stop offsets, and positions as records are read.
#pragma once

#include <cstdint>
#include <vector>

#include "karrow/kafka_source.h"
#include "karrow/kafka_source_config.h"
#include "karrow/status.h"
#include "karrow/task_info.h"

namespace karrow {

/// The offset questions a plan asks the cluster, so that the plan itself can
/// be tested without one.
class OffsetLookup {
 public:
  /// ListOffsets' special timestamps: the end and the beginning of a partition.
  static constexpr int64_t kLatest = -1;
  static constexpr int64_t kEarliest = -2;

  virtual ~OffsetLookup() = default;
  /// For each partition, the first offset whose record timestamp is at or
  /// after timestamps[i] (or kLatest / kEarliest); kLatest (-1) when no
  /// record is that late.
  virtual Result<std::vector<int64_t>> ListOffsets(const std::vector<int32_t>& partitions,
                                                   const std::vector<int64_t>& timestamps) = 0;
  /// The consumer group's committed offset of each partition; negative
  /// when it has none.
  virtual Result<std::vector<int64_t>> Committed(const std::vector<int32_t>& partitions) = 0;
};

class PartitionPlan {
 public:
  /// The partitions of a topic of `topic_partitions` that `task` owns
  /// (docs/semantics.md §1), each at its beginning until Resolve(); when
  /// `only` is not empty, just those of them it lists.
  PartitionPlan(int32_t topic_partitions, TaskInfo task, std::vector<int32_t> only = {});

  /// Fixes where each partition starts (docs/semantics.md §2): `restored`
  /// (a checkpoint's next offsets) when not empty, a partition missing from
  /// it at its beginning; else config.offset_mode. For bounded runs, also
  /// where each stops.
  Status Resolve(const KafkaSourceConfig& config, const PartitionOffsets& restored,
                 OffsetLookup& lookup);

  /// Partitions `topic_partitions_before` to `topic_partitions - 1` were
  /// added to the topic while reading (docs/semantics.md §17): takes those
  /// this task owns, each at its beginning (no record of a new partition can
  /// have been read), after the others. Returns them, ascending.
  std::vector<int32_t> AddPartitions(int32_t topic_partitions);
  /// The topic's partitions as the plan knows them (owned or not).
  int32_t topic_partitions() const { return static_cast<int32_t>(slot_.size()); }

  /// This task's partitions, ascending.
  const std::vector<PartitionPosition>& positions() const { return positions_; }
  std::vector<int32_t> partitions() const;
  /// The position of `partition`, or nullptr when this task does not own it.
  PartitionPosition* Find(int32_t partition);

  /// Moves a partition's position to `next_offset`. Returns true when that
  /// reached its stop offset, so that the caller stops fetching it.
  bool Advance(PartitionPosition& pos, int64_t next_offset);
  /// The partition was read to its end; a record read later clears it.
  void MarkAtEnd(PartitionPosition& pos) { pos.at_end = true; }

  /// True once a bounded run has read every partition to its stop offset
  /// (at once when it owns none).
  bool ended() const { return bounded_ && finished_ == static_cast<int>(positions_.size()); }
  /// True while some partition may still have records to fetch.
  bool AnyBehind() const;
  /// The next offset of every partition.
  PartitionOffsets NextOffsets() const;

 private:
  Status ResolveStops(const KafkaSourceConfig& config, OffsetLookup& lookup);

  TaskInfo task_;
  std::vector<int32_t> only_;  // the partitions selected; empty: all
  std::vector<PartitionPosition> positions_;
  std::vector<int32_t> partitions_;  // of positions_, for lookups
  std::vector<int32_t> slot_;        // partition -> index in positions_, or -1
  int finished_ = 0;
  bool bounded_ = false;
};

}  // namespace karrow
