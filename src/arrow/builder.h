// Builders append values column by column and finish into ArrayData. Hot
// paths call Reserve() once per batch and then the Unsafe* appends, which do
// no capacity checks; the checked appends grow as needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "karrow/buffer.h"
#include "karrow/data_type.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// Tracks row count and nulls. The bitmap is allocated only when the first
/// null arrives; until then every row is valid and no memory is used.
class ValidityBuilder {
 public:
  explicit ValidityBuilder(std::shared_ptr<MemoryPool> pool) : bits_(std::move(pool)) {}
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }

  // Always inlined: every append of every builder calls it, and compilers
  // leave it out of line in large decoder functions.
  [[gnu::always_inline]] void AppendValid() {
    if (has_bitmap_) SetBit(length_, true);
    ++length_;
  }
  void AppendNull();
  /// Drops rows past `length`.
  void Truncate(int64_t length);
  /// Returns the bitmap (null when there were no nulls) and resets to empty.
  std::shared_ptr<Buffer> Finish();

 private:
  void SetBit(int64_t i, bool valid);

  BufferBuilder bits_;
  bool has_bitmap_ = false;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
};

class ArrayBuilder {
 public:
  virtual ~ArrayBuilder() = default;
  const TypePtr& type() const { return type_; }
  int64_t length() const { return validity_.length(); }
  int64_t null_count() const { return validity_.null_count(); }

  virtual void AppendNull() = 0;
  /// Drops rows past `length`, so that a record that failed half way through
  /// decoding leaves no trace.
  virtual void Truncate(int64_t length) = 0;
  /// Makes room for `rows` more rows. Variable-size data (strings, list
  /// items) gets as much per row as the last finished batch held (at most
  /// twice that batch's total), so that batches after the first do not grow
  /// and copy their buffers.
  virtual void Reserve(int64_t rows) = 0;
  /// Returns the built array and leaves the builder empty, ready for reuse.
  virtual ArrayDataPtr Finish() = 0;

 protected:
  ArrayBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : type_(std::move(type)), pool_(pool), validity_(std::move(pool)) {}

  TypePtr type_;
  std::shared_ptr<MemoryPool> pool_;
  ValidityBuilder validity_;
};

/// Fixed-width values: integers, floats, date32 (int32 days), timestamp
/// (int64 in the type's unit).
template <typename T>
class PrimitiveBuilder final : public ArrayBuilder {
 public:
  PrimitiveBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : ArrayBuilder(std::move(type), pool), values_(pool) {}

  void UnsafeAppend(T v) {
    validity_.AppendValid();
    values_.UnsafeAppendValue(v);
  }
  void Append(T v) {
    values_.Reserve(sizeof(T));
    UnsafeAppend(v);
  }
  void AppendNull() override {
    validity_.AppendNull();
    values_.AppendValue(T{});
  }
  void Truncate(int64_t length) override {
    validity_.Truncate(length);
    values_.Resize(length * static_cast<int64_t>(sizeof(T)));
  }
  void Reserve(int64_t rows) override { values_.Reserve(rows * static_cast<int64_t>(sizeof(T))); }
  ArrayDataPtr Finish() override;

 private:
  BufferBuilder values_;
};

using Int8Builder = PrimitiveBuilder<int8_t>;
using Int16Builder = PrimitiveBuilder<int16_t>;
using Int32Builder = PrimitiveBuilder<int32_t>;
using Int64Builder = PrimitiveBuilder<int64_t>;
using UInt8Builder = PrimitiveBuilder<uint8_t>;
using UInt16Builder = PrimitiveBuilder<uint16_t>;
using UInt32Builder = PrimitiveBuilder<uint32_t>;
using UInt64Builder = PrimitiveBuilder<uint64_t>;
using FloatBuilder = PrimitiveBuilder<float>;
using DoubleBuilder = PrimitiveBuilder<double>;

/// Decimal128 values as two's-complement 128-bit integers (unscaled).
class Decimal128Builder final : public ArrayBuilder {
 public:
  Decimal128Builder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : ArrayBuilder(std::move(type), pool), values_(pool) {}
  void Append(__int128 unscaled) {
    validity_.AppendValid();
    values_.AppendValue(unscaled);
  }
  void AppendNull() override {
    validity_.AppendNull();
    values_.AppendValue(__int128{0});
  }
  void Truncate(int64_t length) override {
    validity_.Truncate(length);
    values_.Resize(length * 16);
  }
  void Reserve(int64_t rows) override { values_.Reserve(rows * 16); }
  ArrayDataPtr Finish() override;

