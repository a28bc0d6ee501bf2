// What KafkaSource::Open checks before it makes the value decoder itself:
// KafkaSourceConfig::Validate() less the schema, which Open then parses once.
#pragma once

#include "karrow/kafka_source_config.h"
#include "karrow/status.h"

namespace karrow {

/// Every check of KafkaSourceConfig::Validate() except making the value
/// decoder (the schema and the value columns' names).
Status CheckSourceOptions(const KafkaSourceConfig& config);

}  // namespace karrow
