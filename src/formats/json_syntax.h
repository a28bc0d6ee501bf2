// Full JSON syntax checks on simdjson's on-demand API. On demand checks only
// what a program reads: a value skipped unread (a key not in the schema) or a
// number taken as text (a decimal) would otherwise pass unchecked, and the
// DOM parser, which checks everything, also rejects valid JSON numbers that
// do not fit 64 bits (RFC 8259 sets no limit).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace karrow {

/// True when `token` is exactly one JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
/// of any size.
bool IsJsonNumber(std::string_view token);

/// The outcome of a syntax check: SUCCESS or the first error. Arrays and
/// objects nested deeper than kMaxNestingDepth (nesting_limit.h) are
/// DEPTH_ERROR, with `deep_at` at the one that goes too deep.
struct JsonCheck {
  simdjson::error_code error = simdjson::SUCCESS;
  const char* deep_at = nullptr;

  bool ok() const { return error == simdjson::SUCCESS; }
  /// Why the check failed, for a message: simdjson's words, or "nesting
  /// deeper than 64 levels at byte N", N counted from `text`.
  std::string Reason(const char* text) const;
};

/// Reads `value` to its end and checks the syntax of everything in it.
/// `depth` is the nesting level `value` would have as an array or object
/// (1 for a document's root).
JsonCheck CheckJsonValue(simdjson::ondemand::value& value, int depth);

/// Checks that `data[0, size)` is one JSON text and nothing else. `data` must
/// have at least size + SIMDJSON_PADDING readable bytes (`capacity`).
JsonCheck CheckJsonText(simdjson::ondemand::parser& parser, const char* data, size_t size,
                        size_t capacity);

/// CheckJsonText on a padded copy of the text, for callers whose buffers
/// (Kafka's) promise nothing past their end.
class JsonTextChecker {
 public:
  /// "" when `data[0, size)` is one JSON text, else why not.
  std::string Check(const void* data, size_t size);

 private:
  simdjson::ondemand::parser parser_;
  std::vector<char> padded_;
};

}  // namespace karrow
