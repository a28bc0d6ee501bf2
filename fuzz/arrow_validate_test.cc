// The validator and the comparison must catch what they claim to catch, or
// the fuzz targets built on them prove nothing.
#include "arrow_validate.h"

#include <gtest/gtest.h>

#include <vector>

#include "arrow/builder.h"
#include "arrow_compare.h"

namespace karrow::fuzz {
namespace {

std::shared_ptr<Buffer> MakeBuffer(const std::vector<uint8_t>& bytes) {
  BufferBuilder b(MemoryPool::Default());
  b.Append(bytes.data(), static_cast<int64_t>(bytes.size()));
  return b.Finish();
}

std::shared_ptr<Buffer> Offsets(const std::vector<int32_t>& offsets) {
  std::vector<uint8_t> bytes(offsets.size() * 4);
  std::memcpy(bytes.data(), offsets.data(), bytes.size());
  return MakeBuffer(bytes);
}

ArrayDataPtr Utf8(const std::vector<int32_t>& offsets, const std::string& data) {
  auto a = std::make_shared<ArrayData>();
  a->type = utf8();
  a->length = static_cast<int64_t>(offsets.size()) - 1;
  a->buffers = {nullptr, Offsets(offsets),
                MakeBuffer(std::vector<uint8_t>(data.begin(), data.end()))};
  return a;
}

void ExpectInvalid(const ArrayData& a, const std::string& fragment) {
  Status st = ValidateArray(a, "a");
  ASSERT_FALSE(st.ok()) << "expected a violation containing '" << fragment << "'";
  EXPECT_NE(st.message().find(fragment), std::string::npos) << st.message();
}

TEST(ValidateArray, AcceptsWhatTheBuildersMake) {
  auto item =
      struct_({{"sku", utf8(), true}, {"qty", int16(), false}, {"price", decimal128(5, 2), true}});
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"flag", boolean(), true},
                                                  {"n", uint64(), true},
                                                  {"items", list({"item", item, true}), true}});
  RecordBatchBuilder builder(schema);
  for (int row = 0; row < 20; ++row) {
    if (row % 3 == 0) {
      builder.column(0)->AppendNull();
    } else {
      builder.column_as<BooleanBuilder>(0)->Append(row % 2 == 0);
    }
    builder.column_as<UInt64Builder>(1)->Append(UINT64_MAX - row);
    auto* items = builder.column_as<ListBuilder>(2);
    items->Append();
    auto* s = static_cast<StructBuilder*>(items->item_builder());
    for (int k = 0; k < row % 4; ++k) {
      ASSERT_TRUE(static_cast<BinaryBuilder*>(s->child(0))->Append("sku\xc3\xa9").ok());
      static_cast<Int16Builder*>(s->child(1))->Append(static_cast<int16_t>(k));
      static_cast<Decimal128Builder*>(s->child(2))->Append(99999);
      s->Append();
    }
    s->AppendNull();  // a null struct: its non-nullable child is null too, which is allowed
  }
  Result<RecordBatch> batch = builder.Finish();
  ASSERT_TRUE(batch.ok());
  ValidationStats stats;
  Status st = ValidateBatch(*batch, &stats);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.arrays_checked, 7);  // flag, n, items, its struct, and 3 children
  EXPECT_EQ(stats.arrays_unchecked, 0);
  st = ValidateBatch(batch->Slice(3, 10));
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(ValidateArray, Offsets) {
  EXPECT_TRUE(ValidateArray(*Utf8({0, 2, 2, 5}, "abcde")).ok());
  ExpectInvalid(*Utf8({0, 3, 2, 5}, "abcde"), "offsets decrease at row 1");
  ExpectInvalid(*Utf8({0, 2, 6}, "abcde"), "last offset 6 is past the data size");
  ExpectInvalid(*Utf8({-1, 2}, "abcde"), "first offset -1 is negative");
  auto short_offsets = Utf8({0, 2}, "ab");
  short_offsets->length = 2;
  ExpectInvalid(*short_offsets, "buffer 1 has 8 bytes, needs 12");
}

