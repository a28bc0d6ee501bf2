// SourceOperator: the contract between a source and the runtime task that
// drives it (start, run until told to stop or out of data, close).
#pragma once

#include <map>
#include <string>

#include "karrow/export.h"
#include "karrow/source_collector.h"
#include "karrow/source_context.h"
#include "karrow/state_table.h"
#include "karrow/status.h"

namespace karrow {

enum class SourceFinishType {
  kGraceful,   ///< Stopped on request; downstream is told to stop.
  kImmediate,  ///< Stopped on request; nothing more is sent.
  kFinal,      ///< Input exhausted: downstream flushes, the watermark goes to +inf.
};

KARROW_EXPORT const char* SourceFinishTypeName(SourceFinishType type);

class KARROW_EXPORT SourceOperator {
 public:
  virtual ~SourceOperator() = default;

  virtual std::string name() const = 0;
  /// The state tables this operator saves in checkpoints, by name.
  virtual std::map<std::string, TableConfig> tables() const { return {}; }

  /// Called once before Run(), with the restored tables in `ctx`.
  virtual Status OnStart(SourceContext& ctx) = 0;
  /// Reads until stopped (a control message), out of data, or failed. Must
  /// answer control messages promptly; a closed control channel ends it
  /// cleanly with kImmediate.
  virtual Result<SourceFinishType> Run(SourceContext& ctx, SourceCollector& collector) = 0;
  /// Called once after Run(), also when it failed.
  virtual Status OnClose(SourceContext& /*ctx*/) { return Status::OK(); }
};

}  // namespace karrow
