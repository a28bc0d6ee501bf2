// Decodes JSON objects into Arrow builders: the readers of nested fields
// (objects, structs, lists, maps) and the decoder, over json_scalar_readers.cc.
#include "formats/json_decoder.h"

#include <simdjson.h>

#include <cstring>
#include <string>

#include "formats/json_field_reader_internal.h"
#include "formats/json_syntax.h"
#include "formats/nesting_limit.h"

namespace karrow {
namespace {

using json_reader::Bad;
using json_reader::FieldReader;
using json_reader::json_type;
using json_reader::MakeScalarReader;
namespace od = simdjson::ondemand;

// What all readers of one decoder share: the text of the value being read,
// from which the byte offsets in messages count.
struct ReadContext {
  const char* text = nullptr;
};

// Readers nest as the schema does, so their recursion is as deep as the
// schema, which MakeJsonRecordDecoder bounds by kMaxNestingDepth. `depth`
// is the level a value of `field` has when it is an array or object (the
// message's object is level 1); keys not in the schema are checked from there.
std::unique_ptr<FieldReader> MakeReader(const Field& field, ArrayBuilder* builder,
                                        const std::string& path, const JsonOptions& options,
                                        const ReadContext* context, int depth);

// The fields of one JSON object, into one builder each (a struct's children,
// or the top-level columns).
class ObjectFields {
 public:
  // `depth`: the level of the objects read (1 for the message's own).
  ObjectFields(const std::vector<Field>& fields, const std::vector<ArrayBuilder*>& builders,
               const std::string& prefix, const JsonOptions& options, const ReadContext* context,
               int depth)
      : context_(context), depth_(depth) {
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
      readers_.push_back(
          MakeReader(fields[i], builders[i], prefix + name, options, context, depth + 1));
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
        if (JsonCheck check = CheckJsonValue(value, depth_ + 1); !check.ok()) {
          return Bad(path + "." + std::string(key),
                     "not valid JSON: " + check.Reason(context_->text));
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

  const ReadContext* context_;
  int depth_;
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
               const std::vector<Field>& fields, const JsonOptions& options,
               const ReadContext* context, int depth)
      : FieldReader(path, nullable, builder),
        fields_(fields, Children(static_cast<StructBuilder*>(builder)), path + ".", options,
                context, depth) {}

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
             const JsonOptions& options, const ReadContext* context, int depth)
      : FieldReader(path, nullable, builder),
        item_(MakeReader(item, static_cast<ListBuilder*>(builder)->item_builder(), path + "[]",
                         options, context, depth + 1)) {}

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
            const JsonOptions& options, const ReadContext* context, int depth)
      : FieldReader(path, nullable, builder),
        entries_(static_cast<StructBuilder*>(static_cast<ListBuilder*>(builder)->item_builder())),
        value_(MakeReader(value, entries_->child(1), path + "{}", options, context, depth + 1)) {}

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
                                        const std::string& path, const JsonOptions& options,
                                        const ReadContext* context, int depth) {
  const DataType& type = *field.type;
  bool n = field.nullable;
  switch (type.id()) {
    case TypeId::kList:
      return std::make_unique<ListReader>(path, n, b, type.children()[0], options, context, depth);
    case TypeId::kStruct:
      return std::make_unique<StructReader>(path, n, b, type.children(), options, context, depth);
    case TypeId::kMap:
      return std::make_unique<MapReader>(path, n, b, type.children()[0].type->children()[1],
                                         options, context, depth);
    default:
      break;
  }
  return MakeScalarReader(field, b, path, options);
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
    root_ = std::make_unique<ObjectFields>(fields_, columns, "", options_, &context_, 1);
  }
  Status Append(const uint8_t* data, int64_t size) override {
    // simdjson reads past the end of its input: parse a padded copy. What
    // the padding holds does not matter (simdjson's documentation says so,
    // and no key or string read here looks past its closing quote), so it
    // is not cleared.
    size_t capacity = static_cast<size_t>(size) + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < capacity) padded_.resize(capacity);
    std::memcpy(padded_.data(), data, static_cast<size_t>(size));
    context_.text = padded_.data();
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
  ReadContext context_;
  std::unique_ptr<ObjectFields> root_;
  od::parser parser_;
  std::vector<char> padded_;
};

// JSON has no standard way to say which member of a union a value is, so a
// union column (from an Avro schema) cannot be read from JSON. Fields nested
// deeper than kMaxNestingDepth are refused too: the readers recurse as deep
// as the schema. `depth` is the level of a value of `field` as an array or
// object (the message's object is level 1).
Status CheckJsonReadable(const Field& field, const std::string& path, int depth) {
  if (field.type->id() == TypeId::kDenseUnion) {
    return Status::Invalid("value_schema." + path +
                           ": a union of several non-null types has no JSON form karrow "
                           "reads; declare one type (or [\"null\", type])");
  }
  TypeId id = field.type->id();
  if (id != TypeId::kList && id != TypeId::kStruct && id != TypeId::kMap) return Status::OK();
  if (depth > kMaxNestingDepth)
    return Status::Invalid("value_schema." + path + ": " + TooDeepMessage());
  // A map's entries struct is no level of its own in JSON: one object.
  const std::vector<Field>& children =
      id == TypeId::kMap ? field.type->children()[0].type->children() : field.type->children();
  for (const Field& child : children) {
    KARROW_RETURN_NOT_OK(CheckJsonReadable(child, path + "." + child.name, depth + 1));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeJsonRecordDecoder(std::vector<Field> fields,
                                                            JsonOptions options) {
  for (const Field& f : fields) KARROW_RETURN_NOT_OK(CheckJsonReadable(f, f.name, 2));
  return std::unique_ptr<ValueDecoder>(
      std::make_unique<JsonRecordDecoder>(std::move(fields), options));
}

}  // namespace karrow
