// Control messages: what the runtime tells a running source task. The task's
// run loop handles them between reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <variant>

#include "karrow/export.h"

namespace karrow::control {

/// Take checkpoint `epoch`: save state, then send a barrier after all data of
/// the epoch. With then_stop, stop once the checkpoint is committed.
struct Checkpoint {
  int64_t epoch = 0;
  bool then_stop = false;
};

enum class StopMode {
  kGraceful,   ///< Flush what was read, tell downstream to stop.
  kImmediate,  ///< Just stop; nothing after the last checkpoint counts.
};

struct Stop {
  StopMode mode = StopMode::kGraceful;
};

/// Checkpoint `epoch` is complete (durable everywhere): side effects that
/// must follow it, like committing offsets to the consumer group, may run.
struct Commit {
  int64_t epoch = 0;
};

/// State tables were compacted; reload them (a source may ignore it).
struct LoadCompacted {};

/// Wakes the task without asking anything of it.
struct NoOp {};

}  // namespace karrow::control

namespace karrow {

using ControlMessage = std::variant<control::Checkpoint, control::Stop, control::Commit,
                                    control::LoadCompacted, control::NoOp>;

/// Where a task receives its control messages, in the order sent. The
/// runtime owns it and outlives the task.
class KARROW_EXPORT ControlReceiver {
 public:
  virtual ~ControlReceiver() = default;
  /// The oldest message, waiting up to `timeout` for one; std::nullopt on
  /// timeout, or once closed() (nothing more will come).
  virtual std::optional<ControlMessage> Receive(std::chrono::milliseconds timeout) = 0;
  std::optional<ControlMessage> TryReceive() { return Receive(std::chrono::milliseconds(0)); }
  /// True once the runtime closed the channel and every message was received:
  /// the task should end.
  virtual bool closed() const = 0;
};

}  // namespace karrow
