// The declared schema of JSON values: a small JSON document naming each
// column and its Arrow type, parsed into karrow Fields.
//
//   {"fields": [
//     {"name": "id", "type": "int64", "nullable": false},
//     {"name": "price", "type": "decimal128(10, 2)"},
//     {"name": "at", "type": "timestamp[ms]"},
//     {"name": "tags", "type": {"list": "utf8"}},
//     {"name": "buyer", "type": {"struct": [{"name": "name", "type": "utf8"}]}}
//   ]}
//
// Types: bool, int8/16/32/64, uint8/16/32/64, float32, float64, utf8,
// binary, date32, timestamp[s|ms|us|ns] (UTC), decimal128(P, S), and the
// nested {"list": TYPE} and {"struct": [FIELD...]}. Fields are nullable
// unless "nullable": false. Unknown keys are an error, so typos show.
//
// The schema may instead be an Avro schema (a JSON object with "type", an
// array or a type name): the columns are then its Arrow form, as
// avro_arrow_type.h describes, so one schema can serve JSON and Avro topics.
#pragma once

#include <string>
#include <vector>

#include "karrow/data_type.h"
#include "karrow/status.h"

namespace karrow {

/// Parses a schema document; the error names the field and what is wrong.
Result<std::vector<Field>> ParseJsonSchema(const std::string& text);

}  // namespace karrow
