// Hands karrow data to any Arrow implementation through the Arrow C Data
// Interface and C Stream Interface, without copying buffers.
#pragma once

#include <memory>
#include <optional>

#include "karrow/arrow_c_abi.h"
#include "karrow/export.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Writes `schema` as a struct ("+s") ArrowSchema. On success the caller owns
/// `*out` and must call out->release; on failure `*out` is left released.
KARROW_EXPORT Status ExportSchema(const Schema& schema, ArrowSchema* out);

/// Writes `field` as an ArrowSchema (ownership as for ExportSchema).
KARROW_EXPORT Status ExportField(const Field& field, ArrowSchema* out);

/// Writes `batch` as a struct ArrowArray. The export shares the batch's
/// buffers (no copy) and keeps them alive until out->release is called, from
/// any thread.
KARROW_EXPORT Status ExportRecordBatch(const RecordBatch& batch, ArrowArray* out);

/// Moves `reader` into an ArrowArrayStream. The stream owns the reader and
/// destroys it in release; the caller owns `*out`. Errors from the reader are
/// returned from get_next as EIO (EINVAL for bad arguments), with the message
/// available from get_last_error until the next call.
KARROW_EXPORT void ExportRecordBatchReader(std::unique_ptr<RecordBatchReader> reader,
                                           ArrowArrayStream* out);

/// The reader inside a stream that ExportRecordBatchReader made and that was
/// not released yet; nullptr for any other stream. The stream keeps owning it.
KARROW_EXPORT RecordBatchReader* ExportedReader(ArrowArrayStream* stream);

}  // namespace karrow
