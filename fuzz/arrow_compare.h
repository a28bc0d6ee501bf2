// Logical equality of two Arrow batches: same types, lengths, validity and
// values in every valid slot, whatever their buffers look like (one may have
// a bitmap with no nulls, or stale bytes under a null). Fuzz targets use it
// to check that two ways of building the same rows agree.
#pragma once

#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow::fuzz {

/// Returns Invalid naming the first column and row that differ. Both batches
/// must have passed ValidateBatch (so every offset read here is in range).
Status CompareBatches(const RecordBatch& expected, const RecordBatch& actual);

}  // namespace karrow::fuzz
