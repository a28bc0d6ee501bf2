#include "karrow/source_operator.h"

#include "common/log.h"

namespace karrow {

const char* SourceFinishTypeName(SourceFinishType type) {
  switch (type) {
    case SourceFinishType::kGraceful:
      return "graceful";
    case SourceFinishType::kImmediate:
      return "immediate";
    case SourceFinishType::kFinal:
      return "final";
  }
  return "?";
}

void SourceContext::ReportError(const std::string& message, const std::string& details) {
  metrics.Add("errors_reported", 1);
  Log(LogLevel::kWarn, operator_id + " task " + std::to_string(task.task_index) + ": " + message +
                           (details.empty() ? "" : " (" + details + ")"));
}

}  // namespace karrow
