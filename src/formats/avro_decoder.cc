#include "formats/avro_decoder.h"

#include <set>

#include "formats/avro_arrow_type.h"
#include "formats/avro_cursor.h"
#include "formats/avro_default.h"
#include "formats/utf8.h"

namespace karrow {
namespace {

// Skipping a writer-only part follows the writer schema, which may be
// recursive; data nested deeper than this is refused.
constexpr int kMaxSkipDepth = 256;
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

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Names of named types match when their unqualified names do, or when the
// reader lists the writer's name among its aliases.
bool NamesMatch(const AvroNode& w, const AvroNode& r) {
  if (AvroShortName(w.name) == AvroShortName(r.name)) return true;
  for (const std::string& alias : r.aliases) {
    if (alias == w.name || AvroShortName(alias) == AvroShortName(w.name)) return true;
  }
  return false;
}

bool Promotable(AvroType w, AvroType r) {
  switch (w) {
    case AvroType::kInt:
      return r == AvroType::kLong || r == AvroType::kFloat || r == AvroType::kDouble;
    case AvroType::kLong:
      return r == AvroType::kFloat || r == AvroType::kDouble;
    case AvroType::kFloat:
      return r == AvroType::kDouble;
    case AvroType::kString:
      return r == AvroType::kBytes;
    case AvroType::kBytes:
      return r == AvroType::kString;
    default:
      return false;
  }
}

// Smallest encoded size of a value of node `i`: 0 only for values that are
// always empty (null, fixed(0), records of such).
int MinSize(const AvroSchema& s, int i, std::set<int>* visiting) {
  const AvroNode& n = s.node(i);
  switch (n.type) {
    case AvroType::kNull:
      return 0;
    case AvroType::kFixed:
      return n.size > 0 ? 1 : 0;
    case AvroType::kRecord: {
      if (!visiting->insert(i).second) return 1;
      int total = 0;
      for (const AvroField& f : n.fields) total += MinSize(s, f.type, visiting) > 0;
      visiting->erase(i);
      return total > 0 ? 1 : 0;
    }
    default:
      return 1;
  }
}

class Compiler {
 public:
  Compiler(const AvroSchema& writer, const AvroSchema& reader) : ws_(writer), rs_(reader) {}

