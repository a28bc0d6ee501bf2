// Reads Avro's binary encoding from an untrusted byte range: every read is
// checked against the bytes left, varints longer than their type allows are
// rejected, and a failed read records why (the decoder adds where).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace karrow {

class AvroCursor {
 public:
  AvroCursor(const uint8_t* data, int64_t size) : begin_(data), p_(data), end_(data + size) {}

  int64_t remaining() const { return end_ - p_; }
  int64_t position() const { return p_ - begin_; }
  bool at_end() const { return p_ == end_; }
  /// Why the last read failed; empty while none has.
  const std::string& error() const { return error_; }
  /// Records a failure found by the caller (e.g. an enum index out of range).
  /// Out of line and cold, like every failure path here: building messages
  /// must not weigh on the reads that succeed, which run for every value.
  [[gnu::cold, gnu::noinline]] bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  [[gnu::cold, gnu::noinline]] bool Fail(const char* why) { return Fail(std::string(why)); }

  /// A zig-zag varint of at most 10 bytes whose value fits 64 bits.
  [[gnu::always_inline]] bool ReadLong(int64_t* out) {
    // This runs for every number and length, so the common case takes no
    // branch per byte: with ten bytes left no varint can run past the end,
    // and one of at most 8 bytes (56 bits) is decoded from one 8-byte load.
    if (end_ - p_ < 10) return ReadLongSlow(out);
    uint64_t word;
    std::memcpy(&word, p_, 8);
    if (!(word & 0x80)) {  // one byte: most lengths and small numbers
      ++p_;
      *out = ZigZag(word & 0x7f);
      return true;
    }
    uint64_t last = ~word & 0x8080808080808080ull;  // bytes without a continuation bit
    if (last == 0) return ReadLongSlow(out);        // 9 or 10 bytes
    // Keep the bytes up to the first `last` one, without their top bits.
    uint64_t v = word & (last ^ (last - 1)) & 0x7f7f7f7f7f7f7f7full;
    // Pack the 7-bit groups: pairs into 14 bits, then 28, then 56.
    v = (v & 0x007f007f007f007full) | ((v & 0x7f007f007f007f00ull) >> 1);
    v = (v & 0x00003fff00003fffull) | ((v & 0x3fff00003fff0000ull) >> 2);
    v = (v & 0x000000000fffffffull) | ((v & 0x0fffffff00000000ull) >> 4);
    p_ += (__builtin_ctzll(last) + 1) / 8;
    *out = ZigZag(v);
    return true;
  }

  [[gnu::always_inline]] bool ReadInt(int32_t* out) {
    int64_t v;
    if (!ReadLong(&v)) return false;
    if (v < INT32_MIN || v > INT32_MAX) return FailInt(v);
    *out = static_cast<int32_t>(v);
    return true;
  }

  bool ReadBoolean(bool* out) {
    if (p_ == end_) return Fail("the value ends inside a boolean");
    uint8_t b = *p_++;
    if (b > 1) return FailBoolean(b);
    *out = b == 1;
    return true;
  }

  template <typename T>
  bool ReadLittleEndian(T* out) {
    if (remaining() < static_cast<int64_t>(sizeof(T)))
      return Fail("the value ends inside a float or double");
    std::memcpy(out, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }

  /// A length-prefixed bytes or string value (a view into the input).
  [[gnu::always_inline]] bool ReadBytes(std::string_view* out) {
    int64_t n;
    if (!ReadLong(&n)) return false;
    if (n < 0 || n > remaining()) return FailLength(n);
    *out = {reinterpret_cast<const char*>(p_), static_cast<size_t>(n)};
    p_ += n;
    return true;
  }

  bool ReadFixed(int64_t n, const uint8_t** out) {
    if (n > remaining()) return FailFixed(n);
    *out = p_;
    p_ += n;
    return true;
  }

  /// An array or map block header: the item count (0 ends the value). A
  /// negative count is followed by the block's size in bytes, checked here.
  bool ReadBlockCount(int64_t* count, int64_t* block_bytes) {
    if (!ReadLong(count)) return false;
    *block_bytes = -1;
    if (*count < 0) {
      if (*count == INT64_MIN) return Fail("block count out of range");
      *count = -*count;
      if (!ReadLong(block_bytes)) return false;
      if (*block_bytes < 0 || *block_bytes > remaining()) return FailBlockSize(*block_bytes);
    }
    return true;
  }

 private:
  [[gnu::always_inline]] static int64_t ZigZag(uint64_t v) {
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  // ReadLong one byte at a time, each checked: near the end, and for the
  // rare varints of 9 or 10 bytes.
  [[gnu::noinline]] bool ReadLongSlow(int64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail("the value ends inside a number");
      uint8_t b = *p_++;
      // The tenth byte may only carry the 64th bit.
      if (shift == 63 && b > 1) return Fail("a long does not fit 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *out = ZigZag(v);
        return true;
      }
    }
    return Fail("a long does not fit 64 bits");
  }

  [[gnu::cold, gnu::noinline]] bool FailInt(int64_t v) {
    return Fail("an int does not fit 32 bits: " + std::to_string(v));
  }
  [[gnu::cold, gnu::noinline]] bool FailBoolean(uint8_t b) {
    return Fail("a boolean byte is " + std::to_string(b) + ", not 0 or 1");
  }
  [[gnu::cold, gnu::noinline]] bool FailLength(int64_t n) {
    if (n < 0) return Fail("negative length " + std::to_string(n));
    return Fail("length " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                " bytes left");
  }
  [[gnu::cold, gnu::noinline]] bool FailFixed(int64_t n) {
    return Fail("a fixed of " + std::to_string(n) + " bytes exceeds the " +
                std::to_string(remaining()) + " bytes left");
  }
  [[gnu::cold, gnu::noinline]] bool FailBlockSize(int64_t block_bytes) {
    return Fail("block size " + std::to_string(block_bytes) + " does not fit the " +
                std::to_string(remaining()) + " bytes left");
  }

  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  std::string error_;
};

}  // namespace karrow
