// Encodes record batches in the Arrow IPC streaming format (schema message,
// record batch messages, end-of-stream marker), e.g. for `--output arrow`.
#pragma once

#include <string>

#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Appends the schema message that starts a stream.
void AppendIpcSchema(const Schema& schema, std::string* out);
/// Appends one record batch message. Arrays must have offset 0 (a batch
/// sliced from the start is fine); others are an error.
Status AppendIpcRecordBatch(const RecordBatch& batch, std::string* out);
/// Appends the end-of-stream marker.
void AppendIpcEndOfStream(std::string* out);

}  // namespace karrow
