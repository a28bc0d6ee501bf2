#include "arrow_validate.h"

#include <simdjson.h>

#include <cstring>
#include <vector>

namespace karrow::fuzz {
namespace {

// How an array's buffers are laid out. Each TypeId maps to one layout in
// LayoutOf(); a new type usually needs only a new case there (kTime32 is
// kFixedWidth, kFixedSizeBinary too with its byte width), and a new layout
// a new Check function below.
enum class Layout {
  kFixedWidth,  // validity, values of byte_width() bytes each
  kBitmap,      // validity, values as bits (bool)
  kBinary,      // validity, int32 offsets, data (utf8 and binary)
  kList,        // validity, int32 offsets; one child
  kStruct,      // validity; one child per field
  kNull,        // no buffers (an empty slot 0): every row null
  kDenseUnion,  // no validity (an empty slot 0), int8 type ids, int32 offsets; one child per member
  kUnknown,     // not checked yet
};

Layout LayoutOf(const DataType& type) {
  switch (type.id()) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
    case TypeId::kDate32:
    case TypeId::kTimestamp:
    case TypeId::kDecimal128:
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration:
    case TypeId::kFixedSizeBinary:
      return Layout::kFixedWidth;
    case TypeId::kBool:
      return Layout::kBitmap;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return Layout::kBinary;
    case TypeId::kList:
    case TypeId::kMap:  // a list of its entries struct
      return Layout::kList;
    case TypeId::kStruct:
      return Layout::kStruct;
    case TypeId::kNull:
      return Layout::kNull;
    case TypeId::kDenseUnion:
      return Layout::kDenseUnion;
    default:  // a type added after this validator: reported as unchecked
      return Layout::kUnknown;
  }
}

// The array's own type: a nested one without its children, which have
// paths of their own. Spelling the whole type out at every level of a deep
// value made each validation quadratic (a fuzz input of a 64-level schema
// took over 10 s under ASan).
std::string TypeHere(const DataType& t) {
  switch (t.id()) {
    case TypeId::kList:
      return "list<...>";
    case TypeId::kStruct:
      return "struct<...>";
    case TypeId::kMap:
      return "map<...>";
    case TypeId::kDenseUnion:
      return "dense_union<...>";
    default:
      return t.ToString();
  }
}

std::string Describe(const std::string& path, const ArrayData& a) {
  return path + " <" + TypeHere(*a.type) + ", length " + std::to_string(a.length) + ", offset " +
         std::to_string(a.offset) + ">";
}

bool Bit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

int64_t BitmapBytes(int64_t bits) { return (bits + 7) / 8; }

int32_t Offset(const ArrayData& a, int64_t i) {
  int32_t v;
  std::memcpy(&v, a.buffers[1]->data() + (a.offset + i) * 4, 4);
  return v;
}

class Validator {
 public:
  explicit Validator(ValidationStats* stats) : stats_(stats) {}

  Status Array(const ArrayData& a, const std::string& path) {
    if (!a.type) return Status::Invalid(path + ": array without a type");
    const std::string where = Describe(path, a);
    if (a.length < 0 || a.offset < 0) return Status::Invalid(where + ": negative length or offset");
    Layout layout = LayoutOf(*a.type);
    if (layout == Layout::kUnknown) {
      if (stats_) {
        if (stats_->arrays_unchecked++ == 0) stats_->first_unchecked_type = a.type->ToString();
      }
      return Status::OK();
    }
    if (stats_) ++stats_->arrays_checked;
    if (layout == Layout::kNull) return Null(a, where);
    if (layout == Layout::kDenseUnion) return DenseUnion(a, path, where);
    KARROW_RETURN_NOT_OK(Validity(a, where));
    switch (layout) {
      case Layout::kFixedWidth:
        return FixedWidth(a, where);
      case Layout::kBitmap:
        return Bitmap(a, where);
      case Layout::kBinary:
        return Binary(a, where);
      case Layout::kList:
        return List(a, path, where);
      case Layout::kStruct:
        return Struct(a, path, where);
      case Layout::kNull:
      case Layout::kDenseUnion:
      case Layout::kUnknown:
        break;
    }
    return Status::OK();
  }

 private:
  static size_t BufferCount(Layout layout) {
    switch (layout) {
      case Layout::kFixedWidth:
      case Layout::kBitmap:
      case Layout::kList:
        return 2;
      case Layout::kBinary:
        return 3;
      case Layout::kStruct:
      case Layout::kNull:
        return 1;
      case Layout::kDenseUnion:
        return 3;
      case Layout::kUnknown:
        break;
    }
    return 0;
  }

