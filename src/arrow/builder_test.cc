#include "arrow/builder.h"

#include <gtest/gtest.h>

namespace karrow {
namespace {

TEST(ValidityBuilder, NoBitmapUntilFirstNull) {
  Int64Builder b(int64(), MemoryPool::Default());
  b.Append(1);
  b.Append(2);
  auto no_nulls = b.Finish();
  EXPECT_EQ(no_nulls->buffers[0], nullptr);
  EXPECT_EQ(no_nulls->null_count, 0);

  for (int i = 0; i < 20; ++i) b.Append(i);
  b.AppendNull();
  b.Append(7);
  auto data = b.Finish();
  ASSERT_NE(data->buffers[0], nullptr);
  EXPECT_EQ(data->length, 22);
  EXPECT_EQ(data->null_count, 1);
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(data->IsValid(i));
    EXPECT_EQ(data->Value<int64_t>(i), i);
  }
  EXPECT_FALSE(data->IsValid(20));
  EXPECT_TRUE(data->IsValid(21));
  EXPECT_EQ(data->Value<int64_t>(21), 7);
}

TEST(BinaryBuilder, TruncateUndoesPartialRows) {
  BinaryBuilder b(utf8(), MemoryPool::Default());
  ASSERT_TRUE(b.Append("alpha").ok());
  b.AppendNull();
  ASSERT_TRUE(b.Append("gamma").ok());
  b.Truncate(1);
  ASSERT_TRUE(b.Append("beta").ok());
  auto data = b.Finish();
  ASSERT_EQ(data->length, 2);
  EXPECT_EQ(data->null_count, 0);
  EXPECT_EQ(data->View(0), "alpha");
  EXPECT_EQ(data->View(1), "beta");
  EXPECT_TRUE(data->IsValid(1));
}

TEST(ListBuilder, NestedStructItems) {
  auto item = struct_({{"k", utf8(), false}, {"v", binary(), true}});
  auto type = list({"item", item, false});
  auto builder = MakeBuilder(type);
  auto* lb = static_cast<ListBuilder*>(builder.get());
  auto* sb = static_cast<StructBuilder*>(lb->item_builder());
  auto* k = static_cast<BinaryBuilder*>(sb->child(0));
  auto* v = static_cast<BinaryBuilder*>(sb->child(1));
  lb->Append();
  ASSERT_TRUE(k->Append("a").ok());
  ASSERT_TRUE(v->Append("1").ok());
  sb->Append();
  ASSERT_TRUE(k->Append("a").ok());
  v->AppendNull();
  sb->Append();
  lb->AppendNull();
  lb->Append();
  auto data = lb->Finish();
  ASSERT_EQ(data->length, 3);
  EXPECT_EQ(data->null_count, 1);
  EXPECT_EQ(data->ListRange(0), std::make_pair(0, 2));
  EXPECT_EQ(data->ListRange(1), std::make_pair(2, 2));
  EXPECT_EQ(data->ListRange(2), std::make_pair(2, 2));
  const auto& items = data->children[0];
  EXPECT_EQ(items->length, 2);
  EXPECT_EQ(items->children[1]->null_count, 1);
}

TEST(MemoryPool, FinishedBuffersAreReused) {
  auto pool = MemoryPool::Make(1 << 20);
  {
    Int64Builder b(int64(), pool);
    for (int i = 0; i < 1000; ++i) b.Append(i);
    auto first = b.Finish();
  }
  int64_t allocations = pool->allocations();
  Int64Builder b(int64(), pool);
  for (int i = 0; i < 1000; ++i) b.Append(i);
  auto second = b.Finish();
  EXPECT_EQ(pool->allocations(), allocations);
  EXPECT_EQ(second->Value<int64_t>(999), 999);
}

// Reserve() gives strings and list items as much room per row as the last
// batch used, so that a batch like the last one allocates nothing more.
TEST(Reserve, VariableSizeDataIsSizedFromTheLastBatch) {
  auto pool = MemoryPool::Make(0);  // caches nothing: every block is counted
  BinaryBuilder strings(utf8(), pool);
  ListBuilder lists(list(Field{"item", int32()}), pool, MakeBuilder(int32(), pool));
  auto* items = static_cast<Int32Builder*>(lists.item_builder());
  auto fill = [&] {
    for (int row = 0; row < 100; ++row) {
      ASSERT_TRUE(strings.Append("a string of 24 bytes....").ok());
      lists.Append();
      for (int k = 0; k < 3; ++k) items->Append(row * 3 + k);
    }
  };
  fill();
  auto first_strings = strings.Finish();
  auto first_lists = lists.Finish();

  strings.Reserve(100);
  lists.Reserve(100);
  int64_t allocations = pool->allocations();
  fill();
  EXPECT_EQ(pool->allocations(), allocations);
  auto second_strings = strings.Finish();
  auto second_lists = lists.Finish();
  EXPECT_EQ(second_strings->length, 100);
  EXPECT_EQ(second_strings->buffers[2]->size(), 2400);
  EXPECT_EQ(second_lists->children[0]->length, 300);
  EXPECT_EQ(second_lists->children[0]->Value<int32_t>(299), 299);

  // After a batch of 2 rows, room for 1000 rows is at most twice those 2
  // rows' 48 bytes (a 128-byte block: the pool rounds up to powers of 2).
  ASSERT_TRUE(strings.Append("a string of 24 bytes....").ok());
  ASSERT_TRUE(strings.Append("a string of 24 bytes....").ok());
  auto small = strings.Finish();
  strings.Reserve(1000);
  allocations = pool->allocations();
  ASSERT_TRUE(strings.ReserveValue(96));
  EXPECT_EQ(pool->allocations(), allocations);  // 96 bytes fit what Reserve took
  ASSERT_TRUE(strings.ReserveValue(200));
  EXPECT_EQ(pool->allocations(), allocations + 1);  // 200 do not: Reserve took no more
}

TEST(RecordBatchBuilder, MismatchedColumnsAreAnError) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"a", int32()}, {"b", int32()}});
  RecordBatchBuilder rb(schema);
  rb.column_as<Int32Builder>(0)->Append(1);
  auto batch = rb.Finish();
  EXPECT_FALSE(batch.ok());
}

}  // namespace
}  // namespace karrow
