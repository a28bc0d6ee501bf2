// JSON values with a declared schema (src/formats/json_decoder.h). The first
// input byte picks one of the schemas below; the rest is records separated by
// '\x1e'. Besides the harness's checks: a record the typed decoder accepts
// must be valid JSON no deeper than the nesting limit, as the independent
// judge (json_oracle.h) sees it.
// dict: json.dict
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "decoder_harness.h"
#include "formats/json_decoder.h"
#include "formats/json_schema.h"
#include "json_oracle.h"

namespace karrow::fuzz {
namespace {

const char* const kSchemas[] = {
    // Every type, nullable, with lists and structs nested in each other.
    R"json({"fields": [
      {"name": "b", "type": "bool"},
      {"name": "i8", "type": "int8"}, {"name": "i16", "type": "int16"},
      {"name": "i32", "type": "int32"}, {"name": "i64", "type": "int64"},
      {"name": "u8", "type": "uint8"}, {"name": "u16", "type": "uint16"},
      {"name": "u32", "type": "uint32"}, {"name": "u64", "type": "uint64"},
      {"name": "f32", "type": "float32"}, {"name": "f64", "type": "float64"},
      {"name": "s", "type": "utf8"}, {"name": "bin", "type": "binary"},
      {"name": "d", "type": "date32"},
      {"name": "ts", "type": "timestamp[s]"}, {"name": "tms", "type": "timestamp[ms]"},
      {"name": "tus", "type": "timestamp[us]"}, {"name": "tns", "type": "timestamp[ns]"},
      {"name": "price", "type": "decimal128(10, 2)"},
      {"name": "big", "type": "decimal128(38, 10)"},
      {"name": "frac", "type": "decimal128(38, 38)"},
      {"name": "tags", "type": {"list": "utf8"}},
      {"name": "matrix", "type": {"list": {"list": "int32"}}},
      {"name": "buyer", "type": {"struct": [
        {"name": "name", "type": "utf8", "nullable": false},
        {"name": "ids", "type": {"list": "uint64"}},
        {"name": "addr", "type": {"struct": [
          {"name": "zip", "type": "int32"}, {"name": "since", "type": "timestamp[ms]"}]}}]}},
      {"name": "items", "type": {"list": {"struct": [
        {"name": "sku", "type": "utf8"},
        {"name": "qty", "type": "int16", "nullable": false},
        {"name": "price", "type": "decimal128(5, 2)"}]}}}
    ]})json",
    // Nothing may be missing or null.
    R"json({"fields": [
      {"name": "id", "type": "int64", "nullable": false},
      {"name": "name", "type": "utf8", "nullable": false},
      {"name": "ok", "type": "bool", "nullable": false},
      {"name": "at", "type": "timestamp[us]", "nullable": false},
      {"name": "point", "nullable": false, "type": {"struct": [
        {"name": "x", "type": "float64", "nullable": false},
        {"name": "y", "type": "float32", "nullable": false}]}},
      {"name": "vals", "type": {"list": "int8"}, "nullable": false}
    ]})json",
    // Deep nesting.
    R"json({"fields": [
      {"name": "a", "type": {"list": {"struct": [
        {"name": "b", "type": {"list": {"list": {"struct": [
          {"name": "c", "type": "decimal128(38, 0)"},
          {"name": "d", "type": {"struct": [{"name": "e", "type": "bool"},
                                           {"name": "f", "type": {"list": "date32"}}]}}]}}}}]}}}
    ]})json",
    // Small and flat, so that mutations of the JSON syntax dominate.
    R"json({"fields": [{"name": "v", "type": "uint64"}, {"name": "w", "type": "utf8"}]})json",
};
constexpr size_t kNumSchemas = sizeof(kSchemas) / sizeof(kSchemas[0]);

std::unique_ptr<ValueDecoder> MakeDecoder(size_t schema) {
  Result<std::vector<Field>> fields = ParseJsonSchema(kSchemas[schema]);
  CheckOk(fields.status(), "a built-in fuzz schema does not parse");
  auto decoder = MakeJsonRecordDecoder(std::move(*fields));
  CheckOk(decoder.status(), "a built-in fuzz schema has no decoder");
  return std::move(decoder).ValueOrDie();
}

struct Target {
  std::unique_ptr<DecoderHarness> harness[kNumSchemas];
  Target() {
    for (size_t i = 0; i < kNumSchemas; ++i)
      harness[i] = std::make_unique<DecoderHarness>([i] { return MakeDecoder(i); });
  }
};

}  // namespace
}  // namespace karrow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow::fuzz;
  static Target target;
  if (size == 0) return 0;
  DecoderHarness& harness = *target.harness[data[0] % kNumSchemas];
  ForEachRecord(data + 1, size - 1, '\x1e', [&](std::string_view record) {
    // Nor may it accept JSON nested deeper than the limit (kTooDeep).
    if (harness.Append(record).ok() && JudgeJson(record) != JsonVerdict::kValid) {
      CheckOk(karrow::Status::Invalid("'" + Printable(record) + "'"),
              "the typed decoder accepted invalid JSON");
    }
    harness.FinishBatchIfAtLeast(8);
  });
  harness.FinishBatch();
  return 0;
}
