// Newline framing (src/formats/framing.h) in front of a decoder, the way the
// Kafka source applies it: every non-empty line of a message is a row; a
// line over max_line_length is bad data; under bad_data=fail a bad line takes
// back the whole message's rows, under drop only itself.
//
// Input: byte 0 picks the policy (bit 0: fail) and the decoder (bits 1-2:
// json, json with a schema, raw_string, raw_bytes); byte 1 is the maximum
// line length (0: no limit); the rest is messages separated by '\x1e'.
//
// The splitter must return exactly the non-empty '\n'-separated segments of
// the message, in order, each inside the message and free of '\n'.
// dict: json.dict
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "decoder_harness.h"
#include "formats/framing.h"
#include "formats/json_decoder.h"
#include "formats/json_schema.h"

namespace karrow::fuzz {
namespace {

std::unique_ptr<ValueDecoder> MakeDecoder(int kind) {
  FormatOptions options;
  switch (kind) {
    case 0:
      options.format = Format::kJson;
      break;
    case 1:
      options.format = Format::kJson;
      options.schema = R"({"fields": [{"name": "id", "type": "int32", "nullable": false},
                                           {"name": "tags", "type": {"list": "utf8"}}]})";
      break;
    case 2:
      options.format = Format::kRawString;
      break;
    default:
      options.format = Format::kRawBytes;
      break;
  }
  Result<std::unique_ptr<ValueDecoder>> decoder = MakeValueDecoder(options, "fuzz");
  CheckOk(decoder.status(), "MakeValueDecoder");
  return std::move(*decoder);
}

struct Line {
  const uint8_t* data;
  int64_t length;
};

// The same split written the obvious way, to check the splitter against.
std::vector<Line> ExpectedLines(const uint8_t* data, int64_t size) {
  std::vector<Line> out;
  int64_t start = 0;
  for (int64_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\n') {
      if (i > start) out.push_back({data + start, i - start});
      start = i + 1;
    }
  }
  return out;
}

std::vector<Line> SplitAndCheck(const uint8_t* data, int64_t size) {
  std::vector<Line> lines;
  NewlineSplitter splitter(data, size);
  const uint8_t* line;
  int64_t length;
  const uint8_t* previous_end = data;
  while (splitter.Next(&line, &length)) {
    if (length <= 0) CheckOk(Status::Invalid("an empty line"), "NewlineSplitter");
    if (line < previous_end || line + length > data + size) {
      CheckOk(Status::Invalid("a line outside the message or out of order"), "NewlineSplitter");
    }
    if (std::memchr(line, '\n', static_cast<size_t>(length))) {
      CheckOk(Status::Invalid("a line holds '\\n'"), "NewlineSplitter");
    }
    previous_end = line + length;
    lines.push_back({line, length});
  }
  std::vector<Line> expected = ExpectedLines(data, size);
  bool same = expected.size() == lines.size();
  for (size_t i = 0; same && i < lines.size(); ++i) {
    same = expected[i].data == lines[i].data && expected[i].length == lines[i].length;
  }
  if (!same)
    CheckOk(Status::Invalid("lines differ from the non-empty segments"), "NewlineSplitter");
  if (splitter.Next(&line, &length))
    CheckOk(Status::Invalid("a line after the end"), "NewlineSplitter");
  return lines;
}

}  // namespace
}  // namespace karrow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  static std::unique_ptr<DecoderHarness> harnesses[4];
  if (size < 2) return 0;
  const bool fail = data[0] & 1;
  const int kind = (data[0] >> 1) & 3;
  const int64_t max_line_length = data[1] == 0 ? int64_t{1} << 20 : data[1];
  if (!harnesses[kind])
    harnesses[kind] = std::make_unique<DecoderHarness>([kind] { return MakeDecoder(kind); });
  DecoderHarness& harness = *harnesses[kind];

  ForEachRecord(data + 2, size - 2, '\x1e', [&](std::string_view message) {
    const int64_t message_start = harness.num_rows();
    for (const Line& line : SplitAndCheck(reinterpret_cast<const uint8_t*>(message.data()),
                                          static_cast<int64_t>(message.size()))) {
      bool ok =
          line.length <= max_line_length &&
          harness
              .Append({reinterpret_cast<const char*>(line.data), static_cast<size_t>(line.length)})
              .ok();
      if (!ok && fail) {
        harness.Truncate(message_start);
        break;
      }
    }
    harness.FinishBatchIfAtLeast(8);
  });
  harness.FinishBatch();
  return 0;
}