TEST(ValidateArray, Utf8ButNotBinary) {
  auto bad = Utf8({0, 1, 3}, "a\xc3\x28");
  ExpectInvalid(*bad, "row 1 is not valid UTF-8");
  bad->type = binary();
  EXPECT_TRUE(ValidateArray(*bad).ok());
  // A null slot's bytes are not checked.
  bad->type = utf8();
  bad->buffers[0] = MakeBuffer({0x01});
  bad->null_count = 1;
  EXPECT_TRUE(ValidateArray(*bad).ok()) << ValidateArray(*bad).ToString();
}

TEST(ValidateArray, NullCountsAndBitmaps) {
  auto a = Utf8({0, 1, 2, 3}, "abc");
  a->buffers[0] = MakeBuffer({0x05});  // rows 0 and 2 valid
  a->null_count = 2;
  ExpectInvalid(*a, "null_count is 2 but the bitmap has 1 nulls");
  a->null_count = 1;
  EXPECT_TRUE(ValidateArray(*a).ok());
  a->buffers[0] = nullptr;
  ExpectInvalid(*a, "without a validity bitmap");
}

TEST(ValidateArray, FixedWidthSizesAndDecimals) {
  Decimal128Builder b(decimal128(3, 1), MemoryPool::Default());
  b.Append(999);
  b.Append(-999);
  auto ok = b.Finish();
  EXPECT_TRUE(ValidateArray(*ok).ok());
  b.Append(1000);
  ExpectInvalid(*b.Finish(), "more digits than precision 3");
  ok->length = 3;
  ExpectInvalid(*ok, "needs 48");
}

TEST(ValidateArray, NestedLengths) {
  Int32Builder child(int32(), MemoryPool::Default());
  child.Append(1);
  auto s = std::make_shared<ArrayData>();
  s->type = struct_({{"x", int32(), true}});
  s->length = 2;
  s->buffers = {nullptr};
  s->children = {child.Finish()};
  ExpectInvalid(*s, "child 'x' has 1 rows, needs at least 2");

  child.Append(1);
  auto l = std::make_shared<ArrayData>();
  l->type = list({"item", int32(), true});
  l->length = 1;
  l->buffers = {nullptr, Offsets({0, 2})};
  l->children = {child.Finish()};
  ExpectInvalid(*l, "last offset 2 is past the item array's length");
  l->children[0]->type = int64();
  ExpectInvalid(*l, "child 'item' has the wrong type");
}

TEST(ValidateBatch, NonNullableOnlyWhereTheParentIsValid) {
  auto inner = struct_({{"id", int64(), false}});
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", inner, true}});
  RecordBatchBuilder builder(schema);
  auto* s = builder.column_as<StructBuilder>(0);
  static_cast<Int64Builder*>(s->child(0))->Append(1);
  s->Append();
  s->AppendNull();  // id is null under a null struct: fine
  Result<RecordBatch> fine = builder.Finish();
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(ValidateBatch(*fine).ok());

  s->child(0)->AppendNull();
  s->Append();  // id is null in a valid struct: the promise is broken
  Result<RecordBatch> broken = builder.Finish();
  ASSERT_TRUE(broken.ok());
  Status st = ValidateBatch(*broken);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "s.id: row 0 is null but the field is not nullable");
}

TEST(CompareBatches, LogicalNotPhysical) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"v", utf8(), true}});
  RecordBatchBuilder a(schema), b(schema);
  ASSERT_TRUE(a.column_as<BinaryBuilder>(0)->Append("x").ok());
  a.column(0)->AppendNull();  // leaves a bitmap behind after the truncate
  a.Truncate(1);
  ASSERT_TRUE(b.column_as<BinaryBuilder>(0)->Append("x").ok());
  Result<RecordBatch> with_bitmap = a.Finish(), without = b.Finish();
  ASSERT_TRUE(with_bitmap.ok() && without.ok());
  EXPECT_NE(with_bitmap->column(0)->buffers[0], nullptr);
  EXPECT_TRUE(CompareBatches(*without, *with_bitmap).ok());

  ASSERT_TRUE(a.column_as<BinaryBuilder>(0)->Append("x").ok());
  ASSERT_TRUE(b.column_as<BinaryBuilder>(0)->Append("y").ok());
  Result<RecordBatch> x = a.Finish(), y = b.Finish();
  Status st = CompareBatches(*x, *y);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "column 'v' differs at row 0");
}

}  // namespace
}  // namespace karrow::fuzz
