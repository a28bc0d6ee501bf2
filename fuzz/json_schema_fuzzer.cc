// The schema-file parser (ParseJsonSchema) on arbitrary text. A rejected
// schema must be kInvalidArgument. An accepted one must be well formed
// (named, unique, sane decimals), survive a round trip through its own JSON
// form unchanged, and drive the typed decoder: a record written to match it
// is accepted, and the batches are valid Arrow.
// dict: json.dict
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "decoder_harness.h"
#include "formats/json_decoder.h"
#include "formats/json_schema.h"
#include "formats/nesting_limit.h"

namespace karrow::fuzz {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string FieldsToJson(const std::vector<Field>& fields);

std::string TypeToJson(const DataType& type) {
  switch (type.id()) {
    case TypeId::kList:
      return "{\"list\": " + TypeToJson(*type.children()[0].type) + "}";
    case TypeId::kStruct:
      return "{\"struct\": " + FieldsToJson(type.children()) + "}";
    case TypeId::kDecimal128:
      return "\"decimal128(" + std::to_string(type.precision()) + ", " +
             std::to_string(type.scale()) + ")\"";
    case TypeId::kTimestamp: {
      static const char* const kUnits[] = {"s", "ms", "us", "ns"};
      return std::string("\"timestamp[") + kUnits[static_cast<int>(type.unit())] + "]\"";
    }
    default:
      break;
  }
  static const std::pair<TypeId, const char*> kNames[] = {
      {TypeId::kBool, "bool"},       {TypeId::kInt8, "int8"},       {TypeId::kInt16, "int16"},
      {TypeId::kInt32, "int32"},     {TypeId::kInt64, "int64"},     {TypeId::kUInt8, "uint8"},
      {TypeId::kUInt16, "uint16"},   {TypeId::kUInt32, "uint32"},   {TypeId::kUInt64, "uint64"},
      {TypeId::kFloat32, "float32"}, {TypeId::kFloat64, "float64"}, {TypeId::kUtf8, "utf8"},
      {TypeId::kBinary, "binary"},   {TypeId::kDate32, "date32"}};
  for (const auto& [id, name] : kNames) {
    if (type.id() == id) return Quote(name);
  }
  return "\"a type this round trip does not know: " + type.ToString() + "\"";
}

std::string FieldsToJson(const std::vector<Field>& fields) {
  std::string out = "[";
  for (const Field& f : fields) {
    if (out.size() > 1) out += ", ";
    out += "{\"name\": " + Quote(f.name) + ", \"type\": " + TypeToJson(*f.type) +
           (f.nullable ? "" : ", \"nullable\": false") + "}";
  }
  return out + "]";
}

// A JSON value of `type` that the decoder must accept.
std::string SampleValue(const DataType& type) {
  switch (type.id()) {
    case TypeId::kBool:
      return "true";
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return "-1.5";
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return "\"x\\u00e9\"";
    case TypeId::kDate32:
      return "\"2024-02-29\"";
    case TypeId::kTimestamp:
      return "\"2024-02-29T23:59:59+01:00\"";
    case TypeId::kDecimal128:
      return "\"0\"";
    case TypeId::kList:
      return "[" + SampleValue(*type.children()[0].type) + ", null]";
    case TypeId::kStruct: {
      std::string out = "{";
      for (const Field& f : type.children()) {
        if (out.size() > 1) out += ", ";
        out += Quote(f.name) + ": " + SampleValue(*f.type);
      }
      return out + "}";
    }
    default:
      return "1";  // every integer type holds 1
  }
}

// `depth`: the level of the object (or array) holding `fields`, 1 for the
// message's object; no array or object may be deeper than the decoder reads.
void CheckFields(const std::vector<Field>& fields, int depth) {
  if (fields.empty()) CheckOk(Status::Invalid("a struct without fields"), "accepted schema");
  if (depth > kMaxNestingDepth)
    CheckOk(Status::Invalid("nested " + std::to_string(depth) + " deep"), "accepted schema");
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (f.name.empty() || !f.type)
      CheckOk(Status::Invalid("a field without name or type"), "accepted schema");
    for (size_t j = 0; j < i; ++j) {
      if (fields[j].name == f.name)
        CheckOk(Status::Invalid("'" + f.name + "' declared twice"), "accepted schema");
    }
    const DataType& t = *f.type;
    if (t.id() == TypeId::kDecimal128 &&
        (t.precision() < 1 || t.precision() > 38 || t.scale() < 0 || t.scale() > t.precision())) {
      CheckOk(Status::Invalid("decimal128(" + std::to_string(t.precision()) + ", " +
                              std::to_string(t.scale()) + ")"),
              "accepted schema");
    }
    if (t.id() == TypeId::kList) {
      if (t.children().size() != 1)
        CheckOk(Status::Invalid("a list without one item"), "accepted schema");
      CheckFields(t.children(), depth + 1);
    }
    if (t.id() == TypeId::kStruct) CheckFields(t.children(), depth + 1);
  }
}

bool SameFields(const std::vector<Field>& a, const std::vector<Field>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].nullable != b[i].nullable || !a[i].type->Equals(*b[i].type))
      return false;
  }
  return true;
}

}  // namespace
}  // namespace karrow::fuzz

// The types of the schema file format (json_schema.h).
bool FieldsToJsonCanWrite(const karrow::DataType& type) {
  using karrow::TypeId;
  switch (type.id()) {
    case TypeId::kNull:
    case TypeId::kFixedSizeBinary:
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kMap:
    case TypeId::kDenseUnion:
      return false;
    case TypeId::kStruct:
      // An Avro record without fields: the schema file has no empty struct.
      if (type.children().empty()) return false;
      [[fallthrough]];
    default:
      for (const karrow::Field& child : type.children()) {
        if (!FieldsToJsonCanWrite(*child.type)) return false;
      }
      return true;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Result<std::vector<Field>> parsed = ParseJsonSchema(text);
  if (!parsed.ok()) {
    if (parsed.status().code() != StatusCode::kInvalidArgument ||
        parsed.status().message().empty()) {
      CheckOk(parsed.status(), "ParseJsonSchema failed with a code other than invalid argument");
    }
    return 0;
  }
  // An Avro schema also declares JSON columns; its parser has a target of
  // its own (avro_schema), and its types have no form in the schema file
  // (nor has a record without fields, which declares no columns).
  if (parsed->empty()) return 0;
  for (const Field& f : *parsed) {
    if (!FieldsToJsonCanWrite(*f.type)) return 0;
  }
  const std::vector<Field>& fields = *parsed;
  CheckFields(fields, 1);

  const std::string again = "{\"fields\": " + FieldsToJson(fields) + "}";
  Result<std::vector<Field>> reparsed = ParseJsonSchema(again);
  CheckOk(reparsed.status(), "the schema's own JSON form does not parse: " + again);
  if (!SameFields(fields, *reparsed))
    CheckOk(Status::Invalid(again), "the schema changed in a round trip");

  DecoderHarness harness([&] {
    auto decoder = MakeJsonRecordDecoder(fields);
    CheckOk(decoder.status(), "a schema-file schema has no JSON decoder");
    return std::move(decoder).ValueOrDie();
  });
  std::string sample = "{";
  for (const Field& f : fields) {
    if (sample.size() > 1) sample += ", ";
    sample += Quote(f.name) + ": " + SampleValue(*f.type);
  }
  sample += "}";
  CheckOk(harness.Append(sample), "a record written to match the schema was rejected: " + sample);
  (void)harness.Append("{}");
  (void)harness.Append(text);
  CheckOk(harness.Append(sample), "the sample record after others");
  harness.FinishBatch();
  return 0;
}
