// The base of the JSON decoder's per-field readers and the helpers they share,
// for json_scalar_readers.cc (scalar types) and json_decoder.cc (nested types).
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>

#include "arrow/builder.h"
#include "formats/json_decoder.h"

namespace karrow::json_reader {

namespace od = simdjson::ondemand;
using od::json_type;

inline Status Bad(const std::string& path, const std::string& what) {
  return Status::BadData("field " + path + ": " + what);
}

inline const char* TypeName(json_type t) {
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

/// The reader of a field of a scalar type (not a list, struct, map or
/// union) at `path`, into `builder`; nullptr for the other types.
std::unique_ptr<FieldReader> MakeScalarReader(const Field& field, ArrayBuilder* builder,
                                              const std::string& path, const JsonOptions& options);

}  // namespace karrow::json_reader
