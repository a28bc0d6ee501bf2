// Compiles Protobuf message descriptors into decode programs and runs them:
// the hot decode loop of format=protobuf.
#include "formats/protobuf_decoder.h"

#include <google/protobuf/descriptor.h>

#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "formats/nesting_limit.h"
#include "formats/protobuf_arrow_type.h"
#include "formats/utf8.h"

namespace karrow {
namespace {

namespace pb = google::protobuf;

enum Wire : uint8_t { kVarint = 0, kI64 = 1, kLen = 2, kSGroup = 3, kEGroup = 4, kI32 = 5 };

enum class Kind : uint8_t {
  kInt32,
  kInt64,
  kUInt32,
  kUInt64,
  kSInt32,
  kSInt64,
  kFixed32,
  kFixed64,
  kSFixed32,
  kSFixed64,
  kFloat,
  kDouble,
  kBool,
  kEnum,
  kString,
  kBytes,
  kMessage,
  kTimestamp,
  kDuration,
  kWrapper,
  kMapEntry,
};

enum class Presence : uint8_t {
  kDefault,       // proto3 implicit presence: absent is the type's default
  kNull,          // explicit presence: absent is null
  kRequired,      // proto2 required: absent is bad data
  kEmptyMessage,  // a map's message value: absent is the empty message
};

struct MessageProgram;

struct FieldStep {
  std::string path;  // for messages
  int32_t number = 0;
  Kind kind = Kind::kInt32;
  uint8_t wire = kVarint;  // of one value
  bool repeated = false;
  bool packable = false;
  Presence presence = Presence::kDefault;
  int oneof = -1;
  ArrayBuilder* out = nullptr;   // the column; a ListBuilder if repeated
  ArrayBuilder* item = nullptr;  // where one value goes: `out` or the list's items
  const MessageProgram* message = nullptr;
  std::unordered_map<int32_t, std::string> symbols;  // kEnum
  std::string default_symbol;                        // kEnum
};

struct MessageProgram {
  std::string name;
  std::vector<FieldStep> fields;
  std::vector<int32_t> dense;                // field number -> index, -1; numbers < size
  std::map<int32_t, int32_t> sparse;         // the larger numbers
  std::vector<std::vector<int32_t>> oneofs;  // members' indexes
  StructBuilder* out = nullptr;              // null: the top level, or a special message
  int32_t Find(uint32_t number) const {
    if (number < dense.size()) return dense[number];
    auto it = sparse.find(static_cast<int32_t>(number));
    return it == sparse.end() ? -1 : it->second;
  }
};

constexpr uint32_t kMaxDenseNumber = 1024;

uint8_t WireOf(pb::FieldDescriptor::Type t) {
  switch (t) {
    case pb::FieldDescriptor::TYPE_DOUBLE:
    case pb::FieldDescriptor::TYPE_FIXED64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return kI64;
    case pb::FieldDescriptor::TYPE_FLOAT:
    case pb::FieldDescriptor::TYPE_FIXED32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return kI32;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
    case pb::FieldDescriptor::TYPE_MESSAGE:
      return kLen;
    case pb::FieldDescriptor::TYPE_GROUP:
      return kSGroup;
    default:
      return kVarint;
  }
}

Kind ScalarKind(pb::FieldDescriptor::Type t) {
  switch (t) {
    case pb::FieldDescriptor::TYPE_INT32:
      return Kind::kInt32;
    case pb::FieldDescriptor::TYPE_INT64:
      return Kind::kInt64;
    case pb::FieldDescriptor::TYPE_UINT32:
      return Kind::kUInt32;
    case pb::FieldDescriptor::TYPE_UINT64:
      return Kind::kUInt64;
    case pb::FieldDescriptor::TYPE_SINT32:
      return Kind::kSInt32;
    case pb::FieldDescriptor::TYPE_SINT64:
      return Kind::kSInt64;
    case pb::FieldDescriptor::TYPE_FIXED32:
      return Kind::kFixed32;
    case pb::FieldDescriptor::TYPE_FIXED64:
      return Kind::kFixed64;
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return Kind::kSFixed32;
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return Kind::kSFixed64;
    case pb::FieldDescriptor::TYPE_FLOAT:
      return Kind::kFloat;
    case pb::FieldDescriptor::TYPE_DOUBLE:
      return Kind::kDouble;
    case pb::FieldDescriptor::TYPE_BOOL:
      return Kind::kBool;
    case pb::FieldDescriptor::TYPE_ENUM:
      return Kind::kEnum;
    case pb::FieldDescriptor::TYPE_STRING:
      return Kind::kString;
    case pb::FieldDescriptor::TYPE_BYTES:
      return Kind::kBytes;
    default:
      return Kind::kMessage;
  }
}

// Builds the programs of one reader; they live as long as it does.
class Compiler {
 public:
  explicit Compiler(std::vector<std::unique_ptr<MessageProgram>>* programs) : programs_(programs) {}

