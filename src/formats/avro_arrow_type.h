// How an Avro (reader) schema becomes Arrow columns:
//
//   null -> null           boolean -> bool          int -> int32
//   long -> int64          float -> float32         double -> float64
//   bytes -> binary        string -> utf8           fixed(n) -> fixed_size_binary(n)
//   enum -> utf8 (the symbol)                       record -> struct
//   array -> list          map -> map<utf8, value>
//   union [null, T] or [T, null] -> T, nullable     union of one type -> that type
//   any other union -> dense union, one member per branch
//   decimal -> decimal128(p, s) (p <= 38)           uuid -> utf8, or fixed(16) tagged arrow.uuid
//   date -> date32         time-millis -> time32[ms]  time-micros -> time64[us]
//   timestamp-{millis,micros,nanos} -> timestamp[unit, UTC]
//   local-timestamp-{millis,micros,nanos} -> timestamp[unit] (no time zone)
//
// A record at the top becomes one column per field; any other top-level
// type becomes a single column named `value`. Recursive types have no Arrow
// form and are refused.
#pragma once

#include <vector>

#include "formats/avro_schema.h"
#include "karrow/data_type.h"

namespace karrow {

/// The largest fixed a reader schema may map to a column: a null row still
/// takes that many bytes, so a hostile schema must not make them huge.
constexpr int32_t kMaxArrowFixedSize = 4096;

/// The Arrow field for node `i` of `schema`, named `name`.
Result<Field> AvroToArrowField(const AvroSchema& schema, int i, const std::string& name);

/// The columns for a whole reader schema (see above).
Result<std::vector<Field>> AvroToArrowColumns(const AvroSchema& schema);

/// True when union node `i` maps to a nullable column of its one non-null
/// branch, which it returns in *value_branch.
bool IsNullableUnion(const AvroSchema& schema, int i, int* value_branch);

}  // namespace karrow
