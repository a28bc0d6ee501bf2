// The Avro decoder against hostile input, without a broker: the cases of the
// formats issue (huge lengths and counts, deep nesting, varint overflow, bad
// indexes, trailing bytes), each a clear BadData that leaves the builders as
// they were, plus edge values that must decode exactly.
#include "formats/avro_decoder.h"

#include <gtest/gtest.h>

#include <chrono>

#include "formats/avro_arrow_type.h"
#include "formats/avro_long_encoding.h"
#include "formats/avro_value_decoder.h"
#include "formats/nesting_limit.h"
#include "support/small_stack.h"

namespace karrow {
namespace {

std::string Long(int64_t v) { return AvroLong(v); }

std::string Str(const std::string& s) { return Long(static_cast<int64_t>(s.size())) + s; }

// A reader for `reader_json` data written with `writer_json` (the same when
// empty), with its own builders.
class Decoder {
 public:
  explicit Decoder(const std::string& reader_json, const std::string& writer_json = "") {
    auto reader = AvroSchema::Parse(reader_json);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    reader_ = std::make_shared<const AvroSchema>(std::move(reader).ValueOrDie());
    writer_ = reader_;
    if (!writer_json.empty()) {
      auto writer = AvroSchema::Parse(writer_json);
      EXPECT_TRUE(writer.ok()) << writer.status().ToString();
      writer_ = std::make_shared<const AvroSchema>(std::move(writer).ValueOrDie());
    }
    auto fields = AvroToArrowColumns(*reader_);
    EXPECT_TRUE(fields.ok()) << fields.status().ToString();
    builder_ = std::make_unique<RecordBatchBuilder>(std::make_shared<Schema>(*fields));
    std::vector<ArrayBuilder*> columns;
    for (size_t i = 0; i < fields->size(); ++i)
      columns.push_back(builder_->column(static_cast<int>(i)));
    auto made = AvroDatumReader::Make(writer_, reader_, columns);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    reader_program_ = std::move(made).ValueOrDie();
  }

  // Decodes one value; on failure undoes the partial row, as the source does.
  Status Read(const std::string& bytes) {
    int64_t before = builder_->num_rows();
    Status st = reader_program_->Read(reinterpret_cast<const uint8_t*>(bytes.data()),
                                      static_cast<int64_t>(bytes.size()));
    if (!st.ok()) builder_->Truncate(before);
    return st;
  }
  RecordBatch Finish() { return std::move(builder_->Finish()).ValueOrDie(); }
  int64_t rows() const { return builder_->num_rows(); }

 private:
  std::shared_ptr<const AvroSchema> reader_, writer_;
  std::unique_ptr<RecordBatchBuilder> builder_;
  std::unique_ptr<AvroDatumReader> reader_program_;
};

void ExpectBadData(Decoder& d, const std::string& bytes, const std::string& reason) {
  int64_t rows = d.rows();
  Status st = d.Read(bytes);
  EXPECT_EQ(st.code(), StatusCode::kBadData) << st.ToString();
  EXPECT_NE(st.message().find(reason), std::string::npos) << st.message();
  EXPECT_EQ(d.rows(), rows);
}

const char* kRecord = R"({"type": "record", "name": "R", "fields": [
  {"name": "id", "type": "long"},
  {"name": "s", "type": "string"},
  {"name": "u", "type": ["null", "int", "string"]},
  {"name": "a", "type": {"type": "array", "items": "long"}},
  {"name": "m", "type": {"type": "map", "values": "boolean"}},
  {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}}]})";

std::string GoodRecord(int64_t id) {
  return Long(id) + Str("s") + Long(2) + Str("u") + Long(2) + Long(1) + Long(2) + Long(0) +
         Long(1) + Str("k") + std::string(1, '\1') + Long(0) + Long(1);
}

TEST(AvroDecoder, EveryTruncationIsBadDataAndLeavesNoPartialRow) {
  Decoder d(kRecord);
  std::string good = GoodRecord(-5);
  ASSERT_TRUE(d.Read(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    Status st = d.Read(good.substr(0, n));
    EXPECT_EQ(st.code(), StatusCode::kBadData) << n;
    EXPECT_EQ(d.rows(), 1) << n;
  }
  ASSERT_TRUE(d.Read(good).ok());
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 2);
  EXPECT_EQ(batch.column(0)->Value<int64_t>(1), -5);
}

