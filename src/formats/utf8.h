// UTF-8 checks for the strings of a record (Avro strings and map keys). Most
// are short and ASCII, and for those simdjson's validator costs more in its
// call and setup than in its work: CopyUtf8 checks them 16 bytes at a time
// while it copies them into a builder, one pass instead of two.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace karrow {

/// True when [data, data + size) is valid UTF-8 (simdjson's validator).
bool IsValidUtf8(const char* data, size_t size);

/// Copies `size` bytes from `src` to `dst` (which must not overlap) and
/// returns whether they are valid UTF-8; `dst` holds the copy either way.
inline bool CopyUtf8(uint8_t* dst, const char* src, size_t size) {
  // Longer strings are worth simdjson's setup; its SIMD loop is faster.
  constexpr size_t kShort = 128;
  if (size > kShort) {
    std::memcpy(dst, src, size);
    return IsValidUtf8(src, size);
  }
  // Copy in 16-byte vectors (SSE2 or NEON, through the compilers' vector
  // extension) or 8-byte words, the last one overlapping the one before,
  // and OR them together: ASCII bytes have no high bit. Anything else is
  // fully validated.
  using Vector = uint64_t __attribute__((vector_size(16)));
  auto copy16 = [&](size_t at) {
    Vector v;
    std::memcpy(&v, src + at, 16);
    std::memcpy(dst + at, &v, 16);
    return v;
  };
  auto copy8 = [&](size_t at) {
    uint64_t w;
    std::memcpy(&w, src + at, 8);
    std::memcpy(dst + at, &w, 8);
    return w;
  };
  uint64_t any = 0;
  if (size >= 16) {
    Vector all = copy16(size - 16);
    for (size_t i = 0; i + 16 < size; i += 16) all |= copy16(i);
    any = all[0] | all[1];
  } else if (size >= 8) {
    any = copy8(0) | copy8(size - 8);
  } else {
    for (size_t i = 0; i < size; ++i) {
      dst[i] = static_cast<uint8_t>(src[i]);
      any |= dst[i];
    }
  }
  return (any & 0x8080808080808080ull) == 0 || IsValidUtf8(src, size);
}

}  // namespace karrow
