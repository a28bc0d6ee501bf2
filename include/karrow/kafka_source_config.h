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
#include "karrow/status.h"

namespace karrow {

enum class OffsetMode {
  kEarliest,  ///< Start at the oldest retained record.
  kLatest,    ///< Start after the newest record (only new records are read).
  kGroup,     ///< Start at the consumer group's committed offset, else earliest.
  kTimestamp, ///< Start at the first record at or after start_timestamp_ms.
  kOffsets,   ///< Start at start_offsets; a partition not listed starts at earliest.
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

enum class Format {
  kRawString,  ///< One utf8 column `value`; invalid UTF-8 is bad data.
  kRawBytes,   ///< One binary column `value`.
  kJson,       ///< With value_schema: typed columns; else one utf8 column `value` (arrow.json).
  kAvro,       ///< Avro datums, decoded into the columns of the reader schema.
};

enum class Framing {
  kNone,     ///< One message is one row.
  kNewline,  ///< One message holds rows separated by '\n'; empty lines are skipped.
};

enum class BadDataPolicy {
  kFail,  ///< Stop with the record's topic, partition, offset and the reason.
  kDrop,  ///< Skip the record, count it, and log it at a bounded rate.
};

enum class MetadataKind { kKey, kOffsetId, kPartition, kTopic, kTimestamp, kHeaders };

/// One metadata column: which Kafka attribute, under which column name.
struct MetadataField {
  MetadataKind kind;
  std::string column;
};

/// Where a Confluent schema registry is and how to talk to it. Set properties
/// as `schema_registry.<field>` (e.g. schema_registry.url). Credentials are
/// never logged nor put in error messages.
struct SchemaRegistryConfig {
  std::string url;                   ///< Base URL, e.g. "https://host:8081/some/prefix"; the path prefix is kept.
  std::string basic_auth_user_info;  ///< "user:password" for HTTP basic auth.
  std::string bearer_token;          ///< Sent as "Authorization: Bearer <token>".
  std::string ssl_ca_location;       ///< PEM CA file to verify the server (else the system's CAs).
  std::string ssl_certificate_location;  ///< Client certificate (PEM) for mutual TLS.
  std::string ssl_key_location;      ///< Client key (PEM).
  std::string ssl_key_password;      ///< Password of an encrypted client key.
  int64_t timeout_ms = 10000;        ///< Per request, connect included.
  int64_t max_response_bytes = 4 << 20;  ///< A larger response is an error (read is aborted).
  int max_retries = 3;               ///< For 5xx, 429, timeouts and connection errors only.
  int64_t retry_backoff_ms = 200;    ///< Wait before the first retry; doubled per retry.

  /// Checks every field (an empty url with nothing else set is valid: no
  /// registry); the message names the property. Defined with the client in
  /// src/formats/schema_registry_client.cc.
  Status Validate() const;
};

struct KafkaSourceConfig {
  std::string topic;
  /// Comma-separated host:port list.
  std::string bootstrap_servers;
  /// Consumer group, used for committed offsets (offset_mode=group). When
  /// empty: "<group_id_prefix>-karrow-<topic>", or "karrow-<topic>".
  std::string group_id;
  std::string group_id_prefix;
  /// Where to start when no checkpoint says where (DESIGN 3.2).
  OffsetMode offset_mode = OffsetMode::kEarliest;
  /// offset_mode=timestamp: milliseconds since the epoch (record timestamps).
  int64_t start_timestamp_ms = -1;
  /// offset_mode=offsets: the first offset to read, per partition.
  PartitionOffsets start_offsets;
  OutOfRangePolicy on_out_of_range = OutOfRangePolicy::kFail;
  Format format = Format::kRawString;
  Framing framing = Framing::kNone;
  /// Newline framing: a longer line is bad data (never truncated).
  int64_t max_line_length = int64_t{1} << 20;
  /// With bad_data=drop: also send every dropped record (its raw bytes, its
  /// coordinates and the reason) to the dead-letter output (DESIGN 3.11).
  bool dead_letter = false;
  BadDataPolicy bad_data = BadDataPolicy::kFail;
  /// format=json: the declared schema of the values, as the JSON document
  /// described in src/formats/json_schema.h, or an Avro schema whose Arrow
  /// form gives the columns; empty for unstructured JSON.
  /// format=avro: the reader schema (Avro JSON). Required for raw datums;
  /// with Confluent framing, empty means the registry's latest schema of
  /// the subject "<topic>-value", fetched when the source opens.
  std::string value_schema;
  /// format=json with value_schema: the unit of timestamps written as
  /// numbers since the epoch (RFC 3339 strings carry their own).
  TimeUnit json_epoch_unit = TimeUnit::kMilli;
  /// Whether values carry the Confluent wire format's 5-byte prefix (magic
  /// byte 0, schema id). Unset: yes for avro, no for the other formats.
  /// format=avro without it reads raw datums written with value_schema.
  std::optional<bool> confluent_framing;
  bool UsesConfluentFraming() const { return confluent_framing.value_or(format == Format::kAvro); }
  /// format=avro with Confluent framing and no value_schema: the registry
  /// subject whose latest schema is the reader schema; empty means
  /// "<topic>-value", the subject Confluent's serializers use by default.
  std::string value_subject;
  SchemaRegistryConfig schema_registry;
  /// librdkafka properties, passed through (karrow owns the few it relies on:
  /// group.id, bootstrap.servers, enable.auto.commit, auto.offset.reset,
  /// enable.partition.eof).
  std::map<std::string, std::string> client_configs;
  /// Rate limit over all of this task's partitions; 0 means unlimited. Up to
  /// a tenth of a second's messages may come at once (the burst), as after
  /// a start or a stall.
  double messages_per_second = 0;
  std::vector<MetadataField> metadata_fields;
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
  /// the watermark back (DESIGN 3.13).
  int64_t idle_timeout_ms = 30000;
  /// How long to wait for the cluster's first answer before failing.
  int64_t connect_timeout_ms = 10000;

  /// Checks every field; the message names the field and what is wrong.
  Status Validate() const;
  /// False when the value columns come from a schema registry, so are only
  /// known once the source opens and fetches the reader schema.
  bool ValueColumnsKnownBeforeOpen() const;
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
};

const char* MetadataKindName(MetadataKind kind);

}  // namespace karrow
