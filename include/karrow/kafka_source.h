// KafkaSource: one task's reader of a Kafka topic into Arrow record batches.
// Task i of n owns the partitions p with p % n == i (static assignment).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "karrow/export.h"
#include "karrow/kafka_source_config.h"
#include "karrow/metrics.h"
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
  /// Kafka records read from the partition by this source.
  int64_t records = 0;
};

/// What one step of reading returned: a batch of rows, a batch of dead
/// letters, both or neither.
struct SourceOutput {
  std::optional<RecordBatch> rows;
  std::optional<RecordBatch> dead_letters;
  bool empty() const { return !rows && !dead_letters; }
};

struct KafkaSourceStats {
  int64_t messages = 0;            ///< Kafka records read, tombstones and bad ones included.
  int64_t rows = 0;                ///< Rows emitted.
  int64_t value_bytes = 0;         ///< Bytes of message values read.
  int64_t batches = 0;             ///< Batches emitted.
  int64_t tombstones = 0;          ///< Records with a null value, skipped.
  int64_t bad_records = 0;         ///< Records (or framed lines) dropped as bad data.
  int64_t bad_lines_too_long = 0;  ///< Of bad_records, framed lines over max_line_length.
  int64_t dead_letters = 0;        ///< Dead letters returned (dead_letter=true).
  int64_t commits = 0;             ///< Offset commits the group coordinator accepted.
  int64_t commit_failures = 0;     ///< Offset commits that failed (logged; never fatal).
  int64_t offset_gaps = 0;         ///< Out-of-range positions skipped (on_out_of_range).
  int64_t skipped_offsets = 0;     ///< Offsets jumped over by those skips.
  int64_t fetch_wakeups =
      0;  ///< Times the idle fetcher was woken (see README: Memory and fetching).
  int64_t rate_limit_waits = 0;      ///< Sleeps to keep to messages_per_second.
  int64_t rate_limit_wait_ns = 0;    ///< Time those sleeps took.
  int64_t fetch_queue_messages = 0;  ///< librdkafka's queue of fetched messages, when published.
  /// The newest watermark AdvanceWatermark() returned (not idle), in ns; -1 for none.
  int64_t watermark_ns = -1;
  /// Each broker's average round-trip time (µs) in librdkafka's newest
  /// statistics; only with the client property statistics.interval.ms set.
  std::vector<std::pair<std::string, int64_t>> broker_round_trip_us;
};

/// `stats` and `positions` as samples of the metric catalog (karrow/metrics.h):
/// the per-task and per-partition metrics of docs/metrics.md.
KARROW_EXPORT MetricSamples SourceMetricSamples(const KafkaSourceStats& stats,
                                                const std::vector<PartitionPosition>& positions);

class KARROW_EXPORT KafkaSource : public RecordBatchReader {
 public:
  /// Validates `config`, connects, checks the topic exists and assigns this
  /// task's partitions. Fails within about config.connect_timeout_ms when
  /// the cluster does not answer.
  ///
  /// `restored` holds the next offsets saved by a checkpoint for this topic
  /// (any partitions, any task). When it is not empty it decides where each
  /// owned partition starts, and a partition missing from it is new since
  /// that checkpoint and starts at its beginning (docs/semantics.md §2).
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
  /// are returned first, then the error. Rows only: with dead_letter=true,
  /// read with Poll() instead, which returns the dead letters too.
  Result<std::optional<RecordBatch>> Next() override;

  /// One step of reading for a caller with other work (a runtime task):
  /// waits at most about 100 ms. Returns rows only when a batch is due, and
  /// the dead letters (dead_letter=true) when they are due, whenever rows
  /// are returned, and at the end, so that the dead letters returned always
  /// cover every bad record before the rows returned. Both are empty
  /// otherwise; then done() says whether more can come. After a failure
  /// what was read before it is returned first, then the error.
  Result<SourceOutput> Poll();
  /// Everything read so far, rows and dead letters, even when not yet due
  /// (e.g. before a checkpoint barrier: then they are exactly the records
  /// before NextOffsets()).
  Result<SourceOutput> Flush();
  /// True when the run has ended (bounded run finished, or Stop()) and
  /// all its rows and dead letters were returned.
  bool done() const;

  /// The schema of dead-letter batches (dead_letter=true: the records that
  /// bad_data=drop skipped, with raw bytes, coordinates and reason), the same
  /// for every source.
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

  /// The watermark to emit, if it moved since the last call (docs/semantics.md §13).
  /// Only from the thread that reads.
  std::optional<signal::Watermark> AdvanceWatermark();

  /// Makes Next() return what it has and then end. Safe from any thread.
  void Stop() { stop_requested_.store(true); }

  /// This task's partitions, in ascending order.
  std::vector<int32_t> partitions() const;
  std::vector<PartitionPosition> positions() const;
  KafkaSourceStats stats() const;
  /// stats() and positions() of one moment as metric samples. Any thread.
  MetricSamples metrics() const;
  /// The topic read, and which task of how many this source is.
  const std::string& topic() const;
  TaskInfo task() const;
  /// Partitions of the whole topic, as seen at Open().
  int32_t topic_partitions() const;

 private:
  struct Impl;
  explicit KafkaSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace karrow
