#include "formats/json_decoder.h"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "formats/json_syntax.h"
#include "formats/json_text_values.h"

namespace karrow {
namespace {

namespace od = simdjson::ondemand;
using od::json_type;

Status Bad(const std::string& path, const std::string& what) {
  return Status::BadData("field " + path + ": " + what);
}

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
  Status Put(__int128 value) {
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

std::unique_ptr<FieldReader> MakeReader(const Field& field, ArrayBuilder* builder,
                                        const std::string& path, const JsonOptions& options);

// The fields of one JSON object, into one builder each (a struct's children,
// or the top-level columns).
class ObjectFields {
 public:
  ObjectFields(const std::vector<Field>& fields, const std::vector<ArrayBuilder*>& builders,
               const std::string& prefix, const JsonOptions& options) {
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& name = fields[i].name;
      names_.push_back(name);
      Name n;
      for (char c : name)
        n.plain = n.plain && c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
      for (size_t k = 0; k < name.size() && k < 8; ++k) {
        n.head |= uint64_t{static_cast<unsigned char>(name[k])} << (8 * k);
        n.mask |= uint64_t{0xff} << (8 * k);
      }
      plain_names_.push_back(n);
      readers_.push_back(MakeReader(fields[i], builders[i], prefix + name, options));
    }
    seen_.resize(fields.size());
  }

  Status Read(od::object& object, const std::string& path) {
    std::fill(seen_.begin(), seen_.end(), 0);
    size_t next = 0;  // keys usually come in the schema's order: tried first
    for (auto member : object) {
      // The field and its value by reference: copying simdjson's iterator
      // state out of its result costs a store-forwarding stall per field.
      if (auto error = member.error()) return Bad(path, simdjson::error_message(error));
      od::field& field = member.value_unsafe();
      size_t i = FindRaw(field.key(), next);
      std::string_view key;
      if (i == names_.size()) {
        // An escaped key, or one not in the schema.
        if (auto error = field.unescaped_key().get(key))
          return Bad(path, simdjson::error_message(error));
        i = Find(key);
      }
      od::value& value = field.value();
      if (i == names_.size()) {
        // Not in the schema: skipped, but still checked, or a record that
        // is not JSON would pass as long as its known fields are fine.
        if (auto error = CheckJsonValue(value)) {
          return Bad(path + "." + std::string(key),
                     std::string("not valid JSON: ") + simdjson::error_message(error));
        }
        continue;
      }
      if (seen_[i]) return Bad(path + "." + names_[i], "the key appears twice in one object");
      seen_[i] = 1;
      next = i + 1;
      KARROW_RETURN_NOT_OK(readers_[i]->Read(value));
    }
    for (size_t i = 0; i < names_.size(); ++i) {
      if (!seen_[i]) KARROW_RETURN_NOT_OK(readers_[i]->AppendNull());
    }
    return Status::OK();
  }

 private:
  // A name JSON writes without escapes ("plain") is compared with keys as
  // they are written, without unescaping them: first 8 bytes at once.
  struct Name {
    bool plain = true;
    uint64_t head = 0;  // the name's first (up to) 8 bytes, little-endian
    uint64_t mask = 0;  // the bytes of `head` that are the name's
  };

  // Whether the key at `raw` (after its opening quote, as written) is field
  // `i`'s plain name. The input is padded, so 8 bytes from a key's start
  // are readable; past those, bytes are compared one by one, which stops at
  // the key's closing quote at the latest (a plain name has no quote).
  bool IsName(const char* raw, size_t i) const {
    const Name& n = plain_names_[i];
    uint64_t word;
    std::memcpy(&word, raw, 8);
    if (!n.plain || (word & n.mask) != n.head) return false;
    const std::string& name = names_[i];
    for (size_t k = 8; k < name.size(); ++k) {
      if (raw[k] != name[k]) return false;
    }
    return raw[name.size()] == '"';
  }

  // The field whose plain name `key` spells as written, trying `next` first.
  size_t FindRaw(od::raw_json_string key, size_t next) const {
    const char* raw = key.raw();
    if (next < names_.size() && IsName(raw, next)) return next;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (IsName(raw, i)) return i;
    }
    return names_.size();
  }
  size_t Find(std::string_view key) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == key) return i;
    }
    return names_.size();
  }

  std::vector<std::string> names_;
  std::vector<Name> plain_names_;
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
  StructReader(std::string path, bool nullable, ArrayBuilder* builder,
               const std::vector<Field>& fields, const JsonOptions& options)
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
  ListReader(std::string path, bool nullable, ArrayBuilder* builder, const Field& item,
             const JsonOptions& options)
      : FieldReader(path, nullable, builder),
        item_(MakeReader(item, static_cast<ListBuilder*>(builder)->item_builder(), path + "[]",
                         options)) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    od::array array;
    if (t != json_type::array || v.get_array().get(array)) return WrongType(t, "an array");
    out<ListBuilder>()->Append();
    for (auto element : array) {
      if (auto error = element.error()) return Bad(path_, simdjson::error_message(error));
      KARROW_RETURN_NOT_OK(item_->Read(element.value_unsafe()));
    }
    return Status::OK();
  }

 private:
  std::unique_ptr<FieldReader> item_;
};