TEST(AvroDecoder, HostileLengthsAndCountsAllocateNothing) {
  Decoder d(kRecord);
  // A 5-byte value claiming a 2^62-byte string must fail at once.
  ExpectBadData(d, Long(1) + Long(int64_t{1} << 62), "exceeds the 0 bytes left");
  ExpectBadData(d, Long(1) + Long(-1), "negative length -1");
  std::string head = Long(1) + Str("s") + Long(0);
  ExpectBadData(d, head + Long(int64_t{1} << 60), "block of 1152921504606846976 items exceeds");
  ExpectBadData(d, head + Long(-3) + Long(int64_t{1} << 40),
                "block size 1099511627776 does not fit");
  ExpectBadData(d, head + Long(INT64_MIN), "block count out of range");
  ExpectBadData(d, head + Long(0) + Long(int64_t{1} << 61), "block of 2305843009213693952 items");
}

TEST(AvroDecoder, VarintsMustFitTheirType) {
  Decoder d(kRecord);
  ExpectBadData(d, std::string(10, '\xff') + '\x01', "does not fit 64 bits");
  ExpectBadData(d, std::string(9, '\xff') + '\x02', "does not fit 64 bits");
  std::string head = Long(1) + Str("s");
  ExpectBadData(d, head + Long(1) + Long(int64_t{1} << 31), "an int does not fit 32 bits");
  // The extremes of long encode in ten bytes and decode exactly.
  for (int64_t v : {INT64_MIN, INT64_MAX, int64_t{0}, int64_t{-1}}) {
    Decoder one(R"("long")");
    ASSERT_TRUE(one.Read(Long(v)).ok());
    EXPECT_EQ(one.Finish().column(0)->Value<int64_t>(0), v);
  }
}

TEST(AvroDecoder, IndexesOutOfRange) {
  Decoder d(kRecord);
  std::string head = Long(1) + Str("s");
  ExpectBadData(d, head + Long(3), "union branch index 3 is not one of the writer's 3 branches");
  ExpectBadData(d, head + Long(-1), "union branch index -1");
  std::string to_enum = head + Long(0) + Long(0) + Long(0);
  ExpectBadData(d, to_enum + Long(2), "enum index 2 is not one of the writer's 2 symbols");
  ExpectBadData(d, head + Long(0) + Long(0) + Long(1) + Str("k") + std::string(1, '\x07'),
                "boolean byte is 7");
}

TEST(AvroDecoder, TrailingBytesAreBadData) {
  Decoder d(kRecord);
  ExpectBadData(d, GoodRecord(1) + "x", "1 bytes left over");
}

TEST(AvroDecoder, InvalidUtf8InStringsAndMapKeys) {
  Decoder d(kRecord);
  ExpectBadData(d, Long(1) + Str("\xc3\x28"), "string is not valid UTF-8");
  std::string head = Long(1) + Str("s") + Long(0) + Long(0);
  ExpectBadData(d, head + Long(1) + Str("\xff") + std::string(1, '\1'),
                "map key is not valid UTF-8");
}

TEST(AvroDecoder, EmptyItemsAreBoundedNotFree) {
  Decoder d(R"({"type": "array", "items": "null"})");
  ASSERT_TRUE(d.Read(Long(1000) + Long(0)).ok());
  auto start = std::chrono::steady_clock::now();
  ExpectBadData(d, Long(int64_t{1} << 62) + Long(0), "more than 1048576 empty items");
  ExpectBadData(d, Long(1 << 20) + Long(1) + Long(0), "more than 1048576 empty items");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 1);
  EXPECT_EQ(batch.column(0)->children[0]->length, 1000);
}

TEST(AvroDecoder, SkippingEmptyItemsCostsNothing) {
  // The reader drops a field holding 2^62 nulls: nothing to skip, no loop.
  Decoder d(
      R"({"type": "record", "name": "R", "fields": [{"name": "x", "type": "int"}]})",
      R"({"type": "record", "name": "R", "fields": [{"name": "nulls", "type": {"type": "array", "items": "null"}},
                {"name": "x", "type": "int"}]})");
  ASSERT_TRUE(d.Read(Long(int64_t{1} << 62) + Long(0) + Long(7)).ok());
  EXPECT_EQ(d.Finish().column(0)->Value<int32_t>(0), 7);
}

