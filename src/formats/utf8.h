// UTF-8 validation for the short strings of one record (Avro strings, map
// keys). simdjson's validator costs a call through its runtime dispatch and
// a setup that dwarf the work on strings of a few dozen bytes, which are
// mostly ASCII: those are checked here, eight bytes at a time, inline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace karrow {

/// simdjson's validator (out of line, so that this header needs no simdjson).
bool IsValidUtf8Simd(const char* data, size_t size);

/// True when [data, data + size) is valid UTF-8.
inline bool IsValidUtf8(const char* data, size_t size) {
  // Longer strings are worth simdjson's setup; its SIMD loop is faster.
  constexpr size_t kShort = 128;
  if (size > kShort) return IsValidUtf8Simd(data, size);
  // OR all bytes together (overlapping loads for the tail): ASCII has no
  // high bit. Anything else goes to the full validator.
  auto load8 = [data](size_t at) {
    uint64_t w;
    std::memcpy(&w, data + at, 8);
    return w;
  };
  uint64_t any = 0;
  if (size >= 8) {
    size_t i = 0;
    for (; i + 16 <= size; i += 16) any |= load8(i) | load8(i + 8);
    if (i + 8 <= size) any |= load8(i);
    any |= load8(size - 8);
  } else {
    for (size_t i = 0; i < size; ++i) any |= static_cast<uint8_t>(data[i]);
  }
  return (any & 0x8080808080808080ull) == 0 || IsValidUtf8Simd(data, size);
}

}  // namespace karrow
