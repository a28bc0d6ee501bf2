// The Confluent schema registry wire format: a value starts with the magic
// byte 0 and the 4-byte big-endian id of the schema it was written with.
#pragma once

#include <cstdint>
#include <string>

#include "karrow/status.h"

namespace karrow {

struct ConfluentFrame {
  int32_t schema_id = 0;
  const uint8_t* payload = nullptr;
  int64_t payload_size = 0;
};

/// Splits a framed value; a value too short, with another first byte or a
/// negative id is bad data.
inline Result<ConfluentFrame> ParseConfluentFrame(const uint8_t* data, int64_t size) {
  if (size < 5) {
    return Status::BadData(
        "value of " + std::to_string(size) +
        " bytes is too short for the Confluent wire format (magic byte 0 and a 4-byte schema id)");
  }
  if (data[0] != 0) {
    return Status::BadData(
        "value starts with byte " + std::to_string(data[0]) +
        ", not the Confluent magic byte 0; if the topic is written without a schema registry, "
        "set confluent_framing=false");
  }
  uint32_t id =
      (uint32_t{data[1]} << 24) | (uint32_t{data[2]} << 16) | (uint32_t{data[3]} << 8) | data[4];
  if (id > INT32_MAX)
    return Status::BadData("schema id " + std::to_string(id) + " is out of range");
  return ConfluentFrame{static_cast<int32_t>(id), data + 5, size - 5};
}

}  // namespace karrow
