// Decode-only benchmarks: in-memory messages into Arrow, one core, no Kafka.
// Every benchmark reads the same generated messages in batches of
// kBatchRows; one iteration is one batch (and, for karrow, its Finish), so
// items_per_second is messages per second. See README.md.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "arrow/builder.h"
#include "formats/avro_arrow_type.h"
#include "formats/avro_decoder.h"
#include "formats/avro_schema.h"
#include "formats/json_decoder.h"
#include "formats/json_schema.h"
#include "payloads.h"

#ifdef KARROW_BENCH_AVRO_C
#include <avro.h>
#endif

namespace karrow::bench {
namespace {

constexpr int kMessages = 4096;   // distinct messages, read in a cycle
constexpr int kBatchRows = 8192;  // rows per batch, as the source builds them

// Messages back to back in one buffer, as a Kafka fetch response holds
// them, each followed by `padding` zero bytes (simdjson's parsers read up to
// SIMDJSON_PADDING bytes past the end; karrow's decoders copy unpadded input).
// A batch's rows cycle through them.
class MessageSet {
 public:
  explicit MessageSet(const std::vector<std::string>& messages, size_t padding = 0)
      : padding_(padding) {
    std::vector<size_t> starts;
    for (const std::string& m : messages) {
      starts.push_back(arena_.size());
      arena_ += m;
      arena_.append(padding, '\0');
    }
    for (size_t row = 0; row < kBatchRows; ++row) {
      size_t i = row % messages.size();
      batch_.emplace_back(arena_.data() + starts[i], messages[i].size());
    }
  }
  MessageSet(const MessageSet&) = delete;  // batch_ points into arena_
  /// The message of row `row` (< kBatchRows) of every batch.
  std::string_view operator[](int row) const { return batch_[static_cast<size_t>(row)]; }
  size_t padding() const { return padding_; }
  /// The bytes of one batch.
  int64_t BatchBytes() const {
    int64_t bytes = 0;
    for (std::string_view m : batch_) bytes += static_cast<int64_t>(m.size());
    return bytes;
  }

