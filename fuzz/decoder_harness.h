// Drives a ValueDecoder the way karrow's Kafka source does (append a row,
// truncate it away on bad data) and aborts, so that libFuzzer reports it, as
// soon as the decoder breaks its contract:
//   - Append returns OK or kBadData, nothing else;
//   - OK appends exactly one row to every column; after kBadData the
//     caller's Truncate restores every column's previous length (the
//     batch has one more column after the decoder's, `_row`, which the
//     harness fills per accepted record as the source fills its metadata
//     columns, so that rows count even when the decoder has no columns);
//   - every struct builder's children stay as long as the struct;
//   - each finished batch is valid Arrow (ValidateBatch) and equals the
//     batch a fresh decoder builds from only the accepted records, so a
//     rejected record leaves no trace and a decoder's result depends on its
//     input alone.
// Targets finish a batch every few records and at the end of each input
// (never carrying rows over to the next input), so that every failure
// reproduces from its one saved input file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/builder.h"
#include "formats/value_decoder.h"
#include "karrow/record_batch.h"
#include "karrow/status.h"

namespace karrow::fuzz {

/// The harness's own last column: each accepted record's row number.
inline constexpr const char* kRowColumn = "_row";

/// Prints `what` to stderr and aborts when `status` is not OK.
void CheckOk(const Status& status, const std::string& what);

/// `s` as printable ASCII (other bytes as \xNN), cut after 300 characters.
std::string Printable(std::string_view s);

/// Calls `fn(record)` for each part of `data` between separators, empty
/// parts included. Targets whose records are text use '\x1e' (RFC 7464's
/// record separator, never valid inside JSON) so that each record may span
/// several lines.
void ForEachRecord(const uint8_t* data, size_t size, char separator,
                   const std::function<void(std::string_view)>& fn);

class DecoderHarness {
 public:
  using DecoderFactory = std::function<std::unique_ptr<ValueDecoder>()>;
  /// Called with each finished batch and the records its rows came from.
  using BatchCheck = std::function<void(const RecordBatch&, const std::vector<std::string>&)>;

  /// `make_decoder` is called twice: the decoder under test and the
  /// reference that rebuilds each batch from the accepted records.
  explicit DecoderHarness(const DecoderFactory& make_decoder);

  /// Decodes one record into the current batch and checks the outcome.
  /// Returns the status (OK or kBadData).
  Status Append(std::string_view record);
  /// Rows in the current batch.
  int64_t num_rows() const { return builder_->num_rows(); }
  /// Drops rows past `rows`, as framing does when a later line of the same
  /// message fails under bad_data=fail.
  void Truncate(int64_t rows);
  /// Finishes the current batch when it has at least `rows` rows.
  void FinishBatchIfAtLeast(int64_t rows) {
    if (num_rows() >= rows) FinishBatch();
  }
  /// Finishes the current batch, validates it (and a slice of it), compares
  /// it with the reference and runs the BatchCheck; the builders are reused.
  void FinishBatch();
  void set_batch_check(BatchCheck check) { batch_check_ = std::move(check); }

 private:
  void CheckShape(int64_t rows, const char* when) const;
  static void AppendRowColumn(RecordBatchBuilder* builder, int64_t row) {
    builder->column_as<Int64Builder>(builder->schema()->num_fields() - 1)->Append(row);
  }

  std::unique_ptr<ValueDecoder> decoder_;
  std::unique_ptr<ValueDecoder> reference_;
  std::unique_ptr<RecordBatchBuilder> builder_;
  std::unique_ptr<RecordBatchBuilder> reference_builder_;
  std::vector<std::string> accepted_;  // the records behind the current batch's rows
  BatchCheck batch_check_;
  bool warned_unchecked_ = false;
};

}  // namespace karrow::fuzz
