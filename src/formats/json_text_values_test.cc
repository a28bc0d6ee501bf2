// The text forms of dates, timestamps and decimals: exact values for the
// forms they accept, false for everything else (never a rounded value), and
// a date cache that gives the same answers as parsing every time.
#include "formats/json_text_values.h"

#include <gtest/gtest.h>

#include <string>

namespace karrow {
namespace {

TEST(ParseDate, DaysSinceTheEpoch) {
  int64_t days = -1;
  ASSERT_TRUE(ParseDate("1970-01-01", &days));
  EXPECT_EQ(days, 0);
  ASSERT_TRUE(ParseDate("2024-05-17", &days));
  EXPECT_EQ(days, 19860);
  ASSERT_TRUE(ParseDate("2000-02-29", &days));  // divisible by 400: leap
  EXPECT_EQ(days, 11016);
  ASSERT_TRUE(ParseDate("1969-12-31", &days));
  EXPECT_EQ(days, -1);
  ASSERT_TRUE(ParseDate("0000-01-01", &days));
  EXPECT_EQ(days, -719528);
  for (const char* bad : {"1900-02-29", "2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
                          "2024-01-00", "2024-1-01", "2024/01/01", "202a-01-01", "2024-01-0", ""}) {
    EXPECT_FALSE(ParseDate(bad, &days)) << bad;
  }
}

struct Timestamp {
  bool ok;
  int64_t seconds;
  int32_t nanos;
};

Timestamp Parse(const std::string& text, DateCache* cache = nullptr) {
  Timestamp t{false, 0, 0};
  t.ok = ParseRfc3339(text, &t.seconds, &t.nanos, cache);
  return t;
}

TEST(ParseRfc3339, SecondsAndNanoseconds) {
  struct Case {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c :
       {Case{"1970-01-01T00:00:00Z", 0, 0}, Case{"2024-05-17T10:21:33.123Z", 1715941293, 123000000},
        Case{"2024-05-17t10:21:33.5z", 1715941293, 500000000},
        Case{"2024-05-17 10:21:33.123456789Z", 1715941293, 123456789},
        Case{"2024-05-17T12:21:33+02:00", 1715941293, 0},
        Case{"2024-05-17T05:51:33.000001-04:30", 1715941293, 1000},
        Case{"1969-12-31T23:59:59.999Z", -1, 999000000},
        Case{"2016-12-31T23:59:60Z", 1483228800, 0},  // a leap second
        // Zeros past the ninth digit need no rounding.
        Case{"2024-05-17T10:21:33.1234567890Z", 1715941293, 123456789},
        Case{"2024-05-17T10:21:33.000000000000+00:00", 1715941293, 0},
        Case{"2024-05-17T10:21:33.1000000000000000000000Z", 1715941293, 100000000}}) {
    Timestamp t = Parse(c.text);
    ASSERT_TRUE(t.ok) << c.text;
    EXPECT_EQ(t.seconds, c.seconds) << c.text;
    EXPECT_EQ(t.nanos, c.nanos) << c.text;
  }
  for (const char* bad :
       {"2024-05-17T10:21:33", "2024-05-17T10:21:33.Z", "2024-05-17T10:21:33.1234567891Z",
        "2024-05-17T10:21:33.1234567890000001Z", "2024-05-17T10:21:33.0000000001Z",
        "2024-05-17T24:00:00Z", "2024-05-17T10:60:00Z", "2024-05-17T10:21:61Z",
        "2024-05-17T10:21:33+24:00", "2024-05-17T10:21:33+02:60", "2024-05-17T10:21:33+0200",
        "2024-05-17T10:21:33+02:0", "2024-05-17T10:21:33Zx", "2024-05-17X10:21:33Z",
        "2024-02-30T10:21:33Z", "2024-05-17T1a:21:33Z", "2024-05-17T10:21:33 Z", ""}) {
    EXPECT_FALSE(Parse(bad).ok) << bad;
  }
}

TEST(ParseRfc3339, DateCacheGivesTheSameAnswers) {
  DateCache cache;
  const char* texts[] = {"2024-05-17T10:21:33.123Z", "2024-05-17T23:59:59Z",
                         "2024-05-18T00:00:00Z",     "2024-05-18T10:00:00+01:00",
                         "2024-02-30T10:00:00Z",     "2024-05-18T10:00:00",
                         "2024-05-18T10:00:00Z"};
  for (const char* text : texts) {
    Timestamp cached = Parse(text, &cache);
    Timestamp fresh = Parse(text);
    EXPECT_EQ(cached.ok, fresh.ok) << text;
    EXPECT_EQ(cached.seconds, fresh.seconds) << text;
    EXPECT_EQ(cached.nanos, fresh.nanos) << text;
  }
  // The cache keeps only valid dates: after a bad one, the last good day.
  EXPECT_EQ(std::string(cache.text, 10), "2024-05-18");
}

TEST(ParseDecimal, UnscaledWithoutRounding) {
  __int128 v = 0;
  ASSERT_TRUE(ParseDecimal("-12.5", 10, 2, &v));
  EXPECT_TRUE(v == -1250);
  ASSERT_TRUE(ParseDecimal("+0007.25", 5, 2, &v));  // leading zeros are not digits of the precision
  EXPECT_TRUE(v == 725);
  ASSERT_TRUE(ParseDecimal("99999999.99", 10, 2, &v));
  EXPECT_TRUE(v == 9999999999);
  ASSERT_TRUE(ParseDecimal(".5", 3, 1, &v));
  EXPECT_TRUE(v == 5);
  for (const char* bad : {"1.234", "123456789.00", "1e3", "1.2.3", "", "-", ".", "12a",
                          "1.2300000001", "12.345000", "123456789.000", "1.23e0"}) {
    EXPECT_FALSE(ParseDecimal(bad, 10, 2, &v)) << bad;
  }
}

// Zeros past the scale need no rounding: accepted, with the value they
// write. Python's json.dumps(5.0) is "5.0".
TEST(ParseDecimal, ZerosPastTheScale) {
  struct Case {
    const char* text;
    int precision, scale;
    int64_t unscaled;
  };
  for (const Case& c :
       {Case{"12.340", 10, 2, 1234}, Case{"5.0", 5, 0, 5}, Case{"-5.000", 1, 0, -5},
        Case{"0.10", 1, 1, 1}, Case{"99999.9900000000000000000000000000000000000", 7, 2, 9999999},
        Case{"0.000", 1, 0, 0}}) {
    __int128 v = -1;
    ASSERT_TRUE(ParseDecimal(c.text, c.precision, c.scale, &v)) << c.text;
    EXPECT_TRUE(v == c.unscaled) << c.text;
  }
  __int128 v = 0;
  EXPECT_FALSE(ParseDecimal("5.01", 5, 0, &v));
  EXPECT_FALSE(ParseDecimal("10.0", 1, 0, &v));  // too many integer digits, zeros or not
}

}  // namespace
}  // namespace karrow
