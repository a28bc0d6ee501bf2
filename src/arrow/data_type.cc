#include "karrow/data_type.h"

#include <stdexcept>

namespace karrow {

TypePtr MakePrimitive(TypeId id) {
  // Primitive types have no parameters, so one shared instance per id will do.
  static const auto* kTable = [] {
    auto* t = new std::vector<TypePtr>();
    for (int i = 0; i <= static_cast<int>(TypeId::kDenseUnion); ++i) {
      t->push_back(TypePtr(new DataType(static_cast<TypeId>(i))));
    }
    return t;
  }();
  return (*kTable)[static_cast<int>(id)];
}

TypePtr timestamp(TimeUnit unit, std::string timezone) {
  auto* t = new DataType(TypeId::kTimestamp);
  t->unit_ = unit;
  t->timezone_ = std::move(timezone);
  return TypePtr(t);
}

TypePtr decimal128(int32_t precision, int32_t scale) {
  auto* t = new DataType(TypeId::kDecimal128);
  t->precision_ = precision;
  t->scale_ = scale;
  return TypePtr(t);
}

TypePtr list(Field item) {
  auto* t = new DataType(TypeId::kList);
  t->children_.push_back(std::move(item));
  return TypePtr(t);
}

TypePtr struct_(std::vector<Field> fields) {
  auto* t = new DataType(TypeId::kStruct);
  t->children_ = std::move(fields);
  return TypePtr(t);
}

TypePtr fixed_size_binary(int32_t byte_width) {
  auto* t = new DataType(TypeId::kFixedSizeBinary);
  t->fixed_width_ = byte_width;
  return TypePtr(t);
}

TypePtr time32(TimeUnit unit) {
  auto* t = new DataType(TypeId::kTime32);
  t->unit_ = unit;
  return TypePtr(t);
}

TypePtr time64(TimeUnit unit) {
  auto* t = new DataType(TypeId::kTime64);
  t->unit_ = unit;
  return TypePtr(t);
}

TypePtr map(Field key, Field value) {
  auto* t = new DataType(TypeId::kMap);
  key.nullable = false;
  t->children_.push_back({"entries", struct_({std::move(key), std::move(value)}), false});
  return TypePtr(t);
}

TypePtr dense_union(std::vector<Field> members) {
  auto* t = new DataType(TypeId::kDenseUnion);
  t->children_ = std::move(members);
  return TypePtr(t);
}

TypePtr duration(TimeUnit unit) {
  auto* t = new DataType(TypeId::kDuration);
  t->unit_ = unit;
  return TypePtr(t);
}

int DataType::byte_width() const {
  switch (id_) {
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat32:
    case TypeId::kDate32:
    case TypeId::kTime32:
      return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
    case TypeId::kTimestamp:
    case TypeId::kTime64:
    case TypeId::kDuration:
      return 8;
    case TypeId::kDecimal128:
      return 16;
    case TypeId::kFixedSizeBinary:
      return fixed_width_;
    default:
      return 0;
  }
}

static const char* UnitLetter(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return "s";
    case TimeUnit::kMilli:
      return "m";
    case TimeUnit::kMicro:
      return "u";
    case TimeUnit::kNano:
      return "n";
  }
  return "m";
}

std::string DataType::CFormat() const {
  switch (id_) {
    case TypeId::kBool:
      return "b";
    case TypeId::kInt8:
      return "c";
    case TypeId::kUInt8:
      return "C";
    case TypeId::kInt16:
      return "s";
    case TypeId::kUInt16:
      return "S";
    case TypeId::kInt32:
      return "i";
    case TypeId::kUInt32:
      return "I";
    case TypeId::kInt64:
      return "l";
    case TypeId::kUInt64:
      return "L";
    case TypeId::kFloat32:
      return "f";
    case TypeId::kFloat64:
      return "g";
    case TypeId::kUtf8:
      return "u";
    case TypeId::kBinary:
      return "z";
    case TypeId::kDate32:
      return "tdD";
    case TypeId::kTimestamp:
      return std::string("ts") + UnitLetter(unit_) + ":" + timezone_;
    case TypeId::kDecimal128:
      return "d:" + std::to_string(precision_) + "," + std::to_string(scale_);
    case TypeId::kList:
      return "+l";
    case TypeId::kStruct:
      return "+s";
    case TypeId::kNull:
      return "n";
    case TypeId::kFixedSizeBinary:
      return "w:" + std::to_string(fixed_width_);
    case TypeId::kTime32:
    case TypeId::kTime64:
      return std::string("tt") + UnitLetter(unit_);
    case TypeId::kMap:
      return "+m";
    case TypeId::kDenseUnion: {
      std::string out = "+ud:";
      for (size_t i = 0; i < children_.size(); ++i) out += (i ? "," : "") + std::to_string(i);
      return out;
    }
    case TypeId::kDuration:
      return std::string("tD") + UnitLetter(unit_);
  }
  return "n";
}

std::string DataType::ToString() const {
  static const char* kNames[] = {
      "bool",       "int8",   "int16",  "int32",       "int64",
      "uint8",      "uint16", "uint32", "uint64",      "float",
      "double",     "string", "binary", "timestamp",   "date32",
      "decimal128", "list",   "struct", "null",        "fixed_size_binary",
      "time32",     "time64", "map",    "dense_union", "duration"};
  std::string out = kNames[static_cast<int>(id_)];
  switch (id_) {
    case TypeId::kTimestamp:
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration: {
      static const char* kUnitNames[] = {"s", "ms", "us", "ns"};
      out += std::string("[") + kUnitNames[static_cast<int>(unit_)] +
             (timezone_.empty() ? "" : ", " + timezone_) + "]";
      break;
    }
    case TypeId::kFixedSizeBinary:
      out += "[" + std::to_string(fixed_width_) + "]";
      break;
    case TypeId::kDecimal128:
      out += "(" + std::to_string(precision_) + ", " + std::to_string(scale_) + ")";
      break;
    case TypeId::kList:
    case TypeId::kStruct:
    case TypeId::kMap:
    case TypeId::kDenseUnion: {
      out += "<";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i) out += ", ";
        out += children_[i].name + ": " + children_[i].type->ToString();
      }
      out += ">";
      break;
    }
    default:
      break;
  }
  return out;
}

bool DataType::Equals(const DataType& other) const {
  if (id_ != other.id_ || unit_ != other.unit_ || timezone_ != other.timezone_ ||
      precision_ != other.precision_ || scale_ != other.scale_ ||
      fixed_width_ != other.fixed_width_ || children_.size() != other.children_.size()) {
    return false;
  }
  for (size_t i = 0; i < children_.size(); ++i) {
    const Field& a = children_[i];
    const Field& b = other.children_[i];
    if (a.name != b.name || a.nullable != b.nullable || !a.type->Equals(*b.type)) return false;
  }
  return true;
}

int Schema::IndexOf(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string Schema::ToString() const {
  std::string out;
  for (const Field& f : fields_) {
    out += f.name + ": " + f.type->ToString() + (f.nullable ? "" : " not null") + "\n";
  }
  return out;
}

}  // namespace karrow
