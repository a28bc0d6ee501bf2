// Writing Avro's long: zig-zag, then a little-endian base-128 varint (the
// specification's "Binary Encoding"). The decoder's reading side is
// AvroCursor::ReadLong; this side writes encoded defaults and test input.
#pragma once

#include <cstdint>
#include <string>

namespace karrow {

inline void AppendAvroLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

inline std::string AvroLong(int64_t v) {
  std::string out;
  AppendAvroLong(v, &out);
  return out;
}

}  // namespace karrow