  // `columns`: the builders of the fields (the top level); else `out`'s children.
  Result<const MessageProgram*> Message(const pb::Descriptor* m, StructBuilder* out,
                                        const std::vector<ArrayBuilder*>& columns,
                                        const std::string& path) {
    auto program = std::make_unique<MessageProgram>();
    program->name = m->full_name();
    program->out = out;
    program->oneofs.resize(static_cast<size_t>(m->real_oneof_decl_count()));
    uint32_t max_dense = 0;
    for (int i = 0; i < m->field_count(); ++i) {
      auto n = static_cast<uint32_t>(m->field(i)->number());
      if (n < kMaxDenseNumber) max_dense = std::max(max_dense, n + 1);
    }
    program->dense.assign(max_dense, -1);
    for (int i = 0; i < m->field_count(); ++i) {
      const pb::FieldDescriptor* f = m->field(i);
      ArrayBuilder* column = out ? out->child(i) : columns.at(static_cast<size_t>(i));
      KARROW_ASSIGN_OR_RAISE(FieldStep step,
                             Field(f, column, path.empty() ? f->name() : path + "." + f->name()));
      if (const pb::OneofDescriptor* o = f->real_containing_oneof()) {
        step.oneof = o->index();
        program->oneofs[static_cast<size_t>(o->index())].push_back(i);
      }
      auto n = static_cast<uint32_t>(f->number());
      if (n < kMaxDenseNumber) {
        program->dense[n] = i;
      } else {
        program->sparse[f->number()] = i;
      }
      program->fields.push_back(std::move(step));
    }
    const MessageProgram* result = program.get();
    programs_->push_back(std::move(program));
    return result;
  }

  Result<FieldStep> Field(const pb::FieldDescriptor* f, ArrayBuilder* column,
                          const std::string& path) {
    FieldStep s;
    s.path = path;
    s.number = f->number();
    s.out = column;
    s.item = column;
    s.repeated = f->is_repeated();
    s.packable = f->is_packable();
    if (f->is_required()) {
      s.presence = Presence::kRequired;
    } else if (f->has_presence()) {
      s.presence = Presence::kNull;
    }
    if (f->is_map()) {
      auto* entries =
          static_cast<StructBuilder*>(static_cast<ListBuilder*>(column)->item_builder());
      s.kind = Kind::kMapEntry;
      s.wire = kLen;
      s.item = entries;
      KARROW_ASSIGN_OR_RAISE(s.message, Message(f->message_type(), entries, {}, path));
      // A map entry's absent value is its default; for a message, the empty one.
      auto* value = const_cast<FieldStep*>(&s.message->fields[1]);
      value->presence = value->kind == Kind::kMessage || value->kind == Kind::kTimestamp ||
                                value->kind == Kind::kDuration || value->kind == Kind::kWrapper
                            ? Presence::kEmptyMessage
                            : Presence::kDefault;
      const_cast<FieldStep*>(&s.message->fields[0])->presence = Presence::kDefault;
      return s;
    }
    if (s.repeated) s.item = static_cast<ListBuilder*>(column)->item_builder();
    KARROW_RETURN_NOT_OK(Value(f, &s));
    return s;
  }

