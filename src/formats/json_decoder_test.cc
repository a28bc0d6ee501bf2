// The JSON decoder's fast paths against their slow ones: keys compared as
// written or, when escaped (or when the field's name has characters JSON
// escapes), unescaped; strings, dates, timestamps and decimals taken as
// written or, when they hold escapes, unescaped. Either way the values and
// the errors must be the same.
#include "formats/json_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/json_schema.h"
#include "formats/nesting_limit.h"
#include "support/small_stack.h"

namespace karrow {
namespace {

class Decoder {
 public:
  explicit Decoder(std::vector<Field> fields) {
    auto made = MakeJsonRecordDecoder(std::move(fields));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    decoder_ = std::move(made).ValueOrDie();
    builder_ = std::make_unique<RecordBatchBuilder>(std::make_shared<Schema>(decoder_->fields()));
    decoder_->Bind(builder_.get());
  }
  // Decodes one record; on failure undoes the partial row, as the source does.
  Status Append(const std::string& json) {
    int64_t rows = builder_->num_rows();
    Status st = decoder_->Append(reinterpret_cast<const uint8_t*>(json.data()),
                                 static_cast<int64_t>(json.size()));
    if (!st.ok()) builder_->Truncate(rows);
    return st;
  }
  RecordBatch Finish() {
    auto batch = builder_->Finish();
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return std::move(batch).ValueOrDie();
  }

 private:
  std::unique_ptr<ValueDecoder> decoder_;
  std::unique_ptr<RecordBatchBuilder> builder_;
};

TEST(JsonDecoder, KeysMatchAsWrittenOrEscapedInAnyOrder) {
  // Names that are prefixes of each other, longer than 8 bytes, and with
  // characters JSON escapes (compared only once unescaped).
  Decoder d({{"id", int64()},
             {"idx", int64()},
             {"a_long_field_name", int64()},
             {"we\"ird\\", int64()},
             {"caf\xc3\xa9", int64()}});
  const char* records[] = {
      R"({"id": 1, "idx": 2, "a_long_field_name": 3, "we\"ird\\": 4, "café": 5})",
      R"({"café": 15, "we\"ird\\": 14, "a_long_field_name": 13, "idx": 12, "id": 11})",
      R"({"\u0069d": 21, "id\u0078": 22, "a_long_field_nam\u0065": 23, "we\u0022ird\u005c": 24, "caf\u00e9": 25})",
      R"({"unknown": [1, {"x": "y"}], "idx": 32, "a_long_field_name_but_longer": 0, "a_long_field_nam": 0})",
      R"({"a_long_field_name":43})",
  };
  for (const char* r : records) ASSERT_TRUE(d.Append(r).ok()) << r;
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 5);
  for (int column = 0; column < 5; ++column) {
    const ArrayData& a = *batch.column(column);
    for (int row = 0; row < 3; ++row) {
      ASSERT_TRUE(a.IsValid(row));
      EXPECT_EQ(a.Value<int64_t>(row), row * 10 + column + 1)
          << "row " << row << ", column " << column;
    }
    EXPECT_EQ(a.IsValid(3), column == 1);
    EXPECT_EQ(a.IsValid(4), column == 2);
  }
  EXPECT_EQ(batch.column(1)->Value<int64_t>(3), 32);
  EXPECT_EQ(batch.column(2)->Value<int64_t>(4), 43);
}

TEST(JsonDecoder, AKeyTwiceIsBadDataHoweverItIsWritten) {
  Decoder d({{"id", int64()}});
  for (const char* r :
       {R"({"id": 1, "id": 2})", R"({"id": 1, "\u0069d": 2})", R"({"i\u0064": 1, "id": 2})"}) {
    Status st = d.Append(r);
    EXPECT_EQ(st.code(), StatusCode::kBadData) << r;
    EXPECT_EQ(st.message(), "field value.id: the key appears twice in one object") << r;
  }
  Status st = d.Append(R"({"id": 1, "other": tru})");
  EXPECT_EQ(st.code(), StatusCode::kBadData);
}

