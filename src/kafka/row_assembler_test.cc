// RowAssembler without a broker: metadata columns, newline framing, the
// bad-data policy and dead letters, on records made by hand.
#include "kafka/row_assembler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace karrow {
namespace {

KafkaSourceConfig Config(Format format) {
  KafkaSourceConfig c;
  c.topic = "orders";
  c.bootstrap_servers = "b:1";
  c.value_format.format = format;
  return c;
}

std::unique_ptr<RowAssembler> Make(const KafkaSourceConfig& config) {
  auto decoder = MakeValueDecoder(config.value_format, config.topic);
  EXPECT_TRUE(decoder.ok()) << decoder.status().ToString();
  auto rows = RowAssembler::Make(config, std::move(*decoder));
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return std::move(*rows);
}

KafkaRecord Record(const std::string& value, int64_t offset) {
  KafkaRecord r;
  r.partition = 3;
  r.offset = offset;
  r.timestamp_ms = 1700000000000 + offset;
  r.value = value.data();
  r.value_size = value.size();
  return r;
}

TEST(RowAssembler, Semantics9_MetadataColumns) {
  KafkaSourceConfig c = Config(Format::kRawBytes);
  c.metadata_fields = {{MetadataKind::kKey, "key"},        {MetadataKind::kOffsetId, "offset"},
                       {MetadataKind::kPartition, "part"}, {MetadataKind::kTopic, "topic"},
                       {MetadataKind::kTimestamp, "ts"},   {MetadataKind::kHeaders, "headers"}};
  auto rows = Make(c);
  ASSERT_TRUE(rows->wants_headers());
  std::vector<std::string> names;
  for (const Field& f : rows->schema()->fields()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"value", "key", "offset", "part", "topic", "ts",
                                             "headers", "_timestamp"}));

  std::string v1 = "one", v2 = "two", key = "k1";
  std::vector<RecordHeader> headers = {{"h", "x", 1}, {"h", nullptr, 0}};
  KafkaRecord r1 = Record(v1, 10);
  r1.key = key.data();
  r1.key_size = key.size();
  r1.headers = &headers;
  KafkaRecord r2 = Record(v2, 11);
  r2.timestamp_ms = -1;  // no timestamp: null metadata, event time = read time
  auto now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  ASSERT_TRUE(rows->Append(r1).ok());
  // Whole milliseconds of the wall clock, as the record's timestamp would be.
  const int64_t before_ns = now_ns() / 1000000 * 1000000;
  ASSERT_TRUE(rows->Append(r2).ok());
  const int64_t after_ns = now_ns();
  auto batch = rows->FinishRows();
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->num_rows(), 2);
  EXPECT_EQ(batch->column(0)->View(1), "two");
  EXPECT_EQ(batch->column(1)->View(0), "k1");
  EXPECT_FALSE(batch->column(1)->IsValid(1));
  EXPECT_EQ(batch->column(2)->Value<int64_t>(1), 11);
  EXPECT_EQ(batch->column(3)->Value<int32_t>(0), 3);
  EXPECT_EQ(batch->column(4)->View(1), "orders");
  EXPECT_EQ(batch->column(5)->Value<int64_t>(0), 1700000000010);
  EXPECT_FALSE(batch->column(5)->IsValid(1));
  const ArrayData& list = *batch->column(6);
  EXPECT_EQ(list.Value<int32_t>(1), 2);  // offsets: 0, 2, 2 (duplicate keys kept)
  EXPECT_EQ(list.Value<int32_t>(2), 2);
  const ArrayData& header_values = *list.children[0]->children[1];
  EXPECT_EQ(header_values.View(0), "x");
  EXPECT_FALSE(header_values.IsValid(1));
  EXPECT_EQ(batch->column(7)->Value<int64_t>(0), 1700000000010 * 1000000);
  // No timestamp: the wall-clock time of reading (docs/semantics.md §9).
  EXPECT_GE(batch->column(7)->Value<int64_t>(1), before_ns);
  EXPECT_LE(batch->column(7)->Value<int64_t>(1), after_ns);
  EXPECT_EQ(rows->rows(), 2);
}

// tombstones=emit: a null value is a row of null value columns (nullable
// then), with its metadata; under newline framing one such row too.
TEST(RowAssembler, Semantics10_TombstonesEmitNullValueRows) {
  KafkaSourceConfig c = Config(Format::kJson);
  c.value_format.schema =
      R"({"fields": [{"name": "id", "type": "int64", "nullable": false},
                     {"name": "tags", "type": {"list": "utf8"}}]})";
  c.value_format.framing = Framing::kNewline;
  c.metadata_fields = {{MetadataKind::kOffsetId, "offset"}};
  c.tombstones = TombstonePolicy::kEmit;
  auto rows = Make(c);
  for (const Field& f : rows->schema()->fields()) {
    if (f.name != "offset" && f.name != "_timestamp") {
      EXPECT_TRUE(f.nullable) << f.name;
    }
  }
  std::string two = "{\"id\": 1, \"tags\": [\"x\"]}\n{\"id\": 2, \"tags\": []}";
  KafkaRecord tombstone = Record("", 8);
  tombstone.value = nullptr;
  tombstone.value_size = 0;
  ASSERT_TRUE(rows->Append(Record(two, 7)).ok());
  ASSERT_TRUE(rows->Append(tombstone).ok());
  auto batch = rows->FinishRows();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 3);
  EXPECT_EQ(batch->column(0)->Value<int64_t>(1), 2);
  EXPECT_FALSE(batch->column(0)->IsValid(2));
  EXPECT_FALSE(batch->column(1)->IsValid(2));
  EXPECT_EQ(batch->column(2)->Value<int64_t>(2), 8);
  EXPECT_EQ(batch->column(3)->Value<int64_t>(2), 1700000000008 * 1000000);
  EXPECT_EQ(rows->rows(), 3);
}