TEST(AvroDecoder, RecursiveWriterDataIsSkippedWithADepthLimit) {
  const char* writer = R"({"type": "record", "name": "Node", "fields": [
      {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]})";
  Decoder d(R"({"type": "record", "name": "Node", "fields": [{"name": "v", "type": "int"}]})",
            writer);
  auto chain = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += Long(i) + Long(1);
    return out + Long(-1) + Long(0);
  };
  // chain(n) is n + 1 records and n unions between them, one level each:
  // 63 levels for chain(31), 65 for chain(32).
  ASSERT_TRUE(d.Read(chain(31)).ok());
  ExpectBadData(d, chain(32), "nesting deeper than 64 levels");
  // 100,000 levels, on a thread's small stack: the 33rd record (level 65)
  // starts at byte 64 (each level before is one byte of v and one of the
  // union's branch).
  RunOnSmallStack([&] {
    ExpectBadData(d, chain(100000),
                  "Avro value is invalid at byte 64 in field next: nesting deeper than 64 levels");
  });
  EXPECT_EQ(d.Finish().column(0)->Value<int32_t>(0), 0);
}

// A record whose fields are records T0 ... Tn, each (but T0) holding the
// one before it by reference: the text nests three levels, the types n + 2.
std::string ReferenceChain(int n) {
  std::string fields = R"({"name": "f0", "type": {"type": "record", "name": "T0", "fields": [
      {"name": "x", "type": "int"}]}})";
  for (int i = 1; i <= n; ++i) {
    fields += R"(, {"name": "f)" + std::to_string(i) +
              R"(", "type": {"type": "record", "name": "T)" + std::to_string(i) +
              R"(", "fields": [{"name": "x", "type": "T)" + std::to_string(i - 1) + R"("}]}})";
  }
  return R"({"type": "record", "name": "R", "fields": [)" + fields + "]}";
}

TEST(AvroSchema, NamedReferencesNestNoDeeperThanTheLimit) {
  // The top record is level 1, so T62 as its field reaches level 64.
  ASSERT_TRUE(AvroToArrowColumns(AvroSchema::Parse(ReferenceChain(62)).ValueOrDie()).ok());
  Status mapped;
  RunOnSmallStack([&] {
    auto schema = AvroSchema::Parse(ReferenceChain(300));
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    mapped = AvroToArrowColumns(*schema).status();
  });
  EXPECT_EQ(mapped.code(), StatusCode::kInvalidArgument);
  std::string path = "f63";
  for (int i = 0; i < 63; ++i) path += ".x";
  EXPECT_EQ(mapped.message(), "Avro schema, at " + path +
                                  ": nesting deeper than 64 levels (counting named types where "
                                  "they are used)");
}

// The deepest schemas the limit lets through build their decoder on the
// small stack (the program compiler's frames are the largest per level).
TEST(AvroSchema, TheDeepestSchemasBuildOnASmallStack) {
  // Records holding the one before as a nullable field: a record and a
  // union per step, 63 levels.
  std::string fields = R"({"name": "f0", "type": {"type": "record", "name": "T0", "fields": [
      {"name": "x", "type": "int"}]}})";
  for (int i = 1; i <= 31; ++i) {
    fields += R"(, {"name": "f)" + std::to_string(i) +
              R"(", "type": {"type": "record", "name": "T)" + std::to_string(i) +
              R"(", "fields": [{"name": "x", "type": ["null", "T)" + std::to_string(i - 1) +
              R"("]}]}})";
  }
  std::string unions = R"({"type": "record", "name": "R", "fields": [)" + fields + "]}";
  std::vector<Status> made;
  RunOnSmallStack([&] {
    for (const std::string& schema : {unions, ReferenceChain(62)})
      made.push_back(MakeAvroDatumDecoder(schema).status());
  });
  ASSERT_EQ(made.size(), 2u);
  for (const Status& st : made) EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(AvroDecoder, DeepWriterTypesAreSkippedWithTheLimit) {
  // The writer's fields are all unknown to the reader (an empty record, so
  // the whole value is skipped), and T300 nests 300 levels deep (some 45,000
  // nodes as a tree, within the bound on a schema's expanded size).
  Status read;
  RunOnSmallStack([&] {
    Decoder d(R"({"type": "record", "name": "R", "fields": []})", ReferenceChain(300));
    std::string value;
    for (int i = 0; i <= 300; ++i) value += Long(i);  // the one int of each f<i>
    read = d.Read(value);
    EXPECT_EQ(d.rows(), 0);
  });
  EXPECT_EQ(read.code(), StatusCode::kBadData);
  // f63's value is T63 at level 2 ... its x (T0) at level 65, after 63 bytes.
  EXPECT_EQ(read.message(),
            "Avro value is invalid at byte 63 in field f63: nesting deeper than 64 levels");
}

