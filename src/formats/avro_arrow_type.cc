#include "formats/avro_arrow_type.h"

#include <set>

#include "formats/nesting_limit.h"

namespace karrow {
namespace {

class Mapper {
 public:
  explicit Mapper(const AvroSchema& schema) : schema_(schema) {}

  // `path` names the place for error messages; `depth` is the level of
  // node `i` (the top is 1; records, arrays, maps and unions add one, as in
  // the parser: a union costs the compiler's recursion a level's stack too).
  // The parser bounds how deep a schema's text nests, but a named type used
  // by reference brings its whole depth along, so a chain of references
  // nests deeper than the text: the Arrow form (and the decoder built from
  // it, which recurses as deep) is bounded here.
  Result<Field> Map(int i, const std::string& name, const std::string& path, int depth) {
    const AvroNode& n = schema_.node(i);
    bool nested = n.type == AvroType::kRecord || n.type == AvroType::kArray ||
                  n.type == AvroType::kMap || n.type == AvroType::kUnion;
    if (nested && depth > kMaxNestingDepth) {
      return Status::Invalid("Avro schema, at " + (path.empty() ? std::string("the top") : path) +
                             ": " + TooDeepMessage() +
                             " (counting named types where they are used)");
    }
    if (!n.name.empty() && !visiting_.insert(i).second) {
      return Status::Invalid("Avro schema, at " + path + ": " + n.name +
                             " contains itself; recursive types cannot be Arrow columns");
    }
    Result<Field> out = MapNode(i, name, path, depth);
    visiting_.erase(i);
    return out;
  }

 private:
  Result<Field> MapNode(int i, const std::string& name, const std::string& path, int depth) {
    const AvroNode& n = schema_.node(i);
    switch (n.type) {
      case AvroType::kNull:
        return Field{name, null(), true};
      case AvroType::kBoolean:
        return Field{name, boolean(), false};
      case AvroType::kInt:
        if (n.logical == AvroLogicalType::kDate) return Field{name, date32(), false};
        if (n.logical == AvroLogicalType::kTimeMillis)
          return Field{name, time32(TimeUnit::kMilli), false};
        return Field{name, int32(), false};
      case AvroType::kLong:
        return Field{name, LongType(n.logical), false};
      case AvroType::kFloat:
        return Field{name, float32(), false};
      case AvroType::kDouble:
        return Field{name, float64(), false};
      case AvroType::kBytes:
        if (n.logical == AvroLogicalType::kDecimal) return Decimal(n, name, path);
        return Field{name, binary(), false};
      case AvroType::kString:
        return Field{name, utf8(), false};
      case AvroType::kEnum:
        return Field{name, utf8(), false};
      case AvroType::kFixed:
        if (n.logical == AvroLogicalType::kDecimal) return Decimal(n, name, path);
        if (n.size > kMaxArrowFixedSize) {
          return Status::Invalid("Avro schema, at " + path + ": fixed " + n.name + " of " +
                                 std::to_string(n.size) + " bytes is larger than the " +
                                 std::to_string(kMaxArrowFixedSize) +
                                 " bytes karrow maps to a column");
        }
        if (n.logical == AvroLogicalType::kUuid) {
          return Field{name,
                       fixed_size_binary(16),
                       false,
                       {{"ARROW:extension:name", "arrow.uuid"}, {"ARROW:extension:metadata", ""}}};
        }
        return Field{name, fixed_size_binary(n.size), false};
      case AvroType::kRecord: {
        std::vector<Field> children;
        for (const AvroField& f : n.fields) {
          KARROW_ASSIGN_OR_RAISE(
              Field child,
              Map(f.type, f.name, path.empty() ? f.name : path + "." + f.name, depth + 1));
          children.push_back(std::move(child));
        }
        return Field{name, struct_(std::move(children)), false};
      }
      case AvroType::kArray: {
        KARROW_ASSIGN_OR_RAISE(Field item, Map(n.items, "item", path + "[]", depth + 1));
        return Field{name, list(std::move(item)), false};
      }
      case AvroType::kMap: {
        KARROW_ASSIGN_OR_RAISE(Field value, Map(n.items, "value", path + "{}", depth + 1));
        return Field{name, map({"key", utf8(), false}, std::move(value)), false};
      }
      case AvroType::kUnion:
        return Union(i, name, path, depth);
    }
    return Status::Internal("unknown Avro type");
  }

