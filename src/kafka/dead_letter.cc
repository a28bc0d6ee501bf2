#include "kafka/dead_letter.h"

namespace karrow {
namespace {

enum Column { kTopic, kPartition, kOffset, kTimestamp, kKey, kValue, kLine, kError };

Status AppendOptional(BinaryBuilder* b, const std::optional<std::string_view>& bytes) {
  if (!bytes) {
    b->AppendNull();
    return Status::OK();
  }
  return b->Append(*bytes);
}

}  // namespace

const SchemaPtr& DeadLetterSchema() {
  static const SchemaPtr kSchema = std::make_shared<Schema>(std::vector<Field>{
      {"topic", utf8(), false},
      {"partition", int32(), false},
      {"offset", int64(), false},
      {"timestamp", timestamp(TimeUnit::kMilli, "UTC"), true},
      {"key", binary(), true},
      {"value", binary(), true},
      {"line", int32(), true},
      {"error", utf8(), false},
  });
  return kSchema;
}

DeadLetterBuilder::DeadLetterBuilder()
    : builder_(DeadLetterSchema()), values_(builder_.column_as<BinaryBuilder>(kValue)) {}

Status DeadLetterBuilder::Append(const DeadLetter& letter) {
  const int64_t before = builder_.num_rows();
  Status st = builder_.column_as<BinaryBuilder>(kTopic)->Append(letter.topic);
  if (st.ok()) st = AppendOptional(builder_.column_as<BinaryBuilder>(kKey), letter.key);
  if (st.ok()) st = AppendOptional(builder_.column_as<BinaryBuilder>(kValue), letter.value);
  if (st.ok()) st = builder_.column_as<BinaryBuilder>(kError)->Append(letter.error);
  if (!st.ok()) {
    builder_.Truncate(before);  // all columns stay one length
    return st;
  }
  builder_.column_as<Int32Builder>(kPartition)->Append(letter.partition);
  builder_.column_as<Int64Builder>(kOffset)->Append(letter.offset);
  if (letter.timestamp_ms) {
    builder_.column_as<Int64Builder>(kTimestamp)->Append(*letter.timestamp_ms);
  } else {
    builder_.column(kTimestamp)->AppendNull();
  }
  if (letter.line) {
    builder_.column_as<Int32Builder>(kLine)->Append(*letter.line);
  } else {
    builder_.column(kLine)->AppendNull();
  }
  return Status::OK();
}

}  // namespace karrow
