// Decodes Avro binary datums straight into Arrow builders. For each (writer
// schema, reader schema) pair a decode program is compiled once: Avro's
// schema resolution (promotions, reader defaults, dropped writer fields, enum
// symbol mapping, union branch choice) is settled at compile time, so
// decoding a value is a walk over a fixed tree of steps, never through JSON.
//
// Input is hostile: every length and block count is checked against the
// bytes left before anything is allocated, varints are bounded, union and
// enum indexes are range-checked, strings are UTF-8-checked, nesting is
// bounded, and bytes left over after the value are an error.
#pragma once

#include <memory>
#include <vector>

#include "arrow/builder.h"
#include "formats/avro_schema.h"

namespace karrow {

class AvroDatumReader {
 public:
  /// Compiles the program reading `writer` data as `reader` into `columns`,
  /// the builders of AvroToArrowColumns(*reader), in order. An incompatible
  /// pair is an error naming the field and both types.
  static Result<std::unique_ptr<AvroDatumReader>> Make(std::shared_ptr<const AvroSchema> writer,
                                                       std::shared_ptr<const AvroSchema> reader,
                                                       std::vector<ArrayBuilder*> columns);
  ~AvroDatumReader();

  /// Appends one row from the datum in exactly [data, data + size). On bad
  /// data returns kBadData naming the field and byte offset; the caller
  /// truncates the columns to undo a partial row.
  Status Read(const uint8_t* data, int64_t size);

 private:
  struct Program;
  explicit AvroDatumReader(std::unique_ptr<Program> program);
  std::unique_ptr<Program> program_;
};

}  // namespace karrow