 private:
  std::string arena_;
  std::vector<std::string_view> batch_;
  size_t padding_;
};

struct Payloads {
  Payloads(std::vector<Bid> bids, const std::vector<std::string>& json,
           const std::vector<std::string>& avro, const std::vector<std::string>& orders)
      : bids(std::move(bids)),
        bid_json(json),
        bid_json_padded(json, simdjson::SIMDJSON_PADDING),
        bid_avro(avro),
        order_json(orders),
        order_json_padded(orders, simdjson::SIMDJSON_PADDING) {}
  std::vector<Bid> bids;
  MessageSet bid_json, bid_json_padded, bid_avro, order_json, order_json_padded;
};

const Payloads& Data() {
  static const Payloads* data = [] {
    std::vector<Bid> bids = MakeBids(kMessages);
    std::vector<std::string> json, avro;
    for (const Bid& b : bids) {
      json.push_back(BidToJson(b));
      avro.push_back(BidToAvro(b));
    }
    std::vector<std::string> orders = MakeOrderJsons(kMessages);
    return new Payloads(std::move(bids), json, avro, orders);
  }();
  return *data;
}

void SetCounters(benchmark::State& state, const MessageSet& messages) {
  int64_t bytes = messages.BatchBytes();
  state.SetItemsProcessed(state.iterations() * kBatchRows);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["bytes_per_msg"] = static_cast<double>(bytes) / kBatchRows;
}

// The first batch must hold what the bids say, or the benchmark would time
// a decoder that is wrong.
bool BidColumnsMatch(const RecordBatch& batch, const std::vector<Bid>& bids) {
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    const Bid& b = bids[static_cast<size_t>(row) % bids.size()];
    const auto& c = batch.columns();
    if (c[0]->Value<int64_t>(row) != b.auction || c[1]->Value<int64_t>(row) != b.bidder ||
        c[2]->Value<int64_t>(row) != b.price || c[3]->View(row) != b.channel ||
        c[4]->View(row) != b.url || c[5]->Value<int64_t>(row) != b.date_time ||
        c[6]->View(row) != b.extra) {
      return false;
    }
  }
  return true;
}

// Appends kBatchRows messages per iteration with `append`, then finishes
// the batch and reserves the next one, as the Kafka source does.
template <typename AppendFn>
void DecodeBatches(benchmark::State& state, RecordBatchBuilder& builder, const MessageSet& messages,
                   const std::vector<Bid>* check_bids, AppendFn append) {
  builder.Reserve(kBatchRows);
  bool checked = check_bids == nullptr;
  for (auto _ : state) {
    for (int row = 0; row < kBatchRows; ++row) {
      std::string_view m = messages[row];
      Status st =
          append(reinterpret_cast<const uint8_t*>(m.data()), static_cast<int64_t>(m.size()));
      if (!st.ok()) {
        state.SkipWithError(st.ToString().c_str());
        return;
      }
    }
    Result<RecordBatch> batch = builder.Finish();
    if (!batch.ok() || batch->num_rows() != kBatchRows) {
      state.SkipWithError("Finish failed or lost rows");
      return;
    }
    if (!checked) {
      if (!BidColumnsMatch(*batch, *check_bids)) {
        state.SkipWithError("decoded values differ from the generated bids");
        return;
      }
      checked = true;
    }
    benchmark::DoNotOptimize(batch->column(0).get());
    builder.Reserve(kBatchRows);
  }
  SetCounters(state, messages);
}

// --- JSON --------------------------------------------------------------------

void BM_JsonToArrow(benchmark::State& state, const char* schema, const MessageSet* messages,
                    bool check_bids) {
  Result<std::vector<Field>> fields = ParseJsonSchema(schema);
  if (!fields.ok()) return state.SkipWithError(fields.status().ToString().c_str());
  auto decoder = MakeJsonRecordDecoder(std::move(*fields));
  if (!decoder.ok()) return state.SkipWithError(decoder.status().ToString().c_str());
  RecordBatchBuilder builder(std::make_shared<Schema>((*decoder)->fields()));
  (*decoder)->Bind(&builder);
  DecodeBatches(state, builder, *messages, check_bids ? &Data().bids : nullptr,
                [&](const uint8_t* data, int64_t size) { return (*decoder)->Append(data, size); });
}

// Reads one value to its end, numbers as int64 (or double) and strings
// unescaped, adding them up so that nothing is optimized away.
bool Touch(simdjson::ondemand::value value, int64_t* sum) {
  using simdjson::ondemand::json_type;
  json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        std::string_view key;
        simdjson::ondemand::value child;
        if (field.unescaped_key().get(key) || field.value().get(child) || !Touch(child, sum))
          return false;
      }
      return true;
    }
    case json_type::array: {
      simdjson::ondemand::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        simdjson::ondemand::value child;
        if (element.get(child) || !Touch(child, sum)) return false;
      }
      return true;
    }
    case json_type::number: {
      simdjson::ondemand::number_type number_type;
      if (value.get_number_type().get(number_type)) return false;
      if (number_type == simdjson::ondemand::number_type::floating_point_number) {
        double d;
        if (value.get_double().get(d)) return false;
        *sum += static_cast<int64_t>(d);
        return true;
      }
      int64_t n;
      if (value.get_int64().get(n)) return false;
      *sum += n;
      return true;
    }
    case json_type::string: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      *sum += static_cast<int64_t>(s.size());
      return true;
    }
    case json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      *sum += b;
      return true;
    }
    case json_type::null:
      return !value.is_null().error();
  }
  return false;
}

