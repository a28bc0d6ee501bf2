#include "formats/json_decoder.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "formats/json_syntax.h"

namespace karrow {
namespace {

namespace od = simdjson::ondemand;
using od::json_type;

Status Bad(const std::string& path, const std::string& what) { return Status::BadData("field " + path + ": " + what); }

const char* TypeName(json_type t) {
  switch (t) {
    case json_type::array:
      return "an array";
    case json_type::object:
      return "an object";
    case json_type::number:
      return "a number";
    case json_type::string:
      return "a string";
    case json_type::boolean:
      return "a boolean";
    case json_type::null:
      return "null";
  }
  return "?";
}

// --- Text formats of dates, timestamps and decimals ------------------------

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool Digits(std::string_view s, size_t at, size_t n, int64_t* out) {
  if (at + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int64_t year, int64_t month, int64_t day) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap);
}

// "YYYY-MM-DD" at the start of `s`.
bool ParseDate(std::string_view s, int64_t* days) {
  int64_t y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || !ValidDate(y, m, d)) {
    return false;
  }
  *days = DaysFromCivil(y, m, d);
  return true;
}

// RFC 3339: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", 'T' or ' '.
// Returns nanoseconds since the epoch; false when malformed.
bool ParseRfc3339(std::string_view s, __int128* ns) {
  int64_t days, hh, mm, ss;
  if (!ParseDate(s, &days) || s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' || !Digits(s, 17, 2, &ss) ||
      hh > 23 || mm > 59 || ss > 60) {
    return false;
  }
  size_t at = 19;
  int64_t fraction_ns = 0;
  if (s[at] == '.') {
    size_t start = ++at;
    int64_t scale = 100000000;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (at - start >= 9) return false;  // finer than nanoseconds
      fraction_ns += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return false;
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int64_t oh, om;
    if (!Digits(s, at + 1, 2, &oh) || at + 3 >= s.size() || s[at + 3] != ':' || !Digits(s, at + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_s = (oh * 3600 + om * 60) * (s[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return false;  // RFC 3339 requires the offset
  }
  if (at != s.size()) return false;
  __int128 seconds = static_cast<__int128>(days) * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
  *ns = seconds * 1000000000 + fraction_ns;
  return true;
}

// Plain decimal notation ("-12.50") into an unscaled integer of `scale`
// fractional digits; false when malformed or when it needs more digits than
// precision/scale allow (no silent rounding).
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
      if (++fraction_digits > scale) return false;
      v = v * 10 + (s[at] - '0');
    }
  }
  if (!any || at != s.size()) return false;
  for (; fraction_digits < scale; ++fraction_digits) v *= 10;
  *out = negative ? -v : v;
  return true;
}

// A number's text as written, for decimals and error messages.
std::string_view NumberText(od::value& v) {
  std::string_view token = v.raw_json_token();
  return token.substr(0, token.find_last_not_of(" \t\r\n") + 1);
}

// --- Field readers ---------------------------------------------------------

// Reads one JSON value into one builder. Nulls are handled here; subclasses
// see only non-null values.
class FieldReader {
 public:
  FieldReader(std::string path, bool nullable, ArrayBuilder* builder)
      : path_(std::move(path)), nullable_(nullable), builder_(builder) {}
  virtual ~FieldReader() = default;

  Status Read(od::value& v) {
    json_type t;
    if (auto error = v.type().get(t)) return Bad(path_, simdjson::error_message(error));
    if (t == json_type::null) {
      // type() looks at the first letter only: check that the word is null
      // (found by fuzz/json_decoder: "nope" was read as null).
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return Bad(path_, "not valid JSON (expected null)");
      return AppendNull();
    }
    return ReadValue(v, t);
  }
  /// The field is absent or null.
  Status AppendNull() {
    if (!nullable_) return Bad(path_, "missing or null, and the schema says it is not nullable");
    builder_->AppendNull();
    return Status::OK();
  }

 protected:
  virtual Status ReadValue(od::value& v, json_type t) = 0;
  Status WrongType(json_type t, const char* expected) const {
    return Bad(path_, std::string("expected ") + expected + ", got " + TypeName(t));
  }
  template <typename B>
  B* out() {
    return static_cast<B*>(builder_);
  }

  std::string path_;
  bool nullable_;
  ArrayBuilder* builder_;
};

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
      return Bad(path_, "'" + std::string(NumberText(v)) + "' is not an integer in the column's range");
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
    if (auto error = v.get_string().get(s)) return Bad(path_, simdjson::error_message(error));
    return out<BinaryBuilder>()->Append(s);
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
    if (auto error = v.get_string().get(s)) return Bad(path_, simdjson::error_message(error));
    auto* b = out<FixedSizeBinaryBuilder>();
    if (s.size() != static_cast<size_t>(b->byte_width())) {
      return Bad(path_, "expected " + std::to_string(b->byte_width()) + " bytes, got " + std::to_string(s.size()));
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
    std::string_view s;
    int64_t days;
    if (t != json_type::string || v.get_string().get(s)) return WrongType(t, "a date string");
    if (s.size() != 10 || !ParseDate(s, &days)) return Bad(path_, "'" + std::string(s) + "' is not a YYYY-MM-DD date");
    out<Int32Builder>()->Append(static_cast<int32_t>(days));
    return Status::OK();
  }
};

