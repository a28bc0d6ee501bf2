#include "output/ndjson_writer.h"

#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace karrow {
namespace {

void AppendEscaped(std::string_view s, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendBase64(std::string_view s, std::string* out) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->push_back('"');
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  for (; i + 3 <= s.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out->push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (size_t rest = s.size() - i; rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
  out->push_back('"');
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

void AppendDate(int64_t days, std::string* out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02u", y, m, d);
  out->append(buf);
}

int64_t PerSecond(TimeUnit unit) {
  return unit == TimeUnit::kSecond  ? 1
         : unit == TimeUnit::kMilli ? 1000
         : unit == TimeUnit::kMicro ? 1000000
                                    : 1000000000;
}

// "HH:MM:SS[.fraction]", with as many fraction digits as the unit has.
void AppendClock(int64_t second_of_day, int64_t fraction, TimeUnit unit, std::string* out) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d", static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  out->append(buf);
  if (unit != TimeUnit::kSecond) {
    int digits = unit == TimeUnit::kMilli ? 3 : unit == TimeUnit::kMicro ? 6 : 9;
    std::snprintf(buf, sizeof(buf), ".%0*" PRId64, digits, fraction);
    out->append(buf);
  }
}

void AppendTimestamp(int64_t value, TimeUnit unit, std::string* out) {
  int64_t per_second = PerSecond(unit);
  int64_t seconds = value / per_second;
  int64_t fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  out->push_back('"');
  AppendDate(days, out);
  out->push_back('T');
  AppendClock(in_day, fraction, unit, out);
  out->append("Z\"");
}

void AppendDecimal(__int128 v, int32_t scale, std::string* out) {
  bool negative = v < 0;
  unsigned __int128 u =
      negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  while (static_cast<int32_t>(digits.size()) <= scale) digits.push_back('0');
  if (negative) out->push_back('-');
  for (size_t i = digits.size(); i-- > 0;) {
    out->push_back(digits[i]);
    if (scale > 0 && static_cast<int32_t>(i) == scale) out->push_back('.');
  }
}

template <typename T>
void AppendNumber(T v, std::string* out) {
  char buf[40];
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) {
      out->append("null");  // JSON has no NaN or infinity
      return;
    }
    // The shortest text that reads back to the same value, in the value's
    // own type: 0.1 for both float32 and float64 0.1, where %.17g wrote
    // 0.10000000000000001 (and 0.10000000149011612 for float32).
    std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, r.ptr);
    return;
  } else if constexpr (std::is_signed_v<T>) {
    std::snprintf(buf, sizeof(buf), "%" PRId64, static_cast<int64_t>(v));
  } else {
    std::snprintf(buf, sizeof(buf), "%" PRIu64, static_cast<uint64_t>(v));
  }
  out->append(buf);
}

// A time of day; values outside [0, 24h) (which Avro can carry) are written
// as plain numbers rather than as a wrong clock reading.
void AppendTimeOfDay(int64_t value, TimeUnit unit, std::string* out) {
  int64_t per_second = PerSecond(unit);
  if (value < 0 || value >= 86400 * per_second) {
    AppendNumber(value, out);
    return;
  }
  out->push_back('"');
  AppendClock(value / per_second, value % per_second, unit, out);
  out->push_back('"');
}

bool IsJsonExtension(const Field& field) {
  for (const auto& [k, v] : field.metadata) {
    if (k == "ARROW:extension:name" && v == "arrow.json") return true;
  }
  return false;
}