// The floor: simdjson's on-demand parser reading every value of each object
// (what a decoder must at least do), from already padded copies.
void BM_SimdjsonParse(benchmark::State& state, const MessageSet* messages) {
  simdjson::ondemand::parser parser;
  int64_t sum = 0;
  for (auto _ : state) {
    for (int row = 0; row < kBatchRows; ++row) {
      simdjson::ondemand::document doc;
      simdjson::ondemand::value root;
      std::string_view m = (*messages)[row];
      if (parser.iterate(m.data(), m.size(), m.size() + messages->padding()).get(doc) ||
          doc.get_value().get(root) || !Touch(root, &sum)) {
        return state.SkipWithError("simdjson rejected a message");
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  SetCounters(state, *messages);
}

// simdjson's DOM parser, which validates and materializes the whole
// document, then a walk over the object's values.
void BM_SimdjsonDomParse(benchmark::State& state, const MessageSet* messages) {
  simdjson::dom::parser parser;
  int64_t sum = 0;
  for (auto _ : state) {
    for (int row = 0; row < kBatchRows; ++row) {
      simdjson::dom::object object;
      std::string_view m = (*messages)[row];
      // realloc_if_needed=false: the input is padded already.
      if (parser.parse(m.data(), m.size(), false).get(object)) {
        return state.SkipWithError("simdjson rejected a message");
      }
      for (auto [key, value] : object) {
        int64_t n;
        std::string_view s;
        if (!value.get_int64().get(n)) {
          sum += n;
        } else if (!value.get_string().get(s)) {
          sum += static_cast<int64_t>(s.size());
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  SetCounters(state, *messages);
}

// --- Avro --------------------------------------------------------------------

void BM_AvroToArrow(benchmark::State& state) {
  Result<AvroSchema> parsed = AvroSchema::Parse(kBidAvroSchema);
  if (!parsed.ok()) return state.SkipWithError(parsed.status().ToString().c_str());
  auto schema = std::make_shared<const AvroSchema>(std::move(*parsed));
  Result<std::vector<Field>> fields = AvroToArrowColumns(*schema);
  if (!fields.ok()) return state.SkipWithError(fields.status().ToString().c_str());
  RecordBatchBuilder builder(std::make_shared<Schema>(*fields));
  std::vector<ArrayBuilder*> columns;
  for (int i = 0; i < builder.schema()->num_fields(); ++i) columns.push_back(builder.column(i));
  auto reader = AvroDatumReader::Make(schema, schema, columns);
  if (!reader.ok()) return state.SkipWithError(reader.status().ToString().c_str());
  DecodeBatches(state, builder, Data().bid_avro, &Data().bids,
                [&](const uint8_t* data, int64_t size) { return (*reader)->Read(data, size); });
}

#ifdef KARROW_BENCH_AVRO_C
// avro-c's generic reader into one reused record value, then every field
// read out of it: the usual way a C program consumes Avro datums.
void BM_AvroC(benchmark::State& state) {
  const MessageSet& messages = Data().bid_avro;
  avro_schema_t schema;
  if (avro_schema_from_json_length(kBidAvroSchema, std::strlen(kBidAvroSchema), &schema)) {
    return state.SkipWithError(avro_strerror());
  }
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t record;
  avro_generic_value_new(iface, &record);
  avro_reader_t reader =
      avro_reader_memory(messages[0].data(), static_cast<int64_t>(messages[0].size()));
  bool failed = false;
  int64_t sum = 0;
  // Reads message `row` and adds up its values; false on an error.
  auto read = [&](int row, Bid* seen) {
    std::string_view m = messages[row];
    avro_reader_memory_set_source(reader, m.data(), static_cast<int64_t>(m.size()));
    if (avro_value_read(reader, &record)) return false;
    int64_t longs[4];
    const int long_fields[4] = {0, 1, 2, 5};
    for (int k = 0; k < 4; ++k) {
      avro_value_t field;
      if (avro_value_get_by_index(&record, static_cast<size_t>(long_fields[k]), &field, nullptr) ||
          avro_value_get_long(&field, &longs[k])) {
        return false;
      }
      sum += longs[k];
    }
    const char* strings[3];
    size_t sizes[3];
    const int string_fields[3] = {3, 4, 6};
    for (int k = 0; k < 3; ++k) {
      avro_value_t field;
      if (avro_value_get_by_index(&record, static_cast<size_t>(string_fields[k]), &field,
                                  nullptr) ||
          avro_value_get_string(&field, &strings[k], &sizes[k])) {
        return false;
      }
      sum += static_cast<int64_t>(sizes[k]);
    }
    if (seen) {
      // avro-c's sizes count the terminating NUL.
      *seen = Bid{longs[0],
                  longs[1],
                  longs[2],
                  std::string(strings[0], sizes[0] - 1),
                  std::string(strings[1], sizes[1] - 1),
                  longs[3],
                  std::string(strings[2], sizes[2] - 1)};
    }
    return true;
  };
  // avro-c must read our datums back as the bids they encode, or the
  // comparison would be between different work.
  for (int row = 0; row < kMessages && !failed; ++row) {
    Bid seen;
    const Bid& b = Data().bids[static_cast<size_t>(row)];
    failed = !read(row, &seen) || seen.auction != b.auction || seen.bidder != b.bidder ||
             seen.price != b.price || seen.channel != b.channel || seen.url != b.url ||
             seen.date_time != b.date_time || seen.extra != b.extra;
  }
  if (failed) state.SkipWithError("avro-c does not read the generated datums back as the bids");
  for (auto _ : state) {
    if (failed) break;
    for (int row = 0; row < kBatchRows; ++row) {
      if (!read(row, nullptr)) {
        state.SkipWithError(avro_strerror());
        failed = true;
        break;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  avro_reader_free(reader);
  avro_value_decref(&record);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
  if (!failed) SetCounters(state, messages);
}
BENCHMARK(BM_AvroC)->Name("BM_AvroC/bid")->Unit(benchmark::kMicrosecond);
#endif

BENCHMARK_CAPTURE(BM_JsonToArrow, bid, kBidJsonSchema, &Data().bid_json, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SimdjsonParse, bid, &Data().bid_json_padded)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SimdjsonDomParse, bid, &Data().bid_json_padded)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_JsonToArrow, nested, kOrderJsonSchema, &Data().order_json, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SimdjsonParse, nested, &Data().order_json_padded)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AvroToArrow)->Name("BM_AvroToArrow/bid")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace karrow::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("simdjson_ondemand_kernel",
                              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  benchmark::AddCustomContext("simdjson_active_implementation",
                              simdjson::get_active_implementation()->name());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
