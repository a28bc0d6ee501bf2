// Decodes Protobuf messages straight into Arrow builders. For each message
// type a decode program is compiled once from its descriptor: a table from
// field number to the step that reads the field into its column. No
// DynamicMessage is involved.
//
// The wire format lets fields come in any order and any number of times (the
// last value of a singular field wins, occurrences of a singular message
// merge, packed and unpacked repeated values concatenate), so a message is
// read in two passes: the first records where each known field's values are
// (unknown fields are skipped), the second appends them in column order.
//
// Input is hostile: every length is checked against the bytes left, varints
// are bounded to 10 bytes, wire types must match the schema, group wire
// types are refused, strings are UTF-8-checked. Nesting is bounded by the
// schema (recursive messages are refused when compiling).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "arrow/builder.h"
#include "karrow/status.h"

namespace google::protobuf {
class Descriptor;
}

namespace karrow {

class ProtobufMessageReader {
 public:
  /// Compiles the program reading `message` into `columns`, the builders of
  /// ProtobufToArrowColumns(message), in order. `message` (and its pool)
  /// must outlive the reader.
  static Result<std::unique_ptr<ProtobufMessageReader>> Make(
      const google::protobuf::Descriptor* message, std::vector<ArrayBuilder*> columns);
  ~ProtobufMessageReader();

  /// Appends one row from the message in exactly [data, data + size). On
  /// bad data returns kBadData naming the field and byte offset; the caller
  /// truncates the columns to undo a partial row.
  Status Read(const uint8_t* data, int64_t size);

 private:
  struct Program;
  explicit ProtobufMessageReader(std::unique_ptr<Program> program);
  std::unique_ptr<Program> program_;
};

/// Whether data written with message `writer` reads correctly as `reader`:
/// every field number both have must be encoded alike on the wire (int32,
/// int64, uint32, uint64, bool and enum are; sint32 and sint64 are; string
/// and bytes are; messages if their fields are, recursively; fixed-width
/// types only with their own type). An error names the first field that is not.
Status CheckProtobufCompatible(const google::protobuf::Descriptor* writer,
                               const google::protobuf::Descriptor* reader);

}  // namespace karrow