void AppendValue(const Field& field, const ArrayData& a, int64_t i, std::string* out) {
  if (!a.IsValid(i)) {
    out->append("null");
    return;
  }
  const DataType& t = *a.type;
  switch (t.id()) {
    case TypeId::kBool:
      out->append(a.BoolValue(i) ? "true" : "false");
      break;
    case TypeId::kInt8:
      AppendNumber(a.Value<int8_t>(i), out);
      break;
    case TypeId::kInt16:
      AppendNumber(a.Value<int16_t>(i), out);
      break;
    case TypeId::kInt32:
      AppendNumber(a.Value<int32_t>(i), out);
      break;
    case TypeId::kInt64:
      AppendNumber(a.Value<int64_t>(i), out);
      break;
    case TypeId::kUInt8:
      AppendNumber(a.Value<uint8_t>(i), out);
      break;
    case TypeId::kUInt16:
      AppendNumber(a.Value<uint16_t>(i), out);
      break;
    case TypeId::kUInt32:
      AppendNumber(a.Value<uint32_t>(i), out);
      break;
    case TypeId::kUInt64:
      AppendNumber(a.Value<uint64_t>(i), out);
      break;
    case TypeId::kFloat32:
      AppendNumber(a.Value<float>(i), out);
      break;
    case TypeId::kFloat64:
      AppendNumber(a.Value<double>(i), out);
      break;
    case TypeId::kUtf8:
      if (IsJsonExtension(field)) {
        out->append(a.View(i));
      } else {
        AppendEscaped(a.View(i), out);
      }
      break;
    case TypeId::kBinary:
      AppendBase64(a.View(i), out);
      break;
    case TypeId::kTimestamp:
      AppendTimestamp(a.Value<int64_t>(i), t.unit(), out);
      break;
    case TypeId::kDate32:
      out->push_back('"');
      AppendDate(a.Value<int32_t>(i), out);
      out->push_back('"');
      break;
    case TypeId::kDecimal128:
      AppendDecimal(a.Value<__int128>(i), t.scale(), out);
      break;
    case TypeId::kList: {
      auto [begin, end] = a.ListRange(i);
      out->push_back('[');
      for (int32_t j = begin; j < end; ++j) {
        if (j > begin) out->push_back(',');
        AppendValue(t.children()[0], *a.children[0], j, out);
      }
      out->push_back(']');
      break;
    }
    case TypeId::kNull:
      out->append("null");
      break;
    case TypeId::kFixedSizeBinary: {
      int64_t w = t.byte_width();
      AppendBase64({reinterpret_cast<const char*>(a.buffers[1]->data()) + (i + a.offset) * w,
                    static_cast<size_t>(w)},
                   out);
      break;
    }
    case TypeId::kTime32:
      AppendTimeOfDay(a.Value<int32_t>(i), t.unit(), out);
      break;
    case TypeId::kTime64:
      AppendTimeOfDay(a.Value<int64_t>(i), t.unit(), out);
      break;
    case TypeId::kDuration:  // a count of the type's unit, as Arrow's own JSON writes it
      AppendNumber(a.Value<int64_t>(i), out);
      break;
    case TypeId::kMap: {
      // An object when the keys are strings (Avro maps), else a list of entries.
      const Field& entries = t.children()[0];
      const ArrayData& e = *a.children[0];
      bool as_object = entries.type->children()[0].type->id() == TypeId::kUtf8;
      auto [begin, end] = a.ListRange(i);
      out->push_back(as_object ? '{' : '[');
      for (int32_t j = begin; j < end; ++j) {
        if (j > begin) out->push_back(',');
        if (as_object) {
          AppendEscaped(e.children[0]->View(j + e.offset), out);
          out->push_back(':');
          AppendValue(entries.type->children()[1], *e.children[1], j + e.offset, out);
        } else {
          AppendValue(entries, e, j, out);
        }
      }
      out->push_back(as_object ? '}' : ']');
      break;
    }
    case TypeId::kDenseUnion: {
      int8_t member = static_cast<int8_t>(a.buffers[1]->data()[i + a.offset]);
      int32_t at;
      std::memcpy(&at, a.buffers[2]->data() + (i + a.offset) * 4, 4);
      AppendValue(t.children()[member], *a.children[member], at, out);
      break;
    }
    case TypeId::kStruct: {
      out->push_back('{');
      for (size_t c = 0; c < t.children().size(); ++c) {
        if (c) out->push_back(',');
        AppendEscaped(t.children()[c].name, out);
        out->push_back(':');
        // A struct's offset also applies to its children.
        AppendValue(t.children()[c], *a.children[c], i + a.offset, out);
      }
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

void AppendNdjson(const RecordBatch& batch, int64_t begin, int64_t end, std::string* out) {
  const auto& fields = batch.schema()->fields();
  for (int64_t row = begin; row < end; ++row) {
    out->push_back('{');
    for (int c = 0; c < batch.num_columns(); ++c) {
      if (c) out->push_back(',');
      AppendEscaped(fields[c].name, out);
      out->push_back(':');
      AppendValue(fields[c], *batch.column(c), row, out);
    }
    out->append("}\n");
  }
}

}  // namespace karrow
