// The Avro decoder (src/formats/avro_decoder.h) on arbitrary datums, for a
// few writer/reader pairs that between them use every type, logical type and
// resolution rule: identity on every type, promotions with reader defaults
// and dropped writer fields, enum and union resolution, and a recursive
// writer whose recursion the reader skips.
//
// Input: byte 0 picks the pair; the rest is datums, each a length byte and
// then that many bytes (binary datums may hold any byte, so no separator).
// The harness checks one outcome per datum and valid, reproducible Arrow.
#include <cstdint>
#include <memory>

#include "decoder_harness.h"
#include "formats/avro_arrow_type.h"
#include "formats/avro_decoder.h"

namespace karrow::fuzz {
namespace {

const char* kEveryType = R"({"type": "record", "name": "All", "fields": [
  {"name": "n", "type": "null"}, {"name": "b", "type": "boolean"}, {"name": "i", "type": "int"},
  {"name": "l", "type": "long"}, {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
  {"name": "by", "type": "bytes"}, {"name": "s", "type": "string"},
  {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
  {"name": "fx", "type": {"type": "fixed", "name": "F3", "size": 3}},
  {"name": "arr", "type": {"type": "array", "items": ["null", "long"]}},
  {"name": "m", "type": {"type": "map", "values": {"type": "array", "items": "string"}}},
  {"name": "u", "type": ["null", "int", "string", "F3", {"type": "record", "name": "In", "fields": [
      {"name": "x", "type": "int"}]}]},
  {"name": "nulls", "type": {"type": "array", "items": "null"}},
  {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 30, "scale": 3}},
  {"name": "decf", "type": {"type": "fixed", "name": "D5", "size": 5, "logicalType": "decimal", "precision": 11}},
  {"name": "day", "type": {"type": "int", "logicalType": "date"}},
  {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
  {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}}]})";

struct Pair {
  const char* writer;
  const char* reader;  // nullptr: the writer
};

const Pair kPairs[] = {
    {kEveryType, nullptr},
    // Promotions, defaults, dropped writer fields.
    {R"({"type": "record", "name": "P", "fields": [
        {"name": "a", "type": "int"}, {"name": "gone", "type": {"type": "map", "values": ["null", {"type": "record", "name": "G",
            "fields": [{"name": "g", "type": {"type": "array", "items": "string"}}]}]}},
        {"name": "b", "type": "long"}, {"name": "c", "type": "float"}, {"name": "s", "type": "string"},
        {"name": "by", "type": "bytes"}]})",
     R"({"type": "record", "name": "P", "fields": [
        {"name": "a", "type": "double"}, {"name": "b", "type": "float"}, {"name": "c", "type": "double"},
        {"name": "s", "type": "bytes"}, {"name": "by", "type": "string"},
        {"name": "added", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
        {"name": "rec", "type": {"type": "record", "name": "R", "fields": [{"name": "z", "type": "string",
            "default": "zz"}]}, "default": {}}]})"},
    // Enum symbols by name with a default; writer union into reader unions.
    {R"({"type": "record", "name": "U", "fields": [
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y", "Z"]}},
        {"name": "u", "type": ["string", "int", "null", "boolean"]},
        {"name": "v", "type": "int"}]})",
     R"({"type": "record", "name": "U", "fields": [
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["Z", "X", "Q"], "default": "Q"}},
        {"name": "u", "type": ["null", "long", "string"]},
        {"name": "v", "type": ["null", "double"]}]})"},
    // A recursive writer type the reader does not have.
    {R"({"type": "record", "name": "Node", "fields": [
        {"name": "v", "type": "int"}, {"name": "kids", "type": {"type": "array", "items": "Node"}},
        {"name": "next", "type": ["null", "Node"]}]})",
     R"({"type": "record", "name": "Node", "fields": [{"name": "v", "type": "long"}]})"},
};
constexpr size_t kNumPairs = sizeof(kPairs) / sizeof(kPairs[0]);

std::shared_ptr<const AvroSchema> Parse(const char* json) {
  auto parsed = AvroSchema::Parse(json);
  CheckOk(parsed.status(), "a built-in fuzz schema does not parse");
  return std::make_shared<const AvroSchema>(std::move(parsed).ValueOrDie());
}

// A ValueDecoder for one writer/reader pair (the production decoders take
// the pair from the registry; here it is fixed).
class PairDecoder final : public ValueDecoder {
 public:
  explicit PairDecoder(const Pair& pair)
      : writer_(Parse(pair.writer)), reader_(pair.reader ? Parse(pair.reader) : writer_) {
    auto fields = AvroToArrowColumns(*reader_);
    CheckOk(fields.status(), "a built-in reader schema has no Arrow form");
    fields_ = std::move(fields).ValueOrDie();
  }
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    std::vector<ArrayBuilder*> columns;
    for (size_t i = 0; i < fields_.size(); ++i)
      columns.push_back(builder->column(static_cast<int>(i)));
    auto program = AvroDatumReader::Make(writer_, reader_, columns);
    CheckOk(program.status(), "a built-in schema pair does not resolve");
    program_ = std::move(program).ValueOrDie();
  }
  Status Append(const uint8_t* data, int64_t size) override { return program_->Read(data, size); }

 private:
  std::shared_ptr<const AvroSchema> writer_, reader_;
  std::vector<Field> fields_;
  std::unique_ptr<AvroDatumReader> program_;
};

}  // namespace
}  // namespace karrow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  static std::unique_ptr<DecoderHarness> harnesses[kNumPairs];
  if (size < 1) return 0;
  const size_t pair = data[0] % kNumPairs;
  if (!harnesses[pair]) {
    harnesses[pair] = std::make_unique<DecoderHarness>(
        [pair] { return std::make_unique<PairDecoder>(kPairs[pair]); });
  }
  DecoderHarness& harness = *harnesses[pair];
  size_t at = 1;
  while (at < size) {
    size_t n = std::min<size_t>(data[at], size - at - 1);
    (void)harness.Append({reinterpret_cast<const char*>(data + at + 1), n});
    at += 1 + n;
  }
  harness.FinishBatch();
  return 0;
}
