#include "arrow/builder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace karrow {
namespace {

// Reserve() sizes variable-size data from the last batch: `rows` times the
// last batch's average per row, but never more than twice what the last
// batch held in all (a few large rows flushed by linger must not make the
// next batch reserve that much for every row) nor more than `cap`. A batch
// that needs more still grows.
int64_t ReserveFromLast(int64_t rows, int64_t last_total, int64_t last_rows, int64_t cap) {
  if (last_rows == 0) return 0;
  int64_t per_row = (last_total + last_rows - 1) / last_rows;
  return std::min({rows * per_row, 2 * last_total, cap});
}
constexpr int64_t kMaxReserveBytes = int64_t{64} << 20;
constexpr int64_t kMaxReserveItems = int64_t{1} << 20;

int64_t CountNulls(const uint8_t* bits, int64_t from, int64_t to) {
  int64_t nulls = 0;
  for (int64_t i = from; i < to; ++i) nulls += !((bits[i >> 3] >> (i & 7)) & 1);
  return nulls;
}

ArrayDataPtr MakeData(const TypePtr& type, int64_t length, int64_t null_count,
                      std::vector<std::shared_ptr<Buffer>> buffers) {
  auto data = std::make_shared<ArrayData>();
  data->type = type;
  data->length = length;
  data->null_count = null_count;
  data->buffers = std::move(buffers);
  return data;
}

}  // namespace

void ValidityBuilder::SetBit(int64_t i, bool valid) {
  int64_t byte = i >> 3;
  if (byte >= bits_.size()) bits_.AppendZeros(byte + 1 - bits_.size());
  uint8_t mask = static_cast<uint8_t>(1u << (i & 7));
  uint8_t* p = bits_.mutable_data() + byte;
  *p = valid ? (*p | mask) : (*p & ~mask);
}

void ValidityBuilder::AppendNull() {
  if (!has_bitmap_) {
    // First null: materialize the bitmap with every earlier row valid.
    has_bitmap_ = true;
    bits_.Reserve(length_ / 8 + 64);
    for (int64_t i = 0; i < length_; ++i) SetBit(i, true);
  }
  SetBit(length_, false);
  ++length_;
  ++null_count_;
}

void ValidityBuilder::Truncate(int64_t length) {
  if (length >= length_) return;
  if (has_bitmap_) {
    null_count_ -= CountNulls(bits_.data(), length, length_);
    bits_.Resize((length + 7) / 8);
    // Clear the stale high bits of the last byte so reappends start clean.
    if (length & 7)
      bits_.mutable_data()[length >> 3] &= static_cast<uint8_t>((1u << (length & 7)) - 1);
  }
  length_ = length;
}

std::shared_ptr<Buffer> ValidityBuilder::Finish() {
  std::shared_ptr<Buffer> out;
  if (has_bitmap_) {
    bits_.Resize((length_ + 7) / 8);
    out = bits_.Finish();
  }
  has_bitmap_ = false;
  length_ = 0;
  null_count_ = 0;
  return out;
}

template <typename T>
ArrayDataPtr PrimitiveBuilder<T>::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  auto bitmap = validity_.Finish();
  return MakeData(type_, length, nulls, {std::move(bitmap), values_.Finish()});
}

template class PrimitiveBuilder<int8_t>;
template class PrimitiveBuilder<int16_t>;
template class PrimitiveBuilder<int32_t>;
template class PrimitiveBuilder<int64_t>;
template class PrimitiveBuilder<uint8_t>;
template class PrimitiveBuilder<uint16_t>;
template class PrimitiveBuilder<uint32_t>;
template class PrimitiveBuilder<uint64_t>;
template class PrimitiveBuilder<float>;
template class PrimitiveBuilder<double>;

ArrayDataPtr Decimal128Builder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  auto bitmap = validity_.Finish();
  return MakeData(type_, length, nulls, {std::move(bitmap), values_.Finish()});
}

void BooleanBuilder::Append(bool v) {
  int64_t i = length();
  if ((i >> 3) >= bits_.size()) bits_.AppendValue<uint8_t>(0);
  if (v) bits_.mutable_data()[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
  validity_.AppendValid();
}

void BooleanBuilder::AppendNull() {
  int64_t i = length();
  if ((i >> 3) >= bits_.size()) bits_.AppendValue<uint8_t>(0);
  validity_.AppendNull();
}

void BooleanBuilder::Reserve(int64_t rows) {
  bits_.Reserve((length() + rows + 7) / 8 - bits_.size());
}

void BooleanBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  validity_.Truncate(length);
  bits_.Resize((length + 7) / 8);
  if (length & 7)
    bits_.mutable_data()[length >> 3] &= static_cast<uint8_t>((1u << (length & 7)) - 1);
}