  Result<Step> Resolve(int w, int r, ArrayBuilder* out, const std::string& path) {
    const AvroNode& W = ws_.node(w);
    const AvroNode& R = rs_.node(r);
    if (W.type == AvroType::kUnion) return WriterUnion(w, r, out, path);
    if (R.type == AvroType::kUnion) return ReaderUnion(w, r, out, path);
    Step s{.out = out, .node = w, .path = path};
    switch (R.type) {
      case AvroType::kNull:
        if (W.type != AvroType::kNull) break;
        s.op = Op::kNull;
        return s;
      case AvroType::kBoolean:
        if (W.type != AvroType::kBoolean) break;
        s.op = Op::kBoolean;
        return s;
      case AvroType::kInt:
        if (W.type != AvroType::kInt) break;
        s.op = Op::kIntToInt32;
        return s;
      case AvroType::kLong:
        if (W.type != AvroType::kInt && W.type != AvroType::kLong) break;
        s.op = W.type == AvroType::kInt ? Op::kIntToInt64 : Op::kLongToInt64;
        return s;
      case AvroType::kFloat:
        if (W.type == AvroType::kInt)
          s.op = Op::kIntToFloat;
        else if (W.type == AvroType::kLong)
          s.op = Op::kLongToFloat;
        else if (W.type == AvroType::kFloat)
          s.op = Op::kFloatToFloat;
        else
          break;
        return s;
      case AvroType::kDouble:
        if (W.type == AvroType::kInt)
          s.op = Op::kIntToDouble;
        else if (W.type == AvroType::kLong)
          s.op = Op::kLongToDouble;
        else if (W.type == AvroType::kFloat)
          s.op = Op::kFloatToDouble;
        else if (W.type == AvroType::kDouble)
          s.op = Op::kDoubleToDouble;
        else
          break;
        return s;
      case AvroType::kString:
        if (W.type != AvroType::kString && W.type != AvroType::kBytes) break;
        s.op = Op::kToUtf8;
        return s;
      case AvroType::kBytes:
        if (W.type != AvroType::kString && W.type != AvroType::kBytes) break;
        if (R.logical == AvroLogicalType::kDecimal)
          return Decimal(W, R, Op::kBytesToDecimal, std::move(s));
        s.op = Op::kToBinary;
        return s;
      case AvroType::kFixed:
        if (W.type != AvroType::kFixed || !NamesMatch(W, R)) break;
        if (W.size != R.size) {
          return Incompatible(path, "fixed " + W.name + " has " + std::to_string(W.size) +
                                        " bytes, the reader's " + std::to_string(R.size));
        }
        if (R.logical == AvroLogicalType::kDecimal)
          return Decimal(W, R, Op::kFixedToDecimal, std::move(s));
        s.op = Op::kFixed;
        return s;
      case AvroType::kEnum:
        if (W.type != AvroType::kEnum || !NamesMatch(W, R)) break;
        return Enum(W, R, std::move(s));
      case AvroType::kArray: {
        if (W.type != AvroType::kArray) break;
        s.op = Op::kArray;
        std::set<int> visiting;
        s.zero_size_items = MinSize(ws_, W.items, &visiting) == 0;
        auto* list = static_cast<ListBuilder*>(out);
        KARROW_ASSIGN_OR_RAISE(Step item,
                               Resolve(W.items, R.items, list->item_builder(), path + "[]"));
        s.children.push_back(std::move(item));
        return s;
      }
      case AvroType::kMap: {
        if (W.type != AvroType::kMap) break;
        s.op = Op::kMap;
        auto* entries = static_cast<StructBuilder*>(static_cast<ListBuilder*>(out)->item_builder());
        KARROW_ASSIGN_OR_RAISE(Step value,
                               Resolve(W.items, R.items, entries->child(1), path + "{}"));
        s.children.push_back(std::move(value));
        return s;
      }
      case AvroType::kRecord:
        if (W.type != AvroType::kRecord || !NamesMatch(W, R)) break;
        return Record(W, R, std::move(s));
      case AvroType::kUnion:
        break;
    }
    return Incompatible(path, "the writer's " + ws_.Describe(w) +
                                  " cannot be read as the reader's " + rs_.Describe(r));
  }

 private:
  static Status Incompatible(const std::string& path, const std::string& what) {
    return Status::Invalid("Avro writer and reader schemas are incompatible at " +
                           (path.empty() ? "the top" : path) + ": " + what);
  }

  Result<Step> WriterUnion(int w, int r, ArrayBuilder* out, const std::string& path) {
    Step s{.op = Op::kWriterUnion, .out = out, .node = w, .path = path};
    bool any = false;
    std::string last_error;
    for (int b : ws_.node(w).branches) {
      Result<Step> branch = Resolve(b, r, out, path);
      if (branch.ok()) {
        s.children.push_back(std::move(branch).ValueOrDie());
        any = true;
      } else {
        // Only an error if a value actually takes this branch.
        last_error = branch.status().message();
        s.children.push_back(Step{.op = Op::kFail, .node = b, .path = path, .message = last_error});
      }
    }
    if (!any) return Status::Invalid(last_error);
    return s;
  }

  // The reader branch a non-union writer type resolves to: the first of the
  // same type (and name), else the first it promotes to.
  int MatchBranch(const AvroNode& W, const AvroNode& R) {
    for (size_t k = 0; k < R.branches.size(); ++k) {
      const AvroNode& b = rs_.node(R.branches[k]);
      if (b.type != W.type) continue;
      bool named =
          b.type == AvroType::kRecord || b.type == AvroType::kEnum || b.type == AvroType::kFixed;
      if (!named || NamesMatch(W, b)) return static_cast<int>(k);
    }
    for (size_t k = 0; k < R.branches.size(); ++k) {
      if (Promotable(W.type, rs_.node(R.branches[k]).type)) return static_cast<int>(k);
    }
    return -1;
  }