int64_t NanosPer(TimeUnit unit) {
  return unit == TimeUnit::kSecond ? 1000000000 : unit == TimeUnit::kMilli ? 1000000 : unit == TimeUnit::kMicro ? 1000 : 1;
}

const char* UnitName(TimeUnit unit) {
  return unit == TimeUnit::kSecond ? "seconds" : unit == TimeUnit::kMilli ? "milliseconds"
                                              : unit == TimeUnit::kMicro  ? "microseconds"
                                                                          : "nanoseconds";
}

class TimestampReader final : public FieldReader {
 public:
  TimestampReader(std::string path, bool nullable, ArrayBuilder* builder, TimeUnit unit, TimeUnit epoch_unit)
      : FieldReader(std::move(path), nullable, builder),
        ns_per_unit_(NanosPer(unit)),
        ns_per_epoch_unit_(NanosPer(epoch_unit)),
        epoch_unit_(epoch_unit) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    __int128 ns;
    if (t == json_type::number) {
      int64_t n;
      if (v.get_int64().get(n)) {
        return Bad(path_, std::string("a timestamp number must be whole ") + UnitName(epoch_unit_) + " since the epoch");
      }
      ns = static_cast<__int128>(n) * ns_per_epoch_unit_;
    } else if (t == json_type::string) {
      std::string_view s;
      if (auto error = v.get_string().get(s)) return Bad(path_, simdjson::error_message(error));
      if (!ParseRfc3339(s, &ns)) return Bad(path_, "'" + std::string(s) + "' is not an RFC 3339 timestamp");
    } else {
      return WrongType(t, (std::string("an RFC 3339 string or ") + UnitName(epoch_unit_) + " since the epoch").c_str());
    }
    // Never round: a value finer than the column's unit is bad data.
    if (ns % ns_per_unit_ != 0) return Bad(path_, "timestamp is finer than the column's unit");
    __int128 value = ns / ns_per_unit_;
    if (value < INT64_MIN || value > INT64_MAX) return Bad(path_, "timestamp out of range");
    out<Int64Builder>()->Append(static_cast<int64_t>(value));
    return Status::OK();
  }

 private:
  int64_t ns_per_unit_;
  int64_t ns_per_epoch_unit_;
  TimeUnit epoch_unit_;
};

class DecimalReader final : public FieldReader {
 public:
  DecimalReader(std::string path, bool nullable, ArrayBuilder* builder, int precision, int scale)
      : FieldReader(std::move(path), nullable, builder), precision_(precision), scale_(scale) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    std::string_view s;
    if (t == json_type::number) {
      s = NumberText(v);
      // The text is read, not parsed by simdjson: check it is a JSON number
      // ("01" and "1." are not).
      if (!IsJsonNumber(s)) return Bad(path_, "'" + std::string(s) + "' is not a JSON number");
    } else if (t != json_type::string || v.get_string().get(s)) {
      return WrongType(t, "a decimal number or string");
    }
    __int128 unscaled;
    if (!ParseDecimal(s, precision_, scale_, &unscaled)) {
      return Bad(path_, "'" + std::string(s) + "' is not a decimal(" + std::to_string(precision_) + ", " +
                            std::to_string(scale_) + ") in plain notation");
    }
    out<Decimal128Builder>()->Append(unscaled);
    return Status::OK();
  }

 private:
  int precision_, scale_;
};

