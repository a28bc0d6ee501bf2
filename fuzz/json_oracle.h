// An independent judge of JSON syntax for the fuzz targets: RFC 8259's
// grammar written out plainly (slow, obvious, separate from simdjson's
// parser and from src/formats/json_syntax.h), with simdjson's stricter
// choices where the RFC leaves room: escaped surrogates must pair, and
// nesting deeper than karrow's limit (formats/nesting_limit.h) is its own
// verdict.
#pragma once

#include <string_view>

namespace karrow::fuzz {

enum class JsonVerdict {
  kValid,
  kInvalid,
  kTooDeep,  ///< An array or object deeper than kMaxNestingDepth levels, before any error.
};

JsonVerdict JudgeJson(std::string_view text);

}  // namespace karrow::fuzz