// map<utf8, V>: a JSON object, one entry per key, in the order written.
class MapReader final : public FieldReader {
 public:
  MapReader(std::string path, bool nullable, ArrayBuilder* builder, const Field& value,
            const JsonOptions& options)
      : FieldReader(path, nullable, builder),
        entries_(static_cast<StructBuilder*>(static_cast<ListBuilder*>(builder)->item_builder())),
        value_(MakeReader(value, entries_->child(1), path + "{}", options)) {}

 protected:
  Status ReadValue(od::value& v, json_type t) override {
    od::object object;
    if (t != json_type::object || v.get_object().get(object)) return WrongType(t, "an object");
    out<ListBuilder>()->Append();
    for (auto member : object) {
      if (auto error = member.error()) return Bad(path_, simdjson::error_message(error));
      od::field& field = member.value_unsafe();
      std::string_view key;
      if (auto error = field.unescaped_key().get(key))
        return Bad(path_, simdjson::error_message(error));
      KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(entries_->child(0))->Append(key));
      KARROW_RETURN_NOT_OK(value_->Read(field.value()));
      entries_->Append();
    }
    return Status::OK();
  }

 private:
  StructBuilder* entries_;
  std::unique_ptr<FieldReader> value_;
};

std::unique_ptr<FieldReader> MakeReader(const Field& field, ArrayBuilder* b,
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
      return std::make_unique<MapReader>(path, n, b, type.children()[0].type->children()[1],
                                         options);
    case TypeId::kDenseUnion:
      break;  // refused by CheckJsonReadable
  }
  return nullptr;
}

const std::string kValuePath = "value";

class JsonRecordDecoder final : public ValueDecoder {
 public:
  JsonRecordDecoder(std::vector<Field> fields, JsonOptions options)
      : fields_(std::move(fields)), options_(options) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    std::vector<ArrayBuilder*> columns;
    for (size_t i = 0; i < fields_.size(); ++i)
      columns.push_back(builder->column(static_cast<int>(i)));
    root_ = std::make_unique<ObjectFields>(fields_, columns, "", options_);
  }
  Status Append(const uint8_t* data, int64_t size) override {
    // simdjson reads past the end of its input: parse a padded copy. What
    // the padding holds does not matter (simdjson's documentation says so,
    // and no key or string read here looks past its closing quote), so it
    // is not cleared.
    size_t capacity = static_cast<size_t>(size) + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < capacity) padded_.resize(capacity);
    std::memcpy(padded_.data(), data, static_cast<size_t>(size));
    od::document doc;
    if (auto error =
            parser_.iterate(padded_.data(), static_cast<size_t>(size), capacity).get(doc)) {
      return Status::BadData(std::string("value is not valid JSON: ") +
                             simdjson::error_message(error));
    }
    od::object object;
    if (auto error = doc.get_object().get(object)) {
      return Status::BadData(std::string("value is not a JSON object: ") +
                             simdjson::error_message(error));
    }
    KARROW_RETURN_NOT_OK(root_->Read(object, kValuePath));
    // Past the end, current_location() fails: anything else is trailing content.
    const char* trailing = nullptr;
    if (!doc.current_location().get(trailing))
      return Status::BadData("value has content after its JSON object");
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
    return Status::Invalid("value_schema." + path +
                           ": a union of several non-null types has no JSON form karrow "
                           "reads; declare one type (or [\"null\", type])");
  }
  for (const Field& child : field.type->children()) {
    KARROW_RETURN_NOT_OK(CheckJsonReadable(child, path + "." + child.name));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeJsonRecordDecoder(std::vector<Field> fields,
                                                            JsonOptions options) {
  for (const Field& f : fields) KARROW_RETURN_NOT_OK(CheckJsonReadable(f, f.name));
  return std::unique_ptr<ValueDecoder>(
      std::make_unique<JsonRecordDecoder>(std::move(fields), options));
}

}  // namespace karrow
