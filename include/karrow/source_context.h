// SourceContext: what the runtime gives a source task: who it is, its
// restored state, its control messages and where to report its metrics.
#pragma once

#include <string>

#include "karrow/control_message.h"
#include "karrow/metrics.h"
#include "karrow/state_table.h"
#include "karrow/task_info.h"

namespace karrow {

struct SourceContext {
  std::string job_id;
  std::string operator_id;
  TaskInfo task;
  /// Tables declared by the operator, holding the restored checkpoint's entries.
  StateTables tables;
  /// Owned by the runtime, which outlives the task.
  ControlReceiver* control = nullptr;
  /// Owned by the runtime, which outlives the task.
  MetricsRecorder* metrics = nullptr;
};

}  // namespace karrow
