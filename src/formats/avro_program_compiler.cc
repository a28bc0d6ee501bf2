// Avro schema resolution: compiles a (writer schema, reader schema) pair into
// the tree of steps (avro_program_internal.h) that AvroDatumReader runs per value.
#include <set>

#include "formats/avro_arrow_type.h"
#include "formats/avro_default.h"
#include "formats/avro_program_internal.h"

namespace karrow::avro_program {
namespace {

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

class Compiler {
 public:
  Compiler(const AvroSchema& writer, const AvroSchema& reader, int level = 1)
      : level_(level), ws_(writer), rs_(reader) {}

  // Recursive, one call per level of the reader schema (and one more per
  // writer union): level_ is the level of the values resolved (the top is
  // 1; records, arrays, maps and unions add one, as in AvroToArrowColumns,
  // which has bounded the reader).
  Result<Step> Resolve(int w, int r, ArrayBuilder* out, const std::string& path) {
    const AvroNode& W = ws_.node(w);
    const AvroNode& R = rs_.node(r);
    auto nested = [](AvroType t) {
      return t == AvroType::kRecord || t == AvroType::kArray || t == AvroType::kMap ||
             t == AvroType::kUnion;
    };
    if (level_ > kMaxNestingDepth && (nested(R.type) || nested(W.type)))
      return Incompatible(path, TooDeepMessage());
    if (W.type == AvroType::kUnion) {
      // One level for a union, the writer's or the reader's: a reader union
      // counts it when WriterUnion resolves each branch against it.
      if (R.type == AvroType::kUnion) return WriterUnion(w, r, out, path);
      Descend in(&level_);
      return WriterUnion(w, r, out, path);
    }
    if (R.type == AvroType::kUnion) {
      Descend in(&level_);
      return ReaderUnion(w, r, out, path);
    }
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
        if (W.size != R.size) return FixedSizesDiffer(W, R, path);
        if (R.logical == AvroLogicalType::kDecimal)
          return Decimal(W, R, Op::kFixedToDecimal, std::move(s));
        s.op = Op::kFixed;
        return s;
      case AvroType::kEnum:
        if (W.type != AvroType::kEnum || !NamesMatch(W, R)) break;
        return Enum(W, R, std::move(s));
      case AvroType::kArray:
        if (W.type != AvroType::kArray) break;
        return Items(W, R, std::move(s));
      case AvroType::kMap:
        if (W.type != AvroType::kMap) break;
        return Items(W, R, std::move(s));
      case AvroType::kRecord:
        if (W.type != AvroType::kRecord || !NamesMatch(W, R)) break;
        return Record(W, R, std::move(s));
      case AvroType::kUnion:
        break;
    }
    return CannotRead(w, r, path);
  }

 private:
  // One level down for as long as it lives, also when Resolve fails (a
  // writer union's branch may fail and the others still be resolved).
  struct Descend {
    explicit Descend(int* level) : level(level) { ++*level; }
    ~Descend() { --*level; }
    int* level;
  };

  // An array's items or a map's values. Out of line, as are the other
  // helpers Resolve recurses through: inlined, their locals would all
  // widen Resolve's frame, which every level of nesting pays.
  [[gnu::noinline]] Result<Step> Items(const AvroNode& W, const AvroNode& R, Step s) {
    ArrayBuilder* out;
    std::string path;
    if (R.type == AvroType::kArray) {
      s.op = Op::kArray;
      std::set<int> visiting;
      s.zero_size_items = MinSize(ws_, W.items, &visiting, level_ + 1) == 0;
      out = static_cast<ListBuilder*>(s.out)->item_builder();
      path = s.path + "[]";
    } else {
      s.op = Op::kMap;
      auto* entries = static_cast<StructBuilder*>(static_cast<ListBuilder*>(s.out)->item_builder());
      out = entries->child(1);
      path = s.path + "{}";
    }
    Descend in(&level_);
    Result<Step> item = Resolve(W.items, R.items, out, path);
    if (!item.ok()) return item.status();
    s.children.push_back(std::move(*item));  // no Step of its own on this frame
    return s;
  }

  [[gnu::cold, gnu::noinline]] static Status FixedSizesDiffer(const AvroNode& W, const AvroNode& R,
                                                              const std::string& path) {
    return Incompatible(path, "fixed " + W.name + " has " + std::to_string(W.size) +
                                  " bytes, the reader's " + std::to_string(R.size));
  }
  [[gnu::cold, gnu::noinline]] Status CannotRead(int w, int r, const std::string& path) const {
    return Incompatible(path, "the writer's " + ws_.Describe(w) +
                                  " cannot be read as the reader's " + rs_.Describe(r));
  }

  [[gnu::cold, gnu::noinline]] static Status Incompatible(const std::string& path,
                                                          const std::string& what) {
    return Status::Invalid("Avro writer and reader schemas are incompatible at " +
                           (path.empty() ? "the top" : path) + ": " + what);
  }

  [[gnu::noinline]] Result<Step> WriterUnion(int w, int r, ArrayBuilder* out,
                                             const std::string& path) {
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

  [[gnu::noinline]] Result<Step> ReaderUnion(int w, int r, ArrayBuilder* out,
                                             const std::string& path) {
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
    Result<Step> value = Resolve(w, R.branches[k], u->member(k), path);
    if (!value.ok()) return value.status();
    s.children.push_back(std::move(*value));
    return s;
  }

  [[gnu::noinline]] Result<Step> Decimal(const AvroNode& W, const AvroNode& R, Op op, Step s) {
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

  [[gnu::noinline]] Result<Step> Enum(const AvroNode& W, const AvroNode& R, Step s) {
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

  [[gnu::noinline]] Result<Step> Record(const AvroNode& W, const AvroNode& R, Step s) {
    s.op = Op::kRecord;
    Descend in(&level_);
    auto* st = static_cast<StructBuilder*>(s.out);
    auto column = [&](size_t j) -> ArrayBuilder* {
      return st ? st->child(static_cast<int>(j)) : (*columns_)[j];
    };
    std::vector<bool> filled(R.fields.size(), false);
    for (const AvroField& wf : W.fields) {
      int j = FindReaderField(R, wf.name);
      if (j < 0) {
        s.children.push_back(Step{.op = Op::kSkip,
                                  .node = wf.type,
                                  .depth = static_cast<int16_t>(level_),
                                  .path = Join(s.path, wf.name)});
        continue;
      }
      filled[j] = true;
      Result<Step> f =
          Resolve(wf.type, R.fields[j].type, column(j), Join(s.path, R.fields[j].name));
      if (!f.ok()) return f.status();
      s.children.push_back(std::move(*f));
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
      Compiler self(rs_, rs_, level_);
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
  int level_;
  const AvroSchema& ws_;
  const AvroSchema& rs_;
};

}  // namespace

Result<Step> CompileSteps(const AvroSchema& writer, const AvroSchema& reader, ArrayBuilder* out,
                          const std::vector<ArrayBuilder*>* columns) {
  Compiler compiler(writer, reader);
  compiler.columns_ = columns;
  return compiler.Resolve(writer.root(), reader.root(), out, "");
}

}  // namespace karrow::avro_program
