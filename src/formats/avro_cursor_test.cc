// AvroCursor::ReadLong decodes most varints from one 8-byte load and the
// rest (near the end of the input, or 9 and 10 bytes long) byte by byte:
// both paths must give the same values, positions and errors.
#include "formats/avro_cursor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "formats/avro_long_encoding.h"

namespace karrow {
namespace {

struct Read {
  bool ok;
  int64_t value;
  int64_t position;
  std::string error;
};

Read ReadLongFrom(const std::string& bytes) {
  AvroCursor c(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int64_t>(bytes.size()));
  int64_t v = 0;
  bool ok = c.ReadLong(&v);
  return {ok, v, c.position(), c.error()};
}

TEST(AvroCursorTest, EveryLengthOnBothPaths) {
  // The largest and smallest value of each encoded length, 1 to 10 bytes.
  std::vector<int64_t> values = {0, -1, 1, std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<int64_t>::min()};
  for (int bits = 6; bits < 63; bits += 7) {
    int64_t edge = int64_t{1} << bits;
    values.insert(values.end(), {edge - 1, edge, -edge, -edge - 1});
  }
  for (int64_t v : values) {
    std::string encoded = AvroLong(v);
    // Alone (near the end: byte by byte) and followed by ten more bytes
    // (one load, unless 9 or 10 bytes long).
    for (const std::string& input : {encoded, encoded + std::string(10, '\x7f')}) {
      Read r = ReadLongFrom(input);
      ASSERT_TRUE(r.ok) << v << ": " << r.error;
      EXPECT_EQ(r.value, v);
      EXPECT_EQ(r.position, static_cast<int64_t>(encoded.size())) << v;
    }
  }
}

TEST(AvroCursorTest, OverlongEncodingsReadAsTheirValue) {
  // Avro writers emit the shortest form, but the format does not forbid
  // padding with continuation bytes; both paths accept it alike.
  for (const std::string& tail : {std::string(), std::string(10, '\0')}) {
    Read r = ReadLongFrom(std::string("\x80\x80\x00", 3) + tail);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.value, 0);
    EXPECT_EQ(r.position, 3);
    r = ReadLongFrom(std::string("\x83\x80\x80\x80\x80\x80\x80\x00", 8) + tail);  // 3 in 8 bytes
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.value, -2);
    EXPECT_EQ(r.position, 8);
  }
}

TEST(AvroCursorTest, TooLongOrTruncatedIsAnError) {
  for (const std::string& tail : {std::string(), std::string(10, '\0')}) {
    // A tenth byte carrying more than the 64th bit.
    Read r = ReadLongFrom(std::string(9, '\xff') + '\x02' + tail);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "a long does not fit 64 bits");
    EXPECT_EQ(r.position, 10);
    // Eleven bytes.
    r = ReadLongFrom(std::string(10, '\x80') + '\x00' + tail);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "a long does not fit 64 bits");
  }
  Read r = ReadLongFrom(std::string(3, '\x80'));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "the value ends inside a number");
  EXPECT_EQ(r.position, 3);
}

}  // namespace
}  // namespace karrow
