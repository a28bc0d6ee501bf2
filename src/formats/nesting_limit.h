// The one bound on nesting that every recursive reader in formats/ obeys:
// the JSON syntax check and decoder, the JSON schema parser, the Avro schema
// parser, its Arrow mapping, default encoder and program compiler, and the
// Avro decoder. Each keeps its recursion and counts levels instead of being
// rewritten as a loop: the bound makes the stack a reader can use small and
// fixed, and a depth argument costs nothing on the paths that never come near it.
//
// Why 64: Arrow data nested deeper is of no use to anyone downstream (Arrow
// C++'s IPC reader refuses more than 64 levels by default), and at 64 levels
// the deepest of these readers stays far below the smallest thread stack it
// may run on (tests/ run the hostile inputs on a 256 KiB stack; a musl thread
// gets 128 KiB, glibc's default is 8 MiB). Measured with gcc -fstack-usage
// (release build), the most a level costs is ~ 300 bytes (JSON check: ~ 200;
// Avro skip: ~ 150; schema parsers and mappers: ~ 300-500 but at most two
// frames a level), so 64 levels need well under 64 KiB.
//
// Too deep in data is bad data ("nesting deeper than 64 levels at byte N");
// too deep in a schema is a configuration error naming where.
#pragma once

#include <string>

namespace karrow {

/// Levels of arrays, objects, records, lists, maps and structs one value or
/// schema may nest. The outermost (a message's JSON object, the top record)
/// is level 1.
inline constexpr int kMaxNestingDepth = 64;

/// "nesting deeper than 64 levels", the start of every too-deep message.
inline std::string TooDeepMessage() {
  return "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels";
}

}  // namespace karrow
