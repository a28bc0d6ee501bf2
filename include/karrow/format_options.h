// How the bytes of a Kafka record's value become Arrow columns: the format,
// its schema, the framing and the schema registry. Owned by the formats layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "karrow/data_type.h"
#include "karrow/export.h"
#include "karrow/status.h"

namespace karrow {

enum class Format {
  kRawString,  ///< One utf8 column `value`; invalid UTF-8 is bad data.
  kRawBytes,   ///< One binary column `value`.
  kJson,       ///< With a schema: typed columns; else one utf8 column `value` (arrow.json).
  kAvro,       ///< Avro datums, decoded into the columns of the reader schema.
  kProtobuf,   ///< Protobuf messages, decoded into the columns of the reader message.
};

enum class Framing {
  kNone,     ///< One message is one row.
  kNewline,  ///< One message holds rows separated by '\n'; empty lines are skipped.
};

/// Where a Confluent schema registry is and how to talk to it. Set properties
/// as `schema_registry.<field>` (e.g. schema_registry.url). Credentials are
/// never logged nor put in error messages.
struct KARROW_EXPORT SchemaRegistryConfig {
  std::string url;  ///< Base URL, e.g. "https://host:8081/some/prefix"; the path prefix is kept.
  std::string basic_auth_user_info;  ///< "user:password" for HTTP basic auth.
  std::string bearer_token;          ///< Sent as "Authorization: Bearer <token>".
  std::string ssl_ca_location;       ///< PEM CA file to verify the server (else the system's CAs).
  std::string ssl_certificate_location;  ///< Client certificate (PEM) for mutual TLS.
  std::string ssl_key_location;          ///< Client key (PEM).
  std::string ssl_key_password;          ///< Password of an encrypted client key.
  int64_t timeout_ms = 10000;            ///< Per request, connect included.
  int64_t max_response_bytes = 4 << 20;  ///< A larger response is an error (read is aborted).
  int max_retries = 3;                   ///< For 5xx, 429, timeouts and connection errors only.
  int64_t retry_backoff_ms = 200;        ///< Wait before the first retry; doubled per retry.

  /// Checks every field (an empty url with nothing else set is valid: no
  /// registry); the message names the property.
  Status Validate() const;
};

/// The value format of a source. Set as properties with the names given
/// below (FormatOptions::SetProperty).
struct KARROW_EXPORT FormatOptions {
  /// Property `format`: raw_string | raw_bytes | json | avro | protobuf.
  Format format = Format::kRawString;
  /// Property `value_schema`. format=json: the declared schema of the
  /// values, as the JSON document the README describes ("JSON with a declared
  /// schema"), or an Avro schema whose Arrow form gives the columns; empty for unstructured JSON.
  /// format=avro: the reader schema (Avro JSON). Required for raw datums;
  /// with Confluent framing, empty means the registry's latest schema of
  /// `subject`, fetched when the decoder is made.
  /// format=protobuf: the reader schema, as .proto text (importing only
  /// google/protobuf/*.proto) or base64 of a serialized FileDescriptorSet or
  /// FileDescriptorProto; required and empty as for avro.
  std::string schema;
  /// Property `protobuf_message`. format=protobuf: the full name of the
  /// message the values are (e.g. "shop.v1.Order"); empty means the first
  /// message of the schema's file.
  std::string protobuf_message;
  /// Property `framing`: none | newline.
  Framing framing = Framing::kNone;
  /// Property `max_line_length`. Newline framing: a longer line is bad data
  /// (never truncated).
  int64_t max_line_length = int64_t{1} << 20;
  /// Property `json_epoch_unit`. format=json with a schema: the unit of
  /// timestamps written as numbers since the epoch (RFC 3339 strings carry
  /// their own).
  TimeUnit json_epoch_unit = TimeUnit::kMilli;
  /// Property `confluent_framing`: whether values carry the Confluent wire
  /// format's 5-byte prefix (magic byte 0, schema id; for protobuf then the
  /// message-index path). Unset: yes for avro and protobuf, no for the other
  /// formats. avro and protobuf without it read values written with `schema`.
  std::optional<bool> confluent_framing;
  /// Property `value_subject`. format=avro or protobuf with Confluent framing and no
  /// schema: the registry subject whose latest schema is the reader schema;
  /// empty means "<topic>-value", the subject Confluent's serializers use.
  std::string subject;
  /// Properties `schema_registry.<field>`.
  SchemaRegistryConfig schema_registry;

  /// Whether the format's schemas can come from a registry (avro, protobuf).
  bool HasRegistrySchemas() const { return format == Format::kAvro || format == Format::kProtobuf; }
  bool UsesConfluentFraming() const { return confluent_framing.value_or(HasRegistrySchemas()); }
  /// False when the reader schema comes from the registry, so the value
  /// columns are known only once the decoder is made.
  bool ColumnsKnownWithoutRegistry() const {
    return !(HasRegistrySchemas() && UsesConfluentFraming() && schema.empty());
  }

  /// Checks the options against each other, without parsing the schema
  /// (MakeValueDecoder does that, once); the message names the property.
  Status Validate() const;

  /// Sets the option that property `key` names. Returns false when `key`
  /// is not a format property, an error when its value is malformed.
  Result<bool> SetProperty(const std::string& key, const std::string& value);
};

}  // namespace karrow
