// What KafkaSource::Open checks before it makes the value decoder itself:
// KafkaSourceConfig::Validate() less the schema, which Open then parses once.
#pragma once

#include "karrow/kafka_source_config.h"
#include "karrow/status.h"

namespace karrow {

/// Every check of KafkaSourceConfig::Validate() except making the value
/// decoder (the schema and the value columns' names).
Status CheckSourceOptions(const KafkaSourceConfig& config);

/// Adds the configuration's secrets (sensitive client_configs, the schema
/// registry's credentials, URL passwords) to the process's redactor, so that
/// no message made afterwards carries them. A config built field by field,
/// without FromProperties, gets here through Validate and Connect.
void RegisterConfigSecrets(const KafkaSourceConfig& config);

/// "<label><key>=<value>: <why>", with the value left out when the
/// key is sensitive: librdkafka's reasons may quote it too, so they go as well.
std::string ClientPropertyError(const std::string& label, const std::string& key,
                                const std::string& value, const std::string& why);

}  // namespace karrow