TEST(RowAssembler, Semantics11_FailNamesWhereAndTakesTheRecordBack) {
  KafkaSourceConfig c = Config(Format::kRawString);
  c.value_format.framing = Framing::kNewline;
  auto rows = Make(c);
  std::string good = "a\nb";
  std::string bad = "c\n\xff\nd";
  ASSERT_TRUE(rows->Append(Record(good, 5)).ok());
  Status st = rows->Append(Record(bad, 6));
  ASSERT_EQ(st.code(), StatusCode::kBadData);
  EXPECT_EQ(st.message().rfind("topic 'orders' partition 3 offset 6: line 2: ", 0), 0u)
      << st.message();
  EXPECT_EQ(rows->num_rows(), 2);  // line 1 of the bad record is taken back
  EXPECT_EQ(rows->rows(), 2);
}

TEST(RowAssembler, Semantics12_DropCostsOnlyTheBadLineAndKeepsItAsADeadLetter) {
  KafkaSourceConfig c = Config(Format::kRawString);
  c.value_format.framing = Framing::kNewline;
  c.value_format.max_line_length = 4;
  c.bad_data = BadDataPolicy::kDrop;
  c.dead_letter = true;
  auto rows = Make(c);
  std::string value = "ok\n\ntoo long\n\xff\nfine";
  ASSERT_TRUE(rows->Append(Record(value, 9)).ok());
  EXPECT_EQ(rows->num_rows(), 2);
  EXPECT_EQ(rows->bad_records(), 2);
  ASSERT_EQ(rows->num_dead_letters(), 2);
  EXPECT_TRUE(rows->DeadLettersDue(RowAssembler::Clock::now() + std::chrono::seconds(1)));
  auto letters = rows->TakeDeadLetters();
  ASSERT_TRUE(letters.ok() && letters->has_value());
  const RecordBatch& dl = **letters;
  EXPECT_EQ(dl.column(2)->Value<int64_t>(0), 9);  // offset
  EXPECT_EQ(dl.column(5)->View(0), "too long");   // value: the bad line only
  EXPECT_EQ(dl.column(6)->Value<int32_t>(0), 3);  // line number, empty lines counted
  EXPECT_EQ(dl.column(6)->Value<int32_t>(1), 4);
  EXPECT_EQ(dl.column(7)->View(0), "line 3: line of 8 bytes is longer than max_line_length=4");
  EXPECT_EQ(rows->num_dead_letters(), 0);
}

TEST(RowAssembler, ColumnNamesMustNotClash) {
  KafkaSourceConfig c = Config(Format::kRawString);
  c.metadata_fields = {{MetadataKind::kKey, "value"}};
  auto decoder = MakeValueDecoder(c.value_format, c.topic);
  ASSERT_TRUE(decoder.ok());
  auto rows = RowAssembler::Make(c, std::move(*decoder));
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("clashes"), std::string::npos);
}

// The event time column takes the name the user gives it, or is left out;
// a value field of its default name is then the user's own column.
TEST(RowAssembler, Semantics9_EventTimeColumnIsNamedOrLeftOut) {
  KafkaSourceConfig c = Config(Format::kJson);
  c.value_format.schema = R"({"fields": [{"name": "_timestamp", "type": "utf8"}]})";
  auto decoder = MakeValueDecoder(c.value_format, c.topic);
  ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
  auto refused = RowAssembler::Make(c, std::move(*decoder));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("event_time_column=NAME"), std::string::npos)
      << refused.status().message();

  const std::string value = R"({"_timestamp": "mine"})";
  for (const std::string name : {"event_time", ""}) {
    c.event_time_column = name;
    auto rows = Make(c);
    std::vector<std::string> names;
    for (const Field& f : rows->schema()->fields()) names.push_back(f.name);
    std::vector<std::string> expected = {"_timestamp"};
    if (!name.empty()) expected.push_back(name);
    EXPECT_EQ(names, expected);
    ASSERT_TRUE(rows->Append(Record(value, 4)).ok());
    auto batch = rows->FinishRows();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_EQ(batch->num_columns(), static_cast<int>(expected.size()));
    EXPECT_EQ(batch->column(0)->View(0), "mine");
    if (!name.empty()) {
      EXPECT_EQ(batch->column(1)->Value<int64_t>(0), 1700000000004'000'000);
    }
  }
}

}  // namespace
}  // namespace karrow
