// SourceContext: what the runtime gives a source task: who it is, its
// restored state, its control channel, its metrics, and where to report
// errors that do not stop it.
#pragma once

#include <string>

#include "karrow/channel.h"
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
  Channel<ControlMessage>* control = nullptr;
  Metrics metrics;

  /// A problem worth a user's attention that does not stop the task (e.g. a
  /// failed offset commit): logged, and counted as metric "errors_reported".
  void ReportError(const std::string& message, const std::string& details = "");
};

}  // namespace karrow