  // Buffer count, buffer presence, the validity bitmap's size and null count.
  Status Validity(const ArrayData& a, const std::string& where) {
    size_t expected = BufferCount(LayoutOf(*a.type));
    if (a.buffers.size() != expected) {
      return Status::Invalid(where + ": " + std::to_string(a.buffers.size()) +
                             " buffers, expected " + std::to_string(expected));
    }
    for (size_t i = 1; i < a.buffers.size(); ++i) {
      if (!a.buffers[i] || !a.buffers[i]->data()) {
        return Status::Invalid(where + ": buffer " + std::to_string(i) + " is missing");
      }
    }
    if (a.null_count < 0 || a.null_count > a.length) {
      return Status::Invalid(where + ": null_count " + std::to_string(a.null_count) +
                             " out of [0, length]");
    }
    const auto& validity = a.buffers[0];
    if (!validity) {
      if (a.null_count != 0) {
        return Status::Invalid(where + ": null_count " + std::to_string(a.null_count) +
                               " without a validity bitmap");
      }
      return Status::OK();
    }
    if (!validity->data()) return Status::Invalid(where + ": validity buffer without data");
    KARROW_RETURN_NOT_OK(BufferSize(a, 0, BitmapBytes(a.offset + a.length), where));
    int64_t nulls = 0;
    for (int64_t i = 0; i < a.length; ++i) nulls += !Bit(validity->data(), a.offset + i);
    if (nulls != a.null_count) {
      return Status::Invalid(where + ": null_count is " + std::to_string(a.null_count) +
                             " but the bitmap has " + std::to_string(nulls) + " nulls");
    }
    return Status::OK();
  }

  static Status BufferSize(const ArrayData& a, size_t i, int64_t needed, const std::string& where) {
    if (a.buffers[i]->size() < needed) {
      return Status::Invalid(where + ": buffer " + std::to_string(i) + " has " +
                             std::to_string(a.buffers[i]->size()) + " bytes, needs " +
                             std::to_string(needed));
    }
    return Status::OK();
  }

  Status FixedWidth(const ArrayData& a, const std::string& where) {
    int width = a.type->byte_width();
    // fixed_size_binary(0) is valid Arrow (Avro's fixed may have size 0).
    bool may_be_empty = a.type->id() == TypeId::kFixedSizeBinary;
    if (width < 0 || (width == 0 && !may_be_empty)) {
      return Status::Invalid(where + ": fixed-width type without a byte width");
    }
    KARROW_RETURN_NOT_OK(BufferSize(a, 1, (a.offset + a.length) * width, where));
    if (a.type->id() == TypeId::kDecimal128) return DecimalPrecision(a, where);
    return Status::OK();
  }

  // Arrow's full validation: every valid decimal fits its precision.
  static Status DecimalPrecision(const ArrayData& a, const std::string& where) {
    int precision = a.type->precision();
    if (precision < 1 || precision > 38 || a.type->scale() < 0 || a.type->scale() > precision) {
      return Status::Invalid(where + ": decimal128 precision/scale out of range");
    }
    __int128 limit = 1;
    for (int i = 0; i < precision; ++i) limit *= 10;
    for (int64_t i = 0; i < a.length; ++i) {
      if (!a.IsValid(i)) continue;
      __int128 v = a.Value<__int128>(i);
      if (v >= limit || v <= -limit) {
        return Status::Invalid(where + ": row " + std::to_string(i) +
                               " has more digits than precision " + std::to_string(precision));
      }
    }
    return Status::OK();
  }

  static Status Bitmap(const ArrayData& a, const std::string& where) {
    return BufferSize(a, 1, BitmapBytes(a.offset + a.length), where);
  }

  // Offsets: offset + length + 1 of them, starting at or above 0, never
  // decreasing, and the last within the data (or child) length.
  static Status Offsets(const ArrayData& a, int64_t limit, const char* limit_name,
                        const std::string& where) {
    KARROW_RETURN_NOT_OK(BufferSize(a, 1, (a.offset + a.length + 1) * 4, where));
    int32_t previous = Offset(a, 0);
    if (previous < 0)
      return Status::Invalid(where + ": first offset " + std::to_string(previous) + " is negative");
    for (int64_t i = 1; i <= a.length; ++i) {
      int32_t next = Offset(a, i);
      if (next < previous) {
        return Status::Invalid(where + ": offsets decrease at row " + std::to_string(i - 1) + " (" +
                               std::to_string(previous) + " then " + std::to_string(next) + ")");
      }
      previous = next;
    }
    if (previous > limit) {
      return Status::Invalid(where + ": last offset " + std::to_string(previous) + " is past the " +
                             limit_name + " (" + std::to_string(limit) + ")");
    }
    return Status::OK();
  }