 private:
  Status Value(const pb::FieldDescriptor* f, FieldStep* s) {
    s->wire = WireOf(f->type());
    if (f->type() == pb::FieldDescriptor::TYPE_GROUP) {
      return Status::Invalid("protobuf schema: field " + s->path + " is a group");
    }
    if (f->type() != pb::FieldDescriptor::TYPE_MESSAGE) {
      s->kind = ScalarKind(f->type());
      if (s->kind == Kind::kEnum) {
        const pb::EnumDescriptor* e = f->enum_type();
        // Aliases share a number: the first name declared is the one read.
        for (int i = e->value_count() - 1; i >= 0; --i) {
          s->symbols[e->value(i)->number()] = e->value(i)->name();
        }
        const pb::EnumValueDescriptor* zero = e->FindValueByNumber(0);
        s->default_symbol = zero ? zero->name() : e->value(0)->name();
      }
      return Status::OK();
    }
    const pb::Descriptor* m = f->message_type();
    switch (WellKnownKind(m)) {
      case ProtoWellKnown::kTimestamp:
      case ProtoWellKnown::kDuration: {
        s->kind =
            WellKnownKind(m) == ProtoWellKnown::kTimestamp ? Kind::kTimestamp : Kind::kDuration;
        // Its fields are read without builders: see Runner::Seconds().
        KARROW_ASSIGN_OR_RAISE(s->message, Unbound(m, s->path));
        return Status::OK();
      }
      case ProtoWellKnown::kWrapper: {
        s->kind = Kind::kWrapper;
        auto program = std::make_unique<MessageProgram>();
        program->name = m->full_name();
        program->dense.assign(2, -1);
        program->dense[1] = 0;
        FieldStep value;
        value.path = s->path;
        value.number = 1;
        value.out = value.item = s->item;
        KARROW_RETURN_NOT_OK(Value(m->field(0), &value));
        program->fields.push_back(std::move(value));
        s->message = program.get();
        programs_->push_back(std::move(program));
        return Status::OK();
      }
      case ProtoWellKnown::kNone:
        break;
    }
    s->kind = Kind::kMessage;
    KARROW_ASSIGN_OR_RAISE(s->message,
                           Message(m, static_cast<StructBuilder*>(s->item), {}, s->path));
    return Status::OK();
  }

  // Timestamp and Duration: fields 1 (seconds) and 2 (nanos), no builders.
  Result<const MessageProgram*> Unbound(const pb::Descriptor* m, const std::string& path) {
    auto program = std::make_unique<MessageProgram>();
    program->name = m->full_name();
    program->dense.assign(3, -1);
    for (int number : {1, 2}) {
      const pb::FieldDescriptor* f = m->FindFieldByNumber(number);
      if (f == nullptr || f->is_repeated()) {
        return Status::Invalid("protobuf schema: " + m->full_name() + " at " + path +
                               " lacks its field " + std::to_string(number));
      }
      FieldStep step;
      step.path = path + "." + f->name();
      step.number = number;
      step.kind = ScalarKind(f->type());
      step.wire = WireOf(f->type());
      program->dense[static_cast<size_t>(number)] = static_cast<int32_t>(program->fields.size());
      program->fields.push_back(std::move(step));
    }
    const MessageProgram* result = program.get();
    programs_->push_back(std::move(program));
    return result;
  }

  std::vector<std::unique_ptr<MessageProgram>>* programs_;
};

// One value of a known field, as the first pass found it.
struct Entry {
  uint64_t value;       // varint, or the bits of a fixed-width value
  const uint8_t* data;  // kLen: the bytes
  uint32_t size;
  uint8_t wire;
  int32_t next;  // the field's next entry, -1
};

struct Runner {
  const MessageProgram* root = nullptr;
  std::vector<Entry> entries;
  // Per field of each message being read: its first and last entry, -1.
  std::vector<int32_t> slots;
  const uint8_t* base = nullptr;
  const uint8_t* error_at = nullptr;
  std::string error;
  const FieldStep* failed = nullptr;

  [[gnu::cold, gnu::noinline]] bool Fail(const FieldStep* s, const uint8_t* at, std::string why) {
    if (error.empty()) {
      error = std::move(why);
      error_at = at;
      failed = s;
    }
    return false;
  }