  Result<Step> ReaderUnion(int w, int r, ArrayBuilder* out, const std::string& path) {
    const AvroNode& R = rs_.node(r);
    int k = MatchBranch(ws_.node(w), R);
    if (k < 0) {
      return Incompatible(path, "the writer's " + ws_.Describe(w) +
                                    " matches no branch of the reader's " + rs_.Describe(r));
    }
    int value_branch;
    // A nullable column or a one-branch union: the branch writes the column.
    if (IsNullableUnion(rs_, r, &value_branch) || R.branches.size() == 1) {
      return Resolve(w, R.branches[k], out, path);
    }
    auto* u = static_cast<DenseUnionBuilder*>(out);
    Step s{.op = Op::kToUnionMember,
           .out = out,
           .node = w,
           .member = static_cast<int8_t>(k),
           .path = path};
    KARROW_ASSIGN_OR_RAISE(Step value, Resolve(w, R.branches[k], u->member(k), path));
    s.children.push_back(std::move(value));
    return s;
  }

  Result<Step> Decimal(const AvroNode& W, const AvroNode& R, Op op, Step s) {
    if (W.logical == AvroLogicalType::kDecimal &&
        (W.precision != R.precision || W.scale != R.scale)) {
      return Incompatible(s.path,
                          "the writer's decimal(" + std::to_string(W.precision) + ", " +
                              std::to_string(W.scale) + ") differs from the reader's decimal(" +
                              std::to_string(R.precision) + ", " + std::to_string(R.scale) + ")");
    }
    s.op = op;
    s.precision = R.precision;
    return s;
  }

  Result<Step> Enum(const AvroNode& W, const AvroNode& R, Step s) {
    s.op = Op::kEnum;
    s.symbols = R.symbols;
    int32_t fallback = -1;
    for (size_t k = 0; k < R.symbols.size(); ++k) {
      if (R.symbols[k] == R.enum_default) fallback = static_cast<int32_t>(k);
    }
    for (const std::string& symbol : W.symbols) {
      int32_t to = fallback;
      for (size_t k = 0; k < R.symbols.size(); ++k) {
        if (R.symbols[k] == symbol) to = static_cast<int32_t>(k);
      }
      s.enum_map.push_back(to);
    }
    return s;
  }

  Result<Step> Record(const AvroNode& W, const AvroNode& R, Step s) {
    s.op = Op::kRecord;
    auto* st = static_cast<StructBuilder*>(s.out);
    auto column = [&](size_t j) -> ArrayBuilder* {
      return st ? st->child(static_cast<int>(j)) : (*columns_)[j];
    };
    std::vector<bool> filled(R.fields.size(), false);
    for (const AvroField& wf : W.fields) {
      int j = FindReaderField(R, wf.name);
      if (j < 0) {
        s.children.push_back(Step{.op = Op::kSkip, .node = wf.type, .path = Join(s.path, wf.name)});
        continue;
      }
      filled[j] = true;
      KARROW_ASSIGN_OR_RAISE(
          Step f, Resolve(wf.type, R.fields[j].type, column(j), Join(s.path, R.fields[j].name)));
      s.children.push_back(std::move(f));
    }
    for (size_t j = 0; j < R.fields.size(); ++j) {
      if (filled[j]) continue;
      const AvroField& rf = R.fields[j];
      std::string path = Join(s.path, rf.name);
      if (!rf.has_default) {
        return Incompatible(
            path, "the reader's field has no default and the writer's " + W.name + " lacks it");
      }
      DefaultValue d;
      Status st2 = EncodeAvroDefault(rs_, rf.type, rf.default_json, &d.bytes);
      if (!st2.ok()) return Incompatible(path, st2.message());
      Compiler self(rs_, rs_);
      KARROW_ASSIGN_OR_RAISE(d.program, self.Resolve(rf.type, rf.type, column(j), path));
      s.defaults.push_back(std::move(d));
    }
    return s;
  }

