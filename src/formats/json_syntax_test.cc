#include "formats/json_syntax.h"

#include <gtest/gtest.h>

#include <string>

namespace karrow {
namespace {

simdjson::error_code Check(const std::string& text) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  return CheckJsonText(parser, padded.data(), padded.size(),
                       padded.size() + simdjson::SIMDJSON_PADDING);
}

TEST(IsJsonNumber, Grammar) {
  for (const char* ok : {"0", "-0", "1", "-12", "0.5", "1.25e10", "1E+2", "1e-0", "-0.0e+0",
                         "123456789012345678901234567890123456789012345678901234567890", "1e400"}) {
    EXPECT_TRUE(IsJsonNumber(ok)) << ok;
  }
  for (const char* bad : {"", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "1x", "0x10", "1 ",
                          "--1", "1.e5", "Infinity", "NaN"}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
}

TEST(CheckJsonText, AcceptsValidJson) {
  for (const char* ok : {"{}", "[]", "0", "-1.5e3", "\"x\"", "true", "false", "null",
                         " {\"a\": [1, {\"b\": null}]} ", "[12345678901234567890123456789, 1e400]",
                         "18446744073709551616", "\"\\ud83d\\ude00\"", "{\"a\": 1, \"a\": 2}"}) {
    EXPECT_EQ(Check(ok), simdjson::SUCCESS) << ok;
  }
}

TEST(CheckJsonText, RejectsInvalidJson) {
  for (const char* bad : {"",
                          " ",
                          "{",
                          "[1,]",
                          "[1 2]",
                          "{\"a\" 1}",
                          "{\"a\": tru}",
                          "[nul]",
                          "[nulll]",
                          "[01]",
                          "[1x]",
                          "[1.]",
                          "[\"\\q\"]",
                          "{\"a\": 1} x",
                          "1 2",
                          "\"a\" \"b\"",
                          "true false",
                          "[+1]",
                          "{\"a\": [1, 2}",
                          "{a: 1}",
                          "null\"{\"",
                          "true\"x\"",
                          "[null\"x\"]",
                          "false0",
                          "[\"\x01\"]",
                          "\"\xff\"",
                          "NaN"}) {
    EXPECT_NE(Check(bad), simdjson::SUCCESS) << bad;
  }
}

}  // namespace
}  // namespace karrow