  static Status Binary(const ArrayData& a, const std::string& where) {
    KARROW_RETURN_NOT_OK(Offsets(a, a.buffers[2]->size(), "data size", where));
    if (a.type->id() != TypeId::kUtf8) return Status::OK();
    for (int64_t i = 0; i < a.length; ++i) {
      if (!a.IsValid(i)) continue;  // a null slot's bytes mean nothing
      std::string_view s = a.View(i);
      if (!simdjson::validate_utf8(s.data(), s.size())) {
        return Status::Invalid(where + ": row " + std::to_string(i) + " is not valid UTF-8");
      }
    }
    return Status::OK();
  }

  Status Children(const ArrayData& a, const std::string& where) const {
    const auto& fields = a.type->children();
    if (a.children.size() != fields.size()) {
      return Status::Invalid(where + ": " + std::to_string(a.children.size()) +
                             " children, the type has " + std::to_string(fields.size()));
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!a.children[i])
        return Status::Invalid(where + ": child " + std::to_string(i) + " is missing");
      if (!a.children[i]->type || !a.children[i]->type->Equals(*fields[i].type)) {
        return Status::Invalid(where + ": child '" + fields[i].name + "' has the wrong type");
      }
    }
    return Status::OK();
  }

  Status List(const ArrayData& a, const std::string& path, const std::string& where) {
    KARROW_RETURN_NOT_OK(Children(a, where));
    const ArrayData& item = *a.children[0];
    KARROW_RETURN_NOT_OK(Offsets(a, item.length, "item array's length", where));
    return Array(item, path + "[]");
  }

  static Status Null(const ArrayData& a, const std::string& where) {
    if (a.buffers.size() != 1 || a.buffers[0])
      return Status::Invalid(where + ": a null array has buffers");
    if (a.null_count != a.length)
      return Status::Invalid(where + ": a null array whose null_count is not its length");
    return Status::OK();
  }

  // Type ids name a member; each offset is inside its member, and each
  // member's offsets only grow (the Arrow format's rule for dense unions).
  Status DenseUnion(const ArrayData& a, const std::string& path, const std::string& where) {
    if (a.buffers.size() != 3 || a.buffers[0] || !a.buffers[1] || !a.buffers[2]) {
      return Status::Invalid(where +
                             ": a dense union needs exactly type ids and offsets, no validity");
    }
    if (a.null_count != 0) return Status::Invalid(where + ": a union's null_count must be 0");
    KARROW_RETURN_NOT_OK(Children(a, where));
    KARROW_RETURN_NOT_OK(BufferSize(a, 1, a.offset + a.length, where));
    KARROW_RETURN_NOT_OK(BufferSize(a, 2, (a.offset + a.length) * 4, where));
    std::vector<int64_t> last(a.children.size(), -1);
    for (int64_t i = 0; i < a.length; ++i) {
      auto id = static_cast<int8_t>(a.buffers[1]->data()[a.offset + i]);
      if (id < 0 || static_cast<size_t>(id) >= a.children.size()) {
        return Status::Invalid(where + ": row " + std::to_string(i) + " has type id " +
                               std::to_string(id));
      }
      int32_t at;  // buffer 2, not Offset()'s buffer 1
      std::memcpy(&at, a.buffers[2]->data() + (a.offset + i) * 4, 4);
      if (at < 0 || at >= a.children[id]->length || at <= last[id]) {
        return Status::Invalid(where + ": row " + std::to_string(i) + " has offset " +
                               std::to_string(at) + " into member " + std::to_string(id));
      }
      last[id] = at;
    }
    for (size_t k = 0; k < a.children.size(); ++k) {
      KARROW_RETURN_NOT_OK(Array(*a.children[k], path + "<" + a.type->children()[k].name + ">"));
    }
    return Status::OK();
  }

