// IpcStreamWriter: one Arrow IPC stream (schema message, record batches,
// end-of-stream marker), e.g. for `--output arrow`, sink files, dead letters.
#pragma once

#include <string>

#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Owns the order of a stream's messages so no caller sequences them: the
/// schema comes first, then batches of that schema, then the end marker, once.
/// Messages are appended to a caller's buffer, which the caller writes out and
/// clears whenever it likes (each call appends whole messages only).
class IpcStreamWriter {
 public:
  /// Appends the schema message to `*out` at once. `out` must outlive the
  /// writer; every later message is appended to it too.
  IpcStreamWriter(SchemaPtr schema, std::string* out);
  IpcStreamWriter(const IpcStreamWriter&) = delete;
  IpcStreamWriter& operator=(const IpcStreamWriter&) = delete;

  /// Appends one record batch message. The batch must have the stream's
  /// schema (the same object or an equal one), and its arrays offset 0 (a
  /// batch sliced from the start is fine). On error nothing is appended.
  Status Write(const RecordBatch& batch);
  /// Appends the end-of-stream marker; Write and Finish are errors after it.
  Status Finish();

  bool finished() const { return finished_; }
  const SchemaPtr& schema() const { return schema_; }

 private:
  SchemaPtr schema_;
  std::string* out_;
  bool finished_ = false;
};

}  // namespace karrow
