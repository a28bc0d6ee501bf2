// JSON values with a declared schema, decoded by simdjson's on-demand API
// straight into typed Arrow builders: one field reader per column, no DOM.
//
// Rules (DESIGN 4): a missing or null field is null when nullable, else bad
// data; a key not in the schema is skipped; a key given twice in one object
// is bad data (which one was meant is unknowable); a value of the wrong JSON
// type, an integer out of the column's range, a decimal with more digits than
// its precision or scale, and invalid UTF-8 are bad data. Timestamps are
// RFC 3339 strings or numbers of milliseconds since the epoch; dates are
// "YYYY-MM-DD"; decimals are JSON numbers or strings in plain notation.
#pragma once

#include <memory>
#include <vector>

#include "formats/value_decoder.h"

namespace karrow {

/// A decoder for values holding one JSON object with `fields`. Every Arrow
/// type karrow builds is read, except unions (JSON cannot say which member
/// a value is): maps from objects, fixed-size binary from strings of that
/// many bytes, times from numbers in the type's unit.
Result<std::unique_ptr<ValueDecoder>> MakeJsonRecordDecoder(std::vector<Field> fields);

}  // namespace karrow
