// Turns Kafka records into rows: the value decoder's columns, the metadata
// columns and the event time, with framing, the bad-data policy and dead
// letters. A bad record is taken back whole, so it never leaves half a row.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arrow/builder.h"
#include "common/log.h"
#include "formats/value_decoder.h"
#include "kafka/dead_letter.h"
#include "kafka/kafka_record.h"
#include "karrow/kafka_source_config.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow {

class JsonTextChecker;

/// The metadata columns of `fields`, in order, as Arrow fields
/// (docs/semantics.md §9).
std::vector<Field> MetadataColumns(const std::vector<MetadataField>& fields,
                                   KeyFormat key_format = KeyFormat::kRawBytes);

/// "topic 't' partition 3 offset 42": where a record is, for messages.
std::string RecordWhere(const std::string& topic, int32_t partition, int64_t offset);

class RowAssembler {
 public:
  using Clock = std::chrono::steady_clock;

  /// Rows of `decoder`'s columns, then config.metadata_fields, then
  /// `_timestamp`. Fails when column names clash.
  static Result<std::unique_ptr<RowAssembler>> Make(const KafkaSourceConfig& config,
                                                    std::unique_ptr<ValueDecoder> decoder);

  const SchemaPtr& schema() const { return schema_; }
  /// True when a column shows headers, so records must carry them.
  bool wants_headers() const { return wants_headers_; }

  /// Appends the rows of one record: of its value, or for a tombstone
  /// (value nullptr, which only tombstones=emit passes) one row whose value
  /// columns are all null. Bad data under
  /// bad_data=drop is counted, logged at a bounded rate and kept as a dead
  /// letter (dead_letter=true), and OK is returned; under bad_data=fail
  /// the record's rows are taken back and kBadData names where it is.
  Status Append(const KafkaRecord& record);

  int64_t num_rows() const { return builder_->num_rows(); }
  /// The rows appended so far; starts an empty batch.
  Result<RecordBatch> FinishRows();

  /// Dead letters held (0 without dead_letter=true).
  int64_t num_dead_letters() const { return dead_letters_ ? dead_letters_->num_rows() : 0; }
  /// True when the dead letters held should go out: batch_size of them,
  /// their values near the column limit, or linger_ms after the first.
  bool DeadLettersDue(Clock::time_point now) const;
  /// The dead letters held, if any; starts an empty batch.
  Result<std::optional<RecordBatch>> TakeDeadLetters();

  int64_t rows() const { return rows_; }                ///< Rows appended in all.
  int64_t bad_records() const { return bad_records_; }  ///< Records or lines dropped.
  /// Of bad_records(), the framed lines longer than max_line_length; the
  /// rest did not decode.
  int64_t bad_lines_too_long() const { return bad_lines_too_long_; }

  ~RowAssembler();  // in the .cc, where JsonTextChecker is complete

 private:
  RowAssembler(const KafkaSourceConfig& config, std::unique_ptr<ValueDecoder> decoder,
               SchemaPtr schema);
  void SetEventTime(const KafkaRecord& record);
  Status AppendTombstone(const KafkaRecord& record);
  Status AppendFramed(const KafkaRecord& record);
  Status AppendRow(const KafkaRecord& record, const uint8_t* data, int64_t size);
  Status AppendMetadata(const KafkaRecord& record);
  Status Drop(const KafkaRecord& record, std::string_view value, std::optional<int32_t> line,
              const std::string& reason);

  const KafkaSourceConfig& config_;
  std::unique_ptr<ValueDecoder> decoder_;
  SchemaPtr schema_;
  std::unique_ptr<RecordBatchBuilder> builder_;
  std::unique_ptr<DeadLetterBuilder> dead_letters_;  // only with dead_letter=true
  std::unique_ptr<JsonTextChecker> key_json_;        // only with key_format=json
  Clock::time_point dead_letter_deadline_;
  int first_metadata_column_ = 0;
  int event_time_column_ = -1;  // -1: the rows have none
  bool wants_headers_ = false;
  int64_t event_time_ns_ = 0;  // of the record being appended
  int64_t rows_ = 0;
  int64_t bad_records_ = 0;
  int64_t bad_lines_too_long_ = 0;
  LogRateLimiter bad_data_log_{std::chrono::milliseconds(1000)};
};

}  // namespace karrow
