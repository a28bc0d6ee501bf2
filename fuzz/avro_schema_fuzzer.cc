// The Avro schema parser (src/formats/avro_schema.h) and everything built
// from a schema: its Arrow form, the encoding of its defaults and its decode
// program. A schema that parses, maps to Arrow and compiles against itself
// then decodes the input's own bytes, so hostile schemas meet hostile data.
//
// Invariants: failures are kInvalidArgument with a message, never a crash;
// the decoder obeys the harness's contract.
// dict: avro.dict
#include <cstdint>
#include <string>

#include "decoder_harness.h"
#include "formats/avro_arrow_type.h"
#include "formats/avro_value_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto expect_invalid = [](const Status& st, const char* what) {
    if (st.code() != StatusCode::kInvalidArgument || st.message().empty()) CheckOk(st, what);
  };
  Result<AvroSchema> schema = AvroSchema::Parse(text);
  if (!schema.ok()) {
    expect_invalid(schema.status(),
                   "AvroSchema::Parse failed with a code other than invalid argument");
    return 0;
  }
  for (int i = 0; i < schema->num_nodes(); ++i) (void)schema->Describe(i);
  Result<std::unique_ptr<ValueDecoder>> decoder = MakeAvroDatumDecoder(text);
  if (!decoder.ok()) {
    expect_invalid(decoder.status(),
                   "MakeAvroDatumDecoder failed with a code other than invalid argument");
    return 0;
  }
  DecoderHarness harness([&] { return std::move(MakeAvroDatumDecoder(text)).ValueOrDie(); });
  // Every suffix of the input as a datum: some parts of a schema's text are
  // plausible Avro (digits, quotes, braces as varints and lengths).
  for (size_t at = 0; at <= size && at < 64; ++at) {
    (void)harness.Append({text.data() + at, size - at});
  }
  harness.FinishBatch();
  return 0;
}
