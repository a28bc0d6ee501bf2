// Kafka's wire encoding: big-endian integers, int16-length strings,
// int32-length arrays and bytes, and the zigzag varints of RecordBatch v2.
// Reader never reads past its end: a short or malformed input sets a flag
// the caller checks (ok()) and every later read returns zeros.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace karrow::native {

class Writer {
 public:
  void I8(int8_t v) { out_.push_back(static_cast<char>(v)); }
  void I16(int16_t v) { Big(static_cast<uint16_t>(v), 2); }
  void I32(int32_t v) { Big(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { Big(static_cast<uint64_t>(v), 8); }
  void String(std::string_view s) {
    I16(static_cast<int16_t>(s.size()));
    out_.append(s);
  }
  std::string& str() { return out_; }

 private:
  void Big(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string out_;
};

class Reader {
 public:
  Reader(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}

  bool ok() const { return ok_; }
  const uint8_t* position() const { return p_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  int8_t I8() { return static_cast<int8_t>(Big(1)); }
  int16_t I16() { return static_cast<int16_t>(Big(2)); }
  int32_t I32() { return static_cast<int32_t>(Big(4)); }
  int64_t I64() { return static_cast<int64_t>(Big(8)); }
  /// A non-null string (a null one reads as empty).
  std::string_view String() {
    int16_t n = I16();
    if (n < 0) return {};
    const uint8_t* p = Take(static_cast<size_t>(n));
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
             : std::string_view();
  }
  /// An array's element count; fails on a count the rest of the input could
  /// not hold even at `min_element_size` bytes each (a hostile count must not
  /// drive a long loop). -1 (null) reads as 0.
  int32_t ArrayCount(size_t min_element_size) {
    int32_t n = I32();
    if (n < 0) return 0;
    if (static_cast<uint64_t>(n) * min_element_size > remaining()) return Fail(), 0;
    return n;
  }
  /// Skips `n` bytes; returns their start, or nullptr (and fails) past the end.
  const uint8_t* Take(size_t n) {
    if (!ok_ || n > remaining()) return Fail(), nullptr;
    const uint8_t* p = p_;
    p_ += n;
    return p;
  }
  void Fail() {
    ok_ = false;
    p_ = end_;
  }

 private:
  uint64_t Big(int bytes) {
    const uint8_t* p = Take(static_cast<size_t>(bytes));
    if (p == nullptr) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

/// Big-endian loads for the RecordBatch header, whose size the caller checked.
inline int16_t LoadI16(const uint8_t* p) {
  return static_cast<int16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline int32_t LoadI32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<int32_t>(__builtin_bswap32(v));
}
inline int64_t LoadI64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return static_cast<int64_t>(__builtin_bswap64(v));
}

/// A zigzag varint (RecordBatch v2) of at most `max_bytes` bytes (5 for
/// int32, 10 for int64) from [*p, end). Returns false on a truncated or
/// overlong one.
[[gnu::always_inline]] inline bool ReadVarint(const uint8_t** p, const uint8_t* end, int max_bytes,
                                              int64_t* out) {
  const uint8_t* q = *p;
  if (q < end && *q < 0x80) {  // one byte: most lengths and deltas of small records
    uint64_t u = *q;
    *out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    *p = q + 1;
    return true;
  }
  uint64_t u = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (q >= end) return false;
    uint8_t b = *q++;
    u |= uint64_t{b & 0x7Fu} << (7 * i);
    if (b < 0x80) {
      *out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
      *p = q;
      return true;
    }
  }
  return false;
}

}  // namespace karrow::native