  static int FindReaderField(const AvroNode& R, const std::string& name) {
    for (size_t j = 0; j < R.fields.size(); ++j) {
      if (R.fields[j].name == name) return static_cast<int>(j);
    }
    for (size_t j = 0; j < R.fields.size(); ++j) {
      for (const std::string& alias : R.fields[j].aliases) {
        if (alias == name) return static_cast<int>(j);
      }
    }
    return -1;
  }

 public:
  const std::vector<ArrayBuilder*>* columns_ = nullptr;

 private:
  const AvroSchema& ws_;
  const AvroSchema& rs_;
};

}  // namespace

struct AvroDatumReader::Program {
  std::shared_ptr<const AvroSchema> writer;
  std::shared_ptr<const AvroSchema> reader;
  Step root;
  // Per value: what is left of the zero-size item allowance, and the step
  // where decoding failed (for the message).
  int64_t zero_size_budget = 0;
  const Step* failed = nullptr;

  [[gnu::cold, gnu::noinline]] bool Fail(const Step& s, AvroCursor& c, std::string why) {
    if (!failed) failed = &s;
    return c.Fail(std::move(why));
  }

  bool Skip(int i, AvroCursor& c, int depth) {
    if (depth > kMaxSkipDepth)
      return c.Fail("values nested deeper than " + std::to_string(kMaxSkipDepth) + " levels");
    const AvroNode& n = writer->node(i);
    int64_t v;
    std::string_view bytes;
    const uint8_t* fixed;
    switch (n.type) {
      case AvroType::kNull:
        return true;
      case AvroType::kBoolean: {
        bool b;
        return c.ReadBoolean(&b);
      }
      case AvroType::kInt:
      case AvroType::kLong:
      case AvroType::kEnum:
        return c.ReadLong(&v);
      case AvroType::kFloat:
        return c.ReadFixed(4, &fixed);
      case AvroType::kDouble:
        return c.ReadFixed(8, &fixed);
      case AvroType::kBytes:
      case AvroType::kString:
        return c.ReadBytes(&bytes);
      case AvroType::kFixed:
        return c.ReadFixed(n.size, &fixed);
      case AvroType::kArray:
      case AvroType::kMap: {
        std::set<int> visiting;
        // Values that take no bytes need no skipping, however many there are.
        bool empty_items = n.type == AvroType::kArray && MinSize(*writer, n.items, &visiting) == 0;
        while (true) {
          int64_t count, block_bytes;
          if (!c.ReadBlockCount(&count, &block_bytes)) return false;
          if (count == 0) return true;
          if (block_bytes >= 0) {
            if (!c.ReadFixed(block_bytes, &fixed)) return false;
            continue;
          }
          if (empty_items) continue;
          if (count > c.remaining())
            return c.Fail("block of " + std::to_string(count) + " items exceeds the bytes left");
          for (int64_t k = 0; k < count; ++k) {
            if (n.type == AvroType::kMap && !c.ReadBytes(&bytes)) return false;
            if (!Skip(n.items, c, depth + 1)) return false;
          }
        }
      }
      case AvroType::kUnion:
        if (!c.ReadLong(&v)) return false;
        if (v < 0 || v >= static_cast<int64_t>(n.branches.size())) {
          return c.Fail("union branch " + std::to_string(v) + " of " +
                        std::to_string(n.branches.size()));
        }
        return Skip(n.branches[v], c, depth + 1);
      case AvroType::kRecord:
        for (const AvroField& f : n.fields) {
          if (!Skip(f.type, c, depth + 1)) return false;
        }
        return true;
    }
    return false;
  }

  // Reads a block-encoded array or map, calling item() per item.
  template <typename ItemFn>
  bool Blocks(const Step& s, AvroCursor& c, bool zero_size, ItemFn item) {
    while (true) {
      int64_t count, block_bytes;
      if (!c.ReadBlockCount(&count, &block_bytes)) return Fail(s, c, "");
      if (count == 0) return true;
      if (zero_size) {
        if (count > zero_size_budget) {
          return Fail(
              s, c, "more than " + std::to_string(kMaxZeroSizeItems) + " empty items in one value");
        }
        zero_size_budget -= count;
      } else if (count > c.remaining()) {
        return Fail(s, c,
                    "block of " + std::to_string(count) + " items exceeds the " +
                        std::to_string(c.remaining()) + " bytes left");
      }
      for (int64_t k = 0; k < count; ++k) {
        if (!item()) return false;
      }
    }
  }

