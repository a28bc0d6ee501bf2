// A C++ program built against an installed karrow (tests/consumer/run.sh):
// reads the topic consumer.c reads, through the C++ API (KafkaSource::Open,
// Next), and prints the same line, computed twice: from the batches
// themselves, and from their export through the Arrow C Data Interface (each
// batch exported in two slices, as another Arrow implementation would receive
// it). The two must agree.
// Usage: consumer_cc BOOTSTRAP_SERVERS TOPIC
#include <karrow/c_export.h>
#include <karrow/kafka_source.h>
#include <karrow/kafka_source_config.h>
#include <karrow/record_batch.h>
#include <karrow/status.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace {

constexpr char kValueSchema[] = R"({"fields": [{"name": "id", "type": "int64", "nullable": false},)"
                                R"( {"name": "name", "type": "utf8"}]})";

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

struct Summary {
  int64_t rows = 0;
  int64_t id_sum = 0;
  uint64_t name_hash = 0;

  bool operator==(const Summary&) const = default;
  void Print(const char* label) const {
    std::printf("%srows=%lld id_sum=%lld name_hash=%llu\n", label, static_cast<long long>(rows),
                static_cast<long long>(id_sum), static_cast<unsigned long long>(name_hash));
  }
};

// Adds a batch as karrow holds it.
void AddBatch(const karrow::RecordBatch& batch, int id_col, int name_col, Summary* sum) {
  const karrow::ArrayData& ids = *batch.column(id_col);
  const karrow::ArrayData& names = *batch.column(name_col);
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    sum->id_sum += ids.Value<int64_t>(i);
    sum->name_hash += Fnv1a(names.View(i));
  }
  sum->rows += batch.num_rows();
}

// Adds a batch as the C Data Interface hands it over.
bool AddExported(const ArrowArray& batch, int id_col, int name_col, Summary* sum) {
  const ArrowArray* ids = batch.children[id_col];
  const ArrowArray* names = batch.children[name_col];
  if (ids->null_count != 0 || names->null_count != 0) return false;
  const auto* id_values = static_cast<const int64_t*>(ids->buffers[1]);
  const auto* offsets = static_cast<const int32_t*>(names->buffers[1]);
  const auto* chars = static_cast<const char*>(names->buffers[2]);
  for (int64_t i = 0; i < batch.length; ++i) {
    // A struct's offset shifts its children too (the Arrow format).
    int64_t id_at = batch.offset + ids->offset + i;
    int64_t name_at = batch.offset + names->offset + i;
    sum->id_sum += id_values[id_at];
    sum->name_hash +=
        Fnv1a(std::string_view(chars + offsets[name_at], offsets[name_at + 1] - offsets[name_at]));
  }
  sum->rows += batch.length;
  return true;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "consumer_cc: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP_SERVERS TOPIC\n", argv[0]);
    return 2;
  }
  auto config = karrow::KafkaSourceConfig::FromProperties({{"topic", argv[2]},
                                                           {"bootstrap_servers", argv[1]},
                                                           {"format", "json"},
                                                           {"value_schema", kValueSchema},
                                                           {"stop_at_end", "true"}});
  if (!config.ok()) return Fail(config.status().ToString());
  auto opened = karrow::KafkaSource::Open(std::move(*config));
  if (!opened.ok()) return Fail(opened.status().ToString());
  // Held as the base class, and found again with dynamic_cast: the type
  // information of exported classes must be one across the library boundary.
  std::unique_ptr<karrow::RecordBatchReader> reader = std::move(*opened);
  auto* source = dynamic_cast<karrow::KafkaSource*>(reader.get());
  if (source == nullptr) return Fail("dynamic_cast to KafkaSource failed");

  karrow::SchemaPtr schema = reader->schema();
  int id_col = schema->IndexOf("id");
  int name_col = schema->IndexOf("name");
  if (id_col < 0 || name_col < 0) return Fail("no column id or name in " + schema->ToString());

  Summary direct;
  Summary exported;
  while (true) {
    auto next = reader->Next();
    if (!next.ok()) return Fail(next.status().ToString());
    if (!*next) break;
    const karrow::RecordBatch& batch = **next;
    AddBatch(batch, id_col, name_col, &direct);
    const int64_t half = batch.num_rows() / 2;
    for (const karrow::RecordBatch& part :
         {batch.Slice(0, half), batch.Slice(half, batch.num_rows() - half)}) {
      ArrowArray array;
      karrow::Status st = karrow::ExportRecordBatch(part, &array);
      if (!st.ok()) return Fail(st.ToString());
      bool ok = AddExported(array, id_col, name_col, &exported);
      array.release(&array);
      if (!ok) return Fail("unexpected nulls");
    }
  }
  if (source->stats().rows != direct.rows) return Fail("stats().rows disagrees with the batches");
  direct.Print("");
  exported.Print("exported: ");
  return direct == exported ? 0 : Fail("the exported batches differ from the batches");
}
