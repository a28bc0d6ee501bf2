// The JSON decoder's readers of scalar fields: integers, floats, booleans,
// strings, fixed-size binary, null, dates, timestamps and decimals.
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "formats/json_field_reader_internal.h"
#include "formats/json_syntax.h"
#include "formats/json_text_values.h"

namespace karrow::json_reader {
namespace {

// A number's text as written, for decimals and error messages.
std::string_view NumberText(od::value& v) {
  std::string_view token = v.raw_json_token();
  return token.substr(0, token.find_last_not_of(" \t\r\n") + 1);
}

// The text between a string value's quotes, escapes not undone (`v` is a
// string). The value is consumed, as get_string() would: simdjson skips an
// unread value more leniently than it checks what follows a read one (an
// unread string followed by ':' passes for a key; found by
// fuzz/json_decoder: {"s": "x": 3]} was accepted).
std::string_view RawString(od::value& v) {
  std::string_view token = v.raw_json_token();  // the quoted string, then any whitespace
  od::raw_json_string consumed;
  if (v.get_raw_json_string().get(consumed)) return {};
  size_t end = token.size();
  while (end > 1 && token[end - 1] != '"') --end;
  return end >= 2 ? token.substr(1, end - 2) : std::string_view();
}

// A string value's bytes (`v` is a string): straight from the input when
// it has no escapes, else unescaped into the parser's buffer. Stage 1 has
// checked the whole document's UTF-8 and control characters when it was
// opened, so unescaped raw bytes are the value; this saves get_string's
// copy and its call into simdjson's runtime-dispatched unescaper.
simdjson::error_code GetString(od::value& v, std::string_view* out) {
  std::string_view raw = RawString(v);
  if (raw.data() != nullptr && std::memchr(raw.data(), '\\', raw.size()) == nullptr) {
    *out = raw;
    return simdjson::SUCCESS;
  }
  return v.get_string().get(*out);
}

// Dates, timestamps and decimals have no backslash in their text forms, so
// when a string's raw text parses as one it is the value: readers of those
// try RawString() first and unescape (GetString) only when that fails.

template <typename T>
class IntegerReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    if (t != json_type::number) return WrongType(t, "an integer");
    using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
    Wide x;
    simdjson::error_code error;
    if constexpr (std::is_signed_v<T>) {
      error = v.get_int64().get(x);
    } else {
      error = v.get_uint64().get(x);
    }
    if (error || x < static_cast<Wide>(std::numeric_limits<T>::min()) ||
        x > static_cast<Wide>(std::numeric_limits<T>::max())) {
      return Bad(path_,
                 "'" + std::string(NumberText(v)) + "' is not an integer in the column's range");
    }
    out<PrimitiveBuilder<T>>()->Append(static_cast<T>(x));
    return Status::OK();
  }
};

template <typename T>
class FloatReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    if (t != json_type::number) return WrongType(t, "a number");
    double x;
    if (auto error = v.get_double().get(x)) return Bad(path_, simdjson::error_message(error));
    if (std::isinf(static_cast<T>(x))) return Bad(path_, "number out of the column's range");
    out<PrimitiveBuilder<T>>()->Append(static_cast<T>(x));
    return Status::OK();
  }
};

class BoolReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    bool x;
    if (t != json_type::boolean || v.get_bool().get(x)) return WrongType(t, "true or false");
    out<BooleanBuilder>()->Append(x);
    return Status::OK();
  }
};

// utf8 and binary: the unescaped string.
class StringReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    std::string_view s;
    if (t != json_type::string) return WrongType(t, "a string");
    if (auto error = GetString(v, &s)) return Bad(path_, simdjson::error_message(error));
    auto* b = out<BinaryBuilder>();
    if (b->TryAppend(s)) return Status::OK();
    return b->DataLimitError(static_cast<int64_t>(s.size()));
  }
};

// fixed_size_binary(n): a string of exactly n bytes (as UTF-8, like binary).
class FixedReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    std::string_view s;
    if (t != json_type::string) return WrongType(t, "a string");
    if (auto error = GetString(v, &s)) return Bad(path_, simdjson::error_message(error));
    auto* b = out<FixedSizeBinaryBuilder>();
    if (s.size() != static_cast<size_t>(b->byte_width())) {
      return Bad(path_, "expected " + std::to_string(b->byte_width()) + " bytes, got " +
                            std::to_string(s.size()));
    }
    b->Append(s.data());
    return Status::OK();
  }
};

