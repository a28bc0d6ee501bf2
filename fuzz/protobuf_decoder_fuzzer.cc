// The Protobuf decoder (src/formats/protobuf_decoder.h) on arbitrary
// messages, for a few messages that between them use every scalar type,
// enums, nested and repeated messages, packed fields, maps, oneofs, proto3
// optional, proto2 required, the well-known Timestamp, Duration and
// wrappers, and large field numbers.
//
// Input: byte 0 picks the message; the rest is messages, each a length byte
// and then that many bytes (binary, so no separator). The harness checks one
// outcome per message and valid, reproducible Arrow.
#include <cstdint>
#include <memory>

#include "decoder_harness.h"
#include "formats/protobuf_value_decoder.h"

namespace karrow::fuzz {
namespace {

struct Case {
  const char* proto;
  const char* message;
};

const Case kCases[] = {
    {R"(syntax = "proto3";
package f;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
enum Color { ZERO = 0; ONE = 1; }
message All {
  int32 i32 = 1; sint32 s32 = 2; sfixed32 sf32 = 3; uint32 u32 = 4; fixed32 f32 = 5;
  int64 i64 = 6; sint64 s64 = 7; sfixed64 sf64 = 8; uint64 u64 = 9; fixed64 f64 = 10;
  float fl = 11; double db = 12; bool b = 13; string s = 14; bytes by = 15; Color c = 16;
  Inner inner = 17; repeated sint32 packed = 18; repeated string names = 19;
  repeated Inner inners = 20; map<string, Inner> m = 21; map<int64, string> mi = 22;
  oneof o { string t = 23; Inner n = 24; }
  optional fixed64 maybe = 25;
  google.protobuf.Timestamp at = 26; google.protobuf.Duration took = 27;
  google.protobuf.BytesValue w = 28; repeated google.protobuf.Timestamp ats = 29;
  repeated Color cs = 30; repeated double ds = 31; uint32 far = 536870911;
}
message Inner { int32 a = 1; repeated int64 l = 2; Innermost x = 3; }
message Innermost { bool b = 1; })",
     "f.All"},
    {R"(syntax = "proto2";
package g;
message R {
  required int64 id = 1; optional string s = 2; repeated fixed32 f = 3 [packed = true];
  optional R2 sub = 4; repeated R2 subs = 5;
  enum K { A = 1; B = 2; } optional K k = 6; repeated K ks = 7;
}
message R2 { required bool must = 1; optional float x = 2; })",
     "g.R"},
};
constexpr size_t kNumCases = sizeof(kCases) / sizeof(kCases[0]);

std::unique_ptr<ValueDecoder> Make(const Case& c) {
  auto schema = ProtobufSchema::Make("fuzz schema", {"fuzz.proto", c.proto}, {});
  CheckOk(schema.status(), "a built-in fuzz schema does not parse");
  auto decoder = MakeProtobufMessageDecoder(std::move(schema).ValueOrDie(), c.message);
  CheckOk(decoder.status(), "a built-in fuzz schema has no decoder");
  return std::move(decoder).ValueOrDie();
}

}  // namespace
}  // namespace karrow::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  static std::unique_ptr<DecoderHarness> harnesses[kNumCases];
  if (size < 1) return 0;
  const size_t which = data[0] % kNumCases;
  if (!harnesses[which]) {
    harnesses[which] = std::make_unique<DecoderHarness>([which] { return Make(kCases[which]); });
  }
  DecoderHarness& harness = *harnesses[which];
  size_t at = 1;
  while (at < size) {
    size_t n = std::min<size_t>(data[at], size - at - 1);
    (void)harness.Append({reinterpret_cast<const char*>(data + at + 1), n});
    at += 1 + n;
  }
  harness.FinishBatch();
  return 0;
}
