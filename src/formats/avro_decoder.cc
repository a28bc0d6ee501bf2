// Runs a compiled Avro decode program (avro_program_compiler.cc) over binary
// datums, appending each value to the Arrow builders: the hot decode loop.
#include "formats/avro_decoder.h"

#include <set>

#include "formats/avro_cursor.h"
#include "formats/avro_program_internal.h"
#include "formats/utf8.h"

namespace karrow {

using avro_program::DefaultValue;
using avro_program::kMaxZeroSizeItems;
using avro_program::MinSize;
using avro_program::Op;
using avro_program::Step;

namespace {

// The compiled program and the functions that run it. In an unnamed namespace
// (as when the steps' types were local to this file): its functions stay local,
// so GCC inlines them as before and libkarrow.so calls them without the PLT.
struct CompiledProgram {
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

  // Skips a value of writer node `i` at level `depth` (the top is 1;
  // records, arrays, maps and unions add one, as in the schema). The writer
  // schema may be recursive, so the data decides how deep this recurses:
  // bounded by kMaxNestingDepth.
  bool Skip(int i, AvroCursor& c, int depth) {
    const AvroNode& n = writer->node(i);
    if (depth > kMaxNestingDepth && (n.type == AvroType::kRecord || n.type == AvroType::kArray ||
                                     n.type == AvroType::kMap || n.type == AvroType::kUnion)) {
      return c.Fail(TooDeepMessage());
    }
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
        bool empty_items =
            n.type == AvroType::kArray && MinSize(*writer, n.items, &visiting, depth + 1) == 0;
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
        return Skip(s.node, c, s.depth) || Fail(s, c, "");
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

}  // namespace

struct AvroDatumReader::Program : CompiledProgram {};

AvroDatumReader::AvroDatumReader(std::unique_ptr<Program> program) : program_(std::move(program)) {}
AvroDatumReader::~AvroDatumReader() = default;

Result<std::unique_ptr<AvroDatumReader>> AvroDatumReader::Make(
    std::shared_ptr<const AvroSchema> writer, std::shared_ptr<const AvroSchema> reader,
    std::vector<ArrayBuilder*> columns) {
  auto program = std::make_unique<Program>();
  program->writer = std::move(writer);
  program->reader = std::move(reader);
  int r = program->reader->root();
  bool record_root = program->reader->node(r).type == AvroType::kRecord;
  // A record at the top writes the columns themselves; anything else writes
  // the one `value` column.
  KARROW_ASSIGN_OR_RAISE(
      program->root, avro_program::CompileSteps(*program->writer, *program->reader,
                                                record_root ? nullptr : columns.at(0), &columns));
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