  static bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) return false;
      uint8_t b = *p++;
      if (shift == 63 && b > 1) return false;
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) {
        *out = v;
        return true;
      }
    }
    return false;
  }

  bool Varint(const FieldStep* s, const uint8_t*& p, const uint8_t* end, uint64_t* out) {
    const uint8_t* start = p;
    if (ReadVarint(p, end, out)) return true;
    return Fail(s, start,
                p == end ? "varint is cut off by the end of its message"
                         : "varint is longer than 10 bytes");
  }

  // First pass over one occurrence of message `m` (whose slots start at
  // `slot_base`): records each known field's values.
  bool Scan(const MessageProgram& m, const uint8_t* p, const uint8_t* end, size_t slot_base) {
    while (p < end) {
      const uint8_t* at = p;
      uint64_t tag = 0;
      if (!Varint(nullptr, p, end, &tag)) return false;
      uint64_t number = tag >> 3;
      auto wire = static_cast<uint8_t>(tag & 7);
      if (number == 0 || number > 0x1fffffff) {
        return Fail(nullptr, at, "field number " + std::to_string(number) + " is out of range");
      }
      Entry e{0, nullptr, 0, wire, -1};
      switch (wire) {
        case kVarint:
          if (!Varint(nullptr, p, end, &e.value)) return false;
          break;
        case kI64:
          if (end - p < 8) return Fail(nullptr, at, "8-byte value is cut off");
          std::memcpy(&e.value, p, 8);
          p += 8;
          break;
        case kI32: {
          if (end - p < 4) return Fail(nullptr, at, "4-byte value is cut off");
          uint32_t v;
          std::memcpy(&v, p, 4);
          e.value = v;
          p += 4;
          break;
        }
        case kLen: {
          uint64_t n = 0;
          if (!Varint(nullptr, p, end, &n)) return false;
          if (n > static_cast<uint64_t>(end - p)) {
            return Fail(nullptr, at,
                        "length " + std::to_string(n) + " of field " + std::to_string(number) +
                            " exceeds the " + std::to_string(end - p) + " bytes left");
          }
          e.data = p;
          e.size = static_cast<uint32_t>(n);
          p += n;
          break;
        }
        case kSGroup:
        case kEGroup:
          return Fail(
              nullptr, at,
              "field " + std::to_string(number) +
                  " uses the group wire type, which karrow refuses (groups are deprecated)");
        default:
          return Fail(
              nullptr, at,
              "field " + std::to_string(number) + " has invalid wire type " + std::to_string(wire));
      }
      int32_t i = m.Find(static_cast<uint32_t>(number));
      if (i < 0) continue;  // an unknown field: skipped
      const FieldStep& f = m.fields[static_cast<size_t>(i)];
      if (wire != f.wire && !(f.packable && wire == kLen)) {
        return Fail(&f, at,
                    "wire type " + std::to_string(wire) +
                        " where the schema's type has wire type " + std::to_string(f.wire) +
                        " (was it written with another schema?)");
      }
      auto index = static_cast<int32_t>(entries.size());
      entries.push_back(e);
      int32_t& first = slots[slot_base + 2 * static_cast<size_t>(i)];
      int32_t& last = slots[slot_base + 2 * static_cast<size_t>(i) + 1];
      if (first < 0) {
        first = index;
      } else {
        entries[static_cast<size_t>(last)].next = index;
      }
      last = index;
    }
    return true;
  }

  // Reads the concatenation of the message occurrences from entry `first`
  // on (those at or after `from`) and appends it.
  bool ReadMessage(const FieldStep& f, int32_t first, int32_t from) {
    const MessageProgram& m = *f.message;
    size_t slot_base = slots.size();
    size_t entry_base = entries.size();
    slots.resize(slot_base + 2 * m.fields.size(), -1);
    bool ok = true;
    for (int32_t k = first; k >= 0 && ok; k = entries[static_cast<size_t>(k)].next) {
      if (k < from) continue;
      const Entry& e = entries[static_cast<size_t>(k)];
      ok = Scan(m, e.data, e.data + e.size, slot_base);
    }
    if (!ok && failed == nullptr) failed = &f;  // the scan names no field of its own
    if (ok) ok = EmitMessage(f, m, slot_base);
    slots.resize(slot_base);
    entries.resize(entry_base);
    return ok;
  }

  bool EmitMessage(const FieldStep& f, const MessageProgram& m, size_t slot_base) {
    switch (f.kind) {
      case Kind::kTimestamp:
      case Kind::kDuration: {
        int64_t seconds = static_cast<int64_t>(LastValue(slot_base, 0));
        auto nanos = static_cast<int32_t>(LastValue(slot_base, 1));
        int64_t total;
        if (__builtin_mul_overflow(seconds, int64_t{1000000000}, &total) ||
            __builtin_add_overflow(total, int64_t{nanos}, &total)) {
          return Fail(&f, nullptr,
                      m.name + " of " + std::to_string(seconds) + " s and " +
                          std::to_string(nanos) +
                          " ns is beyond the int64 nanoseconds of Arrow's type (about 292 years "
                          "from 1970)");
        }
        static_cast<Int64Builder*>(f.item)->Append(total);
        return true;
      }
      case Kind::kWrapper:
        return EmitFields(m, slot_base);
      default:
        if (!EmitFields(m, slot_base)) return false;
        m.out->Append();
        return true;
    }
  }

  uint64_t LastValue(size_t slot_base, size_t field) const {
    int32_t last = slots[slot_base + 2 * field + 1];
    return last < 0 ? 0 : entries[static_cast<size_t>(last)].value;
  }

  // Second pass: every field of `m`, in column order.
  bool EmitFields(const MessageProgram& m, size_t slot_base) {
    for (size_t i = 0; i < m.fields.size(); ++i) {
      const FieldStep& f = m.fields[i];
      int32_t first = slots[slot_base + 2 * i];
      int32_t last = slots[slot_base + 2 * i + 1];
      int32_t from = 0;
      if (f.oneof >= 0 && first >= 0) {
        // The member set last wins; the others read as absent. A message
        // member merges only its occurrences after another member's.
        for (int32_t other : m.oneofs[static_cast<size_t>(f.oneof)]) {
          if (other == static_cast<int32_t>(i)) continue;
          int32_t other_last = slots[slot_base + 2 * static_cast<size_t>(other) + 1];
          if (other_last > last) {
            first = -1;
            break;
          }
          from = std::max(from, other_last + 1);
        }
      }
      if (f.repeated) {
        if (!EmitRepeated(f, first)) return false;
        continue;
      }
      if (first < 0) {
        switch (f.presence) {
          case Presence::kDefault:
            if (!AppendDefault(f)) return false;
            continue;
          case Presence::kNull:
            f.out->AppendNull();
            continue;
          case Presence::kRequired:
            return Fail(&f, nullptr, "required field is missing");
          case Presence::kEmptyMessage:
            if (!ReadMessage(f, -1, 0)) return false;
            continue;
        }
      }
      if (f.message) {
        if (!ReadMessage(f, first, from)) return false;
      } else if (!AppendScalar(f, entries[static_cast<size_t>(last)])) {
        return false;
      }
    }
    return true;
  }

  bool EmitRepeated(const FieldStep& f, int32_t first) {
    static_cast<ListBuilder*>(f.out)->Append();
    for (int32_t k = first; k >= 0; k = entries[static_cast<size_t>(k)].next) {
      const Entry& e = entries[static_cast<size_t>(k)];
      if (f.message) {
        // Each occurrence is one item: read it alone.
        size_t slot_base = slots.size();
        size_t entry_base = entries.size();
        const MessageProgram& m = *f.message;
        slots.resize(slot_base + 2 * m.fields.size(), -1);
        bool ok = Scan(m, e.data, e.data + e.size, slot_base);
        if (!ok && failed == nullptr) failed = &f;
        if (ok) {
          if (f.kind == Kind::kMapEntry) {
            ok = EmitFields(m, slot_base);
            if (ok) m.out->Append();
          } else {
            ok = EmitMessage(f, m, slot_base);
          }
        }
        slots.resize(slot_base);
        entries.resize(entry_base);
        if (!ok) return false;
      } else if (e.wire == kLen && f.wire != kLen) {
        if (!ReadPacked(f, e)) return false;
      } else if (!AppendScalar(f, e)) {
        return false;
      }
    }
    return true;
  }

  bool ReadPacked(const FieldStep& f, const Entry& packed) {
    const uint8_t* p = packed.data;
    const uint8_t* end = p + packed.size;
    int width = f.wire == kI32 ? 4 : f.wire == kI64 ? 8 : 0;
    if (width && packed.size % width != 0) {
      return Fail(&f, p,
                  "packed values of " + std::to_string(packed.size) +
                      " bytes are not a multiple "
                      "of their " +
                      std::to_string(width) + "-byte width");
    }
    while (p < end) {
      Entry e{0, nullptr, 0, f.wire, -1};
      if (width == 4) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        e.value = v;
        p += 4;
      } else if (width == 8) {
        std::memcpy(&e.value, p, 8);
        p += 8;
      } else if (!Varint(&f, p, end, &e.value)) {
        return false;
      }
      if (!AppendScalar(f, e)) return false;
    }
    return true;
  }

  bool AppendDefault(const FieldStep& f) {
    Entry zero{0, reinterpret_cast<const uint8_t*>(""), 0, f.wire, -1};
    if (f.kind == Kind::kEnum) return AppendBytes(f, f.default_symbol);
    return AppendScalar(f, zero);
  }

  bool AppendBytes(const FieldStep& f, std::string_view bytes) {
    auto* out = static_cast<BinaryBuilder*>(f.item);
    if (out->TryAppend(bytes)) return true;
    return Fail(&f, nullptr, out->DataLimitError(static_cast<int64_t>(bytes.size())).message());
  }

  template <typename B, typename T>
  static void Put(const FieldStep& f, T v) {
    static_cast<B*>(f.item)->Append(v);
  }

  bool AppendScalar(const FieldStep& f, const Entry& e) {
    uint64_t v = e.value;
    switch (f.kind) {
      case Kind::kInt32:
      case Kind::kSFixed32:
        Put<Int32Builder>(f, static_cast<int32_t>(static_cast<uint32_t>(v)));
        return true;
      case Kind::kInt64:
      case Kind::kSFixed64:
        Put<Int64Builder>(f, static_cast<int64_t>(v));
        return true;
      case Kind::kUInt32:
      case Kind::kFixed32:
        Put<UInt32Builder>(f, static_cast<uint32_t>(v));
        return true;
      case Kind::kUInt64:
      case Kind::kFixed64:
        Put<UInt64Builder>(f, v);
        return true;
      case Kind::kSInt32: {
        auto n = static_cast<uint32_t>(v);
        Put<Int32Builder>(f, static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1)));
        return true;
      }
      case Kind::kSInt64:
        Put<Int64Builder>(f, static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)));
        return true;
      case Kind::kFloat: {
        float x;
        auto bits = static_cast<uint32_t>(v);
        std::memcpy(&x, &bits, 4);
        Put<FloatBuilder>(f, x);
        return true;
      }
      case Kind::kDouble: {
        double x;
        std::memcpy(&x, &v, 8);
        Put<DoubleBuilder>(f, x);
        return true;
      }
      case Kind::kBool:
        static_cast<BooleanBuilder*>(f.item)->Append(v != 0);
        return true;
      case Kind::kEnum: {
        auto number = static_cast<int32_t>(static_cast<uint32_t>(v));
        auto it = f.symbols.find(number);
        // An open enum keeps numbers the schema does not name: their text.
        if (it == f.symbols.end()) return AppendBytes(f, std::to_string(number));
        return AppendBytes(f, it->second);
      }
      case Kind::kString: {
        auto* out = static_cast<BinaryBuilder*>(f.item);
        if (!out->ReserveValue(e.size))
          return Fail(&f, e.data, out->DataLimitError(e.size).message());
        if (!CopyUtf8(out->data_end(), reinterpret_cast<const char*>(e.data), e.size)) {
          return Fail(&f, e.data, "string is not valid UTF-8");
        }
        out->CommitValue(e.size);
        return true;
      }
      case Kind::kBytes:
        return AppendBytes(f, {reinterpret_cast<const char*>(e.data), e.size});
      default:
        return false;
    }
  }
};

}  // namespace

