// CopyUtf8's ASCII fast path must agree with full validation at every
// length and position (the words it copies overlap at the tail, and a
// non-ASCII byte anywhere must send the string to the full validator), and
// its copy must be exact.
#include "formats/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace karrow {
namespace {

// Copies `s` between guard bytes that must stay untouched.
bool Valid(const std::string& s) {
  std::string out(s.size() + 16, '#');
  bool valid = CopyUtf8(reinterpret_cast<uint8_t*>(out.data() + 8), s.data(), s.size());
  EXPECT_EQ(out, std::string(8, '#') + s + std::string(8, '#'));
  EXPECT_EQ(valid, IsValidUtf8(s.data(), s.size()));
  return valid;
}

TEST(Utf8Test, AsciiOfEveryLengthIsValid) {
  for (size_t n = 0; n <= 300; ++n) EXPECT_TRUE(Valid(std::string(n, 'a'))) << n;
  EXPECT_TRUE(Valid(std::string("\x00\x01\x7f", 3)));
}

// Each case is placed at every offset of an ASCII string of every length up
// to 40 bytes, and of one longer than the fast path's limit.
void ExpectAtEveryPosition(const std::string& piece, bool valid) {
  for (size_t n = piece.size(); n <= 40; ++n) {
    for (size_t at = 0; at + piece.size() <= n; ++at) {
      std::string s(n, 'x');
      s.replace(at, piece.size(), piece);
      EXPECT_EQ(Valid(s), valid) << "piece of " << piece.size() << " bytes at " << at << " of "
                                 << n;
    }
  }
  std::string long_string(200, 'x');
  long_string.replace(150, piece.size(), piece);
  EXPECT_EQ(Valid(long_string), valid);
}

TEST(Utf8Test, MultiByteCharactersAnywhereAreValid) {
  ExpectAtEveryPosition("\xc3\xa9", true);          // é
  ExpectAtEveryPosition("\xe6\x97\xa5", true);      // 日
  ExpectAtEveryPosition("\xf0\x9f\x98\x80", true);  // U+1F600
  ExpectAtEveryPosition("\xf4\x8f\xbf\xbf", true);  // U+10FFFF
}

TEST(Utf8Test, InvalidSequencesAnywhereAreInvalid) {
  ExpectAtEveryPosition("\x80", false);              // lone continuation byte
  ExpectAtEveryPosition("\xff", false);              // never in UTF-8
  ExpectAtEveryPosition("\xc3", false);              // lead byte without its continuation
  ExpectAtEveryPosition("\xc0\x80", false);          // overlong NUL
  ExpectAtEveryPosition("\xed\xa0\x80", false);      // UTF-16 surrogate
  ExpectAtEveryPosition("\xf4\x90\x80\x80", false);  // past U+10FFFF
}

TEST(Utf8Test, TruncatedAtTheEndIsInvalid) {
  for (size_t n = 0; n <= 40; ++n) {
    EXPECT_FALSE(Valid(std::string(n, 'x') + "\xe6\x97")) << n;
    EXPECT_TRUE(Valid(std::string(n, 'x') + "\xe6\x97\xa5")) << n;
  }
}

}  // namespace
}  // namespace karrow
