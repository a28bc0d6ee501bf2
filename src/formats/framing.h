// Framing: how one Kafka message value splits into rows.
#pragma once

#include <cstdint>
#include <cstring>

namespace karrow {

/// Splits a value at '\n' into lines, skipping empty ones ('\r' is kept:
/// the line is the bytes between newlines, nothing less).
class NewlineSplitter {
 public:
  NewlineSplitter(const uint8_t* data, int64_t size) : p_(data), end_(data + size) {}
  /// Sets the next non-empty line and returns true, or returns false at the end.
  bool Next(const uint8_t** line, int64_t* length) {
    while (p_ < end_) {
      const uint8_t* start = p_;
      const void* nl = std::memchr(p_, '\n', static_cast<size_t>(end_ - p_));
      const uint8_t* stop = nl ? static_cast<const uint8_t*>(nl) : end_;
      p_ = nl ? stop + 1 : end_;
      if (stop > start) {
        *line = start;
        *length = stop - start;
        return true;
      }
    }
    return false;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace karrow
