// The Protobuf decoder without a broker: Timestamp and Duration bounds,
// the message-index path, writer/reader compatibility, and that a rejected
// message leaves the builders as they were.
#include "formats/protobuf_decoder.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "formats/protobuf_arrow_type.h"
#include "formats/protobuf_schema.h"
#include "formats/protobuf_value_decoder.h"

namespace karrow {
namespace {

std::shared_ptr<const ProtobufSchema> Schema(const std::string& text) {
  auto schema = ProtobufSchema::Make("test schema", {"test.proto", text}, {});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? *schema : nullptr;
}

const char* kTimes = R"(syntax = "proto3";
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
message T { google.protobuf.Timestamp at = 1; google.protobuf.Duration took = 2; int32 n = 3; })";

struct Reader {
  explicit Reader(const std::string& text, const std::string& message = "") : schema(Schema(text)) {
    auto d = schema->FindMessage(message);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    auto fields = ProtobufToArrowColumns(*d);
    EXPECT_TRUE(fields.ok()) << fields.status().ToString();
    builder = std::make_unique<RecordBatchBuilder>(std::make_shared<karrow::Schema>(*fields));
    std::vector<ArrayBuilder*> columns;
    for (size_t i = 0; i < fields->size(); ++i)
      columns.push_back(builder->column(static_cast<int>(i)));
    reader = std::move(ProtobufMessageReader::Make(*d, columns)).ValueOrDie();
  }
  Status Read(const std::string& bytes) {
    int64_t rows = builder->num_rows();
    Status st = reader->Read(reinterpret_cast<const uint8_t*>(bytes.data()),
                             static_cast<int64_t>(bytes.size()));
    if (!st.ok()) builder->Truncate(rows);
    return st;
  }
  std::shared_ptr<const ProtobufSchema> schema;
  std::unique_ptr<RecordBatchBuilder> builder;
  std::unique_ptr<ProtobufMessageReader> reader;
};

int64_t Int64At(RecordBatchBuilder* b, int column, int64_t row) {
  auto data = b->column(column)->Finish();
  return reinterpret_cast<const int64_t*>(data->buffers[1]->data())[row];
}

TEST(ProtobufDecoder, TimestampsAndDurationsInNanoseconds) {
  Reader r(kTimes);
  // at {seconds: -1, nanos: 5}, took {seconds: 2, nanos: -1}
  std::string msg = std::string("\x0a\x0d\x08", 3) + std::string(10, '\xff').replace(9, 1, "\x01") +
                    "\x10\x05" + "\x12\x0d\x08\x02\x10" + std::string(9, '\xff') + "\x01";
  ASSERT_TRUE(r.Read(msg).ok()) << r.Read(msg).ToString();
  EXPECT_EQ(Int64At(r.builder.get(), 0, 0), -1000000000 + 5);
  Reader r2(kTimes);
  ASSERT_TRUE(r2.Read(msg).ok());
  EXPECT_EQ(Int64At(r2.builder.get(), 1, 0), 2000000000 - 1);
}

TEST(ProtobufDecoder, ATimestampBeyondInt64NanosecondsIsBadDataAndLeavesNoTrace) {
  Reader r(kTimes);
  ASSERT_TRUE(r.Read("\x18\x07").ok());
  // seconds = 10^10 (year 2286): beyond int64 nanoseconds.
  Status st = r.Read("\x0a\x06\x08\x80\xc8\xaf\xa0\x25");
  ASSERT_EQ(st.code(), StatusCode::kBadData);
  EXPECT_NE(st.message().find("in field at: google.protobuf.Timestamp of 10000000000 s"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(r.builder->num_rows(), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.builder->column(i)->length(), 1);
}

TEST(ProtobufSchema, MessageIndexPaths) {
  auto s = Schema("syntax = 'proto3'; message A { message B { message C {} } } message D {}");
  EXPECT_EQ((*s->MessageAtPath({0}))->full_name(), "A");
  EXPECT_EQ((*s->MessageAtPath({1}))->full_name(), "D");
  EXPECT_EQ((*s->MessageAtPath({0, 0, 0}))->full_name(), "A.B.C");
  auto bad = s->MessageAtPath({0, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("message index [0,1] names no message of test schema (A "
                                        "has 1)"),
            std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(s->MessageAtPath({2}).ok());
  EXPECT_FALSE(s->MessageAtPath({-1}).ok());
}

TEST(ProtobufDecoder, CompatibilityFollowsTheWireEncoding) {
  auto w = Schema(
      "syntax = 'proto3'; message M { int32 a = 1; string s = 2; sint32 z = 3; Sub sub = 4; "
      "fixed32 f = 5; } message Sub { float x = 1; }");
  auto ok = Schema(
      "syntax = 'proto3'; message M { uint64 a = 1; bytes s = 2; sint64 z = 3; Sub sub = 4; "
      "int32 added = 9; } message Sub { float x = 1; }");
  auto nested =
      Schema("syntax = 'proto3'; message M { Sub sub = 4; } message Sub { fixed32 x = 1; }");
  auto fixed = Schema("syntax = 'proto3'; message M { sfixed32 f = 5; }");
  const auto* wm = *w->FindMessage("M");
  EXPECT_TRUE(CheckProtobufCompatible(wm, *ok->FindMessage("M")).ok());
  Status st = CheckProtobufCompatible(wm, *nested->FindMessage("M"));
  EXPECT_NE(st.message().find("field sub.x (number 1) is float in the writer's Sub and fixed32"),
            std::string::npos)
      << st.message();
  EXPECT_FALSE(CheckProtobufCompatible(wm, *fixed->FindMessage("M")).ok());
}

TEST(ProtobufSchema, Base64DescriptorsAndMissingMessages) {
  auto s = Schema("syntax = 'proto3'; package p; message A { int32 x = 1; }");
  auto missing = s->FindMessage("p.B");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no message named 'p.B'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("declares p.A"), std::string::npos);
  auto garbage = ProtobufSchema::Make("value_schema", {"v.proto", "AAAA"}, {});
  EXPECT_FALSE(garbage.ok());
}

}  // namespace
}  // namespace karrow
