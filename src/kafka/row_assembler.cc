#include "kafka/row_assembler.h"

#include <algorithm>
#include <cstring>

#include "formats/framing.h"
#include "formats/json_syntax.h"
#include "formats/utf8.h"

namespace karrow {
namespace {

// Dead letters are due at this many value bytes too: far below the 2 GiB
// column limit even after a whole fetch of large bad records.
constexpr int64_t kDeadLetterDueBytes = int64_t{64} << 20;

int64_t ReserveRows(const KafkaSourceConfig& config) {
  return std::min<int64_t>(config.batch_size, 65536);
}

}  // namespace

std::vector<Field> MetadataColumns(const std::vector<MetadataField>& fields, KeyFormat key_format) {
  std::vector<Field> out;
  for (const MetadataField& f : fields) {
    switch (f.kind) {
      case MetadataKind::kKey:
        if (key_format == KeyFormat::kRawBytes) {
          out.push_back({f.column, binary(), true});
        } else if (key_format == KeyFormat::kRawString) {
          out.push_back({f.column, utf8(), true});
        } else {
          out.push_back(
              {f.column,
               utf8(),
               true,
               {{"ARROW:extension:name", "arrow.json"}, {"ARROW:extension:metadata", ""}}});
        }
        break;
      case MetadataKind::kOffsetId:
        out.push_back({f.column, int64(), false});
        break;
      case MetadataKind::kPartition:
        out.push_back({f.column, int32(), false});
        break;
      case MetadataKind::kTopic:
        out.push_back({f.column, utf8(), false});
        break;
      case MetadataKind::kTimestamp:
        out.push_back({f.column, timestamp(TimeUnit::kMilli, "UTC"), true});
        break;
      case MetadataKind::kHeaders: {
        auto header = struct_({{"key", utf8(), false}, {"value", binary(), true}});
        out.push_back({f.column, list({"item", header, false}), false});
        break;
      }
    }
  }
  return out;
}

std::string RecordWhere(const std::string& topic, int32_t partition, int64_t offset) {
  return "topic '" + topic + "' partition " + std::to_string(partition) + " offset " +
         std::to_string(offset);
}

Result<std::unique_ptr<RowAssembler>> RowAssembler::Make(const KafkaSourceConfig& config,
                                                         std::unique_ptr<ValueDecoder> decoder) {
  KARROW_RETURN_NOT_OK(config.CheckColumnNames(decoder->fields()));
  std::vector<Field> fields = decoder->fields();
  // A tombstone's row has no value: each value column must be able to say so.
  if (config.tombstones == TombstonePolicy::kEmit) {
    for (Field& f : fields) f.nullable = true;
  }
  for (Field& f : MetadataColumns(config.metadata_fields, config.key_format)) {
    fields.push_back(std::move(f));
  }
  if (!config.event_time_column.empty())
    fields.push_back({config.event_time_column, timestamp(TimeUnit::kNano, "UTC"), false});
  auto schema = std::make_shared<Schema>(std::move(fields));
  return std::unique_ptr<RowAssembler>(
      new RowAssembler(config, std::move(decoder), std::move(schema)));
}

RowAssembler::RowAssembler(const KafkaSourceConfig& config, std::unique_ptr<ValueDecoder> decoder,
                           SchemaPtr schema)
    : config_(config), decoder_(std::move(decoder)), schema_(std::move(schema)) {
  first_metadata_column_ = static_cast<int>(decoder_->fields().size());
  if (!config.event_time_column.empty())
    event_time_column_ = first_metadata_column_ + static_cast<int>(config.metadata_fields.size());
  for (const MetadataField& f : config.metadata_fields)
    wants_headers_ |= f.kind == MetadataKind::kHeaders;
  builder_ = std::make_unique<RecordBatchBuilder>(schema_);
  builder_->Reserve(ReserveRows(config));
  decoder_->Bind(builder_.get());
  if (config.dead_letter) dead_letters_ = std::make_unique<DeadLetterBuilder>();
}

Status RowAssembler::Append(const KafkaRecord& record) {
  if (wants_headers_ && record.headers != nullptr) {
    for (size_t i = 0; i < record.headers->size(); ++i) {
      std::string_view key = (*record.headers)[i].key;
      if (!IsValidUtf8(key.data(), key.size())) {
        return Status::BadData("header key #" + std::to_string(i) + " is not valid UTF-8");
      }
    }
  }
  SetEventTime(record);
  Status st = record.value == nullptr ? AppendTombstone(record)
              : config_.value_format.framing == Framing::kNone
                  ? AppendRow(record, static_cast<const uint8_t*>(record.value),
                              static_cast<int64_t>(record.value_size))
                  : AppendFramed(record);
  if (st.ok() || st.code() != StatusCode::kBadData) return st;
  if (config_.bad_data == BadDataPolicy::kFail) {
    // The position stays on the bad record, so nothing past it counts as read.
    return Status::BadData(RecordWhere(config_.topic, record.partition, record.offset) + ": " +
                           st.message() + ". Set bad_data=drop to skip bad records");
  }
  return Drop(record, {static_cast<const char*>(record.value), record.value_size}, std::nullopt,
              st.message());
}

// A record without a timestamp (-1: a producer before Kafka 0.10, or a
// message format without one) gets the time it is read, so that the event
// time column, which is not nullable, has a value (docs/semantics.md §9).
void RowAssembler::SetEventTime(const KafkaRecord& record) {
  int64_t ts_ms = record.timestamp_ms;
  if (ts_ms < 0) {
    ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  }
  event_time_ns_ = ts_ms * 1000000;
}

// tombstones=emit: one row, every value column null (framing or not: there
// are no lines).
Status RowAssembler::AppendTombstone(const KafkaRecord& record) {
  const int64_t before = builder_->num_rows();
  for (int col = 0; col < first_metadata_column_; ++col) builder_->column(col)->AppendNull();
  if (Status st = AppendMetadata(record); !st.ok()) {
    builder_->Truncate(before);
    return st;
  }
  if (event_time_column_ >= 0)
    builder_->column_as<Int64Builder>(event_time_column_)->Append(event_time_ns_);
  ++rows_;
  return Status::OK();
}

// One row from `size` bytes of the value (all of it, or one framed line).
// Nothing of it stays when it fails.
Status RowAssembler::AppendRow(const KafkaRecord& record, const uint8_t* data, int64_t size) {
  int64_t before = builder_->num_rows();
  Status st = decoder_->Append(data, size);
  if (st.ok()) st = AppendMetadata(record);
  if (!st.ok()) {
    builder_->Truncate(before);
    return st;
  }
  if (event_time_column_ >= 0)
    builder_->column_as<Int64Builder>(event_time_column_)->Append(event_time_ns_);
  ++rows_;
  return Status::OK();
}

// Newline framing (docs/semantics.md §12): a row per non-empty line.
Status RowAssembler::AppendFramed(const KafkaRecord& record) {
  const auto* payload = static_cast<const uint8_t*>(record.value);
  NewlineSplitter lines(payload, static_cast<int64_t>(record.value_size));
  const uint8_t* line;
  int64_t length;
  int32_t line_no = 1;               // of `line`, counting empty lines too, as an editor does
  const uint8_t* counted = payload;  // the newlines before here are in line_no
  const int64_t message_start = builder_->num_rows();
  const int64_t message_rows = rows_;
  const int64_t message_dead_letters = num_dead_letters();
  const int64_t message_bad = bad_records_;
  const int64_t message_too_long = bad_lines_too_long_;
  while (lines.Next(&line, &length)) {
    line_no += static_cast<int32_t>(std::count(counted, line, '\n'));
    counted = line;
    const bool too_long = length > config_.value_format.max_line_length;
    Status st = too_long ? Status::BadData("line of " + std::to_string(length) +
                                           " bytes is longer than max_line_length=" +
                                           std::to_string(config_.value_format.max_line_length))
                         : AppendRow(record, line, length);
    if (st.ok()) continue;
    bool bad_data = st.code() == StatusCode::kBadData;
    st = Status(st.code(), "line " + std::to_string(line_no) + ": " + st.message());
    if (bad_data && config_.bad_data == BadDataPolicy::kDrop) {
      // Under drop, one bad line costs only itself; report it and go on.
      bad_lines_too_long_ += too_long;
      st = Drop(record, {reinterpret_cast<const char*>(line), static_cast<size_t>(length)}, line_no,
                st.message());
      if (st.ok()) continue;
    }
    // The record as a whole is not read: take back its earlier lines (and
    // their dead letters) too, so that reading it again cannot duplicate them.
    builder_->Truncate(message_start);
    if (dead_letters_) dead_letters_->Truncate(message_dead_letters);
    rows_ = message_rows;
    bad_records_ = message_bad;
    bad_lines_too_long_ = message_too_long;
    return st;
  }
  return Status::OK();
}

RowAssembler::~RowAssembler() = default;

Status RowAssembler::AppendMetadata(const KafkaRecord& record) {
  int col = first_metadata_column_;
  for (const MetadataField& f : config_.metadata_fields) {
    ArrayBuilder* b = builder_->column(col++);
    switch (f.kind) {
      case MetadataKind::kKey:
        if (record.key == nullptr) {
          b->AppendNull();
          break;
        }
        if (config_.key_format == KeyFormat::kRawString &&
            !IsValidUtf8(static_cast<const char*>(record.key), record.key_size)) {
          return Status::BadData("key is not valid UTF-8 (key_format=raw_string)");
        }
        if (config_.key_format == KeyFormat::kJson) {
          if (!key_json_) key_json_ = std::make_unique<JsonTextChecker>();
          std::string why = key_json_->Check(record.key, record.key_size);
          if (!why.empty())
            return Status::BadData("key is not valid JSON (key_format=json): " + why);
        }
        KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(b)->Append(
            record.key, static_cast<int64_t>(record.key_size)));
        break;
      case MetadataKind::kOffsetId:
        static_cast<Int64Builder*>(b)->Append(record.offset);
        break;
      case MetadataKind::kPartition:
        static_cast<Int32Builder*>(b)->Append(record.partition);
        break;
      case MetadataKind::kTopic:
        KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(b)->Append(config_.topic));
        break;
      case MetadataKind::kTimestamp:
        if (record.timestamp_ms < 0) {
          b->AppendNull();
        } else {
          static_cast<Int64Builder*>(b)->Append(record.timestamp_ms);
        }
        break;
      case MetadataKind::kHeaders: {
        auto* list = static_cast<ListBuilder*>(b);
        auto* item = static_cast<StructBuilder*>(list->item_builder());
        auto* keys = static_cast<BinaryBuilder*>(item->child(0));
        auto* values = static_cast<BinaryBuilder*>(item->child(1));
        list->Append();
        if (record.headers == nullptr) break;
        for (const RecordHeader& h : *record.headers) {
          KARROW_RETURN_NOT_OK(keys->Append(h.key.data(), static_cast<int64_t>(h.key.size())));
          if (h.value == nullptr) {
            values->AppendNull();
          } else {
            KARROW_RETURN_NOT_OK(values->Append(h.value, static_cast<int64_t>(h.size)));
          }
          item->Append();
        }
        break;
      }
    }
  }
  return Status::OK();
}