  template <typename B, typename T>
  static void Put(const Step& s, T v) {
    static_cast<B*>(s.out)->Append(v);
  }

  bool Decimal(const Step& s, AvroCursor& c, const uint8_t* p, int64_t n) {
    // Two's complement, big-endian; bytes beyond 16 may only repeat the sign.
    __int128 v = (n > 0 && (p[0] & 0x80)) ? -1 : 0;
    for (int64_t k = 0; k < n; ++k) {
      if (n - k > 16) {
        uint8_t sign = v < 0 ? 0xff : 0x00;
        if (p[k] != sign || ((p[k + 1] & 0x80) != (sign & 0x80))) {
          return Fail(s, c, "decimal of " + std::to_string(n) + " bytes does not fit 128 bits");
        }
        continue;
      }
      v = static_cast<__int128>((static_cast<unsigned __int128>(v) << 8) | p[k]);
    }
    // Arrow's decimal128(p, s) holds at most p digits.
    __int128 limit = 1;
    for (int32_t k = 0; k < s.precision; ++k) limit *= 10;
    if (v >= limit || v <= -limit) {
      return Fail(
          s, c,
          "decimal has more than its precision of " + std::to_string(s.precision) + " digits");
    }
    static_cast<Decimal128Builder*>(s.out)->Append(v);
    return true;
  }

  // A record's field. The most common types are read right here, inlined
  // into the loop over the fields, so that they cost no call of their own
  // (most values are read here); the others go through Run().
  [[gnu::always_inline]] bool RunField(const Step& s, AvroCursor& c) {
    int64_t i64 = 0;  // initialized to quiet -Wmaybe-uninitialized
    int32_t i32 = 0;
    std::string_view bytes;
    switch (s.op) {
      case Op::kLongToInt64:
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        Put<Int64Builder>(s, i64);
        return true;
      case Op::kIntToInt32:
        if (!c.ReadInt(&i32)) return Fail(s, c, "");
        Put<Int32Builder>(s, i32);
        return true;
      case Op::kToUtf8:
        if (!c.ReadBytes(&bytes)) return Fail(s, c, "");
        return AppendUtf8(s, static_cast<BinaryBuilder*>(s.out), c, bytes,
                          "string is not valid UTF-8");
      default:
        return Run(s, c);
    }
  }

