// The one bound on nesting that every recursive reader in formats/ obeys:
// the JSON syntax check and decoder, the JSON schema parser, the Avro schema
// parser, its Arrow mapping, default encoder and program compiler, and the
// Avro decoder. Each keeps its recursion and counts levels instead of being
// rewritten as a loop: the bound makes the stack a reader can use small and
// fixed, and a depth argument costs nothing on the paths that never come near it.
//
// Why 64: Arrow data nested deeper is of no use to anyone downstream (Arrow
// C++'s IPC reader refuses more than 64 levels by default), and at 64
// levels the readers need little stack. Frames measured with gcc
// -fstack-usage (release build), per level:
//   - per message: JSON syntax check ~160 bytes, JSON field readers ~550
//     (a struct: object, field, reader), Avro skip ~270, Avro decode ~400;
//     at the limit under 40 KiB;
//   - per schema, once: JSON schema ~1.3 KiB, Avro schema ~1.8 KiB, its
//     Arrow mapping ~2 KiB, the Avro decode program ~1.5-3 KiB (Result<Step>
//     and paths by value); the deepest schemas accepted need under 128 KiB
//     (JSON) and under 160 KiB (Avro: avro_decoder_test builds them on a
//     256 KiB stack).
// A thread gets 8 MiB by default from glibc (librdkafka's and Python's
// threads included); musl's 128 KiB would be too little for the deepest
// Avro schemas, not for any message.
//
// Too deep in data is bad data ("nesting deeper than 64 levels at byte N");
// too deep in a schema is a configuration error naming where.
#pragma once

#include <string>

namespace karrow {

/// Levels of arrays, objects, records, lists, maps, structs (and Avro
/// unions) one value or schema may nest. The outermost (a message's JSON
/// object, the top record) is level 1.
inline constexpr int kMaxNestingDepth = 64;

/// "nesting deeper than 64 levels", the start of every too-deep message.
inline std::string TooDeepMessage() {
  return "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels";
}

}  // namespace karrow
