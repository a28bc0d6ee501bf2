#include "arrow_compare.h"

#include <cstring>
#include <string>

namespace karrow::fuzz {
namespace {

// Slot `i` of `a` against slot `j` of `b`; both count from their array's
// offset. Types are known to be equal. Types this file has no case for yet
// compare as equal (ValidateArray reports them as unchecked).
bool SlotsEqual(const ArrayData& a, int64_t i, const ArrayData& b, int64_t j) {
  bool valid = a.IsValid(i);
  if (valid != b.IsValid(j)) return false;
  if (!valid) return true;
  switch (a.type->id()) {
    case TypeId::kBool:
      return a.BoolValue(i) == b.BoolValue(j);
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return a.View(i) == b.View(j);
    case TypeId::kNull:
      return true;  // unreachable: every null slot is invalid
    case TypeId::kDenseUnion: {
      // The same member, and equal values in it.
      int8_t a_id = static_cast<int8_t>(a.buffers[1]->data()[a.offset + i]);
      int8_t b_id = static_cast<int8_t>(b.buffers[1]->data()[b.offset + j]);
      if (a_id != b_id) return false;
      int32_t a_at, b_at;
      std::memcpy(&a_at, a.buffers[2]->data() + (a.offset + i) * 4, 4);
      std::memcpy(&b_at, b.buffers[2]->data() + (b.offset + j) * 4, 4);
      return SlotsEqual(*a.children[a_id], a_at, *b.children[b_id], b_at);
    }
    case TypeId::kList:
    case TypeId::kMap: {  // a map is a list of its entries
      auto [a_begin, a_end] = a.ListRange(i);
      auto [b_begin, b_end] = b.ListRange(j);
      if (a_end - a_begin != b_end - b_begin) return false;
      for (int32_t k = 0; k < a_end - a_begin; ++k) {
        if (!SlotsEqual(*a.children[0], a_begin + k, *b.children[0], b_begin + k)) return false;
      }
      return true;
    }
    case TypeId::kStruct:
      // A struct's offset also shifts its children.
      for (size_t c = 0; c < a.children.size(); ++c) {
        if (!SlotsEqual(*a.children[c], a.offset + i, *b.children[c], b.offset + j)) return false;
      }
      return true;
    default: {
      int width = a.type->byte_width();
      if (width <= 0) return true;  // a type added later: not compared
      // Bytes, not values: floats compare exactly (NaN payloads, -0.0).
      return std::memcmp(a.buffers[1]->data() + (a.offset + i) * width,
                         b.buffers[1]->data() + (b.offset + j) * width,
                         static_cast<size_t>(width)) == 0;
    }
  }
}

}  // namespace

Status CompareBatches(const RecordBatch& expected, const RecordBatch& actual) {
  if (expected.num_rows() != actual.num_rows()) {
    return Status::Invalid("expected " + std::to_string(expected.num_rows()) + " rows, got " +
                           std::to_string(actual.num_rows()));
  }
  if (expected.num_columns() != actual.num_columns()) {
    return Status::Invalid("expected " + std::to_string(expected.num_columns()) + " columns, got " +
                           std::to_string(actual.num_columns()));
  }
  for (int c = 0; c < expected.num_columns(); ++c) {
    const ArrayData& e = *expected.column(c);
    const ArrayData& a = *actual.column(c);
    const std::string& name = expected.schema()->field(c).name;
    if (!e.type->Equals(*a.type))
      return Status::Invalid("column '" + name + "' has different types");
    for (int64_t row = 0; row < expected.num_rows(); ++row) {
      if (!SlotsEqual(e, row, a, row)) {
        return Status::Invalid("column '" + name + "' differs at row " + std::to_string(row));
      }
    }
  }
  return Status::OK();
}

}  // namespace karrow::fuzz