  // A step without children.
  bool RunScalar(const Step& s, AvroCursor& c) {
    // Initialized only to quiet -Wmaybe-uninitialized, which loses track of
    // the reads' results once they are inlined.
    int32_t i32 = 0;
    int64_t i64 = 0;
    float f32 = 0;
    double f64 = 0;
    std::string_view bytes;
    const uint8_t* fixed = nullptr;
    switch (s.op) {
      case Op::kNull:
        s.out->AppendNull();
        return true;
      case Op::kBoolean: {
        bool b = false;
        if (!c.ReadBoolean(&b)) return Fail(s, c, "");
        static_cast<BooleanBuilder*>(s.out)->Append(b);
        return true;
      }
      case Op::kIntToInt32:
        if (!c.ReadInt(&i32)) return Fail(s, c, "");
        Put<Int32Builder>(s, i32);
        return true;
      case Op::kIntToInt64:
        if (!c.ReadInt(&i32)) return Fail(s, c, "");
        Put<Int64Builder>(s, static_cast<int64_t>(i32));
        return true;
      case Op::kIntToFloat:
        if (!c.ReadInt(&i32)) return Fail(s, c, "");
        Put<FloatBuilder>(s, static_cast<float>(i32));
        return true;
      case Op::kIntToDouble:
        if (!c.ReadInt(&i32)) return Fail(s, c, "");
        Put<DoubleBuilder>(s, static_cast<double>(i32));
        return true;
      case Op::kLongToInt64:
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        Put<Int64Builder>(s, i64);
        return true;
      case Op::kLongToFloat:
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        Put<FloatBuilder>(s, static_cast<float>(i64));
        return true;
      case Op::kLongToDouble:
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        Put<DoubleBuilder>(s, static_cast<double>(i64));
        return true;
      case Op::kFloatToFloat:
        if (!c.ReadLittleEndian(&f32)) return Fail(s, c, "");
        Put<FloatBuilder>(s, f32);
        return true;
      case Op::kFloatToDouble:
        if (!c.ReadLittleEndian(&f32)) return Fail(s, c, "");
        Put<DoubleBuilder>(s, static_cast<double>(f32));
        return true;
      case Op::kDoubleToDouble:
        if (!c.ReadLittleEndian(&f64)) return Fail(s, c, "");
        Put<DoubleBuilder>(s, f64);
        return true;
      case Op::kToUtf8:
        if (!c.ReadBytes(&bytes)) return Fail(s, c, "");
        return AppendUtf8(s, static_cast<BinaryBuilder*>(s.out), c, bytes,
                          "string is not valid UTF-8");
      case Op::kToBinary:
        if (!c.ReadBytes(&bytes)) return Fail(s, c, "");
        return Append(s, c, bytes);
      case Op::kFixed:
        if (!c.ReadFixed(writer->node(s.node).size, &fixed)) return Fail(s, c, "");
        static_cast<FixedSizeBinaryBuilder*>(s.out)->Append(fixed);
        return true;
      case Op::kBytesToDecimal:
        if (!c.ReadBytes(&bytes)) return Fail(s, c, "");
        return Decimal(s, c, reinterpret_cast<const uint8_t*>(bytes.data()),
                       static_cast<int64_t>(bytes.size()));
      case Op::kFixedToDecimal: {
        int32_t size = writer->node(s.node).size;
        if (!c.ReadFixed(size, &fixed)) return Fail(s, c, "");
        return Decimal(s, c, fixed, size);
      }
      case Op::kEnum: {
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        if (i64 < 0 || i64 >= static_cast<int64_t>(s.enum_map.size())) {
          return Fail(s, c,
                      "enum index " + std::to_string(i64) + " is not one of the writer's " +
                          std::to_string(s.enum_map.size()) + " symbols");
        }
        int32_t to = s.enum_map[static_cast<size_t>(i64)];
        if (to < 0) {
          return Fail(s, c,
                      "enum symbol '" + writer->node(s.node).symbols[static_cast<size_t>(i64)] +
                          "' is not in the reader's enum, which has no default");
        }
        return Append(s, c, s.symbols[static_cast<size_t>(to)]);
      }
      default:
        return false;  // not a scalar (Run() calls this for scalars only)
    }
  }

