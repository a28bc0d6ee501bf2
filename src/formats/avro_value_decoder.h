// format=avro as value decoders: raw datums of one fixed schema, or the
// Confluent wire format with writer schemas from a schema registry.
#pragma once

#include <memory>
#include <string>

#include "formats/value_decoder.h"

namespace karrow {

class SchemaRegistryClient;

/// Every value is one Avro datum written with `schema_json`, which is also
/// the reader schema.
Result<std::unique_ptr<ValueDecoder>> MakeAvroDatumDecoder(const std::string& schema_json);

/// Values in the Confluent wire format: the writer schema of each schema id
/// comes from `registry` (once; its decode program is cached), and is
/// resolved against the reader schema `reader_json`.
///
/// A schema id the registry does not know, a writer schema that is not Avro
/// or that the reader schema cannot read, are bad data (the record's fault);
/// a registry that cannot be reached is an error that stops the task, so
/// that no record is dropped because of an outage.
Result<std::unique_ptr<ValueDecoder>> MakeConfluentAvroDecoder(
    const std::string& reader_json, std::shared_ptr<SchemaRegistryClient> registry);

}  // namespace karrow
