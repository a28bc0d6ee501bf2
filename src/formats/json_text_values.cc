#include "formats/json_text_values.h"

#include <cstring>

namespace karrow {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// The number written by the N digits at `p`, or -1 when one of them is not
// a digit. Callers check the length once; this runs per timestamp.
template <int N>
int64_t Digits(const char* p) {
  int64_t v = 0;
  bool digits = true;
  for (int i = 0; i < N; ++i) {
    auto d = static_cast<unsigned>(p[i] - '0');
    digits &= d <= 9;
    v = v * 10 + d;
  }
  return digits ? v : -1;
}

bool ValidDate(int64_t year, int64_t month, int64_t day) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap);
}

}  // namespace

bool ParseDate(std::string_view s, int64_t* days) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  const char* p = s.data();
  int64_t y = Digits<4>(p), m = Digits<2>(p + 5), d = Digits<2>(p + 8);
  if (y < 0 || m < 0 || d < 0 || !ValidDate(y, m, d)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos, DateCache* cache) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':')
    return false;
  int64_t days;
  if (cache && std::memcmp(s.data(), cache->text, 10) == 0) {
    days = cache->days;  // the cache holds only valid dates
  } else {
    if (!ParseDate(s, &days)) return false;
    if (cache) {
      std::memcpy(cache->text, s.data(), 10);
      cache->days = days;
    }
  }
  const char* p = s.data();
  int64_t hh = Digits<2>(p + 11), mm = Digits<2>(p + 14), ss = Digits<2>(p + 17);
  if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60) return false;
  size_t at = 19;
  int64_t fraction_ns = 0;
  if (s[at] == '.') {
    static constexpr int64_t kNanosPerDigit[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                                 10000,      1000,      100,      10,      1};
    size_t start = ++at;
    int digits = 0;  // the first nine: nanoseconds
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (digits < 9) {
        fraction_ns = fraction_ns * 10 + (s[at] - '0');
        ++digits;
      } else if (s[at] != '0') {
        return false;  // finer than nanoseconds: would need rounding
      }
      ++at;
    }
    if (at == start) return false;
    fraction_ns *= kNanosPerDigit[digits];
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    if (at + 6 > s.size() || s[at + 3] != ':') return false;
    int64_t oh = Digits<2>(p + at + 1), om = Digits<2>(p + at + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return false;
    offset_s = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return false;  // RFC 3339 requires the offset
  }
  if (at != s.size()) return false;
  *seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
  *nanos = static_cast<int32_t>(fraction_ns);
  return true;
}

bool ParseDecimal(std::string_view s, int precision, int scale, __int128* out) {
  size_t at = 0;
  bool negative = false;
  if (at < s.size() && (s[at] == '-' || s[at] == '+')) negative = s[at++] == '-';
  __int128 v = 0;
  int integer_digits = 0, fraction_digits = 0;
  bool any = false, leading = true;
  for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
    any = true;
    if (leading && s[at] == '0') continue;
    leading = false;
    if (++integer_digits > precision - scale) return false;
    v = v * 10 + (s[at] - '0');
  }
  if (at < s.size() && s[at] == '.') {
    ++at;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
      any = true;
      if (fraction_digits == scale) {
        // Past the scale only zeros, which need no rounding ("12.340" as
        // decimal(10, 2), "5.0" as decimal(5, 0): what json.dumps writes).
        if (s[at] != '0') return false;
        continue;
      }
      ++fraction_digits;
      v = v * 10 + (s[at] - '0');
    }
  }
  if (!any || at != s.size()) return false;
  for (; fraction_digits < scale; ++fraction_digits) v *= 10;
  *out = negative ? -v : v;
  return true;
}

}  // namespace karrow
