#include "formats/json_syntax.h"

#include <cstring>

#include "formats/nesting_limit.h"

namespace karrow {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A number's token as simdjson hands it out runs to the next token: drop the
// whitespace in between.
std::string_view TrimRight(std::string_view token) {
  size_t end = token.find_last_not_of(" \t\r\n");
  return token.substr(0, end == std::string_view::npos ? 0 : end + 1);
}

// The scalar's text as written, without the whitespace after it. `V` is
// od::value, or od::document for the root.
template <typename V>
error_code ScalarText(V& v, std::string_view* text) {
  // A value's token comes as a string_view, the document's as a result.
  simdjson::simdjson_result<std::string_view> raw = v.raw_json_token();
  std::string_view token;
  if (auto error = std::move(raw).get(token)) return error;
  *text = TrimRight(token);
  return simdjson::SUCCESS;
}

// Where the array or object `v` starts, for the message of a too-deep one.
template <typename V>
JsonCheck TooDeep(V& v) {
  simdjson::simdjson_result<std::string_view> raw = v.raw_json_token();
  std::string_view token;
  return {simdjson::DEPTH_ERROR, std::move(raw).get(token) ? nullptr : token.data()};
}

// The checks for one value; `V` is od::value, or od::document for the root.
// Recursive, one call per level of nesting: `depth` bounds it (every caller
// runs on a thread's stack, which 60,000 '[' would overflow).
template <typename V>
JsonCheck Check(V& v, int depth) {
  od::json_type type;
  if (auto error = v.type().get(type)) return {error};
  switch (type) {
    case od::json_type::object: {
      if (depth > kMaxNestingDepth) return TooDeep(v);
      od::object object;
      if (auto error = v.get_object().get(object)) return {error};
      for (auto member : object) {
        std::string_view key;
        od::value child;
        if (auto error = member.unescaped_key().get(key)) return {error};
        if (auto error = member.value().get(child)) return {error};
        if (JsonCheck c = Check(child, depth + 1); !c.ok()) return c;
      }
      return {};
    }
    case od::json_type::array: {
      if (depth > kMaxNestingDepth) return TooDeep(v);
      od::array array;
      if (auto error = v.get_array().get(array)) return {error};
      for (auto element : array) {
        od::value child;
        if (auto error = element.get(child)) return {error};
        if (JsonCheck c = Check(child, depth + 1); !c.ok()) return c;
      }
      return {};
    }
    case od::json_type::string: {
      std::string_view s;
      return {v.get_string().get(s)};  // checks escapes and surrogate pairs
    }
    // Scalars by their text: simdjson's own checks of a root atom pass
    // 'null"x"' (found by fuzz/json_text), and it does not parse numbers
    // taken as text.
    case od::json_type::number: {
      std::string_view text;
      if (auto error = ScalarText(v, &text)) return {error};
      return {IsJsonNumber(text) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR};
    }
    case od::json_type::boolean: {
      std::string_view text;
      if (auto error = ScalarText(v, &text)) return {error};
      return {text == "true" || text == "false" ? simdjson::SUCCESS : simdjson::T_ATOM_ERROR};
    }
    case od::json_type::null: {
      std::string_view text;
      if (auto error = ScalarText(v, &text)) return {error};
      return {text == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR};
    }
  }
  return {simdjson::INCORRECT_TYPE};
}

}  // namespace

bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

std::string JsonCheck::Reason(const char* text) const {
  if (error != simdjson::DEPTH_ERROR || deep_at == nullptr || text == nullptr)
    return simdjson::error_message(error);
  return TooDeepMessage() + " at byte " + std::to_string(deep_at - text);
}

JsonCheck CheckJsonValue(od::value& value, int depth) { return Check(value, depth); }

JsonCheck CheckJsonText(od::parser& parser, const char* data, size_t size, size_t capacity) {
  od::document doc;
  if (auto error = parser.iterate(data, size, capacity).get(doc)) return {error};
  bool scalar;
  if (auto error = doc.is_scalar().get(scalar)) return {error};
  if (scalar) {
    // A root number read as text is not checked for what follows it: its
    // token must reach the end of the input, bar whitespace.
    std::string_view token;
    if (auto error = doc.raw_json_token().get(token)) return {error};
    if (JsonCheck c = Check(doc, 1); !c.ok()) return c;
    std::string_view rest(token.data(), static_cast<size_t>(data + size - token.data()));
    return {TrimRight(rest).size() == TrimRight(token).size() ? simdjson::SUCCESS
                                                              : simdjson::TRAILING_CONTENT};
  }
  if (JsonCheck c = Check(doc, 1); !c.ok()) return c;
  // Past the end, current_location() fails: anything else is trailing content.
  const char* trailing = nullptr;
  if (!doc.current_location().get(trailing)) return {simdjson::TRAILING_CONTENT};
  return {};
}

std::string JsonTextChecker::Check(const void* data, size_t size) {
  const size_t needed = size + simdjson::SIMDJSON_PADDING;
  if (padded_.size() < needed) padded_.resize(needed);
  std::memcpy(padded_.data(), data, size);
  std::memset(padded_.data() + size, 0, simdjson::SIMDJSON_PADDING);
  JsonCheck check = CheckJsonText(parser_, padded_.data(), size, needed);
  return check.ok() ? "" : check.Reason(padded_.data());
}

}  // namespace karrow
