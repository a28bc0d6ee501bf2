// An Avro schema, parsed from its JSON form (Avro specification 1.11/1.12)
// into a graph of nodes. Named types are nodes that later references point
// back to, so recursive schemas parse (they cannot become Arrow columns,
// which the decoder compiler reports, but a writer may still carry them in
// fields the reader skips).
//
// Schemas come from schema registries and topics, so the parser treats its
// input as hostile: nesting depth and node count are bounded, unknown
// attributes are ignored (as the specification asks), and anything invalid
// is an error naming where it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "karrow/status.h"

namespace karrow {

enum class AvroType : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

/// The logical types karrow maps to Arrow types. One that is invalid for its
/// underlying type (e.g. "date" on a string) is ignored, as the specification
/// says: the value is read as the underlying type.
enum class AvroLogicalType : uint8_t {
  kNone,
  kDecimal,               ///< bytes or fixed
  kUuid,                  ///< string (or fixed(16) as of Avro 1.12)
  kDate,                  ///< int: days since the epoch
  kTimeMillis,            ///< int
  kTimeMicros,            ///< long
  kTimestampMillis,       ///< long, UTC
  kTimestampMicros,       ///< long, UTC
  kTimestampNanos,        ///< long, UTC
  kLocalTimestampMillis,  ///< long, no time zone
  kLocalTimestampMicros,  ///< long, no time zone
  kLocalTimestampNanos,   ///< long, no time zone
};

struct AvroField {
  std::string name;
  std::vector<std::string> aliases;
  int type = -1;  ///< Node index.
  bool has_default = false;
  std::string default_json;  ///< The default value's JSON text.
};

struct AvroNode {
  AvroType type = AvroType::kNull;
  AvroLogicalType logical = AvroLogicalType::kNone;
  int32_t precision = 0;  ///< kDecimal.
  int32_t scale = 0;      ///< kDecimal.
  /// Named types (record, enum, fixed): the full name and the full aliases.
  std::string name;
  std::vector<std::string> aliases;
  std::vector<AvroField> fields;     ///< kRecord.
  std::vector<std::string> symbols;  ///< kEnum.
  std::string enum_default;          ///< kEnum; empty when there is none.
  int32_t size = 0;                  ///< kFixed.
  int items = -1;                    ///< kArray items, kMap values: node index.
  std::vector<int> branches;         ///< kUnion: node indexes.
};

class AvroSchema {
 public:
  /// Parses a schema; errors name the path to the offending part.
  static Result<AvroSchema> Parse(std::string_view json);

  int root() const { return root_; }
  const AvroNode& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  /// A short human-readable name for node `i`: "long", "record com.x.Bid",
  /// "array<...>", used in error messages.
  std::string Describe(int i) const;

 private:
  friend class AvroSchemaParser;
  std::vector<AvroNode> nodes_;
  int root_ = -1;
};

/// The unqualified part of a full name ("com.x.Bid" -> "Bid").
std::string_view AvroShortName(std::string_view full_name);

}  // namespace karrow
