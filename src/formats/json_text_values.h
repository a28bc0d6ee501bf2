// The text forms JSON gives to values it has no type for: dates, RFC 3339
// timestamps and decimals in plain notation. Each parser accepts exactly its
// form and never rounds; the JSON decoder turns a false into bad data.
#pragma once

#include <cstdint>
#include <string_view>

namespace karrow {

/// "YYYY-MM-DD" (a valid proleptic Gregorian date) at the start of `s`:
/// days since 1970-01-01.
bool ParseDate(std::string_view s, int64_t* days);

/// The last date an RFC 3339 parse read: the timestamps of a stream mostly
/// share their day, which then needs no checking or counting again.
struct DateCache {
  char text[10] = {};  // "YYYY-MM-DD", or zeros (no date) before the first
  int64_t days = 0;
};

/// An RFC 3339 timestamp, "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"
/// ('T', 't' or ' ' between date and time; fraction digits past the ninth
/// must be zeros, as anything finer than nanoseconds would need rounding), as
/// seconds since the epoch and the nanoseconds after them (0 to 999999999).
/// `cache`, when given, remembers the last valid date across calls.
bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos, DateCache* cache = nullptr);

/// Plain decimal notation ("-12.50") as an unscaled integer of `scale`
/// fractional digits; false when malformed or when it needs more digits than
/// precision and scale allow. Fraction digits past the scale must be zeros
/// ("12.340" is decimal(4, 2)'s 1234): others would need rounding.
bool ParseDecimal(std::string_view s, int precision, int scale, __int128* out);

}  // namespace karrow