std::unique_ptr<FieldReader> MakeReader(const Field& field, ArrayBuilder* builder, const std::string& path,
                                        const JsonOptions& options);

// The fields of one JSON object, into one builder each (a struct's children,
// or the top-level columns).
class ObjectFields {
 public:
  ObjectFields(const std::vector<Field>& fields, const std::vector<ArrayBuilder*>& builders, const std::string& prefix,
               const JsonOptions& options) {
    for (size_t i = 0; i < fields.size(); ++i) {
      names_.push_back(fields[i].name);
      readers_.push_back(MakeReader(fields[i], builders[i], prefix + fields[i].name, options));
    }
    seen_.resize(fields.size());
  }

  Status Read(od::object& object, const std::string& path) {
    std::fill(seen_.begin(), seen_.end(), 0);
    for (auto member : object) {
      std::string_view key;
      if (auto error = member.unescaped_key().get(key)) return Bad(path, simdjson::error_message(error));
      size_t i = Find(key);
      od::value value;
      if (auto error = member.value().get(value)) return Bad(path, simdjson::error_message(error));
      if (i == names_.size()) {
        // Not in the schema: skipped, but still checked, or a record that
        // is not JSON would pass as long as its known fields are fine.
        if (auto error = CheckJsonValue(value)) {
          return Bad(path + "." + std::string(key), std::string("not valid JSON: ") + simdjson::error_message(error));
        }
        continue;
      }
      if (seen_[i]) return Bad(path + "." + names_[i], "the key appears twice in one object");
      seen_[i] = 1;
      KARROW_RETURN_NOT_OK(readers_[i]->Read(value));
    }
    for (size_t i = 0; i < names_.size(); ++i) {
      if (!seen_[i]) KARROW_RETURN_NOT_OK(readers_[i]->AppendNull());
    }
    return Status::OK();
  }

 private:
  size_t Find(std::string_view key) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == key) return i;
    }
    return names_.size();
  }

  std::vector<std::string> names_;
  std::vector<std::unique_ptr<FieldReader>> readers_;
  std::vector<char> seen_;
};

std::vector<ArrayBuilder*> Children(StructBuilder* b) {
  std::vector<ArrayBuilder*> out;
  for (int i = 0; i < b->num_children(); ++i) out.push_back(b->child(i));
  return out;
}

class StructReader final : public FieldReader {
 public:
  StructReader(std::string path, bool nullable, ArrayBuilder* builder, const std::vector<Field>& fields,
               const JsonOptions& options)
      : FieldReader(path, nullable, builder),
        fields_(fields, Children(static_cast<StructBuilder*>(builder)), path + ".", options) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    od::object object;
    if (t != json_type::object || v.get_object().get(object)) return WrongType(t, "an object");
    KARROW_RETURN_NOT_OK(fields_.Read(object, path_));
    out<StructBuilder>()->Append();
    return Status::OK();
  }

 private:
  ObjectFields fields_;
};

class ListReader final : public FieldReader {
 public:
  ListReader(std::string path, bool nullable, ArrayBuilder* builder, const Field& item, const JsonOptions& options)
      : FieldReader(path, nullable, builder),
        item_(MakeReader(item, static_cast<ListBuilder*>(builder)->item_builder(), path + "[]", options)) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    od::array array;
    if (t != json_type::array || v.get_array().get(array)) return WrongType(t, "an array");
    out<ListBuilder>()->Append();
    for (auto element : array) {
      od::value value;
      if (auto error = element.get(value)) return Bad(path_, simdjson::error_message(error));
      KARROW_RETURN_NOT_OK(item_->Read(value));
    }
    return Status::OK();
  }

 private:
  std::unique_ptr<FieldReader> item_;
};

