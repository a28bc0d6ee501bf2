// Unstructured JSON (format json without a schema): each record is kept as
// is after a full syntax and UTF-8 check. Input: records separated by
// '\x1e'. Besides the harness's checks: a record is accepted exactly when
// the independent judge (json_oracle.h) finds it valid (and no deeper than
// the nesting limit), and every row holds
// its record's bytes unchanged.
// dict: json.dict
#include <cstdint>
#include <cstdlib>

#include "decoder_harness.h"
#include "json_oracle.h"

namespace karrow::fuzz {
namespace {

std::unique_ptr<ValueDecoder> MakeDecoder() {
  FormatOptions options;
  options.format = Format::kJson;
  Result<std::unique_ptr<ValueDecoder>> decoder = MakeValueDecoder(options, "fuzz");
  CheckOk(decoder.status(), "MakeValueDecoder(json)");
  return std::move(*decoder);
}

void RowsAreTheRecords(const RecordBatch& batch, const std::vector<std::string>& records) {
  const ArrayData& values = *batch.column(0);
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    if (!values.IsValid(i) || values.View(i) != records[static_cast<size_t>(i)]) {
      CheckOk(Status::Invalid("row " + std::to_string(i)),
              "a json value was not kept byte for byte");
    }
  }
}

}  // namespace
}  // namespace karrow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow::fuzz;
  static DecoderHarness* harness = [] {
    auto* h = new DecoderHarness(MakeDecoder);
    h->set_batch_check(RowsAreTheRecords);
    return h;
  }();
  ForEachRecord(data, size, '\x1e', [&](std::string_view record) {
    bool accepted = harness->Append(record).ok();
    JsonVerdict verdict = JudgeJson(record);
    // Too deep is refused like invalid JSON.
    if (accepted != (verdict == JsonVerdict::kValid)) {
      CheckOk(karrow::Status::Invalid(std::string(accepted ? "accepted" : "rejected") + " '" +
                                      Printable(record) + "'"),
              "format json disagrees with the JSON grammar");
    }
    harness->FinishBatchIfAtLeast(8);
  });
  harness->FinishBatch();
  return 0;
}
