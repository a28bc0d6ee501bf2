// format=avro as value decoders: raw datums of one fixed schema, or the
// Confluent wire format with writer schemas from a schema registry.
#pragma once

#include <memory>
#include <string>

#include "formats/value_decoder.h"

namespace karrow {

/// Every value is one Avro datum written with `schema_json`, which is also
/// the reader schema.
Result<std::unique_ptr<ValueDecoder>> MakeAvroDatumDecoder(const std::string& schema_json);

}  // namespace karrow
