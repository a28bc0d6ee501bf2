// A full validator for the Arrow arrays karrow builds, so that fuzz targets
// (and tests) can check every batch against the columnar format's rules
// without depending on Arrow C++: buffer sizes, offsets, UTF-8, null counts,
// child lengths, decimal precision, and the schema's nullability promise.
#pragma once

#include <cstdint>
#include <string>

#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow::fuzz {

/// What a validation looked at. Arrays of a type the validator has no case
/// for yet are counted as unchecked instead of failing.
struct ValidationStats {
  int64_t arrays_checked = 0;
  int64_t arrays_unchecked = 0;
  std::string first_unchecked_type;  ///< ToString() of the first unchecked type.
};

/// Checks one array (and its children) against the Arrow format. Returns
/// Invalid naming the path of the first violation ("value.items[]: ...").
/// `stats` may be null.
Status ValidateArray(const ArrayData& array, const std::string& path = "array",
                     ValidationStats* stats = nullptr);

/// Checks every column, that the columns match the schema's types and the
/// batch's row count, and that a field declared non-nullable has no null
/// wherever all its parents are valid (karrow's promise, which Arrow does
/// not check).
Status ValidateBatch(const RecordBatch& batch, ValidationStats* stats = nullptr);

}  // namespace karrow::fuzz
