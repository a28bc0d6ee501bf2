#include "formats/protobuf_arrow_type.h"

#include <google/protobuf/descriptor.h>

#include <set>
#include <string>

#include "formats/nesting_limit.h"

namespace karrow {
namespace {

namespace pb = google::protobuf;

class Mapper {
 public:
  Result<std::vector<Field>> Message(const pb::Descriptor* m, const std::string& path, int depth) {
    if (depth > kMaxNestingDepth) {
      return Status::Invalid("protobuf schema: " + TooDeepMessage() + " at " + path);
    }
    if (!visiting_.insert(m).second) {
      return Status::Invalid("protobuf schema: message " + m->full_name() +
                             " contains itself (at " + path +
                             "); a recursive message has no Arrow form");
    }
    std::vector<Field> fields;
    for (int i = 0; i < m->field_count(); ++i) {
      const pb::FieldDescriptor* f = m->field(i);
      KARROW_ASSIGN_OR_RAISE(Field field,
                             FieldOf(f, path.empty() ? f->name() : path + "." + f->name(), depth));
      fields.push_back(std::move(field));
    }
    visiting_.erase(m);
    return fields;
  }

  Result<Field> FieldOf(const pb::FieldDescriptor* f, const std::string& path, int depth) {
    if (f->is_map()) {
      const pb::Descriptor* entry = f->message_type();
      KARROW_ASSIGN_OR_RAISE(TypePtr key, Value(entry->map_key(), path + ".key", depth + 1));
      KARROW_ASSIGN_OR_RAISE(TypePtr value, Value(entry->map_value(), path + ".value", depth + 1));
      return Field{f->name(), map({"key", key, false}, {"value", value, true}), false};
    }
    KARROW_ASSIGN_OR_RAISE(TypePtr type, Value(f, path, depth));
    if (f->is_repeated()) return Field{f->name(), list({"item", type, false}), false};
    // Presence: proto3 implicit scalars are never null (absent is the default).
    bool nullable = f->has_presence() && !f->is_required();
    return Field{f->name(), type, nullable};
  }

  // The type of one value of `f` (an item, if repeated).
  Result<TypePtr> Value(const pb::FieldDescriptor* f, const std::string& path, int depth) {
    switch (f->type()) {
      case pb::FieldDescriptor::TYPE_INT32:
      case pb::FieldDescriptor::TYPE_SINT32:
      case pb::FieldDescriptor::TYPE_SFIXED32:
        return int32();
      case pb::FieldDescriptor::TYPE_UINT32:
      case pb::FieldDescriptor::TYPE_FIXED32:
        return uint32();
      case pb::FieldDescriptor::TYPE_INT64:
      case pb::FieldDescriptor::TYPE_SINT64:
      case pb::FieldDescriptor::TYPE_SFIXED64:
        return int64();
      case pb::FieldDescriptor::TYPE_UINT64:
      case pb::FieldDescriptor::TYPE_FIXED64:
        return uint64();
      case pb::FieldDescriptor::TYPE_FLOAT:
        return float32();
      case pb::FieldDescriptor::TYPE_DOUBLE:
        return float64();
      case pb::FieldDescriptor::TYPE_BOOL:
        return boolean();
      case pb::FieldDescriptor::TYPE_STRING:
      case pb::FieldDescriptor::TYPE_ENUM:
        return utf8();
      case pb::FieldDescriptor::TYPE_BYTES:
        return binary();
      case pb::FieldDescriptor::TYPE_GROUP:
        return Status::Invalid("protobuf schema: field " + path +
                               " is a group, which karrow does not read (groups are deprecated)");
      case pb::FieldDescriptor::TYPE_MESSAGE:
        break;
    }
    const pb::Descriptor* m = f->message_type();
    switch (WellKnownKind(m)) {
      case ProtoWellKnown::kTimestamp:
        return timestamp(TimeUnit::kNano, "UTC");
      case ProtoWellKnown::kDuration:
        return duration(TimeUnit::kNano);
      case ProtoWellKnown::kWrapper:
        return Value(m->field(0), path, depth);
      case ProtoWellKnown::kNone:
        break;
    }
    KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, Message(m, path, depth + 1));
    return struct_(std::move(fields));
  }

 private:
  std::set<const pb::Descriptor*> visiting_;
};

}  // namespace

ProtoWellKnown WellKnownKind(const pb::Descriptor* m) {
  const std::string& name = m->full_name();
  if (name.rfind("google.protobuf.", 0) != 0) return ProtoWellKnown::kNone;
  if (name == "google.protobuf.Timestamp") return ProtoWellKnown::kTimestamp;
  if (name == "google.protobuf.Duration") return ProtoWellKnown::kDuration;
  static const std::set<std::string> kWrappers = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  // Checked by shape too: a file that redefines the name gets no special treatment.
  if (kWrappers.count(name) && m->field_count() == 1 && m->field(0)->number() == 1 &&
      !m->field(0)->is_repeated()) {
    return ProtoWellKnown::kWrapper;
  }
  return ProtoWellKnown::kNone;
}

Result<std::vector<Field>> ProtobufToArrowColumns(const pb::Descriptor* message) {
  return Mapper().Message(message, "", 1);
}

Result<Field> ProtobufToArrowField(const pb::FieldDescriptor* field) {
  return Mapper().FieldOf(field, field->name(), 1);
}

}  // namespace karrow
