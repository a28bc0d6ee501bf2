// A test-only library that builds one record batch of every type karrow's
// builders support and exports it through the C Stream Interface, so that an
// independent implementation (pyarrow, in tests/python/test_arrow_export.py)
// can validate it and compare every value. Row i holds values derived from i;
// the Python test computes the same values on its own.
#include <cstdlib>
#include <cstring>
#include <string>

#include "arrow/builder.h"
#include "karrow/c_export.h"
#include "karrow/export.h"
#include "output/ipc_stream_writer.h"

namespace karrow {
namespace {

constexpr int kRows = 10;

bool IsNullRow(int i) { return i % 3 == 2; }

SchemaPtr AllTypesSchema() {
  auto item_struct = struct_({{"a", int32(), false}, {"b", utf8(), true}});
  return std::make_shared<Schema>(std::vector<Field>{
      {"bool", boolean()},
      {"int8", int8()},
      {"int16", int16()},
      {"int32", int32()},
      {"int64", int64()},
      {"uint8", uint8()},
      {"uint16", uint16()},
      {"uint32", uint32()},
      {"uint64", uint64()},
      {"float32", float32()},
      {"float64", float64()},
      {"utf8", utf8()},
      {"binary", binary()},
      {"ts_us_utc", timestamp(TimeUnit::kMicro, "UTC")},
      {"ts_s", timestamp(TimeUnit::kSecond)},
      {"date32", date32()},
      {"decimal", decimal128(10, 2)},
      {"list_int32", list({"item", int32(), true})},
      {"struct", item_struct},
      {"list_struct", list({"item", item_struct, false})},
      {"not_null_int64", int64(), false},
      {"null", null()},
      {"fixed3", fixed_size_binary(3)},
      {"time_ms", time32(TimeUnit::kMilli)},
      {"time_us", time64(TimeUnit::kMicro)},
      {"map", map({"key", utf8(), false}, {"value", int64(), true})},
      {"union", dense_union({{"null", null()}, {"long", int64()}, {"string", utf8()}})},
  });
}

template <typename B, typename V>
void AppendOrNull(ArrayBuilder* b, int i, V v) {
  if (IsNullRow(i)) {
    b->AppendNull();
  } else {
    static_cast<B*>(b)->Append(v);
  }
}

void AppendStructItem(StructBuilder* s, int i, int j) {
  static_cast<Int32Builder*>(s->child(0))->Append(i * 10 + j);
  if (j % 2) {
    s->child(1)->AppendNull();
  } else {
    (void)static_cast<BinaryBuilder*>(s->child(1))
        ->Append("b" + std::to_string(i) + "." + std::to_string(j));
  }
  s->Append();
}

RecordBatch BuildAllTypes(int rows) {
  RecordBatchBuilder rb(AllTypesSchema());
  for (int i = 0; i < rows; ++i) {
    int c = 0;
    if (IsNullRow(i)) {
      rb.column(c++)->AppendNull();
    } else {
      static_cast<BooleanBuilder*>(rb.column(c++))->Append(i % 2 == 0);
    }
    AppendOrNull<Int8Builder>(rb.column(c++), i, static_cast<int8_t>(i - 5));
    AppendOrNull<Int16Builder>(rb.column(c++), i, static_cast<int16_t>(i * 1000 - 3000));
    AppendOrNull<Int32Builder>(rb.column(c++), i, i * 100000);
    AppendOrNull<Int64Builder>(rb.column(c++), i, int64_t{i} * 1000000000000 - 5);
    AppendOrNull<UInt8Builder>(rb.column(c++), i, static_cast<uint8_t>(i * 25));
    AppendOrNull<UInt16Builder>(rb.column(c++), i, static_cast<uint16_t>(i * 6000));
    AppendOrNull<UInt32Builder>(rb.column(c++), i, static_cast<uint32_t>(i) * 400000000u);
    AppendOrNull<UInt64Builder>(rb.column(c++), i, static_cast<uint64_t>(i) << 60);
    AppendOrNull<FloatBuilder>(rb.column(c++), i, static_cast<float>(i) * 0.5f);
    AppendOrNull<DoubleBuilder>(rb.column(c++), i, i * 1e100);
    if (IsNullRow(i)) {
      rb.column(c++)->AppendNull();
      rb.column(c++)->AppendNull();
    } else {
      (void)static_cast<BinaryBuilder*>(rb.column(c++))
          ->Append("s" + std::to_string(i) + "\xc3\xa9");
      (void)static_cast<BinaryBuilder*>(rb.column(c++))
          ->Append(std::string(static_cast<size_t>(i), static_cast<char>(i)));
    }
    AppendOrNull<Int64Builder>(rb.column(c++), i, int64_t{i} * 1000001);
    AppendOrNull<Int64Builder>(rb.column(c++), i, int64_t{i} * 86400);
    AppendOrNull<Int32Builder>(rb.column(c++), i, i * 365 - 700);
    if (IsNullRow(i)) {
      rb.column(c++)->AppendNull();
    } else {
      static_cast<Decimal128Builder*>(rb.column(c++))
          ->Append(static_cast<__int128>(i) * 12345 - 50000);
    }
    auto* list_int = static_cast<ListBuilder*>(rb.column(c++));
    if (IsNullRow(i)) {
      list_int->AppendNull();
    } else {
      list_int->Append();
      auto* items = static_cast<Int32Builder*>(list_int->item_builder());
      for (int j = 0; j < i % 4; ++j) {
        if (j == 1) {
          items->AppendNull();
        } else {
          items->Append(i + j);
        }
      }
    }
    auto* st = static_cast<StructBuilder*>(rb.column(c++));
    if (IsNullRow(i)) {
      st->AppendNull();
    } else {
      AppendStructItem(st, i, 0);
    }
    auto* list_struct = static_cast<ListBuilder*>(rb.column(c++));
    list_struct->Append();
    for (int j = 0; j < i % 3; ++j)
      AppendStructItem(static_cast<StructBuilder*>(list_struct->item_builder()), i, j);
    static_cast<Int64Builder*>(rb.column(c++))->Append(-i);
    rb.column(c++)->AppendNull();
    if (IsNullRow(i)) {
      rb.column(c++)->AppendNull();
    } else {
      const char fixed[3] = {static_cast<char>(i), 'x', static_cast<char>(255 - i)};
      static_cast<FixedSizeBinaryBuilder*>(rb.column(c++))->Append(fixed);
    }
    AppendOrNull<Int32Builder>(rb.column(c++), i, i * 3600001);
    AppendOrNull<Int64Builder>(rb.column(c++), i, int64_t{i} * 3600000001);
    auto* map = static_cast<ListBuilder*>(rb.column(c++));
    if (IsNullRow(i)) {
      map->AppendNull();
    } else {
      map->Append();
      auto* entry = static_cast<StructBuilder*>(map->item_builder());
      for (int j = 0; j < i % 3; ++j) {
        (void)static_cast<BinaryBuilder*>(entry->child(0))->Append("k" + std::to_string(j));
        if (j == 1) {
          entry->child(1)->AppendNull();
        } else {
          static_cast<Int64Builder*>(entry->child(1))->Append(int64_t{i} * 100 + j);
        }
        entry->Append();
      }
    }
    // Row i holds: null when i % 3 == 0, a long when 1, a string when 2.
    auto* u = static_cast<DenseUnionBuilder*>(rb.column(c++));
    if (i % 3 == 0) {
      u->AppendNull();
    } else if (i % 3 == 1) {
      static_cast<Int64Builder*>(u->member(1))->Append(-int64_t{i} * 7);
      u->Append(1);
    } else {
      (void)static_cast<BinaryBuilder*>(u->member(2))->Append("u" + std::to_string(i));
      u->Append(2);
    }
  }
  return std::move(rb.Finish()).ValueOrDie();
}

// Yields: the full batch, an empty batch, then rows [3, 8) of the full batch
// as a zero-copy slice (non-zero offsets all the way down).
class CasesReader : public RecordBatchReader {
 public:
  SchemaPtr schema() const override { return schema_; }
  Result<std::optional<RecordBatch>> Next() override {
    switch (step_++) {
      case 0:
        return std::optional<RecordBatch>(full_);
      case 1:
        return std::optional<RecordBatch>(BuildAllTypes(0));
      case 2:
        return std::optional<RecordBatch>(full_.Slice(3, 5));
      default:
        return std::optional<RecordBatch>();
    }
  }

