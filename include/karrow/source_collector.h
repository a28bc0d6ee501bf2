// SourceCollector: where a source task puts its batches and its signals
// (barriers, watermarks, stop, end of data) for the rest of the job.
#pragma once

#include <cstdint>
#include <variant>

#include "karrow/export.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow::signal {

/// Everything collected before it belongs to checkpoint `epoch`.
struct Barrier {
  int64_t epoch = 0;
  bool then_stop = false;
};

/// No row with an event time at or before `event_time_ns` is still to come,
/// or, when idle, this task holds nobody's watermark back.
struct Watermark {
  /// event_time_ns of +infinity: no row at all is still to come. A task
  /// sends it last when it finishes with SourceFinishType::kFinal.
  static constexpr int64_t kEndOfTime = INT64_MAX;

  bool idle = false;
  int64_t event_time_ns = 0;  ///< Nanoseconds since the epoch, UTC; unused when idle.
  bool operator==(const Watermark&) const = default;
};

/// The task stops; downstream should stop too.
struct Stop {};

/// The task's input is exhausted (a bounded run reached its stop offsets).
struct EndOfData {};

}  // namespace karrow::signal

namespace karrow {

using Signal = std::variant<signal::Barrier, signal::Watermark, signal::Stop, signal::EndOfData>;

class KARROW_EXPORT SourceCollector {
 public:
  virtual ~SourceCollector() = default;

  /// Takes a batch of rows. May buffer it until Flush() or the next signal.
  virtual Status Collect(RecordBatch batch) = 0;
  /// Takes a batch of dead letters: records the source dropped as bad data,
  /// with their raw bytes, coordinates and reason (docs/semantics.md §11). They are a
  /// second output beside the rows, in the same checkpoint epochs, and may
  /// be buffered the same way. This default discards them, for collectors
  /// without a dead-letter output.
  virtual Status CollectDeadLetters(RecordBatch /*batch*/) { return Status::OK(); }
  /// Sends on whatever Collect() and CollectDeadLetters() buffered.
  virtual Status Flush() = 0;

  /// Flushes, then delivers `signal`: data always precedes the signal that
  /// follows it (a barrier covers exactly the rows and dead letters collected
  /// before it).
  Status Broadcast(const Signal& signal) {
    KARROW_RETURN_NOT_OK(Flush());
    return Deliver(signal);
  }

 protected:
  virtual Status Deliver(const Signal& signal) = 0;
};

}  // namespace karrow
