#include "formats/json_schema.h"

#include <simdjson.h>

#include <cstdio>
#include <set>

#include "formats/avro_arrow_type.h"
#include "formats/avro_schema.h"
#include "formats/nesting_limit.h"

namespace karrow {
namespace {

using simdjson::dom::element;

// ParseType and ParseFields recurse once per level of the schema: bounded by
// kMaxNestingDepth, the levels the decoder will read. `depth` is the level a
// value of the type has as an array or object (the message's object, whose
// fields ParseFields reads at depth 1, is level 1).
Result<TypePtr> ParseType(element type, const std::string& path, int depth);

Result<std::vector<Field>> ParseFields(element list, const std::string& path, int depth) {
  simdjson::dom::array fields;
  if (list.get_array().get(fields)) return Status::Invalid(path + ": expected a list of fields");
  std::vector<Field> out;
  std::set<std::string> names;
  for (element f : fields) {
    simdjson::dom::object obj;
    if (f.get_object().get(obj))
      return Status::Invalid(path + ": each field is an object with name and type");
    Field field;
    bool has_type = false;
    element type;
    for (auto [key, value] : obj) {
      if (key == "name") {
        std::string_view name;
        if (value.get_string().get(name) || name.empty())
          return Status::Invalid(path + ": a field name must be a non-empty string");
        field.name = std::string(name);
      } else if (key == "type") {
        type = value;
        has_type = true;
      } else if (key == "nullable") {
        if (value.get_bool().get(field.nullable))
          return Status::Invalid(path + ": nullable must be true or false");
      } else {
        return Status::Invalid(path + ": unknown key '" + std::string(key) +
                               "' in a field (name, type, nullable)");
      }
    }
    std::string here = path + "." + (field.name.empty() ? "?" : field.name);
    if (field.name.empty()) return Status::Invalid(here + ": field without a name");
    if (!has_type) return Status::Invalid(here + ": field without a type");
    if (!names.insert(field.name).second) return Status::Invalid(here + ": field declared twice");
    KARROW_ASSIGN_OR_RAISE(field.type, ParseType(type, here, depth + 1));
    out.push_back(std::move(field));
  }
  if (out.empty()) return Status::Invalid(path + ": no fields declared");
  return out;
}

Result<TypePtr> ParseNamedType(std::string_view name, const std::string& path) {
  static const std::vector<std::pair<std::string_view, TypePtr>> kSimple = {
      {"bool", boolean()},  {"int8", int8()},       {"int16", int16()},     {"int32", int32()},
      {"int64", int64()},   {"uint8", uint8()},     {"uint16", uint16()},   {"uint32", uint32()},
      {"uint64", uint64()}, {"float32", float32()}, {"float64", float64()}, {"utf8", utf8()},
      {"binary", binary()}, {"date32", date32()},
  };
  for (const auto& [n, t] : kSimple) {
    if (name == n) return t;
  }
  static const std::vector<std::pair<std::string_view, TimeUnit>> kUnits = {
      {"timestamp[s]", TimeUnit::kSecond},
      {"timestamp[ms]", TimeUnit::kMilli},
      {"timestamp[us]", TimeUnit::kMicro},
      {"timestamp[ns]", TimeUnit::kNano}};
  for (const auto& [n, unit] : kUnits) {
    if (name == n) return timestamp(unit, "UTC");
  }
  int precision = 0, scale = 0, consumed = 0;
  std::string text(name);
  if (std::sscanf(text.c_str(), "decimal128(%d ,%d )%n", &precision, &scale, &consumed) == 2 &&
      consumed == static_cast<int>(text.size())) {
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
      return Status::Invalid(path + ": " + text +
                             ": need 1 <= precision <= 38 and 0 <= scale <= precision");
    }
    return decimal128(precision, scale);
  }
  return Status::Invalid(
      path + ": unknown type '" + text +
      "' (bool, int8..int64, uint8..uint64, float32, float64, utf8, binary, date32, "
      "timestamp[s|ms|us|ns], decimal128(P, S), {\"list\": T}, {\"struct\": [...]})");
}

Result<TypePtr> ParseType(element type, const std::string& path, int depth) {
  std::string_view name;
  if (!type.get_string().get(name)) return ParseNamedType(name, path);
  if (depth > kMaxNestingDepth) return Status::Invalid(path + ": " + TooDeepMessage());
  simdjson::dom::object obj;
  if (type.get_object().get(obj) || obj.size() != 1) {
    return Status::Invalid(path + ": a type is a name, {\"list\": T} or {\"struct\": [fields]}");
  }
  auto [key, value] = *obj.begin();
  if (key == "list") {
    KARROW_ASSIGN_OR_RAISE(TypePtr item, ParseType(value, path + "[]", depth + 1));
    return list({"item", item, true});
  }
  if (key == "struct") {
    KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, ParseFields(value, path, depth));
    return struct_(std::move(fields));
  }
  return Status::Invalid(path + ": unknown nested type '" + std::string(key) +
                         "' (list or struct)");
}

}  // namespace

Result<std::vector<Field>> ParseJsonSchema(const std::string& text) {
  simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(text).get(doc)) {
    return Status::Invalid(std::string("value_schema: not valid JSON: ") +
                           simdjson::error_message(error));
  }
  simdjson::dom::object obj;
  element fields, type;
  // An Avro schema is a name, a union (array) or an object with "type".
  bool avro = doc.is_string() || doc.is_array() ||
              (doc.get_object().get(obj) == simdjson::SUCCESS && !obj["type"].get(type));
  if (avro) {
    KARROW_ASSIGN_OR_RAISE(AvroSchema schema, AvroSchema::Parse(text));
    KARROW_ASSIGN_OR_RAISE(std::vector<Field> columns, AvroToArrowColumns(schema));
    return columns;
  }
  if (doc.get_object().get(obj) || obj.size() != 1 || obj["fields"].get(fields)) {
    return Status::Invalid("value_schema: expected {\"fields\": [...]}");
  }
  return ParseFields(fields, "value_schema", 1);
}

}  // namespace karrow