// bad_data=drop: counts the record (or line), logs it at a bounded rate and,
// with dead_letter, keeps it as a dead letter (docs/semantics.md §11).
Status RowAssembler::Drop(const KafkaRecord& record, std::string_view value,
                          std::optional<int32_t> line, const std::string& reason) {
  ++bad_records_;
  bad_data_log_.Log(LogLevel::kWarn,
                    "dropped bad data at " +
                        RecordWhere(config_.topic, record.partition, record.offset) + ": " +
                        reason);
  if (!dead_letters_) return Status::OK();
  DeadLetter letter;
  letter.topic = config_.topic;
  letter.partition = record.partition;
  letter.offset = record.offset;
  if (record.timestamp_ms >= 0) letter.timestamp_ms = record.timestamp_ms;
  if (record.key != nullptr) {
    letter.key = std::string_view(static_cast<const char*>(record.key), record.key_size);
  }
  letter.value = value;
  letter.line = line;
  letter.error = reason;
  if (dead_letters_->num_rows() == 0) {
    dead_letter_deadline_ = Clock::now() + std::chrono::milliseconds(config_.linger_ms);
  }
  return dead_letters_->Append(letter);
}

Result<RecordBatch> RowAssembler::FinishRows() {
  KARROW_ASSIGN_OR_RAISE(RecordBatch batch, builder_->Finish());
  builder_->Reserve(ReserveRows(config_));
  return batch;
}

bool RowAssembler::DeadLettersDue(Clock::time_point now) const {
  if (num_dead_letters() == 0) return false;
  return num_dead_letters() >= config_.batch_size ||
         dead_letters_->value_bytes() >= kDeadLetterDueBytes || now >= dead_letter_deadline_;
}

Result<std::optional<RecordBatch>> RowAssembler::TakeDeadLetters() {
  if (num_dead_letters() == 0) return std::optional<RecordBatch>();
  KARROW_ASSIGN_OR_RAISE(RecordBatch batch, dead_letters_->Finish());
  return std::optional<RecordBatch>(std::move(batch));
}

}  // namespace karrow