  bool Run(const Step& s, AvroCursor& c) {
    std::string_view bytes;
    int64_t i64;
    switch (s.op) {
      case Op::kRecord:
        for (const Step& child : s.children) {
          if (!RunField(child, c)) return false;
        }
        for (const DefaultValue& d : s.defaults) {
          AvroCursor dc(reinterpret_cast<const uint8_t*>(d.bytes.data()),
                        static_cast<int64_t>(d.bytes.size()));
          if (!Run(d.program, dc)) return Fail(d.program, c, "default value: " + dc.error());
        }
        if (s.out) static_cast<StructBuilder*>(s.out)->Append();
        return true;
      case Op::kArray: {
        auto* list = static_cast<ListBuilder*>(s.out);
        list->Append();
        return Blocks(s, c, s.zero_size_items, [&] { return Run(s.children[0], c); });
      }
      case Op::kMap: {
        auto* list = static_cast<ListBuilder*>(s.out);
        auto* entries = static_cast<StructBuilder*>(list->item_builder());
        auto* keys = static_cast<BinaryBuilder*>(entries->child(0));
        list->Append();
        return Blocks(s, c, false, [&] {
          if (!c.ReadBytes(&bytes)) return Fail(s, c, "");
          if (!AppendUtf8(s, keys, c, bytes, "map key is not valid UTF-8")) return false;
          if (!Run(s.children[0], c)) return false;
          entries->Append();
          return true;
        });
      }
      case Op::kWriterUnion:
        if (!c.ReadLong(&i64)) return Fail(s, c, "");
        if (i64 < 0 || i64 >= static_cast<int64_t>(s.children.size())) {
          return Fail(s, c,
                      "union branch index " + std::to_string(i64) + " is not one of the writer's " +
                          std::to_string(s.children.size()) + " branches");
        }
        return Run(s.children[static_cast<size_t>(i64)], c);
      case Op::kToUnionMember:
        if (!Run(s.children[0], c)) return false;
        static_cast<DenseUnionBuilder*>(s.out)->Append(s.member);
        return true;
      case Op::kSkip:
        return Skip(s.node, c, 0) || Fail(s, c, "");
      case Op::kFail:
        return Fail(s, c,
                    "the writer's union branch " + writer->Describe(s.node) +
                        " cannot be read: " + s.message);
      default:
        return RunScalar(s, c);
    }
  }

  // A utf8 value, checked while it is copied into `out`.
  [[gnu::always_inline]] bool AppendUtf8(const Step& s, BinaryBuilder* out, AvroCursor& c,
                                         std::string_view bytes, const char* invalid) {
    auto n = static_cast<int64_t>(bytes.size());
    if (!out->ReserveValue(n)) return Fail(s, c, out->DataLimitError(n).message());
    if (!CopyUtf8(out->data_end(), bytes.data(), bytes.size())) return Fail(s, c, invalid);
    out->CommitValue(n);
    return true;
  }

  [[gnu::always_inline]] bool Append(const Step& s, AvroCursor& c, std::string_view bytes) {
    auto* out = static_cast<BinaryBuilder*>(s.out);
    if (out->TryAppend(bytes)) return true;
    return Fail(s, c, out->DataLimitError(static_cast<int64_t>(bytes.size())).message());
  }
};

AvroDatumReader::AvroDatumReader(std::unique_ptr<Program> program) : program_(std::move(program)) {}
AvroDatumReader::~AvroDatumReader() = default;

Result<std::unique_ptr<AvroDatumReader>> AvroDatumReader::Make(
    std::shared_ptr<const AvroSchema> writer, std::shared_ptr<const AvroSchema> reader,
    std::vector<ArrayBuilder*> columns) {
  auto program = std::make_unique<Program>();
  program->writer = std::move(writer);
  program->reader = std::move(reader);
  Compiler compiler(*program->writer, *program->reader);
  compiler.columns_ = &columns;
  int r = program->reader->root();
  bool record_root = program->reader->node(r).type == AvroType::kRecord;
  // A record at the top writes the columns themselves; anything else writes
  // the one `value` column.
  KARROW_ASSIGN_OR_RAISE(
      program->root,
      compiler.Resolve(program->writer->root(), r, record_root ? nullptr : columns.at(0), ""));
  return std::unique_ptr<AvroDatumReader>(new AvroDatumReader(std::move(program)));
}

Status AvroDatumReader::Read(const uint8_t* data, int64_t size) {
  Program& p = *program_;
  p.zero_size_budget = kMaxZeroSizeItems;
  p.failed = nullptr;
  AvroCursor c(data, size);
  if (!p.Run(p.root, c)) {
    std::string where = p.failed && !p.failed->path.empty() ? " in field " + p.failed->path : "";
    return Status::BadData("Avro value is invalid at byte " + std::to_string(c.position()) + where +
                           ": " + c.error());
  }
  if (!c.at_end()) {
    return Status::BadData("Avro value has " + std::to_string(c.remaining()) +
                           " bytes left over after byte " + std::to_string(c.position()) +
                           " (was it written with another schema?)");
  }
  return Status::OK();
}

}  // namespace karrow
