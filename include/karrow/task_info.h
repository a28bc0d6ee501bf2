// TaskInfo: which of a job's parallel tasks this is.
#pragma once

#include <cstdint>
#include <string>

namespace karrow {

struct TaskInfo {
  int32_t task_index = 0;
  int32_t parallelism = 1;
};

}  // namespace karrow
