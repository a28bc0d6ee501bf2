// One Kafka record as the row assembler reads it: its coordinates, key,
// value, timestamp and headers, each taken from librdkafka once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace karrow {

struct RecordHeader {
  std::string_view key;
  const void* value = nullptr;  ///< nullptr for a null header value
  size_t size = 0;
};

/// Views into the record; valid while the record is being appended.
struct KafkaRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;  ///< -1 when the record has none
  const void* key = nullptr;  ///< nullptr for a null key
  size_t key_size = 0;
  const void* value = nullptr;  ///< nullptr for a tombstone
  size_t value_size = 0;
  /// The record's headers in order, duplicates kept; filled only when some
  /// column shows them (RowAssembler::wants_headers()).
  const std::vector<RecordHeader>* headers = nullptr;
};

}  // namespace karrow