TEST(AvroDecoder, DecimalsAreExactOrBadData) {
  Decoder d(R"({"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 2})");
  ASSERT_TRUE(d.Read(Str(std::string("\xff\x85", 2))).ok());  // -123
  // 20 bytes whose first 4 only repeat the sign: still 128 bits.
  ASSERT_TRUE(d.Read(Str(std::string(4, '\xff') + std::string(15, '\xff') + "\x85")).ok());
  ASSERT_TRUE(d.Read(Str("")).ok());  // no bytes: zero
  ExpectBadData(d, Str(std::string("\x01") + std::string(16, '\0')), "does not fit 128 bits");
  ExpectBadData(d, Str(std::string(16, '\x7f')), "more than its precision of 38 digits");
  RecordBatch batch = d.Finish();
  ASSERT_EQ(batch.num_rows(), 3);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(0) == -123);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(1) == -123);
  EXPECT_TRUE(batch.column(0)->Value<__int128>(2) == 0);
}

TEST(AvroDecoder, DenseUnionRowsSurviveTruncation) {
  Decoder d(R"(["null", "long", "string"])");
  ASSERT_TRUE(d.Read(Long(1) + Long(10)).ok());
  ASSERT_TRUE(d.Read(Long(2) + Str("a")).ok());
  ExpectBadData(d, Long(2) + Str("\xff"), "not valid UTF-8");
  ASSERT_TRUE(d.Read(Long(0)).ok());
  ASSERT_TRUE(d.Read(Long(2) + Str("b")).ok());
  RecordBatch batch = d.Finish();
  const ArrayData& u = *batch.column(0);
  ASSERT_EQ(u.length, 4);
  const auto* ids = u.buffers[1]->data();
  EXPECT_EQ(std::vector<int>(ids, ids + 4), (std::vector<int>{1, 2, 0, 2}));
  EXPECT_EQ(u.children[2]->length, 2);
  EXPECT_EQ(u.children[2]->View(1), "b");
}

TEST(AvroSchema, HostileSchemasAreRefused) {
  // 64 arrays (levels 1 to 64) of int parse; 65 do not.
  auto arrays = [](int n) {
    std::string deep;
    for (int i = 0; i < n; ++i) deep += R"({"type": "array", "items": )";
    return deep + R"("int")" + std::string(static_cast<size_t>(n), '}');
  };
  auto parsed = AvroSchema::Parse(arrays(kMaxNestingDepth));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(AvroToArrowColumns(*parsed).ok());
  parsed = AvroSchema::Parse(arrays(kMaxNestingDepth + 1));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("nesting deeper than 64 levels"), std::string::npos)
      << parsed.status().message();
  // Deeper than simdjson's own limit of 1024, and unions in unions in
  // wrapped types, on a small stack.
  std::vector<Status> deep;
  RunOnSmallStack([&] {
    deep.push_back(AvroSchema::Parse(arrays(1000)).status());
    deep.push_back(AvroSchema::Parse(arrays(60000)).status());
    std::string wrapped;
    for (int i = 0; i < 1000; ++i) wrapped += R"({"type": )";
    deep.push_back(AvroSchema::Parse(wrapped + R"("int")" + std::string(1000, '}')).status());
    deep.push_back(AvroSchema::Parse(std::string(60000, '[') + std::string(60000, ']')).status());
  });
  for (const Status& st : deep) EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_FALSE(AvroSchema::Parse(R"({"type": "fixed", "name": "F", "size": -1})").ok());
  EXPECT_FALSE(AvroSchema::Parse(R"({"type": "fixed", "name": "F", "size": 4294967296})").ok());
  EXPECT_FALSE(AvroSchema::Parse(R"({"type": "record", "name": "int", "fields": []})").ok());
  EXPECT_FALSE(AvroSchema::Parse(R"([])").ok());
  EXPECT_FALSE(AvroSchema::Parse(R"([["int"]])").ok());
}