 private:
  BufferBuilder values_;
};

class BooleanBuilder final : public ArrayBuilder {
 public:
  BooleanBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : ArrayBuilder(std::move(type), pool), bits_(pool) {}
  void Append(bool v);
  void AppendNull() override;
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override;
  ArrayDataPtr Finish() override;

 private:
  BufferBuilder bits_;
};

/// utf8 and binary: int32 offsets plus one data buffer. The data of one batch
/// must stay under 2 GiB; callers check data_length() to flush before that.
class BinaryBuilder final : public ArrayBuilder {
 public:
  static constexpr int64_t kMaxDataLength = INT32_MAX;

  BinaryBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool);
  int64_t data_length() const { return data_.size(); }

  /// Fails (appending nothing) when the batch's data would pass 2 GiB.
  Status Append(const void* bytes, int64_t n) {
    if (!TryAppend(bytes, n)) return DataLimitError(n);
    return Status::OK();
  }
  Status Append(std::string_view s) { return Append(s.data(), static_cast<int64_t>(s.size())); }
  /// Append for decoders, which call it per value: a bool is cheaper to
  /// return than a Status. False (appending nothing) when the batch's data
  /// would pass 2 GiB; DataLimitError(n) then says so.
  bool TryAppend(const void* bytes, int64_t n) {
    if (data_.size() + n > kMaxDataLength) return false;
    data_.Append(bytes, n);
    validity_.AppendValid();
    offsets_.AppendValue(static_cast<int32_t>(data_.size()));
    return true;
  }
  bool TryAppend(std::string_view s) { return TryAppend(s.data(), static_cast<int64_t>(s.size())); }
  Status DataLimitError(int64_t n) const;

  /// For decoders that copy a value's bytes themselves (to check them in
  /// the same pass): makes room for `n` bytes at data_end(), or returns
  /// false, as TryAppend does, when the batch's data would pass 2 GiB.
  /// The bytes written there become the next value with CommitValue(n).
  bool ReserveValue(int64_t n) {
    if (data_.size() + n > kMaxDataLength) return false;
    data_.Reserve(n);
    return true;
  }
  uint8_t* data_end() { return data_.mutable_data() + data_.size(); }
  void CommitValue(int64_t n) {
    data_.Resize(data_.size() + n);
    validity_.AppendValid();
    offsets_.AppendValue(static_cast<int32_t>(data_.size()));
  }
  void AppendNull() override {
    validity_.AppendNull();
    offsets_.AppendValue(static_cast<int32_t>(data_.size()));
  }
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override;
  void ReserveData(int64_t bytes) { data_.Reserve(bytes); }
  ArrayDataPtr Finish() override;

 private:
  BufferBuilder offsets_;  // always holds length() + 1 entries
  BufferBuilder data_;
  int64_t last_bytes_ = 0;  // data bytes and rows of the last finished batch
  int64_t last_rows_ = 0;
};

/// list<item>: call Append() to open an element, then append its items to
/// item_builder(); or AppendNull() for a null list.
class ListBuilder final : public ArrayBuilder {
 public:
  ListBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool, std::unique_ptr<ArrayBuilder> item);
  ArrayBuilder* item_builder() { return item_.get(); }
  void Append() {
    validity_.AppendValid();
    offsets_.AppendValue(static_cast<int32_t>(item_->length()));
  }
  void AppendNull() override {
    validity_.AppendNull();
    offsets_.AppendValue(static_cast<int32_t>(item_->length()));
  }
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override;
  ArrayDataPtr Finish() override;

 private:
  // offsets_ holds the start of each element; the end of the last one is the
  // item builder's length, written at Finish().
  BufferBuilder offsets_;
  std::unique_ptr<ArrayBuilder> item_;
  int64_t last_items_ = 0;  // items and rows of the last finished batch
  int64_t last_rows_ = 0;
};

