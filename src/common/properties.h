// Parsing of string properties ("key=value", as the CLI, the C API and the
// Python package pass options) into typed option fields, with errors that
// name the property and what it expects.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "karrow/status.h"

namespace karrow {

/// A whole number: "key=value: expected a whole number" otherwise.
Result<int64_t> ParseIntProperty(const std::string& key, const std::string& value);
/// true|1 or false|0.
Result<bool> ParseBoolProperty(const std::string& key, const std::string& value);
/// A number, as strtod reads it.
Result<double> ParseNumberProperty(const std::string& key, const std::string& value);

/// True when a and b differ at most in the case of ASCII letters: property
/// words (format names, modes) are taken in any case.
inline bool EqualsIgnoringCase(const std::string& a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return i == a.size() && b[i] == '\0';
}

/// One of `choices` by name, in any case; the error lists them all.
template <typename E>
Result<E> ParseEnumProperty(const std::string& key, const std::string& value,
                            const std::vector<std::pair<const char*, E>>& choices) {
  std::string names;
  for (const auto& [name, e] : choices) {
    if (EqualsIgnoringCase(value, name)) return e;
    names += names.empty() ? name : std::string(", ") + name;
  }
  return Status::Invalid(key + "=" + value + ": expected one of " + names);
}

/// True when `key` starts with `prefix`.
inline bool HasPrefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace karrow
