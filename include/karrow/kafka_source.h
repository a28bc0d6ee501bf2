// KafkaSource: one task's reader of a Kafka topic into Arrow record batches.
// Task i of n owns the partitions p with p % n == i (static assignment).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "karrow/c_export.h"
#include "karrow/kafka_source_config.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Which share of the topic's partitions a task reads.
struct TaskInfo {
  int32_t task_index = 0;
  int32_t parallelism = 1;
};

/// Where a task stands on one of its partitions.
struct PartitionPosition {
  int32_t partition = 0;
  /// The next offset to read; -1 until the first record or end-of-partition.
  int64_t next_offset = -1;
  /// The newest high watermark seen in fetch responses; -1 if none yet.
  int64_t high_watermark = -1;
  /// True after the partition was read to its end and nothing newer arrived.
  bool at_end = false;
};

struct KafkaSourceStats {
  int64_t messages = 0;     ///< Kafka records read, tombstones and bad ones included.
  int64_t rows = 0;         ///< Rows emitted.
  int64_t value_bytes = 0;  ///< Bytes of message values read.
  int64_t batches = 0;      ///< Batches emitted.
  int64_t tombstones = 0;   ///< Records with a null value, skipped.
  int64_t bad_records = 0;  ///< Records (or framed lines) dropped as bad data.
};

class KafkaSource : public RecordBatchReader {
 public:
  /// Validates `config`, connects, checks the topic exists and assigns this
  /// task's partitions. Fails within about config.connect_timeout_ms when
  /// the cluster does not answer.
  static Result<std::unique_ptr<KafkaSource>> Open(KafkaSourceConfig config, TaskInfo task = {});
  ~KafkaSource() override;

  /// Value columns, then metadata columns in configured order, then
  /// `_timestamp` (event time: the record's timestamp, in ns, UTC).
  SchemaPtr schema() const override;

  /// Blocks until a batch is ready (batch_size rows, or linger_ms after its
  /// first row). Returns std::nullopt at the end of a bounded run or after
  /// Stop(); rows read before either are returned first. After a failure
  /// (bad data under bad_data=fail, a fatal Kafka error) the rows before it
  /// are returned first, then the error.
  Result<std::optional<RecordBatch>> Next() override;

  /// Makes Next() return what it has and then end. Safe from any thread.
  void Stop() { stop_requested_.store(true); }

  /// This task's partitions, in ascending order.
  std::vector<int32_t> partitions() const;
  std::vector<PartitionPosition> positions() const;
  KafkaSourceStats stats() const;
  /// Partitions of the whole topic, as seen at Open().
  int32_t topic_partitions() const;

 private:
  struct Impl;
  explicit KafkaSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace karrow