TEST(JsonDecoder, StringsAsWrittenOrUnescaped) {
  Decoder d({{"s", utf8()}, {"b", binary()}});
  ASSERT_TRUE(d.Append(R"({"s": "plain text, long enough to pass sixteen bytes", "b": ""})").ok());
  ASSERT_TRUE(
      d.Append(R"({"s": "tab\there \"quoted\" caf\u00e9 \ud83d\ude00 \\", "b": "\u0000"})").ok());
  ASSERT_TRUE(d.Append("{\"s\": \"caf\xc3\xa9\"   ,  \"b\":\"x\"  }").ok());
  Status bad = d.Append(R"({"s": "bad escape \q"})");
  EXPECT_EQ(bad.code(), StatusCode::kBadData);
  // A string read as written must still be followed by ',' or '}' (found
  // by fuzz/json_decoder: an unread string before ':' passed for a key).
  for (const char* r : {R"({"s": "x": 3]})", R"({"b": "x": 3]})", R"({"s": "x" "b": "y"})"}) {
    EXPECT_EQ(d.Append(r).code(), StatusCode::kBadData) << r;
  }
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 3);
  EXPECT_EQ(batch.column(0)->View(0), "plain text, long enough to pass sixteen bytes");
  EXPECT_EQ(batch.column(0)->View(1), "tab\there \"quoted\" caf\xc3\xa9 \xf0\x9f\x98\x80 \\");
  EXPECT_EQ(batch.column(0)->View(2), "caf\xc3\xa9");
  EXPECT_EQ(batch.column(1)->View(0), "");
  EXPECT_EQ(batch.column(1)->View(1), std::string_view("\0", 1));
  EXPECT_EQ(batch.column(1)->View(2), "x");
}

TEST(JsonDecoder, DatesTimestampsAndDecimalsAsWrittenOrUnescaped) {
  Decoder d({{"day", date32()},
             {"at", timestamp(TimeUnit::kMilli, "UTC")},
             {"price", decimal128(10, 2)}});
  ASSERT_TRUE(
      d.Append(R"({"day": "2024-05-17", "at": "2024-05-17T10:21:33.123Z", "price": "12.50"})")
          .ok());
  ASSERT_TRUE(
      d.Append(
           R"({"day": "2024\u002d05-17", "at": "2024-05-17T10:21:33.12\u0033Z", "price": "\u0031.5"})")
          .ok());
  // The next day, then the first again: the timestamp reader's date cache
  // must follow.
  ASSERT_TRUE(
      d.Append(R"({"day": "2024-05-18", "at": "2024-05-18T00:00:00+02:00", "price": 7})").ok());
  ASSERT_TRUE(
      d.Append(R"({"day": "2024-05-17", "at": "2024-05-17T00:00:00.001Z", "price": -0.01})").ok());
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 4);
  EXPECT_EQ(batch.column(0)->Value<int32_t>(0), 19860);
  EXPECT_EQ(batch.column(0)->Value<int32_t>(1), 19860);
  EXPECT_EQ(batch.column(0)->Value<int32_t>(2), 19861);
  EXPECT_EQ(batch.column(1)->Value<int64_t>(0), 1715941293123);
  EXPECT_EQ(batch.column(1)->Value<int64_t>(1), 1715941293123);
  EXPECT_EQ(batch.column(1)->Value<int64_t>(2), 1715983200000);
  EXPECT_EQ(batch.column(1)->Value<int64_t>(3), 1715904000001);
  EXPECT_TRUE(batch.column(2)->Value<__int128>(0) == 1250);
  EXPECT_TRUE(batch.column(2)->Value<__int128>(1) == 150);
  EXPECT_TRUE(batch.column(2)->Value<__int128>(2) == 700);
  EXPECT_TRUE(batch.column(2)->Value<__int128>(3) == -1);
}