// map<utf8, V>: a JSON object, one entry per key, in the order written.
class MapReader final : public FieldReader {
 public:
  MapReader(std::string path, bool nullable, ArrayBuilder* builder, const Field& value, const JsonOptions& options)
      : FieldReader(path, nullable, builder),
        entries_(static_cast<StructBuilder*>(static_cast<ListBuilder*>(builder)->item_builder())),
        value_(MakeReader(value, entries_->child(1), path + "{}", options)) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    od::object object;
    if (t != json_type::object || v.get_object().get(object)) return WrongType(t, "an object");
    out<ListBuilder>()->Append();
    for (auto member : object) {
      std::string_view key;
      od::value value;
      if (auto error = member.unescaped_key().get(key)) return Bad(path_, simdjson::error_message(error));
      KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(entries_->child(0))->Append(key));
      if (auto error = member.value().get(value)) return Bad(path_, simdjson::error_message(error));
      KARROW_RETURN_NOT_OK(value_->Read(value));
      entries_->Append();
    }
    return Status::OK();
  }

 private:
  StructBuilder* entries_;
  std::unique_ptr<FieldReader> value_;
};

std::unique_ptr<FieldReader> MakeReader(const Field& field, ArrayBuilder* b, const std::string& path,
                                        const JsonOptions& options) {
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
    case TypeId::kList:
      return std::make_unique<ListReader>(path, n, b, type.children()[0], options);
    case TypeId::kStruct:
      return std::make_unique<StructReader>(path, n, b, type.children(), options);
    case TypeId::kNull:
      return std::make_unique<NullReader>(path, true, b);
    case TypeId::kTime32:
      return std::make_unique<IntegerReader<int32_t>>(path, n, b);
    case TypeId::kTime64:
      return std::make_unique<IntegerReader<int64_t>>(path, n, b);
    case TypeId::kFixedSizeBinary:
      return std::make_unique<FixedReader>(path, n, b);
    case TypeId::kMap:
      return std::make_unique<MapReader>(path, n, b, type.children()[0].type->children()[1], options);
    case TypeId::kDenseUnion:
      break;  // refused by CheckJsonReadable
  }
  return nullptr;
}

class JsonRecordDecoder final : public ValueDecoder {
 public:
  JsonRecordDecoder(std::vector<Field> fields, JsonOptions options)
      : fields_(std::move(fields)), options_(options) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    std::vector<ArrayBuilder*> columns;
    for (size_t i = 0; i < fields_.size(); ++i) columns.push_back(builder->column(static_cast<int>(i)));
    root_ = std::make_unique<ObjectFields>(fields_, columns, "", options_);
  }
  Status Append(const uint8_t* data, int64_t size) override {
    // simdjson reads past the end of its input: parse a padded copy.
    size_t capacity = static_cast<size_t>(size) + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < capacity) padded_.resize(capacity);
    std::memcpy(padded_.data(), data, static_cast<size_t>(size));
    std::memset(padded_.data() + size, 0, simdjson::SIMDJSON_PADDING);
    od::document doc;
    if (auto error = parser_.iterate(padded_.data(), static_cast<size_t>(size), capacity).get(doc)) {
      return Status::BadData(std::string("value is not valid JSON: ") + simdjson::error_message(error));
    }
    od::object object;
    if (auto error = doc.get_object().get(object)) {
      return Status::BadData(std::string("value is not a JSON object: ") + simdjson::error_message(error));
    }
    KARROW_RETURN_NOT_OK(root_->Read(object, "value"));
    // Past the end, current_location() fails: anything else is trailing content.
    const char* trailing = nullptr;
    if (!doc.current_location().get(trailing)) return Status::BadData("value has content after its JSON object");
    return Status::OK();
  }

 private:
  std::vector<Field> fields_;
  JsonOptions options_;
  std::unique_ptr<ObjectFields> root_;
  od::parser parser_;
  std::vector<char> padded_;
};

// JSON has no standard way to say which member of a union a value is, so a
// union column (from an Avro schema) cannot be read from JSON.
Status CheckJsonReadable(const Field& field, const std::string& path) {
  if (field.type->id() == TypeId::kDenseUnion) {
    return Status::Invalid("value_schema." + path + ": a union of several non-null types has no JSON form karrow "
                           "reads; declare one type (or [\"null\", type])");
  }
  for (const Field& child : field.type->children()) {
    KARROW_RETURN_NOT_OK(CheckJsonReadable(child, path + "." + child.name));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeJsonRecordDecoder(std::vector<Field> fields, JsonOptions options) {
  for (const Field& f : fields) KARROW_RETURN_NOT_OK(CheckJsonReadable(f, f.name));
  return std::unique_ptr<ValueDecoder>(std::make_unique<JsonRecordDecoder>(std::move(fields), options));
}

}  // namespace karrow
