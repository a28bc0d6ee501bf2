// The steps an Avro decode program is made of, shared by the compiler that
// resolves a writer and a reader schema into them and the decoder that runs them.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "arrow/builder.h"
#include "formats/avro_schema.h"
#include "formats/nesting_limit.h"

namespace karrow::avro_program {

// Skipping a writer-only part follows the writer schema, which may be
// recursive: data nested deeper than kMaxNestingDepth is refused there. The
// steps that read into columns follow the reader schema, whose depth
// AvroToArrowColumns and the compiler bound.
// Items that take no bytes (null, empty records) are not bounded by the
// input's size, so their total per value is bounded instead.
constexpr int64_t kMaxZeroSizeItems = int64_t{1} << 20;

enum class Op : uint8_t {
  kNull,
  kBoolean,
  kIntToInt32,
  kIntToInt64,
  kIntToFloat,
  kIntToDouble,
  kLongToInt64,
  kLongToFloat,
  kLongToDouble,
  kFloatToFloat,
  kFloatToDouble,
  kDoubleToDouble,
  kToBinary,        // bytes or string into binary
  kToUtf8,          // string or bytes into utf8, UTF-8 checked
  kFixed,           // into fixed_size_binary
  kBytesToDecimal,  // two's-complement big-endian into decimal128
  kFixedToDecimal,
  kEnum,
  kRecord,  // children in writer field order, then reader defaults
  kArray,
  kMap,
  kWriterUnion,    // reads the branch index, runs children[index]
  kToUnionMember,  // runs children[0] into member `member`, then selects it
  kSkip,           // a writer-only value, skipped by its schema
  kFail,           // a writer union branch the reader cannot take
};

struct DefaultValue;

struct Step {
  Op op = Op::kSkip;
  ArrayBuilder* out = nullptr;   // kRecord: nullptr for the top level (columns)
  int node = -1;                 // writer node (kSkip, kFixed*, kEnum, kArray, kMap)
  int8_t member = 0;             // kToUnionMember
  bool zero_size_items = false;  // kArray: items take no bytes
  int16_t depth = 0;             // kSkip: the level of the skipped value (the top is 1)
  int32_t precision = 0;         // decimals
  std::vector<Step> children;
  std::vector<int32_t> enum_map;     // writer symbol -> reader symbol, -1 if none
  std::vector<std::string> symbols;  // reader symbols
  std::vector<DefaultValue> defaults;
  std::string path;     // the reader field, for messages
  std::string message;  // kFail
};

struct DefaultValue {
  std::string bytes;  // the default, encoded with the reader's schema
  Step program;       // reads those bytes into the field's builder
};

// Smallest encoded size of a value of node `i`: 0 only for values that are
// always empty (null, fixed(0), records of such). `depth` is the level of
// node `i`; a record deeper than kMaxNestingDepth counts as taking bytes, so
// that its values are read (and refused as too deep), never passed over.
inline int MinSize(const AvroSchema& s, int i, std::set<int>* visiting, int depth) {
  const AvroNode& n = s.node(i);
  switch (n.type) {
    case AvroType::kNull:
      return 0;
    case AvroType::kFixed:
      return n.size > 0 ? 1 : 0;
    case AvroType::kRecord: {
      if (depth > kMaxNestingDepth || !visiting->insert(i).second) return 1;
      int total = 0;
      for (const AvroField& f : n.fields) total += MinSize(s, f.type, visiting, depth + 1) > 0;
      visiting->erase(i);
      return total > 0 ? 1 : 0;
    }
    default:
      return 1;
  }
}

/// The program reading values of `writer` as `reader`: into `out`, or, for
/// a record at the top (`out` null), into `columns`, one per reader field.
Result<Step> CompileSteps(const AvroSchema& writer, const AvroSchema& reader, ArrayBuilder* out,
                          const std::vector<ArrayBuilder*>* columns);

}  // namespace karrow::avro_program