// A field whose only value is null (Avro's null type).
class NullReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value&, json_type t) override { return WrongType(t, "null"); }
};

class DateReader final : public FieldReader {
 public:
  using FieldReader::FieldReader;

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    if (t != json_type::string) return WrongType(t, "a date string");
    int64_t days;
    std::string_view s = RawString(v);
    if (s.size() != 10 || !ParseDate(s, &days)) {
      if (GetString(v, &s)) return WrongType(t, "a date string");
      if (s.size() != 10 || !ParseDate(s, &days)) {
        return Bad(path_, "'" + std::string(s) + "' is not a YYYY-MM-DD date");
      }
    }
    out<Int32Builder>()->Append(static_cast<int32_t>(days));
    return Status::OK();
  }
};

int64_t NanosPer(TimeUnit unit) {
  return unit == TimeUnit::kSecond  ? 1000000000
         : unit == TimeUnit::kMilli ? 1000000
         : unit == TimeUnit::kMicro ? 1000
                                    : 1;
}

const char* UnitName(TimeUnit unit) {
  return unit == TimeUnit::kSecond  ? "seconds"
         : unit == TimeUnit::kMilli ? "milliseconds"
         : unit == TimeUnit::kMicro ? "microseconds"
                                    : "nanoseconds";
}

// The nanoseconds `nanos` (under a second) in `unit`; false when finer than
// the unit. Constant divisors: this runs for every timestamp.
bool NanosIn(TimeUnit unit, int32_t nanos, int64_t* out) {
  switch (unit) {
    case TimeUnit::kSecond:
      *out = 0;
      return nanos == 0;
    case TimeUnit::kMilli:
      *out = nanos / 1000000;
      return nanos % 1000000 == 0;
    case TimeUnit::kMicro:
      *out = nanos / 1000;
      return nanos % 1000 == 0;
    case TimeUnit::kNano:
      *out = nanos;
      return true;
  }
  return false;
}

class TimestampReader final : public FieldReader {
 public:
  TimestampReader(std::string path, bool nullable, ArrayBuilder* builder, TimeUnit unit,
                  TimeUnit epoch_unit)
      : FieldReader(std::move(path), nullable, builder),
        unit_(unit),
        epoch_unit_(epoch_unit),
        ns_per_unit_(NanosPer(unit)),
        ns_per_epoch_unit_(NanosPer(epoch_unit)),
        units_per_second_(1000000000 / ns_per_unit_) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    if (t == json_type::string) {
      int64_t seconds;
      int32_t nanos;
      std::string_view s = RawString(v);
      if (!ParseRfc3339(s, &seconds, &nanos, &dates_)) {
        if (auto error = GetString(v, &s)) return Bad(path_, simdjson::error_message(error));
        if (!ParseRfc3339(s, &seconds, &nanos, &dates_)) {
          return Bad(path_, "'" + std::string(s) + "' is not an RFC 3339 timestamp");
        }
      }
      // Never round: a value finer than the column's unit is bad data.
      int64_t fraction;
      if (!NanosIn(unit_, nanos, &fraction)) return Finer();
      return Put(static_cast<__int128>(seconds) * units_per_second_ + fraction);
    }
    if (t == json_type::number) {
      int64_t n;
      if (v.get_int64().get(n)) {
        return Bad(path_, std::string("a timestamp number must be whole ") + UnitName(epoch_unit_) +
                              " since the epoch");
      }
      if (epoch_unit_ == unit_) return Put(n);
      __int128 ns = static_cast<__int128>(n) * ns_per_epoch_unit_;
      if (ns % ns_per_unit_ != 0) return Finer();
      return Put(ns / ns_per_unit_);
    }
    return WrongType(
        t, (std::string("an RFC 3339 string or ") + UnitName(epoch_unit_) + " since the epoch")
               .c_str());
  }

 private:
  // Inlined, as GCC chose to when this was in json_decoder.cc (it no longer
  // does in this smaller file).
  [[gnu::always_inline]] Status Put(__int128 value) {
    if (value < INT64_MIN || value > INT64_MAX) return Bad(path_, "timestamp out of range");
    out<Int64Builder>()->Append(static_cast<int64_t>(value));
    return Status::OK();
  }
  Status Finer() const { return Bad(path_, "timestamp is finer than the column's unit"); }

  DateCache dates_;
  TimeUnit unit_;
  TimeUnit epoch_unit_;
  int64_t ns_per_unit_;
  int64_t ns_per_epoch_unit_;
  int64_t units_per_second_;
};

