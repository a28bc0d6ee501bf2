// KafkaSource: one task's reader of a Kafka topic into Arrow record batches.
// Task i of n owns the partitions p with p % n == i (static assignment).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "karrow/c_export.h"
#include "karrow/kafka_source_config.h"
#include "karrow/record_batch.h"
#include "karrow/source_collector.h"
#include "karrow/status.h"
#include "karrow/task_info.h"

namespace karrow {

/// An offset that means "the partition's oldest retained record", used until
/// the first record or end-of-partition event tells the real one.
constexpr int64_t kOffsetBeginning = -2;

/// Where a task stands on one of its partitions.
struct PartitionPosition {
  int32_t partition = 0;
  /// The next offset to read; kOffsetBeginning until the first record or
  /// end-of-partition event when the partition starts at its beginning.
  int64_t next_offset = kOffsetBeginning;
  /// The newest high watermark seen in fetch responses; -1 if none yet.
  int64_t high_watermark = -1;
  /// True after the partition was read to its end and nothing newer arrived.
  bool at_end = false;
  /// Bounded runs: the first offset not to read; -1 when unbounded.
  int64_t stop_offset = -1;
  /// True once next_offset reached stop_offset.
  bool finished = false;
};

struct KafkaSourceStats {
  int64_t messages = 0;     ///< Kafka records read, tombstones and bad ones included.
  int64_t rows = 0;         ///< Rows emitted.
  int64_t value_bytes = 0;  ///< Bytes of message values read.
  int64_t batches = 0;      ///< Batches emitted.
  int64_t tombstones = 0;   ///< Records with a null value, skipped.
  int64_t bad_records = 0;  ///< Records (or framed lines) dropped as bad data.
  int64_t commits = 0;          ///< Offset commits the group coordinator accepted.
  int64_t commit_failures = 0;  ///< Offset commits that failed (logged; never fatal).
  int64_t offset_gaps = 0;      ///< Out-of-range positions skipped (on_out_of_range).
  int64_t skipped_offsets = 0;  ///< Offsets jumped over by those skips.
  int64_t fetch_wakeups = 0;    ///< Times the idle fetcher was woken (see src/kafka/fetch_waker.h).
};

class KafkaSource : public RecordBatchReader {
 public:
  /// Validates `config`, connects, checks the topic exists and assigns this
  /// task's partitions. Fails within about config.connect_timeout_ms when
  /// the cluster does not answer.
  ///
  /// `restored` holds the next offsets saved by a checkpoint for this topic
  /// (any partitions, any task). When it is not empty it decides where each
  /// owned partition starts, and a partition missing from it is new since
  /// that checkpoint and starts at its beginning (DESIGN 3.2).
  static Result<std::unique_ptr<KafkaSource>> Open(KafkaSourceConfig config, TaskInfo task = {},
                                                   const PartitionOffsets& restored = {});
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

  /// One step of reading for a caller with other work (a runtime task):
  /// waits at most about 100 ms, and returns a batch only when one is due.
  /// std::nullopt otherwise; then done() says whether more can come.
  Result<std::optional<RecordBatch>> Poll();
  /// The rows read so far, as a batch, even when not yet due (e.g. before a
  /// checkpoint barrier); std::nullopt when there are none.
  Result<std::optional<RecordBatch>> TakeBuffered();
  /// True when the run has ended (bounded run finished, or Stop()) and all
  /// its rows were returned. Dead letters may remain: see TakeDeadLetters().
  bool done() const;

  /// With dead_letter=true, the records that bad_data=drop skipped are kept
  /// as dead letters (raw bytes, coordinates, reason) in batches of
  /// dead_letter_schema(). Right after TakeDeadLetters(), the dead letters
  /// taken so far are exactly the bad records before NextOffsets(), as a
  /// checkpoint needs.
  ///
  /// The dead letters read so far once they are due the way rows are
  /// (batch_size of them, or linger_ms after the first, or the run ended);
  /// std::nullopt otherwise. Only from the thread that reads.
  Result<std::optional<RecordBatch>> PollDeadLetters();
  /// The dead letters read so far, even when not yet due (e.g. before a
  /// checkpoint barrier); std::nullopt when there are none.
  Result<std::optional<RecordBatch>> TakeDeadLetters();
  /// The schema of dead-letter batches, the same for every source.
  SchemaPtr dead_letter_schema() const;

  /// The next offset of every owned partition, exactly matching the rows
  /// returned so far. Only from the thread that reads.
  PartitionOffsets NextOffsets() const;
  /// Starts committing `offsets` (next offsets to read) to the consumer
  /// group without waiting; the outcome is counted in stats() (commits,
  /// commit_failures) and a failure is logged. Only from the thread that reads.
  void CommitOffsets(const PartitionOffsets& offsets);
  /// Counts the outcomes of finished commits (Poll() does this too), waiting
  /// up to `max_wait` for those still in flight. Only from the thread that reads.
  void AwaitCommits(std::chrono::milliseconds max_wait);

  /// The watermark to emit, if it moved since the last call (DESIGN 3.13).
  /// Only from the thread that reads.
  std::optional<signal::Watermark> AdvanceWatermark();

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