TEST(JsonDecoder, BadTextFormsNameTheUnescapedText) {
  Decoder d(
      {{"day", date32()}, {"at", timestamp(TimeUnit::kMilli, "UTC")}, {"price", decimal128(4, 2)}});
  Status st = d.Append(R"({"day": "2024-02-30"})");
  EXPECT_EQ(st.message(), "field day: '2024-02-30' is not a YYYY-MM-DD date");
  st = d.Append(R"({"at": "2024-05-17T10:21:33.1234\u0035Z"})");
  EXPECT_EQ(st.message(), "field at: timestamp is finer than the column's unit");
  st = d.Append(R"({"at": "2024-05-17T10:21:33\u002e1Q"})");
  EXPECT_EQ(st.message(), "field at: '2024-05-17T10:21:33.1Q' is not an RFC 3339 timestamp");
  st = d.Append(R"({"price": "12\u0033.45"})");
  EXPECT_EQ(st.message(), "field price: '123.45' is not a decimal(4, 2) in plain notation");
  for (const char* r : {R"({"day": "2024-05-17": 3]})", R"({"at": "2024-05-17T10:21:33Z": 1]})",
                        R"({"price": "1.5": 2]})"}) {
    EXPECT_EQ(d.Append(r).code(), StatusCode::kBadData) << r;
  }
}

// What the README promises: a decimal or timestamp is bad data only when it
// would need rounding. Zeros past the scale or past nanoseconds need none.
TEST(JsonDecoder, ZerosPastTheScaleOrNanosecondsAreAccepted) {
  Decoder d({{"price", decimal128(10, 2)},
             {"whole", decimal128(5, 0)},
             {"at", timestamp(TimeUnit::kNano, "UTC")}});
  for (const char* r : {
           R"({"price": "12.340", "whole": 5.0, "at": "2024-05-17T10:21:33.1234567890Z"})",
           R"({"price": 12.340, "whole": "5.000", "at": "2024-05-17T10:21:33.123456789000000Z"})",
           R"({"price": -0.100, "whole": -12345.0, "at": "2024-05-17T10:21:33.0000000000Z"})",
       }) {
    EXPECT_TRUE(d.Append(r).ok()) << r << ": " << d.Append(r).ToString();
  }
  // Anything that would need rounding (or a form the README does not
  // promise: exponents) is still bad data.
  for (const char* r : {R"({"price": "12.345"})", R"({"price": 12.3401})", R"({"whole": 5.5})",
                        R"({"whole": "5.00001"})", R"({"whole": 1.0e1})", R"({"price": 1.230e1})",
                        R"({"at": "2024-05-17T10:21:33.1234567891Z"})"}) {
    EXPECT_EQ(d.Append(r).code(), StatusCode::kBadData) << r;
  }
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 3);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(0) == 1234);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(1) == 1234);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(2) == -10);
  EXPECT_TRUE(batch.column(1)->Value<__int128>(0) == 5);
  EXPECT_TRUE(batch.column(1)->Value<__int128>(1) == 5);
  EXPECT_TRUE(batch.column(1)->Value<__int128>(2) == -12345);
  EXPECT_EQ(batch.column(2)->Value<int64_t>(0), 1715941293123456789);
  EXPECT_EQ(batch.column(2)->Value<int64_t>(1), 1715941293123456789);
  EXPECT_EQ(batch.column(2)->Value<int64_t>(2), 1715941293000000000);
}

// The value from the issue, which killed karrow with SIGSEGV: 60,000 '['
// under a key, in a message of a few hundred kilobytes.
std::string IssueNineValue() {
  return "{\"id\":1,\"zz\":" + std::string(60000, '[') + std::string(60000, ']') + "}";
}

