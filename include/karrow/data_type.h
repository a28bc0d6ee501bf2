// Arrow logical types, fields and schemas: the shapes of the columns karrow
// builds. Types are immutable and shared (std::shared_ptr<const DataType>).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "karrow/export.h"

namespace karrow {

enum class TypeId {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
  kUtf8,
  kBinary,
  kTimestamp,
  kDate32,
  kDecimal128,
  kList,
  kStruct,
  kNull,             ///< Every value null; no buffers.
  kFixedSizeBinary,  ///< byte_width() bytes per value.
  kTime32,           ///< Time of day, int32, in unit() (seconds or milliseconds).
  kTime64,           ///< Time of day, int64, in unit() (microseconds or nanoseconds).
  kMap,              ///< One child: the non-nullable struct "entries" {key, value}.
  kDenseUnion,       ///< Children are the members; type id i selects child i.
  kDuration,         ///< A length of time, int64, in unit().
};

enum class TimeUnit { kSecond, kMilli, kMicro, kNano };

class DataType;
using TypePtr = std::shared_ptr<const DataType>;

/// Key/value metadata attached to a field (kept in insertion order).
using KeyValueMetadata = std::vector<std::pair<std::string, std::string>>;

struct Field {
  std::string name;
  TypePtr type;
  bool nullable = true;
  KeyValueMetadata metadata;
};

class KARROW_EXPORT DataType {
 public:
  TypeId id() const { return id_; }
  TimeUnit unit() const { return unit_; }  ///< kTimestamp, kTime32, kTime64, kDuration.
  const std::string& timezone() const { return timezone_; }  ///< kTimestamp; empty = naive.
  int32_t precision() const { return precision_; }           ///< kDecimal128 only.
  int32_t scale() const { return scale_; }                   ///< kDecimal128 only.
  /// kList and kMap (1), kStruct and kDenseUnion (the members).
  const std::vector<Field>& children() const { return children_; }

  /// Bytes per value for fixed-width types; 0 for bool (bit-packed) and
  /// variable-size or nested types.
  int byte_width() const;
  /// The Arrow C Data Interface format string, e.g. "l", "tsm:UTC", "d:10,2".
  std::string CFormat() const;
  /// Human-readable form, e.g. "list<item: int64>".
  std::string ToString() const;
  bool Equals(const DataType& other) const;

 private:
  friend TypePtr MakePrimitive(TypeId);
  friend TypePtr timestamp(TimeUnit, std::string);
  friend TypePtr decimal128(int32_t, int32_t);
  friend TypePtr list(Field);
  friend TypePtr struct_(std::vector<Field>);
  friend TypePtr fixed_size_binary(int32_t);
  friend TypePtr time32(TimeUnit);
  friend TypePtr time64(TimeUnit);
  friend TypePtr map(Field, Field);
  friend TypePtr dense_union(std::vector<Field>);
  friend TypePtr duration(TimeUnit);
  explicit DataType(TypeId id) : id_(id) {}

  TypeId id_;
  TimeUnit unit_ = TimeUnit::kMilli;
  std::string timezone_;
  int32_t precision_ = 0;
  int32_t scale_ = 0;
  int32_t fixed_width_ = 0;
  std::vector<Field> children_;
};

KARROW_EXPORT TypePtr MakePrimitive(TypeId id);
inline TypePtr boolean() { return MakePrimitive(TypeId::kBool); }
inline TypePtr int8() { return MakePrimitive(TypeId::kInt8); }
inline TypePtr int16() { return MakePrimitive(TypeId::kInt16); }
inline TypePtr int32() { return MakePrimitive(TypeId::kInt32); }
inline TypePtr int64() { return MakePrimitive(TypeId::kInt64); }
inline TypePtr uint8() { return MakePrimitive(TypeId::kUInt8); }
inline TypePtr uint16() { return MakePrimitive(TypeId::kUInt16); }
inline TypePtr uint32() { return MakePrimitive(TypeId::kUInt32); }
inline TypePtr uint64() { return MakePrimitive(TypeId::kUInt64); }
inline TypePtr float32() { return MakePrimitive(TypeId::kFloat32); }
inline TypePtr float64() { return MakePrimitive(TypeId::kFloat64); }
inline TypePtr utf8() { return MakePrimitive(TypeId::kUtf8); }
inline TypePtr binary() { return MakePrimitive(TypeId::kBinary); }
inline TypePtr date32() { return MakePrimitive(TypeId::kDate32); }
KARROW_EXPORT TypePtr timestamp(TimeUnit unit, std::string timezone = "");
KARROW_EXPORT TypePtr decimal128(int32_t precision, int32_t scale);
KARROW_EXPORT TypePtr list(Field item);
KARROW_EXPORT TypePtr struct_(std::vector<Field> fields);
inline TypePtr null() { return MakePrimitive(TypeId::kNull); }
KARROW_EXPORT TypePtr fixed_size_binary(int32_t byte_width);
/// kSecond or kMilli.
KARROW_EXPORT TypePtr time32(TimeUnit unit);
/// kMicro or kNano.
KARROW_EXPORT TypePtr time64(TimeUnit unit);
/// map<key, value>: `key` must not be nullable (the Arrow format says so).
KARROW_EXPORT TypePtr map(Field key, Field value);
/// A dense union of `members`, with type ids 0..n-1 (at most 127).
KARROW_EXPORT TypePtr dense_union(std::vector<Field> members);
/// duration[unit]: an int64 count of `unit`.
KARROW_EXPORT TypePtr duration(TimeUnit unit);

class KARROW_EXPORT Schema {
 public:
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}
  const std::vector<Field>& fields() const { return fields_; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  const Field& field(int i) const { return fields_[i]; }
  /// Index of the field with this name, or -1.
  int IndexOf(const std::string& name) const;
  std::string ToString() const;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace karrow
