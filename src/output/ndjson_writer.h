// Writes record batches as newline-delimited JSON, one object per row, for
// people and for tools like jq. Binary values are base64; timestamps are
// RFC 3339 strings in UTC; a utf8 column tagged arrow.json is embedded as JSON.
#pragma once

#include <cstdio>
#include <string>

#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Appends rows [begin, end) of `batch` to `out`, each ending in '\n'.
void AppendNdjson(const RecordBatch& batch, int64_t begin, int64_t end, std::string* out);

}  // namespace karrow
