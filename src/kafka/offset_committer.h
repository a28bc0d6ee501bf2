// Commits a completed checkpoint's offsets to the consumer group, without
// waiting, and counts the outcomes (docs/semantics.md §4). The group offset
// is for monitoring: a failed commit is logged and counted, never fatal.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "kafka/rdkafka_handles.h"
#include "karrow/kafka_source_config.h"

namespace karrow {

class OffsetCommitter {
 public:
  /// `rk` and `config` must outlive the committer.
  OffsetCommitter(rd_kafka_t* rk, const KafkaSourceConfig& config);

  /// Starts committing `offsets` (next offsets to read); a partition still
  /// at its logical beginning is left out.
  void Commit(const PartitionOffsets& offsets);
  /// Counts the outcomes of finished commits, waiting up to `max_wait` for
  /// those in flight. Returns true when it counted any.
  bool Serve(std::chrono::milliseconds max_wait);

  int64_t commits() const { return commits_; }
  int64_t failures() const { return failures_; }

 private:
  rd_kafka_t* rk_;
  const KafkaSourceConfig& config_;
  QueueHandle results_;  // outcomes of Commit(), as events
  int in_flight_ = 0;
  int64_t commits_ = 0;
  int64_t failures_ = 0;
};

}  // namespace karrow