struct ProtobufMessageReader::Program {
  std::vector<std::unique_ptr<MessageProgram>> programs;
  Runner runner;
};

ProtobufMessageReader::ProtobufMessageReader(std::unique_ptr<Program> program)
    : program_(std::move(program)) {}
ProtobufMessageReader::~ProtobufMessageReader() = default;

Result<std::unique_ptr<ProtobufMessageReader>> ProtobufMessageReader::Make(
    const pb::Descriptor* message, std::vector<ArrayBuilder*> columns) {
  if (columns.size() != static_cast<size_t>(message->field_count())) {
    return Status::Invalid("protobuf decoder: " + std::to_string(columns.size()) +
                           " columns for the " + std::to_string(message->field_count()) +
                           " fields of " + message->full_name());
  }
  auto program = std::make_unique<Program>();
  Compiler compiler(&program->programs);
  KARROW_ASSIGN_OR_RAISE(program->runner.root, compiler.Message(message, nullptr, columns, ""));
  return std::unique_ptr<ProtobufMessageReader>(new ProtobufMessageReader(std::move(program)));
}

Status ProtobufMessageReader::Read(const uint8_t* data, int64_t size) {
  Runner& r = program_->runner;
  if (size > UINT32_MAX) return Status::BadData("Protobuf message larger than 4 GiB");
  r.entries.clear();
  r.slots.assign(2 * r.root->fields.size(), -1);
  r.base = data;
  r.error.clear();
  r.error_at = nullptr;
  r.failed = nullptr;
  if (r.Scan(*r.root, data, data + size, 0) && r.EmitFields(*r.root, 0)) return Status::OK();
  std::string where = r.failed ? " in field " + r.failed->path : "";
  std::string at = r.error_at ? " at byte " + std::to_string(r.error_at - data) : "";
  return Status::BadData("Protobuf message " + r.root->name + " is invalid" + at + where + ": " +
                         r.error);
}