  static TypePtr LongType(AvroLogicalType logical) {
    switch (logical) {
      case AvroLogicalType::kTimeMicros:
        return time64(TimeUnit::kMicro);
      case AvroLogicalType::kTimestampMillis:
        return timestamp(TimeUnit::kMilli, "UTC");
      case AvroLogicalType::kTimestampMicros:
        return timestamp(TimeUnit::kMicro, "UTC");
      case AvroLogicalType::kTimestampNanos:
        return timestamp(TimeUnit::kNano, "UTC");
      case AvroLogicalType::kLocalTimestampMillis:
        return timestamp(TimeUnit::kMilli);
      case AvroLogicalType::kLocalTimestampMicros:
        return timestamp(TimeUnit::kMicro);
      case AvroLogicalType::kLocalTimestampNanos:
        return timestamp(TimeUnit::kNano);
      default:
        return int64();
    }
  }

  static Result<Field> Decimal(const AvroNode& n, const std::string& name,
                               const std::string& path) {
    if (n.precision > 38) {
      return Status::Invalid("Avro schema, at " + path + ": decimal(" +
                             std::to_string(n.precision) + ", " + std::to_string(n.scale) +
                             ") has more than the 38 digits of Arrow's decimal128");
    }
    return Field{name, decimal128(n.precision, n.scale), false};
  }

  Result<Field> Union(int i, const std::string& name, const std::string& path, int depth) {
    const AvroNode& n = schema_.node(i);
    int value_branch;
    if (IsNullableUnion(schema_, i, &value_branch)) {
      KARROW_ASSIGN_OR_RAISE(Field f, Map(value_branch, name, path, depth + 1));
      f.nullable = true;
      return f;
    }
    if (n.branches.size() == 1) return Map(n.branches[0], name, path, depth + 1);
    if (n.branches.size() > 127) {
      return Status::Invalid("Avro schema, at " + path +
                             ": a union of more than 127 types has no Arrow form");
    }
    std::vector<Field> members;
    for (int b : n.branches) {
      // Members are named after their Avro type, as other Avro readers do.
      const AvroNode& branch = schema_.node(b);
      std::string member =
          branch.name.empty() ? schema_.Describe(b) : std::string(AvroShortName(branch.name));
      KARROW_ASSIGN_OR_RAISE(Field f, Map(b, member, path + "<" + member + ">", depth + 1));
      members.push_back(std::move(f));
    }
    // A union has no validity of its own: its nulls live in the null member.
    return Field{name, dense_union(std::move(members)), true};
  }

  const AvroSchema& schema_;
  std::set<int> visiting_;
};

}  // namespace

bool IsNullableUnion(const AvroSchema& schema, int i, int* value_branch) {
  const AvroNode& n = schema.node(i);
  if (n.type != AvroType::kUnion || n.branches.size() != 2) return false;
  for (int k = 0; k < 2; ++k) {
    if (schema.node(n.branches[k]).type == AvroType::kNull) {
      *value_branch = n.branches[1 - k];
      return true;
    }
  }
  return false;
}

Result<Field> AvroToArrowField(const AvroSchema& schema, int i, const std::string& name) {
  return Mapper(schema).Map(i, name, name, 1);
}

Result<std::vector<Field>> AvroToArrowColumns(const AvroSchema& schema) {
  const AvroNode& root = schema.node(schema.root());
  if (root.type != AvroType::kRecord) {
    KARROW_ASSIGN_OR_RAISE(Field f, AvroToArrowField(schema, schema.root(), "value"));
    return std::vector<Field>{std::move(f)};
  }
  // The top record's fields are the columns, named without a prefix.
  KARROW_ASSIGN_OR_RAISE(Field f, Mapper(schema).Map(schema.root(), "value", "", 1));
  return f.type->children();
}

}  // namespace karrow
