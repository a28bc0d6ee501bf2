// Turns a Kafka message value (or one framed line of it) into the value
// columns of a row. One decoder per format; it appends to the first
// fields().size() columns of the batch builder it is bound to.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "arrow/builder.h"
#include "karrow/data_type.h"
#include "karrow/format_options.h"
#include "karrow/status.h"

namespace karrow {

class ValueDecoder {
 public:
  virtual ~ValueDecoder() = default;
  /// The value columns this decoder produces, in order.
  virtual std::vector<Field> fields() const = 0;
  /// Remembers the builders of the value columns; `builder` outlives this.
  virtual void Bind(RecordBatchBuilder* builder) = 0;
  /// Appends one row. On failure returns kBadData with the reason (the caller
  /// truncates whatever was appended and applies the bad-data policy).
  virtual Status Append(const uint8_t* data, int64_t size) = 0;
};

/// The decoder for `options` (which Validate() accepted), parsing its schema.
/// For Avro and Protobuf in the Confluent wire format, connects to the schema registry
/// and, without a schema, fetches the latest of the subject: options.subject,
/// else "<topic>-value".
Result<std::unique_ptr<ValueDecoder>> MakeValueDecoder(const FormatOptions& options,
                                                       const std::string& topic);

}  // namespace karrow