TEST(JsonDecoder, DeepNestingIsBadDataNotACrash) {
  Status with_schema, without_schema, nested_struct;
  RunOnSmallStack([&] {
    Decoder d({{"id", int64()}});
    with_schema = d.Append(IssueNineValue());
    // Under a struct the schema knows, the unknown key is checked from the
    // struct's level on: the byte counts from the value's start all the same.
    Decoder s({{"s", struct_({{"x", int64()}})}});
    nested_struct = s.Append("{\"s\": {\"x\": 1, \"zz\": " + std::string(100, '[') +
                             std::string(100, ']') + "}}");
    FormatOptions options;
    options.format = Format::kJson;
    auto text = MakeValueDecoder(options, "topic");
    ASSERT_TRUE(text.ok());
    auto builder =
        std::make_unique<RecordBatchBuilder>(std::make_shared<Schema>((*text)->fields()));
    (*text)->Bind(builder.get());
    std::string value = IssueNineValue();
    without_schema = (*text)->Append(reinterpret_cast<const uint8_t*>(value.data()),
                                     static_cast<int64_t>(value.size()));
  });
  EXPECT_EQ(with_schema.code(), StatusCode::kBadData);
  EXPECT_EQ(with_schema.message(),
            "field value.zz: not valid JSON: nesting deeper than 64 levels at byte 76");
  EXPECT_EQ(nested_struct.code(), StatusCode::kBadData);
  // The first '[' is byte 21 and level 3: the 63rd, byte 83, is level 65.
  EXPECT_EQ(nested_struct.message(),
            "field s.zz: not valid JSON: nesting deeper than 64 levels at byte 83");
  EXPECT_EQ(without_schema.code(), StatusCode::kBadData);
  EXPECT_EQ(without_schema.message(),
            "value is not valid JSON (format json): nesting deeper than 64 levels at byte 76");
}

// {"list": {"list": ... "int64" ...}} nested `lists` times.
std::string ListSchema(int lists) {
  std::string type;
  for (int i = 0; i < lists; ++i) type += "{\"list\": ";
  type += "\"int64\"" + std::string(static_cast<size_t>(lists), '}');
  return "{\"fields\": [{\"name\": \"l\", \"type\": " + type + "}]}";
}

TEST(JsonDecoder, SchemasNestUpToTheLimit) {
  // The message's object is level 1, so 63 lists reach level 64.
  Result<std::vector<Field>> deepest = ParseJsonSchema(ListSchema(kMaxNestingDepth - 1));
  ASSERT_TRUE(deepest.ok()) << deepest.status().ToString();
  Decoder d(*deepest);
  std::string value = "{\"l\": " + std::string(kMaxNestingDepth - 1, '[') + "7" +
                      std::string(kMaxNestingDepth - 1, ']') + "}";
  EXPECT_TRUE(d.Append(value).ok());
  EXPECT_EQ(d.Finish().num_rows(), 1);

  Result<std::vector<Field>> too_deep = ParseJsonSchema(ListSchema(kMaxNestingDepth));
  EXPECT_EQ(too_deep.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_deep.status().message().find("nesting deeper than 64 levels"), std::string::npos)
      << too_deep.status().message();
  // Fields built some other way are bounded when the decoder is made.
  Field field{"l", int64()};
  for (int i = 0; i < kMaxNestingDepth; ++i) field = Field{"l", list({"item", field.type, true})};
  auto decoder = MakeJsonRecordDecoder({field});
  EXPECT_EQ(decoder.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoder.status().message().find("nesting deeper than 64 levels"), std::string::npos)
      << decoder.status().message();
}

TEST(JsonDecoder, DeepSchemaTextIsAnErrorNotACrash) {
  std::vector<Status> results;
  RunOnSmallStack([&] {
    for (int lists : {1000, 60000}) results.push_back(ParseJsonSchema(ListSchema(lists)).status());
    // As an Avro schema (ParseJsonSchema takes those too): arrays of arrays.
    std::string avro;
    for (int i = 0; i < 1000; ++i) avro += "{\"type\": \"array\", \"items\": ";
    avro += "\"long\"" + std::string(1000, '}');
    results.push_back(ParseJsonSchema(avro).status());
    results.push_back(ParseJsonSchema(std::string(60000, '[') + std::string(60000, ']')).status());
  });
  for (const Status& st : results) {
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_TRUE(st.message().find("nesting deeper than 64 levels") != std::string::npos ||
                st.message().find("too deep") != std::string::npos)
        << st.message();
  }
}

}  // namespace
}  // namespace karrow
