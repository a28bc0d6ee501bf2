// WatermarkTracker: a task's event-time watermark from its inputs (Kafka
// partitions): the minimum over inputs of the newest event time seen, where
// an input that caught up and stayed quiet for the idle timeout no longer
// holds it back (docs/semantics.md §13). Emitted watermarks never go backwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "karrow/source_collector.h"

namespace karrow {

class WatermarkTracker {
 public:
  using Clock = std::chrono::steady_clock;

  WatermarkTracker(int inputs, std::chrono::milliseconds idle_timeout, Clock::time_point now);

  /// An event of `input` at `event_time_ns`. Hot path: no clock read here.
  void Observe(int input, int64_t event_time_ns) {
    Input& in = inputs_[input];
    if (event_time_ns > in.max_event_time_ns) in.max_event_time_ns = event_time_ns;
    in.seen_since_advance = true;
    in.caught_up = false;
  }
  /// `count` inputs more (partitions added to the topic), numbered after
  /// the others. Each holds the watermark back from now on, like an input
  /// that has shown no event yet, until it sees one or goes idle.
  void AddInputs(int count, Clock::time_point now) {
    Input in;
    in.last_active = now;
    inputs_.insert(inputs_.end(), static_cast<size_t>(count), in);
  }
  /// `input` has nothing more to read for now (end of partition).
  void MarkCaughtUp(int input) { inputs_[input].caught_up = true; }

  /// The watermark to emit now, if it moved forward or the task became idle
  /// since the last one returned; else std::nullopt.
  std::optional<signal::Watermark> Advance(Clock::time_point now);

 private:
  struct Input {
    int64_t max_event_time_ns = INT64_MIN;  // INT64_MIN: no event yet
    bool caught_up = false;
    bool seen_since_advance = false;
    Clock::time_point last_active;
  };
  std::vector<Input> inputs_;
  std::chrono::milliseconds idle_timeout_;
  int64_t emitted_ns_ = INT64_MIN;  // newest event-time watermark emitted
  bool idle_ = false;               // the last one emitted said idle
};

}  // namespace karrow
