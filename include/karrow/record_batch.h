// Finished, immutable Arrow data: ArrayData (one column, possibly nested) and
// RecordBatch (a schema plus equal-length columns). Cheap to slice and share.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "karrow/buffer.h"
#include "karrow/data_type.h"
#include "karrow/export.h"
#include "karrow/status.h"

namespace karrow {

/// One array in the Arrow columnar layout. `buffers` follow the C Data
/// Interface order for the type (validity first; a null validity buffer means
/// no nulls), except that null and union arrays, which have no validity in
/// the Arrow format, still hold an empty slot 0 here (HasValiditySlot()). `offset` is in rows and
/// applies to this level only (a struct's offset also shifts its children, as the Arrow format
/// says).
struct ArrayData {
  TypePtr type;
  int64_t length = 0;
  int64_t offset = 0;
  int64_t null_count = 0;
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::vector<std::shared_ptr<ArrayData>> children;

  /// `i` counts from this array's offset.
  bool IsValid(int64_t i) const {
    const auto& v = buffers[0];
    if (!v) return type->id() != TypeId::kNull;
    int64_t j = i + offset;
    return (v->data()[j >> 3] >> (j & 7)) & 1;
  }
  template <typename T>
  T Value(int64_t i) const {
    T out;
    std::memcpy(&out, buffers[1]->data() + (i + offset) * sizeof(T), sizeof(T));
    return out;
  }
  bool BoolValue(int64_t i) const {
    int64_t j = i + offset;
    return (buffers[1]->data()[j >> 3] >> (j & 7)) & 1;
  }
  /// For utf8 and binary.
  std::string_view View(int64_t i) const {
    const auto* offsets = reinterpret_cast<const int32_t*>(buffers[1]->data()) + offset;
    return {reinterpret_cast<const char*>(buffers[2]->data()) + offsets[i],
            static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
  /// For lists: the child range [begin, end) of element `i`.
  std::pair<int32_t, int32_t> ListRange(int64_t i) const {
    const auto* offsets = reinterpret_cast<const int32_t*>(buffers[1]->data()) + offset;
    return {offsets[i], offsets[i + 1]};
  }
};

using ArrayDataPtr = std::shared_ptr<ArrayData>;

/// False for the types whose Arrow layout has no validity buffer: exporters
/// skip ArrayData's slot 0 for them.
inline bool HasValiditySlot(TypeId id) { return id != TypeId::kNull && id != TypeId::kDenseUnion; }

/// Zero-copy view of rows [offset, offset + length) of `data`.
KARROW_EXPORT ArrayDataPtr SliceArray(const ArrayDataPtr& data, int64_t offset, int64_t length);

class KARROW_EXPORT RecordBatch {
 public:
  RecordBatch(SchemaPtr schema, int64_t num_rows, std::vector<ArrayDataPtr> columns)
      : schema_(std::move(schema)), num_rows_(num_rows), columns_(std::move(columns)) {}

  const SchemaPtr& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const ArrayDataPtr& column(int i) const { return columns_[i]; }
  const std::vector<ArrayDataPtr>& columns() const { return columns_; }

  /// Zero-copy view of rows [offset, offset + length); both are clamped.
  RecordBatch Slice(int64_t offset, int64_t length) const;

 private:
  SchemaPtr schema_;
  int64_t num_rows_;
  std::vector<ArrayDataPtr> columns_;
};

/// A pull-based source of record batches that all share one schema.
class KARROW_EXPORT RecordBatchReader {
 public:
  virtual ~RecordBatchReader() = default;
  virtual SchemaPtr schema() const = 0;
  /// The next batch, or std::nullopt at the end of the stream.
  virtual Result<std::optional<RecordBatch>> Next() = 0;
};

}  // namespace karrow
