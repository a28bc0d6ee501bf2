// A record field's default value, written in Avro's binary encoding. Schema
// resolution fills a reader field the writer lacks with its default; karrow
// encodes each default once when it compiles a decode program, then decodes
// those bytes like any other value, so defaults need no second code path.
#pragma once

#include <string>
#include <string_view>

#include "formats/avro_schema.h"

namespace karrow {

/// Appends the binary encoding of `json` (a default value as the
/// specification writes it: bytes and fixed as strings of code points
/// 0-255, unions as a value of one of their branches, first tried first)
/// read as node `i` of `schema`.
Status EncodeAvroDefault(const AvroSchema& schema, int i, std::string_view json, std::string* out);

}  // namespace karrow
