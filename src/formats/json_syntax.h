// Full JSON syntax checks on simdjson's on-demand API. On demand checks only
// what a program reads: a value skipped unread (a key not in the schema) or a
// number taken as text (a decimal) would otherwise pass unchecked, and the
// DOM parser, which checks everything, also rejects valid JSON numbers that
// do not fit 64 bits (RFC 8259 sets no limit).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string_view>

namespace karrow {

/// True when `token` is exactly one JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
/// of any size.
bool IsJsonNumber(std::string_view token);

/// Reads `value` to its end and checks the syntax of everything in it.
/// Returns SUCCESS or the first simdjson error.
simdjson::error_code CheckJsonValue(simdjson::ondemand::value& value);

/// Checks that `data[0, size)` is one JSON text and nothing else. `data` must
/// have at least size + SIMDJSON_PADDING readable bytes (`capacity`).
simdjson::error_code CheckJsonText(simdjson::ondemand::parser& parser, const char* data,
                                   size_t size, size_t capacity);

}  // namespace karrow