 private:
  SchemaPtr schema_ = AllTypesSchema();
  RecordBatch full_ = BuildAllTypes(kRows);
  int step_ = 0;
};

}  // namespace
}  // namespace karrow

// Exported for ctypes: karrow is compiled with hidden visibility.
extern "C" KARROW_EXPORT int karrow_testing_all_types_stream(ArrowArrayStream* out) {
  try {
    karrow::ExportRecordBatchReader(std::make_unique<karrow::CasesReader>(), out);
    return 0;
  } catch (...) {
    return 1;
  }
}

// The same data as an Arrow IPC stream (full batch, empty batch, first four
// rows), written to `*out` (malloc'd; the caller frees it with free()).
extern "C" KARROW_EXPORT int karrow_testing_all_types_ipc(uint8_t** out, int64_t* size) {
  std::string bytes;
  karrow::RecordBatch full = karrow::BuildAllTypes(karrow::kRows);
  karrow::IpcStreamWriter stream(full.schema(), &bytes);
  for (const auto& batch : {full, karrow::BuildAllTypes(0), full.Slice(0, 4)}) {
    if (!stream.Write(batch).ok()) return 1;
  }
  if (!stream.Finish().ok()) return 1;
  *out = static_cast<uint8_t*>(std::malloc(bytes.size()));
  std::memcpy(*out, bytes.data(), bytes.size());
  *size = static_cast<int64_t>(bytes.size());
  return 0;
}
