#include "output/ipc_stream_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "arrow/builder.h"

namespace karrow {
namespace {

uint32_t U32At(const std::string& s, size_t at) {
  uint32_t v = 0;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

SchemaPtr TwoColumns() {
  return std::make_shared<Schema>(std::vector<Field>{{"a", int64(), false}, {"b", int32(), true}});
}

// a = [1, 2, 3], b = [10, null, 30]
RecordBatch ThreeRows(SchemaPtr schema = TwoColumns()) {
  RecordBatchBuilder rb(std::move(schema));
  for (int64_t v : {1, 2, 3}) rb.column_as<Int64Builder>(0)->Append(v);
  rb.column_as<Int32Builder>(1)->Append(10);
  rb.column_as<Int32Builder>(1)->AppendNull();
  rb.column_as<Int32Builder>(1)->Append(30);
  Result<RecordBatch> batch = rb.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return *batch;
}

// One encapsulated message at the start of `bytes`: its metadata length, and
// the framing every message must have.
int32_t CheckFraming(const std::string& bytes) {
  EXPECT_GE(bytes.size(), 8u);
  EXPECT_EQ(U32At(bytes, 0), 0xFFFFFFFFu) << "continuation marker";
  auto metadata_length = static_cast<int32_t>(U32At(bytes, 4));
  EXPECT_GT(metadata_length, 0);
  EXPECT_EQ(metadata_length % 8, 0) << "the body must start 8-byte aligned";
  EXPECT_LE(8u + metadata_length, bytes.size());
  return metadata_length;
}

TEST(IpcStreamWriter, FramesSchemaBatchAndEnd) {
  std::string out;
  IpcStreamWriter stream(TwoColumns(), &out);
  // The schema message has no body: the stream so far is just its frame.
  int32_t schema_length = CheckFraming(out);
  EXPECT_EQ(out.size(), 8u + schema_length);

  out.clear();
  ASSERT_TRUE(stream.Write(ThreeRows()).ok());
  int32_t batch_length = CheckFraming(out);
  std::string body = out.substr(8 + batch_length);
  // a: no validity, 3 x 8 bytes; b: validity 1 byte padded to 8, then
  // 3 x 4 bytes padded to 16. Every buffer starts 8-byte aligned.
  ASSERT_EQ(body.size(), 24u + 8u + 16u);
  int64_t a[3];
  std::memcpy(a, body.data(), 24);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[2], 3);
  EXPECT_EQ(static_cast<uint8_t>(body[24]), 0b101) << "validity of b";
  EXPECT_EQ(U32At(body, 32), 10u);
  EXPECT_EQ(U32At(body, 40), 30u);

  out.clear();
  ASSERT_TRUE(stream.Finish().ok());
  EXPECT_TRUE(stream.finished());
  EXPECT_EQ(out, std::string("\xFF\xFF\xFF\xFF\0\0\0\0", 8)) << "end-of-stream marker";
}

TEST(IpcStreamWriter, EmptyBatchHasNoBody) {
  std::string out;
  IpcStreamWriter stream(TwoColumns(), &out);
  out.clear();
  ASSERT_TRUE(stream.Write(ThreeRows().Slice(0, 0)).ok());
  int32_t length = CheckFraming(out);
  EXPECT_EQ(out.size(), 8u + length);
}

TEST(IpcStreamWriter, DrainingBetweenCallsGivesTheSameBytes) {
  std::string whole;
  IpcStreamWriter one(TwoColumns(), &whole);
  ASSERT_TRUE(one.Write(ThreeRows()).ok());
  ASSERT_TRUE(one.Write(ThreeRows().Slice(0, 2)).ok());
  ASSERT_TRUE(one.Finish().ok());

  std::string drained, buffer;
  IpcStreamWriter two(TwoColumns(), &buffer);
  auto drain = [&] {
    EXPECT_EQ(buffer.size() % 8, 0u) << "every message keeps the stream 8-byte aligned";
    drained += buffer;
    buffer.clear();
  };
  drain();
  ASSERT_TRUE(two.Write(ThreeRows()).ok());
  drain();
  ASSERT_TRUE(two.Write(ThreeRows().Slice(0, 2)).ok());
  drain();
  ASSERT_TRUE(two.Finish().ok());
  drain();
  EXPECT_EQ(drained, whole);
}

TEST(IpcStreamWriter, NothingAfterFinish) {
  std::string out;
  IpcStreamWriter stream(TwoColumns(), &out);
  ASSERT_TRUE(stream.Finish().ok());
  const std::string finished = out;

  Status st = stream.Write(ThreeRows());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("after the end-of-stream marker"), std::string::npos) << st.message();
  st = stream.Finish();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("Finish() called twice"), std::string::npos) << st.message();
  EXPECT_EQ(out, finished) << "a refused call appends nothing";
}

TEST(IpcStreamWriter, BatchesMustHaveTheStreamsSchema) {
  std::string out;
  IpcStreamWriter stream(TwoColumns(), &out);
  const std::string schema_only = out;

  // An equal schema in another object is the same schema.
  ASSERT_TRUE(stream.Write(ThreeRows(TwoColumns())).ok());
  out = schema_only;

  auto renamed =
      std::make_shared<Schema>(std::vector<Field>{{"a", int64(), false}, {"c", int32(), true}});
  Status st = stream.Write(ThreeRows(renamed));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("column 1 is 'c: int32'"), std::string::npos) << st.message();

  auto tagged = std::make_shared<Schema>(
      std::vector<Field>{{"a", int64(), false}, {"b", int32(), true, {{"unit", "ms"}}}});
  st = stream.Write(ThreeRows(tagged));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("other metadata"), std::string::npos) << st.message();

  auto one_column = std::make_shared<Schema>(std::vector<Field>{{"a", int64(), false}});
  RecordBatchBuilder rb(one_column);
  rb.column_as<Int64Builder>(0)->Append(1);
  st = stream.Write(*rb.Finish());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("columns: 1 in the batch, 2 in the stream's schema"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(out, schema_only) << "a refused batch appends nothing";
}

TEST(IpcStreamWriter, ArraysMustStartAtOffsetZero) {
  std::string out;
  IpcStreamWriter stream(TwoColumns(), &out);
  const std::string schema_only = out;
  Status st = stream.Write(ThreeRows().Slice(1, 2));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("offset 0"), std::string::npos) << st.message();
  EXPECT_EQ(out, schema_only);
  // A prefix is fine: its arrays still start at offset 0.
  EXPECT_TRUE(stream.Write(ThreeRows().Slice(0, 2)).ok());
}

}  // namespace
}  // namespace karrow