ArrayDataPtr BooleanBuilder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  auto bitmap = validity_.Finish();
  return MakeData(type_, length, nulls, {std::move(bitmap), bits_.Finish()});
}

BinaryBuilder::BinaryBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
    : ArrayBuilder(std::move(type), pool), offsets_(pool), data_(pool) {
  offsets_.AppendValue<int32_t>(0);
}

Status BinaryBuilder::DataLimitError(int64_t n) const {
  return Status::Invalid(
      "a " + type_->ToString() + " column would hold more than 2 GiB in one batch (" +
      std::to_string(data_.size()) + " + " + std::to_string(n) + " bytes); lower the batch size");
}

void BinaryBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  validity_.Truncate(length);
  offsets_.Resize((length + 1) * 4);
  int32_t end;
  std::memcpy(&end, offsets_.data() + length * 4, 4);
  data_.Resize(end);
}

void BinaryBuilder::Reserve(int64_t rows) {
  offsets_.Reserve(rows * 4);
  data_.Reserve(ReserveFromLast(rows, last_bytes_, last_rows_, kMaxReserveBytes));
}

ArrayDataPtr BinaryBuilder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  last_bytes_ = data_.size();
  last_rows_ = length;
  auto bitmap = validity_.Finish();
  auto data =
      MakeData(type_, length, nulls, {std::move(bitmap), offsets_.Finish(), data_.Finish()});
  offsets_.AppendValue<int32_t>(0);
  return data;
}

ListBuilder::ListBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool,
                         std::unique_ptr<ArrayBuilder> item)
    : ArrayBuilder(std::move(type), pool), offsets_(pool), item_(std::move(item)) {}

void ListBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  int32_t item_end;
  std::memcpy(&item_end, offsets_.data() + length * 4, 4);
  validity_.Truncate(length);
  offsets_.Resize(length * 4);
  item_->Truncate(item_end);
}

void ListBuilder::Reserve(int64_t rows) {
  offsets_.Reserve(rows * 4);
  item_->Reserve(ReserveFromLast(rows, last_items_, last_rows_, kMaxReserveItems));
}

ArrayDataPtr ListBuilder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  last_items_ = item_->length();
  last_rows_ = length;
  auto bitmap = validity_.Finish();
  offsets_.AppendValue(static_cast<int32_t>(item_->length()));
  auto data = MakeData(type_, length, nulls, {std::move(bitmap), offsets_.Finish()});
  data->children.push_back(item_->Finish());
  return data;
}

StructBuilder::StructBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool,
                             std::vector<std::unique_ptr<ArrayBuilder>> children)
    : ArrayBuilder(std::move(type), std::move(pool)), children_(std::move(children)) {}

void StructBuilder::AppendNull() {
  validity_.AppendNull();
  for (auto& c : children_) c->AppendNull();
}

void StructBuilder::Truncate(int64_t length) {
  validity_.Truncate(length);
  for (auto& c : children_) c->Truncate(length);
}

void StructBuilder::Reserve(int64_t rows) {
  for (auto& c : children_) c->Reserve(rows);
}

ArrayDataPtr StructBuilder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  auto bitmap = validity_.Finish();
  auto data = MakeData(type_, length, nulls, {std::move(bitmap)});
  for (auto& c : children_) data->children.push_back(c->Finish());
  return data;
}

ArrayDataPtr NullBuilder::Finish() {
  int64_t length = validity_.length();
  validity_.Finish();
  // No buffers at all; the one slot is the (absent) validity the ArrayData
  // layout expects, which exporters skip for this type.
  return MakeData(type_, length, length, {nullptr});
}

ArrayDataPtr FixedSizeBinaryBuilder::Finish() {
  int64_t length = validity_.length();
  int64_t nulls = validity_.null_count();
  auto bitmap = validity_.Finish();
  return MakeData(type_, length, nulls, {std::move(bitmap), values_.Finish()});
}

DenseUnionBuilder::DenseUnionBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool,
                                     std::vector<std::unique_ptr<ArrayBuilder>> members)
    : ArrayBuilder(std::move(type), pool),
      type_ids_(pool),
      offsets_(pool),
      members_(std::move(members)) {}

void DenseUnionBuilder::AppendNull() {
  members_[0]->AppendNull();
  Append(0);
}

void DenseUnionBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  // Each member keeps the values of the rows before `length`: a member's
  // values are appended in row order, so its new length is one past the
  // highest offset any kept row points at.
  std::vector<int64_t> keep(members_.size(), 0);
  const uint8_t* ids = type_ids_.data();
  for (int64_t row = 0; row < length; ++row) {
    int32_t offset;
    std::memcpy(&offset, offsets_.data() + row * 4, 4);
    keep[ids[row]] = offset + 1;
  }
  for (size_t i = 0; i < members_.size(); ++i) members_[i]->Truncate(keep[i]);
  validity_.Truncate(length);
  type_ids_.Resize(length);
  offsets_.Resize(length * 4);
}

ArrayDataPtr DenseUnionBuilder::Finish() {
  int64_t length = validity_.length();
  validity_.Finish();
  // Slot 0 is the validity a union does not have (exporters skip it).
  auto data = MakeData(type_, length, 0, {nullptr, type_ids_.Finish(), offsets_.Finish()});
  for (auto& m : members_) data->children.push_back(m->Finish());
  return data;
}

std::unique_ptr<ArrayBuilder> MakeBuilder(const TypePtr& type, std::shared_ptr<MemoryPool> pool) {
  switch (type->id()) {
    case TypeId::kBool:
      return std::make_unique<BooleanBuilder>(type, pool);
    case TypeId::kInt8:
      return std::make_unique<Int8Builder>(type, pool);
    case TypeId::kInt16:
      return std::make_unique<Int16Builder>(type, pool);
    case TypeId::kInt32:
    case TypeId::kDate32:
    case TypeId::kTime32:
      return std::make_unique<Int32Builder>(type, pool);
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kTime64:
    case TypeId::kDuration:
      return std::make_unique<Int64Builder>(type, pool);
    case TypeId::kUInt8:
      return std::make_unique<UInt8Builder>(type, pool);
    case TypeId::kUInt16:
      return std::make_unique<UInt16Builder>(type, pool);
    case TypeId::kUInt32:
      return std::make_unique<UInt32Builder>(type, pool);
    case TypeId::kUInt64:
      return std::make_unique<UInt64Builder>(type, pool);
    case TypeId::kFloat32:
      return std::make_unique<FloatBuilder>(type, pool);
    case TypeId::kFloat64:
      return std::make_unique<DoubleBuilder>(type, pool);
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return std::make_unique<BinaryBuilder>(type, pool);
    case TypeId::kDecimal128:
      return std::make_unique<Decimal128Builder>(type, pool);
    case TypeId::kList:
    case TypeId::kMap:
      return std::make_unique<ListBuilder>(type, pool, MakeBuilder(type->children()[0].type, pool));
    case TypeId::kNull:
      return std::make_unique<NullBuilder>(type, pool);
    case TypeId::kFixedSizeBinary:
      return std::make_unique<FixedSizeBinaryBuilder>(type, pool);
    case TypeId::kDenseUnion: {
      std::vector<std::unique_ptr<ArrayBuilder>> members;
      for (const Field& f : type->children()) members.push_back(MakeBuilder(f.type, pool));
      return std::make_unique<DenseUnionBuilder>(type, pool, std::move(members));
    }
    case TypeId::kStruct: {
      std::vector<std::unique_ptr<ArrayBuilder>> children;
      for (const Field& f : type->children()) children.push_back(MakeBuilder(f.type, pool));
      return std::make_unique<StructBuilder>(type, pool, std::move(children));
    }
  }
  throw std::logic_error("MakeBuilder: unknown type");
}

RecordBatchBuilder::RecordBatchBuilder(SchemaPtr schema, std::shared_ptr<MemoryPool> pool)
    : schema_(std::move(schema)) {
  for (const Field& f : schema_->fields()) columns_.push_back(MakeBuilder(f.type, pool));
}

void RecordBatchBuilder::Reserve(int64_t rows) {
  for (auto& c : columns_) c->Reserve(rows);
}

void RecordBatchBuilder::Truncate(int64_t rows) {
  for (auto& c : columns_) c->Truncate(rows);
}

Result<RecordBatch> RecordBatchBuilder::Finish() {
  int64_t rows = num_rows();
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i]->length() != rows) {
      return Status::Internal("column '" + schema_->field(static_cast<int>(i)).name + "' has " +
                              std::to_string(columns_[i]->length()) + " rows, expected " +
                              std::to_string(rows));
    }
  }
  std::vector<ArrayDataPtr> columns;
  columns.reserve(columns_.size());
  for (auto& c : columns_) columns.push_back(c->Finish());
  return RecordBatch(schema_, rows, std::move(columns));
}

}  // namespace karrow