namespace {

// How a type's values look on the wire.
int WireClass(const pb::FieldDescriptor* f) {
  switch (f->type()) {
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SINT64:
      return 100;
    case pb::FieldDescriptor::TYPE_STRING:
    case pb::FieldDescriptor::TYPE_BYTES:
      return 101;
    case pb::FieldDescriptor::TYPE_MESSAGE:
      return 102;
    default:
      if (WireOf(f->type()) == kVarint) return 103;
      return static_cast<int>(f->type());  // fixed-width: only their own type
  }
}

Status CheckMessages(const pb::Descriptor* w, const pb::Descriptor* r, const std::string& path,
                     std::set<std::pair<const pb::Descriptor*, const pb::Descriptor*>>* seen) {
  if (!seen->insert({w, r}).second) return Status::OK();
  for (int i = 0; i < r->field_count(); ++i) {
    const pb::FieldDescriptor* rf = r->field(i);
    const pb::FieldDescriptor* wf = w->FindFieldByNumber(rf->number());
    if (wf == nullptr) continue;
    std::string where = path.empty() ? rf->name() : path + "." + rf->name();
    if (WireClass(wf) != WireClass(rf)) {
      return Status::Invalid("field " + where + " (number " + std::to_string(rf->number()) +
                             ") is " + wf->type_name() + " in the writer's " + w->full_name() +
                             " and " + rf->type_name() + " in the reader's");
    }
    if (rf->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
      KARROW_RETURN_NOT_OK(CheckMessages(wf->message_type(), rf->message_type(), where, seen));
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckProtobufCompatible(const pb::Descriptor* writer, const pb::Descriptor* reader) {
  std::set<std::pair<const pb::Descriptor*, const pb::Descriptor*>> seen;
  return CheckMessages(writer, reader, "", &seen);
}

}  // namespace karrow