  Status Struct(const ArrayData& a, const std::string& path, const std::string& where) {
    KARROW_RETURN_NOT_OK(Children(a, where));
    for (size_t i = 0; i < a.children.size(); ++i) {
      const ArrayData& child = *a.children[i];
      // A struct's offset also applies to its children (Arrow format).
      if (child.length < a.offset + a.length) {
        return Status::Invalid(where + ": child '" + a.type->children()[i].name + "' has " +
                               std::to_string(child.length) + " rows, needs at least " +
                               std::to_string(a.offset + a.length));
      }
      KARROW_RETURN_NOT_OK(Array(child, path + "." + a.type->children()[i].name));
    }
    return Status::OK();
  }

  ValidationStats* stats_;
};

// Nullability: `reachable[i]` says whether every parent of row i is valid;
// only there does a non-nullable field promise a value. Run after
// Validator, so buffers and offsets are known to be in range.
Status CheckNullability(const ArrayData& a, const Field& field, const std::vector<char>& reachable,
                        const std::string& path) {
  if (LayoutOf(*a.type) == Layout::kUnknown) return Status::OK();
  if (!field.nullable && a.null_count > 0) {
    for (int64_t i = 0; i < a.length; ++i) {
      if (reachable[i] && !a.IsValid(i)) {
        return Status::Invalid(path + ": row " + std::to_string(i) +
                               " is null but the field is not nullable");
      }
    }
  }
  if (a.type->id() == TypeId::kStruct) {
    for (size_t c = 0; c < a.children.size(); ++c) {
      const ArrayData& child = *a.children[c];
      std::vector<char> below(static_cast<size_t>(child.length), 0);
      for (int64_t i = 0; i < a.length; ++i) below[a.offset + i] = reachable[i] && a.IsValid(i);
      const Field& f = a.type->children()[c];
      KARROW_RETURN_NOT_OK(CheckNullability(child, f, below, path + "." + f.name));
    }
  } else if (a.type->id() == TypeId::kDenseUnion) {
    for (size_t k = 0; k < a.children.size(); ++k) {
      const ArrayData& member = *a.children[k];
      std::vector<char> below(static_cast<size_t>(member.length), 0);
      for (int64_t i = 0; i < a.length; ++i) {
        if (!reachable[i] || a.buffers[1]->data()[a.offset + i] != k) continue;
        int32_t at;
        std::memcpy(&at, a.buffers[2]->data() + (a.offset + i) * 4, 4);
        below[at] = 1;
      }
      const Field& f = a.type->children()[k];
      KARROW_RETURN_NOT_OK(CheckNullability(member, f, below, path + "<" + f.name + ">"));
    }
  } else if (a.type->id() == TypeId::kList || a.type->id() == TypeId::kMap) {
    const ArrayData& item = *a.children[0];
    std::vector<char> below(static_cast<size_t>(item.length), 0);
    for (int64_t i = 0; i < a.length; ++i) {
      if (!reachable[i] || !a.IsValid(i)) continue;
      auto [begin, end] = a.ListRange(i);
      for (int32_t j = begin; j < end; ++j) below[j] = 1;
    }
    KARROW_RETURN_NOT_OK(CheckNullability(item, a.type->children()[0], below, path + "[]"));
  }
  return Status::OK();
}

}  // namespace

Status ValidateArray(const ArrayData& array, const std::string& path, ValidationStats* stats) {
  return Validator(stats).Array(array, path);
}

Status ValidateBatch(const RecordBatch& batch, ValidationStats* stats) {
  if (!batch.schema()) return Status::Invalid("batch without a schema");
  const auto& fields = batch.schema()->fields();
  if (batch.num_rows() < 0) return Status::Invalid("negative row count");
  if (batch.columns().size() != fields.size()) {
    return Status::Invalid(std::to_string(batch.columns().size()) + " columns, the schema has " +
                           std::to_string(fields.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const ArrayDataPtr& column = batch.columns()[i];
    const std::string& name = fields[i].name;
    if (!column) return Status::Invalid("column '" + name + "' is missing");
    if (!column->type || !column->type->Equals(*fields[i].type)) {
      return Status::Invalid("column '" + name + "' does not have the schema's type " +
                             fields[i].type->ToString());
    }
    if (column->length != batch.num_rows()) {
      return Status::Invalid("column '" + name + "' has " + std::to_string(column->length) +
                             " rows, the batch " + std::to_string(batch.num_rows()));
    }
    KARROW_RETURN_NOT_OK(ValidateArray(*column, name, stats));
    std::vector<char> all(static_cast<size_t>(column->length), 1);
    KARROW_RETURN_NOT_OK(CheckNullability(*column, fields[i], all, name));
  }
  return Status::OK();
}

}  // namespace karrow::fuzz