/// struct<...>: append to every child, then call Append() (or AppendNull(),
/// which also appends a null to every child).
class StructBuilder final : public ArrayBuilder {
 public:
  StructBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool,
                std::vector<std::unique_ptr<ArrayBuilder>> children);
  int num_children() const { return static_cast<int>(children_.size()); }
  ArrayBuilder* child(int i) { return children_[i].get(); }
  void Append() { validity_.AppendValid(); }
  void AppendNull() override;
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override;
  ArrayDataPtr Finish() override;

 private:
  std::vector<std::unique_ptr<ArrayBuilder>> children_;
};

/// null: counts rows, all of them null.
class NullBuilder final : public ArrayBuilder {
 public:
  NullBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : ArrayBuilder(std::move(type), std::move(pool)) {}
  void AppendNull() override { validity_.AppendNull(); }
  void Truncate(int64_t length) override { validity_.Truncate(length); }
  void Reserve(int64_t) override {}
  ArrayDataPtr Finish() override;
};

/// fixed_size_binary(n): every value exactly n bytes.
class FixedSizeBinaryBuilder final : public ArrayBuilder {
 public:
  FixedSizeBinaryBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool)
      : ArrayBuilder(std::move(type), pool),
        width_(type_->byte_width()),
        values_(std::move(pool)) {}
  int32_t byte_width() const { return width_; }
  /// `bytes` holds byte_width() bytes.
  void Append(const void* bytes) {
    validity_.AppendValid();
    values_.Append(bytes, width_);
  }
  void AppendNull() override {
    validity_.AppendNull();
    values_.AppendZeros(width_);
  }
  void Truncate(int64_t length) override {
    validity_.Truncate(length);
    values_.Resize(length * width_);
  }
  void Reserve(int64_t rows) override { values_.Reserve(rows * width_); }
  ArrayDataPtr Finish() override;

 private:
  int32_t width_;
  BufferBuilder values_;
};

/// dense_union<...>: append the value to member(i), then call Append(i).
/// A union has no validity of its own (the Arrow format says so): a null is
/// a null in a member; AppendNull() appends one to the first member.
class DenseUnionBuilder final : public ArrayBuilder {
 public:
  DenseUnionBuilder(TypePtr type, std::shared_ptr<MemoryPool> pool,
                    std::vector<std::unique_ptr<ArrayBuilder>> members);
  ArrayBuilder* member(int i) { return members_[i].get(); }
  /// Records that the row's value is the last one appended to member(i).
  void Append(int8_t i) {
    validity_.AppendValid();
    type_ids_.AppendValue(i);
    offsets_.AppendValue(static_cast<int32_t>(members_[i]->length() - 1));
  }
  void AppendNull() override;
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override {
    type_ids_.Reserve(rows);
    offsets_.Reserve(rows * 4);
  }
  ArrayDataPtr Finish() override;

 private:
  BufferBuilder type_ids_;
  BufferBuilder offsets_;
  std::vector<std::unique_ptr<ArrayBuilder>> members_;
};

/// Makes the builder for `type` (with builders for all its children); a map
/// is built by a ListBuilder of its entries struct.
std::unique_ptr<ArrayBuilder> MakeBuilder(const TypePtr& type,
                                          std::shared_ptr<MemoryPool> pool = MemoryPool::Default());

/// A builder per column of a schema; finishes into a RecordBatch.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(SchemaPtr schema,
                              std::shared_ptr<MemoryPool> pool = MemoryPool::Default());
  const SchemaPtr& schema() const { return schema_; }
  ArrayBuilder* column(int i) { return columns_[i].get(); }
  template <typename B>
  B* column_as(int i) {
    return static_cast<B*>(columns_[i].get());
  }
  /// Rows of the first column (callers keep all columns the same length).
  int64_t num_rows() const { return columns_.empty() ? 0 : columns_[0]->length(); }
  void Reserve(int64_t rows);
  /// Drops rows past `rows` in every column.
  void Truncate(int64_t rows);
  /// Fails if the columns have different lengths (a bug in the caller).
  Result<RecordBatch> Finish();

 private:
  SchemaPtr schema_;
  std::vector<std::unique_ptr<ArrayBuilder>> columns_;
};

}  // namespace karrow
