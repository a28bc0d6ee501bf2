// What a KafkaSource reads and how: the Arroyo Kafka source's configuration
// surface, validated before any connection is made.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "karrow/data_type.h"
#include "karrow/export.h"
#include "karrow/format_options.h"
#include "karrow/status.h"

namespace karrow {

enum class OffsetMode {
  kEarliest,   ///< Start at the oldest retained record.
  kLatest,     ///< Start after the newest record (only new records are read).
  kGroup,      ///< Start at the consumer group's committed offset, else earliest.
  kTimestamp,  ///< Start at the first record at or after start_timestamp_ms.
  kOffsets,    ///< Start at start_offsets; a partition not listed starts at earliest.
  kOffset,     ///< Start every partition at start_offset (kcat's `-o N`).
  kTail,       ///< Start tail_records offsets before each partition's end (kcat's `-o -N`).
};

/// What to do when a saved offset is no longer in the log (retention or
/// truncation removed it). Never silent: a skip is logged and counted.
enum class OutOfRangePolicy {
  kFail,      ///< Stop with the partition, the offset and what to do.
  kEarliest,  ///< Skip to the oldest retained record.
  kLatest,    ///< Skip to the end of the partition.
};

/// Partition -> offset.
using PartitionOffsets = std::map<int32_t, int64_t>;

enum class BadDataPolicy {
  kFail,  ///< Stop with the record's topic, partition, offset and the reason.
  kDrop,  ///< Skip the record, count it, and log it at a bounded rate.
};

/// How the key metadata column holds the record key.
enum class KeyFormat {
  kRawBytes,   ///< binary, as the bytes are (the default)
  kRawString,  ///< utf8; a key that is not UTF-8 is bad data
  kJson,       ///< utf8 tagged arrow.json; a key that is not one JSON text is bad data
};

/// What a record with a null value (a tombstone) becomes (docs/semantics.md §10).
enum class TombstonePolicy {
  kSkip,  ///< No row; counted in `tombstones`, and its offset counts as read.
  kEmit,  ///< A row whose value columns are all null (metadata as for any record).
};

enum class MetadataKind { kKey, kOffsetId, kPartition, kTopic, kTimestamp, kHeaders };

/// One metadata column: which Kafka attribute, under which column name.
struct MetadataField {
  MetadataKind kind;
  std::string column;
};

struct KARROW_EXPORT KafkaSourceConfig {
  std::string topic;
  /// Comma-separated host:port list.
  std::string bootstrap_servers;
  /// Consumer group, used for committed offsets (offset_mode=group). When
  /// empty: "<group_id_prefix>-karrow-<topic>", or "karrow-<topic>".
  std::string group_id;
  std::string group_id_prefix;
  /// Where to start when no checkpoint says where (docs/semantics.md §2).
  OffsetMode offset_mode = OffsetMode::kEarliest;
  /// offset_mode=timestamp: milliseconds since the epoch (record timestamps).
  int64_t start_timestamp_ms = -1;
  /// offset_mode=offsets: the first offset to read, per partition.
  PartitionOffsets start_offsets;
  /// offset_mode=offset: the first offset to read in every partition (one
  /// outside a partition's records is handled as on_out_of_range says).
  int64_t start_offset = -1;
  /// offset_mode=tail: how many of the newest offsets of each partition to
  /// read; a partition with fewer is read from its beginning.
  int64_t tail_records = -1;
  /// Read only these partitions (kcat's `-p`); empty: every partition.
  /// Partition discovery then takes none on.
  std::vector<int32_t> partitions;
  OutOfRangePolicy on_out_of_range = OutOfRangePolicy::kFail;
  /// The values' format, schema, framing and schema registry (the
  /// properties FormatOptions names).
  FormatOptions value_format;
  /// With bad_data=drop: also send every dropped record (its raw bytes, its
  /// coordinates and the reason) to the dead-letter output (docs/semantics.md §11).
  bool dead_letter = false;
  BadDataPolicy bad_data = BadDataPolicy::kFail;
  /// kEmit makes every value column nullable.
  TombstonePolicy tombstones = TombstonePolicy::kSkip;
  /// librdkafka properties, passed through (karrow owns the few it relies on:
  /// group.id, bootstrap.servers, enable.auto.commit, auto.offset.reset,
  /// enable.partition.eof).
  std::map<std::string, std::string> client_configs;
  /// Rate limit over all of this task's partitions; 0 means unlimited. Up to
  /// a tenth of a second's messages may come at once (the burst), as after
  /// a start or a stall.
  double messages_per_second = 0;
  /// messages_per_second, when not 0, is from one message a day to a
  /// billion a second (Validate says why).
  static constexpr double kMinMessagesPerSecond = 1.0 / 86400;
  static constexpr double kMaxMessagesPerSecond = 1e9;
  std::vector<MetadataField> metadata_fields;
  /// The type of the key column, when metadata_fields has one.
  KeyFormat key_format = KeyFormat::kRawBytes;
  /// The last column: the record's event time, timestamp[ns, UTC]
  /// (docs/semantics.md §9). Empty: no such column (watermarks still follow
  /// the records' timestamps).
  std::string event_time_column = "_timestamp";
  /// A batch is emitted at batch_size rows or linger_ms after its first row.
  int64_t batch_size = 8192;
  int64_t linger_ms = 100;
  /// Bounded runs. Each partition's stop offset (the first offset not read)
  /// is fixed when the source opens, from the first of: stop_offsets; the
  /// first record at or after stop_timestamp_ms (else the partition's end);
  /// with stop_at_end, the partition's end ("until caught up"). With
  /// stop_offsets alone, every partition must be listed.
  PartitionOffsets stop_offsets;
  int64_t stop_timestamp_ms = -1;
  bool stop_at_end = false;
  /// Only read records of committed transactions (isolation.level).
  bool read_committed = true;
  /// A partition that caught up and saw nothing for this long stops holding
  /// the watermark back (docs/semantics.md §13).
  int64_t idle_timeout_ms = 30000;
  /// How long to wait for the cluster's first answer before failing.
  int64_t connect_timeout_ms = 10000;
  /// How often to look for partitions added to the topic while reading;
  /// 0 turns discovery off (new partitions are then read after a restart).
  /// Bounded runs never take on new partitions (docs/semantics.md §17).
  int64_t partition_discovery_interval_ms = 30000;
  /// A topic the cluster has not known for this long (deleted while being
  /// read) fails the task; shorter absences (metadata still propagating)
  /// are waited out (docs/semantics.md §6).
  int64_t topic_missing_timeout_ms = 30000;

  /// Checks every field, the value format's options and, unless the reader
  /// schema comes from the registry, the schema and the column names; the
  /// message names the field and what is wrong. Connects to nothing.
  Status Validate() const;
  /// Checks that value, metadata and event time column names are distinct.
  Status CheckColumnNames(const std::vector<Field>& value_columns) const;
  /// The group id actually used (see group_id).
  std::string EffectiveGroupId() const;
  /// True when some stop condition makes the run end by itself.
  bool bounded() const { return stop_at_end || stop_timestamp_ms >= 0 || !stop_offsets.empty(); }

  /// Builds a config from string properties, as the CLI, the C API and the
  /// Python package pass them. Keys are the field names above; metadata_fields
  /// is a comma list of `kind` or `column:kind`; `client_configs.<name>` sets
  /// one librdkafka property. Unknown keys are an error.
  static Result<KafkaSourceConfig> FromProperties(
      const std::vector<std::pair<std::string, std::string>>& properties);
  /// The property names FromProperties takes (client_configs.* and the
  /// schema_registry.* fields aside), for "did you mean" hints.
  static const std::vector<std::string>& PropertyNames();
};

KARROW_EXPORT const char* MetadataKindName(MetadataKind kind);

}  // namespace karrow
