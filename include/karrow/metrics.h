// MetricsRecorder: where an operator reports its named counters and gauges
// (records read, rows, commits, ...); the runtime shows them.
#pragma once

#include <cstdint>
#include <string>

#include "karrow/export.h"

namespace karrow {

class KARROW_EXPORT MetricsRecorder {
 public:
  virtual ~MetricsRecorder() = default;
  /// Sets a gauge, or a counter the operator keeps itself. Thread-safe.
  virtual void Set(const std::string& name, int64_t value) = 0;
  /// Adds `delta` to a counter. Thread-safe.
  virtual void Add(const std::string& name, int64_t delta) = 0;
};

}  // namespace karrow
