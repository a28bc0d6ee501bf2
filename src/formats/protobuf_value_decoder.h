// format=protobuf as value decoders: bare messages of one declared message
// type, or the Confluent wire format with writer schemas from a registry.
#pragma once

#include <memory>
#include <string>

#include "formats/protobuf_schema.h"
#include "formats/schema_registry_client.h"
#include "formats/value_decoder.h"

namespace karrow {

/// The schema of a registry entry (`what` names it in errors: "schema id 7";
/// `file_name` is its file's name there, unless a serialized descriptor
/// carries its own) with its references fetched from `registry`, transitively. A registry
/// that cannot be reached is an error with the registry's status code.
Result<std::shared_ptr<const ProtobufSchema>> FetchProtobufSchema(
    SchemaRegistryClient* registry, const std::string& what, const std::string& file_name,
    const std::string& content, const std::vector<SchemaReference>& references);

/// Every value is one message `message_name` (empty: the schema file's
/// first) of `schema` (value_schema's forms).
Result<std::unique_ptr<ValueDecoder>> MakeProtobufMessageDecoder(
    std::shared_ptr<const ProtobufSchema> schema, const std::string& message_name);

/// Values in the Confluent wire format: magic byte, schema id, message-index
/// path, message. Columns follow the reader's message `message_name` of
/// `reader`; each (schema id, path) is checked once: its message must have
/// the reader message's full name and encode every shared field number
/// alike, or the records are bad data. A registry that cannot be reached
/// stops the task (no record is dropped because of an outage).
Result<std::unique_ptr<ValueDecoder>> MakeConfluentProtobufDecoder(
    std::shared_ptr<const ProtobufSchema> reader, const std::string& message_name,
    std::shared_ptr<SchemaRegistryClient> registry);

}  // namespace karrow
