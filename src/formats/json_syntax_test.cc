#include "formats/json_syntax.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/nesting_limit.h"
#include "support/small_stack.h"

namespace karrow {
namespace {

JsonCheck CheckText(const std::string& text, std::string* reason = nullptr) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  JsonCheck check = CheckJsonText(parser, padded.data(), padded.size(),
                                  padded.size() + simdjson::SIMDJSON_PADDING);
  if (reason) *reason = check.Reason(padded.data());
  return check;
}

simdjson::error_code Check(const std::string& text) { return CheckText(text).error; }

std::string Nested(int levels, const std::string& inner = "1") {
  return std::string(static_cast<size_t>(levels), '[') + inner +
         std::string(static_cast<size_t>(levels), ']');
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

// The message from the issue: one small value with 60,000 '[' crashed the
// check, which recursed once per level. Run on a small stack, as a
// librdkafka or Python thread may have.
TEST(CheckJsonText, DeepNestingIsAnErrorNotACrash) {
  std::string text = "{\"id\":1,\"zz\":" + Nested(60000, "") + "}";
  std::string reason;
  JsonCheck check;
  RunOnSmallStack([&] { check = CheckText(text, &reason); });
  EXPECT_EQ(check.error, simdjson::DEPTH_ERROR);
  // The root object is level 1: the 64th '[' is level 65, at byte 13 + 63.
  EXPECT_EQ(reason, "nesting deeper than 64 levels at byte 76");
  RunOnSmallStack([&] { check = CheckText(Nested(60000), &reason); });
  EXPECT_EQ(check.error, simdjson::DEPTH_ERROR);
  EXPECT_EQ(reason, "nesting deeper than 64 levels at byte 64");
}

TEST(CheckJsonText, NestingUpToTheLimitIsFine) {
  EXPECT_EQ(Check(Nested(kMaxNestingDepth)), simdjson::SUCCESS);
  EXPECT_EQ(Check(Nested(kMaxNestingDepth + 1)), simdjson::DEPTH_ERROR);
  std::string objects;
  for (int i = 0; i < kMaxNestingDepth - 1; ++i) objects += "{\"a\":";
  objects += "{}" + std::string(kMaxNestingDepth - 1, '}');
  EXPECT_EQ(Check(objects), simdjson::SUCCESS);
  EXPECT_EQ(Check("{\"b\":" + objects + "}"), simdjson::DEPTH_ERROR);
  // Invalid JSON past the limit is still invalid, whichever error says so.
  EXPECT_NE(Check(Nested(kMaxNestingDepth + 1, "x")), simdjson::SUCCESS);
}

}  // namespace
}  // namespace karrow
