#include "karrow/source_operator.h"

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

}  // namespace karrow
