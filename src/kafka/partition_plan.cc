#include "kafka/partition_plan.h"

#include <algorithm>
#include <string>
#include <utility>

namespace karrow {

PartitionPlan::PartitionPlan(int32_t topic_partitions, TaskInfo task, std::vector<int32_t> only)
    : task_(task), only_(std::move(only)) {
  AddPartitions(topic_partitions);
}

std::vector<int32_t> PartitionPlan::AddPartitions(int32_t topic_partitions) {
  std::vector<int32_t> added;
  const auto before = static_cast<int32_t>(slot_.size());
  if (topic_partitions <= before) return added;
  slot_.resize(static_cast<size_t>(topic_partitions), -1);
  for (int32_t p = before; p < topic_partitions; ++p) {
    if (p % task_.parallelism != task_.task_index) continue;  // docs/semantics.md §1
    if (!only_.empty() && std::find(only_.begin(), only_.end(), p) == only_.end()) continue;
    slot_[p] = static_cast<int32_t>(positions_.size());
    positions_.push_back({p});  // next_offset kOffsetBeginning: its first record
    partitions_.push_back(p);
    added.push_back(p);
  }
  return added;
}

std::vector<int32_t> PartitionPlan::partitions() const { return partitions_; }

PartitionPosition* PartitionPlan::Find(int32_t partition) {
  if (partition < 0 || static_cast<size_t>(partition) >= slot_.size() || slot_[partition] < 0) {
    return nullptr;
  }
  return &positions_[static_cast<size_t>(slot_[partition])];
}

Status PartitionPlan::Resolve(const KafkaSourceConfig& config, const PartitionOffsets& restored,
                              OffsetLookup& lookup) {
  bounded_ = config.bounded();
  const size_t n = positions_.size();
  if (n == 0) return Status::OK();
  auto list = [&](int64_t timestamp) {
    return lookup.ListOffsets(partitions_, std::vector<int64_t>(n, timestamp));
  };

  std::vector<int64_t> start(n, kOffsetBeginning);
  if (!restored.empty()) {
    // A partition the checkpoint does not know is new since it was taken:
    // its beginning, never its end, or records written to it are lost.
    for (size_t i = 0; i < n; ++i) {
      auto it = restored.find(partitions_[i]);
      if (it != restored.end()) start[i] = it->second;
    }
  } else if (config.offset_mode == OffsetMode::kLatest) {
    KARROW_ASSIGN_OR_RAISE(start, list(OffsetLookup::kLatest));
  } else if (config.offset_mode == OffsetMode::kTimestamp) {
    KARROW_ASSIGN_OR_RAISE(start, list(config.start_timestamp_ms));
    KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> ends, list(OffsetLookup::kLatest));
    for (size_t i = 0; i < n; ++i) {
      if (start[i] < 0) start[i] = ends[i];  // no record that late yet: start at the end
    }
  } else if (config.offset_mode == OffsetMode::kOffsets) {
    for (size_t i = 0; i < n; ++i) {
      auto it = config.start_offsets.find(partitions_[i]);
      if (it != config.start_offsets.end()) start[i] = it->second;
    }
  } else if (config.offset_mode == OffsetMode::kOffset) {
    std::fill(start.begin(), start.end(), config.start_offset);
  } else if (config.offset_mode == OffsetMode::kTail) {
    // kcat's -o -N: N offsets before the end, never before the beginning.
    KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> ends, list(OffsetLookup::kLatest));
    KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> firsts, list(OffsetLookup::kEarliest));
    for (size_t i = 0; i < n; ++i) {
      start[i] = std::max(firsts[i], ends[i] - std::min(ends[i], config.tail_records));
    }
  } else if (config.offset_mode == OffsetMode::kGroup) {
    KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> committed, lookup.Committed(partitions_));
    for (size_t i = 0; i < n; ++i) {
      // No committed offset yet: start at the beginning, never at the end.
      if (committed[i] >= 0) start[i] = committed[i];
    }
  }
  for (size_t i = 0; i < n; ++i) positions_[i].next_offset = start[i];
  return bounded_ ? ResolveStops(config, lookup) : Status::OK();
}

// Each partition's stop offset: the first of stop_offsets, the first record
// at or after stop_timestamp_ms (else the end), and with stop_at_end the end.
Status PartitionPlan::ResolveStops(const KafkaSourceConfig& config, OffsetLookup& lookup) {
  const size_t n = positions_.size();
  std::vector<int64_t> stop(n, -1);
  if (config.stop_timestamp_ms >= 0) {
    KARROW_ASSIGN_OR_RAISE(
        stop, lookup.ListOffsets(partitions_, std::vector<int64_t>(n, config.stop_timestamp_ms)));
  }
  if (config.stop_at_end || config.stop_timestamp_ms >= 0) {
    KARROW_ASSIGN_OR_RAISE(
        std::vector<int64_t> ends,
        lookup.ListOffsets(partitions_, std::vector<int64_t>(n, OffsetLookup::kLatest)));
    for (size_t i = 0; i < n; ++i) {
      if (stop[i] < 0) stop[i] = ends[i];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    PartitionPosition& pos = positions_[i];
    auto it = config.stop_offsets.find(pos.partition);
    if (it != config.stop_offsets.end()) stop[i] = it->second;
    if (stop[i] < 0) {
      return Status::Invalid("stop_offsets has no offset for partition " +
                             std::to_string(pos.partition) + " of topic '" + config.topic +
                             "'; list every partition, or add stop_at_end");
    }
    pos.stop_offset = stop[i];
    if (pos.next_offset >= stop[i]) {
      pos.finished = true;
      ++finished_;
    }
  }
  return Status::OK();
}

bool PartitionPlan::Advance(PartitionPosition& pos, int64_t next_offset) {
  pos.next_offset = next_offset;
  if (pos.finished || pos.stop_offset < 0 || next_offset < pos.stop_offset) return false;
  pos.finished = true;
  ++finished_;
  return true;
}

bool PartitionPlan::AnyBehind() const {
  return std::any_of(positions_.begin(), positions_.end(),
                     [](const PartitionPosition& pos) { return !pos.finished && !pos.at_end; });
}

PartitionOffsets PartitionPlan::NextOffsets() const {
  PartitionOffsets out;
  for (const PartitionPosition& pos : positions_) out[pos.partition] = pos.next_offset;
  return out;
}

}  // namespace karrow
