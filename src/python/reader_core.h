// ReaderCore: what a Python KafkaReader and the Arrow streams it lends out
// share. The source, whose turn it is to read it, and the dead letters read
// so far. No Python here: streams use it from threads that never saw Python.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "karrow/kafka_source.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"
#include "karrow/task_info.h"

namespace karrow::python {

/// Who reads a reader: the reader's own methods (read_next_batch,
/// iteration) or one of the streams it lent out. kNobody until a first
/// batch is asked for.
using ReaderOwner = uint64_t;
constexpr ReaderOwner kNobody = 0;
constexpr ReaderOwner kReaderItself = 1;

class ReaderCore {
 public:
  /// Opens the source that `properties` (KafkaSourceConfig::FromProperties
  /// keys) describe: validates, connects, assigns partitions.
  static Result<std::shared_ptr<ReaderCore>> Open(
      const std::vector<std::pair<std::string, std::string>>& properties, TaskInfo task);
  ~ReaderCore();

  /// Known from Open() on, also after Close(), so a schema can be asked for
  /// at any time and as often as wanted.
  const SchemaPtr& schema() const { return schema_; }
  bool keeps_dead_letters() const { return keeps_dead_letters_; }
  const SchemaPtr& dead_letter_schema() const { return dead_letter_schema_; }

  /// A new owner id for a stream.
  ReaderOwner NewStreamOwner() { return next_owner_.fetch_add(1); }
  /// Makes `owner` the one that reads, unless another already does: the
  /// first to read a batch keeps the reader, because the rows it took are
  /// gone for any other. True when `owner` may read.
  bool Claim(ReaderOwner owner);

  /// One step of reading: waits at most about 100 ms. `rows` is set when a
  /// batch is due; `ended` when no more will come. Dead letters that come
  /// are kept for TakeDeadLetters(). Never call with the GIL held: it blocks.
  struct Step {
    std::optional<RecordBatch> rows;
    bool ended = false;
  };
  Result<Step> PollOnce();

  /// The dead letters read since the last call.
  std::vector<RecordBatch> TakeDeadLetters();

  /// Stops reading and closes the consumer, waiting for a poll in flight
  /// (about 100 ms at most). Later reads fail; the schema stays. Idempotent,
  /// safe from any thread. Never call with the GIL held: it blocks.
  void Close();
  bool closed() const { return closed_.load(); }

  /// The source's counters (messages, rows, bad records, ...): those of the
  /// open source, or as they stood when Close() closed it. Any thread.
  KafkaSourceStats stats();
  /// The same moment's stats and positions as metric samples (docs/metrics.md),
  /// also after Close(). Any thread.
  MetricSamples metrics();

  /// The newest watermark read (docs/semantics.md §13), in nanoseconds since
  /// the epoch: kNoWatermark before the first, signal::Watermark::kEndOfTime
  /// once the read has ended (no row can come). An idle spell keeps the last
  /// value. Any thread.
  static constexpr int64_t kNoWatermark = INT64_MIN;
  int64_t watermark_ns() const { return watermark_ns_.load(); }

 private:
  ReaderCore(std::unique_ptr<KafkaSource> source, bool keeps_dead_letters);

  SchemaPtr schema_;
  SchemaPtr dead_letter_schema_;
  bool keeps_dead_letters_;
  std::atomic<ReaderOwner> owner_{kNobody};
  std::atomic<ReaderOwner> next_owner_{kReaderItself + 1};

  // Serializes Close() calls; source_ is only reset under both mutexes, so
  // Close() may call source_->Stop() while a poll holds read_mu_.
  std::mutex close_mu_;
  std::atomic<bool> closed_{false};
  // One poll at a time (KafkaSource reads from one thread at a time). Held
  // only while polling, never while waiting for the GIL.
  std::mutex read_mu_;
  std::unique_ptr<KafkaSource> source_;
  std::atomic<int64_t> watermark_ns_{kNoWatermark};
  KafkaSourceStats final_stats_;  // set by Close(), under close_mu_
  MetricSamples final_metrics_;   // set by Close(), under close_mu_
  bool ended_ = false;

  std::mutex dead_letters_mu_;
  std::vector<RecordBatch> dead_letters_;
};

}  // namespace karrow::python