// D<i> holds D<i-1> twice: as a tree, 2^(levels+1)-ish nodes from a text
// that grows by one line a level.
std::string Diamond(int levels) {
  std::string d = R"({"type": "record", "name": "D0", "fields": [{"name": "x", "type": "int"}]})";
  for (int i = 1; i <= levels; ++i) {
    std::string prev = "D" + std::to_string(i - 1);
    d = R"({"type": "record", "name": "D)" + std::to_string(i) +
        R"(", "fields": [{"name": "a", "type": )" + d + R"(}, {"name": "b", "type": ")" + prev +
        R"("}]})";
  }
  return d;
}

TEST(AvroSchema, NamedTypesUsedTwiceAtEveryLevelAreBounded) {
  // 15 levels: 98,303 nodes as a tree (3 * 2^15 - 1), within the bound.
  auto fine = AvroSchema::Parse(Diamond(15));
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  auto columns = AvroToArrowColumns(*fine);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  EXPECT_EQ(columns->size(), 2u);
  // 16 levels and 60 (which no memory would hold as a tree) are refused.
  for (int levels : {16, 60}) {
    auto parsed = AvroSchema::Parse(Diamond(levels));
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().message(),
              "Avro schema, at schema: more than 100000 types when each named type is repeated "
              "where it is used (" +
                  std::to_string(levels + 2) + " written)");
  }
  // Recursion counts once per use: a linked list is small.
  EXPECT_TRUE(AvroSchema::Parse(R"({"type": "record", "name": "L", "fields": [
      {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "L"]}]})")
                  .ok());
}

TEST(AvroSchema, IncompatiblePairsNameTheField) {
  auto writer = std::make_shared<const AvroSchema>(
      AvroSchema::Parse(
          R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]})")
          .ValueOrDie());
  auto reader = std::make_shared<const AvroSchema>(
      AvroSchema::Parse(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"},
                             {"name": "b", "type": "int"}]})")
          .ValueOrDie());
  RecordBatchBuilder builder(std::make_shared<Schema>(AvroToArrowColumns(*reader).ValueOrDie()));
  auto made = AvroDatumReader::Make(writer, reader, {builder.column(0), builder.column(1)});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(
      made.status().message().find("at a: the writer's string cannot be read as the reader's long"),
      std::string::npos)
      << made.status().message();
}

// A record with no fields is valid Avro and takes no bytes. Found by
// fuzz/avro_schema: the 40-byte schema below.
TEST(AvroDecoder, RecordsWithoutFieldsCountTheirRows) {
  // At the top: no value columns at all. The rows are the source's to count
  // (its metadata and _timestamp columns); the decoder must accept each
  // empty datum and refuse anything else.
  Decoder top(R"({"type":"record","name":"R","fields":[]})");
  EXPECT_TRUE(top.Read("").ok());
  EXPECT_TRUE(top.Read("").ok());
  ExpectBadData(top, std::string(1, '\0'), "1 bytes left over");
  auto decoder = MakeAvroDatumDecoder(R"({"type":"record","name":"R","fields":[]})");
  ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
  EXPECT_TRUE((*decoder)->fields().empty());

  // Nested as a field (twice, one nullable): a struct column with no
  // children, as long as the others.
  Decoder nested(R"({"type": "record", "name": "R", "fields": [
      {"name": "e", "type": {"type": "record", "name": "E", "fields": []}},
      {"name": "n", "type": ["null", "E"]},
      {"name": "x", "type": "int"}]})");
  ASSERT_TRUE(nested.Read(Long(1) + Long(7)).ok());
  ASSERT_TRUE(nested.Read(Long(0) + Long(8)).ok());
  ExpectBadData(nested, Long(2), "union branch");
  ASSERT_TRUE(nested.Read(Long(1) + Long(9)).ok());
  RecordBatch batch = nested.Finish();
  ASSERT_EQ(batch.num_rows(), 3);
  for (int c = 0; c < 2; ++c) {
    const ArrayData& e = *batch.column(c);
    EXPECT_EQ(e.type->id(), TypeId::kStruct);
    EXPECT_TRUE(e.children.empty());
    EXPECT_EQ(e.length, 3) << "column " << c;
  }
  EXPECT_EQ(batch.column(0)->null_count, 0);
  EXPECT_EQ(batch.column(1)->null_count, 1);
  EXPECT_FALSE(batch.column(1)->IsValid(1));
  EXPECT_EQ(batch.column(2)->Value<int32_t>(2), 9);
}

}  // namespace
}  // namespace karrow
