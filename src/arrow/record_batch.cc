#include "karrow/record_batch.h"

#include <algorithm>

namespace karrow {

ArrayDataPtr SliceArray(const ArrayDataPtr& data, int64_t offset, int64_t length) {
  auto out = std::make_shared<ArrayData>(*data);
  out->offset = data->offset + offset;
  out->length = length;
  int64_t nulls = 0;
  if (out->type->id() == TypeId::kNull) {
    out->null_count = length;
  } else if (out->buffers.empty() || !out->buffers[0]) {
    out->null_count = 0;
  } else {
    for (int64_t i = 0; i < length; ++i) nulls += !out->IsValid(i);
    out->null_count = nulls;
  }
  return out;
}

RecordBatch RecordBatch::Slice(int64_t offset, int64_t length) const {
  offset = std::clamp<int64_t>(offset, 0, num_rows_);
  length = std::clamp<int64_t>(length, 0, num_rows_ - offset);
  std::vector<ArrayDataPtr> columns;
  columns.reserve(columns_.size());
  for (const auto& c : columns_) columns.push_back(SliceArray(c, offset, length));
  return RecordBatch(schema_, length, std::move(columns));
}

}  // namespace karrow
