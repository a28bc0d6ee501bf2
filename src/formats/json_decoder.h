// JSON values with a declared schema, decoded by simdjson's on-demand API
// straight into typed Arrow builders: one field reader per column, no DOM.
//
// Rules (README, "JSON with a declared schema"): a missing or null field is
// null when nullable, else bad data; a key not in the schema is skipped; a key
// given twice in one object is bad data (which one was meant is unknowable); a
// value of the wrong JSON type, an integer out of the column's range, a decimal
// with more digits than its precision or non-zero digits past its scale, a
// timestamp finer than its unit, invalid UTF-8 and nesting deeper than
// kMaxNestingDepth (nesting_limit.h) are bad data.
// Timestamps are RFC 3339 strings or whole numbers since the epoch, in
// milliseconds unless JsonOptions says another unit (never guessed from the
// size); dates are "YYYY-MM-DD"; decimals are JSON numbers or strings in plain
// notation.
#pragma once

#include <memory>
#include <vector>

#include "formats/value_decoder.h"

namespace karrow {

struct JsonOptions {
  /// The unit of timestamps written as numbers (property json_epoch_unit).
  TimeUnit epoch_unit = TimeUnit::kMilli;
};

/// A decoder for values holding one JSON object with `fields`. Every Arrow
/// type karrow builds is read, except unions (JSON cannot say which member
/// a value is): maps from objects, fixed-size binary from strings of that
/// many bytes, times from numbers in the type's unit.
Result<std::unique_ptr<ValueDecoder>> MakeJsonRecordDecoder(std::vector<Field> fields,
                                                            JsonOptions options = {});

}  // namespace karrow
