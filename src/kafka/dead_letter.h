// Dead letters: records dropped as bad data (bad_data=drop, dead_letter=true),
// kept with their raw bytes, their coordinates and the reason (docs/semantics.md §11).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "arrow/builder.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

/// One dropped record, or one dropped line of a newline-framed record. The
/// views are only read during DeadLetterBuilder::Append.
struct DeadLetter {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<int64_t> timestamp_ms;  ///< The record's timestamp, if it has one.
  std::optional<std::string_view> key;
  /// The record's value, or the one bad line of it (without its '\n').
  std::optional<std::string_view> value;
  /// Newline framing: the bad line's number in the value (1 for the first,
  /// counting empty lines), as in `error`; none when the whole record is bad.
  std::optional<int32_t> line;
  /// What was wrong: the text that follows the coordinates in the log line.
  std::string_view error;
};

/// The columns of every dead-letter batch: topic utf8, partition int32,
/// offset int64, timestamp timestamp[ms, UTC] (nullable), key binary
/// (nullable), value binary (nullable), line int32 (nullable), error utf8.
const SchemaPtr& DeadLetterSchema();

/// Collects dead letters into batches of DeadLetterSchema().
class DeadLetterBuilder {
 public:
  DeadLetterBuilder();

  /// Appends one row. Fails, appending nothing, when the batch's key, value
  /// or error bytes would pass 2 GiB (take the batch before that).
  Status Append(const DeadLetter& letter);
  int64_t num_rows() const { return builder_.num_rows(); }
  /// Bytes of values held, to take a batch well before that limit.
  int64_t value_bytes() const { return values_->data_length(); }
  /// Drops rows past `rows` (those of a record that is not read after all).
  void Truncate(int64_t rows) { builder_.Truncate(rows); }
  /// Returns the rows appended so far and starts an empty batch.
  Result<RecordBatch> Finish() { return builder_.Finish(); }

 private:
  RecordBatchBuilder builder_;
  BinaryBuilder* values_;
};

}  // namespace karrow