class DecimalReader final : public FieldReader {
 public:
  DecimalReader(std::string path, bool nullable, ArrayBuilder* builder, int precision, int scale)
      : FieldReader(std::move(path), nullable, builder), precision_(precision), scale_(scale) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    std::string_view s;
    __int128 unscaled;
    if (t == json_type::number) {
      s = NumberText(v);
      // The text is read, not parsed by simdjson: check it is a JSON number
      // ("01" and "1." are not).
      if (!IsJsonNumber(s)) return Bad(path_, "'" + std::string(s) + "' is not a JSON number");
    } else if (t != json_type::string) {
      return WrongType(t, "a decimal number or string");
    } else if (s = RawString(v); ParseDecimal(s, precision_, scale_, &unscaled)) {
      out<Decimal128Builder>()->Append(unscaled);
      return Status::OK();
    } else if (GetString(v, &s)) {
      return WrongType(t, "a decimal number or string");
    }
    if (!ParseDecimal(s, precision_, scale_, &unscaled)) {
      return Bad(path_, "'" + std::string(s) + "' is not a decimal(" + std::to_string(precision_) +
                            ", " + std::to_string(scale_) + ") in plain notation");
    }
    out<Decimal128Builder>()->Append(unscaled);
    return Status::OK();
  }

 private:
  int precision_, scale_;
};

}  // namespace

std::unique_ptr<FieldReader> MakeScalarReader(const Field& field, ArrayBuilder* b,
                                              const std::string& path, const JsonOptions& options) {
  const DataType& type = *field.type;
  bool n = field.nullable;
  switch (type.id()) {
    case TypeId::kBool:
      return std::make_unique<BoolReader>(path, n, b);
    case TypeId::kInt8:
      return std::make_unique<IntegerReader<int8_t>>(path, n, b);
    case TypeId::kInt16:
      return std::make_unique<IntegerReader<int16_t>>(path, n, b);
    case TypeId::kInt32:
      return std::make_unique<IntegerReader<int32_t>>(path, n, b);
    case TypeId::kInt64:
      return std::make_unique<IntegerReader<int64_t>>(path, n, b);
    case TypeId::kUInt8:
      return std::make_unique<IntegerReader<uint8_t>>(path, n, b);
    case TypeId::kUInt16:
      return std::make_unique<IntegerReader<uint16_t>>(path, n, b);
    case TypeId::kUInt32:
      return std::make_unique<IntegerReader<uint32_t>>(path, n, b);
    case TypeId::kUInt64:
      return std::make_unique<IntegerReader<uint64_t>>(path, n, b);
    case TypeId::kFloat32:
      return std::make_unique<FloatReader<float>>(path, n, b);
    case TypeId::kFloat64:
      return std::make_unique<FloatReader<double>>(path, n, b);
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return std::make_unique<StringReader>(path, n, b);
    case TypeId::kDate32:
      return std::make_unique<DateReader>(path, n, b);
    case TypeId::kTimestamp:
      return std::make_unique<TimestampReader>(path, n, b, type.unit(), options.epoch_unit);
    case TypeId::kDecimal128:
      return std::make_unique<DecimalReader>(path, n, b, type.precision(), type.scale());
    case TypeId::kNull:
      return std::make_unique<NullReader>(path, true, b);
    case TypeId::kTime32:
      return std::make_unique<IntegerReader<int32_t>>(path, n, b);
    case TypeId::kTime64:
      return std::make_unique<IntegerReader<int64_t>>(path, n, b);
    case TypeId::kFixedSizeBinary:
      return std::make_unique<FixedReader>(path, n, b);
    case TypeId::kList:
    case TypeId::kStruct:
    case TypeId::kMap:
      break;  // nested: MakeReader in json_decoder.cc
    case TypeId::kDenseUnion:
      break;  // refused by CheckJsonReadable
    case TypeId::kDuration:
      break;  // no JSON schema declares one
  }
  return nullptr;
}

}  // namespace karrow::json_reader
