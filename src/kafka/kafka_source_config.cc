#include "karrow/kafka_source_config.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "common/properties.h"
#include "common/secrets.h"
#include "common/suggest.h"
#include "formats/value_decoder.h"
#include "kafka/kafka_source_config_internal.h"

namespace karrow {
namespace {

constexpr const char* kClientPrefix = "client_configs.";

// Properties karrow sets itself because its guarantees rest on them.
const std::map<std::string, std::string>& OwnedClientProperties() {
  static const std::map<std::string, std::string> kOwned = {
      {"group.id", "set group_id (or group_id_prefix) instead"},
      {"bootstrap.servers", "set bootstrap_servers instead"},
      {"metadata.broker.list", "set bootstrap_servers instead"},
      {"enable.auto.commit", "karrow commits offsets itself, after its checkpoints"},
      {"enable.auto.offset.store", "karrow tracks offsets itself"},
      {"auto.offset.reset", "karrow never resets offsets silently; use offset_mode"},
      {"enable.partition.eof", "karrow needs end-of-partition events; use stop_at_end"},
      {"isolation.level", "set read_committed instead"},
  };
  return kOwned;
}

bool ValidTopicName(const std::string& t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  for (char c : t) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

const std::vector<std::pair<const char*, MetadataKind>>& MetadataKinds() {
  static const std::vector<std::pair<const char*, MetadataKind>> kKinds = {
      {"key", MetadataKind::kKey},
      {"offset_id", MetadataKind::kOffsetId},
      {"partition", MetadataKind::kPartition},
      {"topic", MetadataKind::kTopic},
      {"timestamp", MetadataKind::kTimestamp},
      {"headers", MetadataKind::kHeaders},
  };
  return kKinds;
}

// "key, partition," -> {"key", "partition"}: the items of a comma-separated
// list, spaces around them dropped ("key, partition" is not a name with a
// space), empty ones left out.
std::vector<std::string> ListItems(const std::string& value) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? value.size() + 1 : comma + 1;
    const size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    items.push_back(item.substr(first, item.find_last_not_of(' ') + 1 - first));
  }
  return items;
}

Result<std::vector<MetadataField>> ParseMetadataFields(const std::string& value) {
  std::vector<MetadataField> fields;
  for (const std::string& item : ListItems(value)) {
    std::string column = item;
    std::string kind = item;
    if (size_t colon = item.find(':'); colon != std::string::npos) {
      column = item.substr(0, colon);
      kind = item.substr(colon + 1);
    }
    KARROW_ASSIGN_OR_RAISE(MetadataKind k,
                           ParseEnumProperty("metadata_fields", kind, MetadataKinds()));
    fields.push_back({k, column});
  }
  return fields;
}

// "0:100,3:250" -> {0: 100, 3: 250}
Result<PartitionOffsets> ParsePartitionOffsets(const std::string& key, const std::string& value) {
  PartitionOffsets out;
  size_t start = 0;
  while (start < value.size()) {
    size_t comma = value.find(',', start);
    std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? value.size() : comma + 1;
    size_t colon = item.find(':');
    if (colon == std::string::npos) {
      return Status::Invalid(key + "=" + value +
                             ": expected partition:offset[,partition:offset...]");
    }
    KARROW_ASSIGN_OR_RAISE(int64_t partition, ParseIntProperty(key, item.substr(0, colon)));
    KARROW_ASSIGN_OR_RAISE(int64_t offset, ParseIntProperty(key, item.substr(colon + 1)));
    if (partition < 0 || partition > INT32_MAX)
      return Status::Invalid(key + ": partition " + item + " is out of range");
    out[static_cast<int32_t>(partition)] = offset;
  }
  return out;
}

// "0,2" -> {0, 2}
Result<std::vector<int32_t>> ParsePartitionList(const std::string& key, const std::string& value) {
  std::vector<int32_t> out;
  for (const std::string& item : ListItems(value)) {
    KARROW_ASSIGN_OR_RAISE(int64_t p, ParseIntProperty(key, item));
    if (p < 0 || p > INT32_MAX) {
      return Status::Invalid(key + "=" + value + ": partition " + item + " is out of range");
    }
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(static_cast<int32_t>(p));
  }
  return out;
}

// librdkafka's property names, global and topic ones, for "did you mean"
// hints: the first column of the table rd_kafka_conf_properties_show writes.
const std::vector<std::string>& LibrdkafkaPropertyNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    char* text = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&text, &size);
    if (out == nullptr) return names;
    rd_kafka_conf_properties_show(out);
    std::fclose(out);
    std::string all(text, size);
    std::free(text);
    size_t start = 0;
    while (start < all.size()) {
      size_t end = all.find('\n', start);
      if (end == std::string::npos) end = all.size();
      const std::string line = all.substr(start, end - start);
      start = end + 1;
      const size_t bar = line.find('|');
      if (bar == std::string::npos) continue;
      std::string name = line.substr(0, bar);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (name.empty() || name == "Property" || name.find_first_of(" -") == 0) continue;
      if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._") != std::string::npos)
        continue;
      names.push_back(name);
    }
    return names;
  }();
  return kNames;
}

Status CheckOffsets(const char* key, const PartitionOffsets& offsets) {
  for (const auto& [partition, offset] : offsets) {
    if (offset < 0) {
      return Status::Invalid(std::string(key) + ": partition " + std::to_string(partition) +
                             " has offset " + std::to_string(offset) + "; offsets are 0 or more");
    }
  }
  return Status::OK();
}

}  // namespace

const char* MetadataKindName(MetadataKind kind) {
  for (const auto& [name, k] : MetadataKinds()) {
    if (k == kind) return name;
  }
  return "?";
}

Status KafkaSourceConfig::CheckColumnNames(const std::vector<Field>& value_columns) const {
  std::set<std::string> columns;
  for (const Field& f : value_columns) {
    if (!columns.insert(f.name).second) {
      return Status::Invalid("the value has two fields named '" + f.name + "'");
    }
  }
  // A field of this name is a user's own data, not a mistake: say how to
  // keep both rather than only that the name is taken.
  if (!event_time_column.empty() && !columns.insert(event_time_column).second) {
    return Status::Invalid("the value has a field '" + event_time_column +
                           "', the name of the event time column; give that column another "
                           "name (event_time_column=NAME) or leave it out (event_time_column= "
                           "with no name)");
  }
  for (const MetadataField& f : metadata_fields) {
    if (f.column.empty()) return Status::Invalid("metadata_fields: a column name is empty");
    if (!columns.insert(f.column).second) {
      return Status::Invalid("metadata_fields: column '" + f.column +
                             "' appears twice or clashes with a value column or the event "
                             "time column");
    }
  }
  return Status::OK();
}

std::string KafkaSourceConfig::EffectiveGroupId() const {
  if (!group_id.empty()) return group_id;
  if (!group_id_prefix.empty()) return group_id_prefix + "-karrow-" + topic;
  return "karrow-" + topic;
}

void RegisterConfigSecrets(const KafkaSourceConfig& c) {
  for (const auto& [key, value] : c.client_configs) RegisterSecretProperty(key, value);
  const SchemaRegistryConfig& r = c.value_format.schema_registry;
  RegisterSecretProperty("schema_registry.url", r.url);
  RegisterUserInfo(r.basic_auth_user_info);
  RegisterSecret(r.bearer_token);
  RegisterSecret(r.ssl_key_password);
  RegisterSecretProperty("bootstrap_servers", c.bootstrap_servers);
}

std::string ClientPropertyError(const std::string& label, const std::string& key,
                                const std::string& value, const std::string& why) {
  if (IsSensitiveKey(key)) {
    return label + key + "=" + kRedacted +
           ": librdkafka refused it (its reason is not shown: it may quote the value)";
  }
  return label + key + "=" + value + ": " + why;
}

Status CheckSourceOptions(const KafkaSourceConfig& c) {
  RegisterConfigSecrets(c);
  if (c.topic.empty()) return Status::Invalid("topic: required; name the Kafka topic to read");
  if (!ValidTopicName(c.topic)) {
    return Status::Invalid("topic '" + c.topic +
                           "': not a valid Kafka topic name (1-249 characters of "
                           "a-z A-Z 0-9 . _ -)");
  }
  if (c.bootstrap_servers.empty()) {
    return Status::Invalid("bootstrap_servers: required; give host:port[,host:port...]");
  }
  if (c.batch_size < 1 || c.batch_size > (int64_t{1} << 24)) {
    return Status::Invalid("batch_size=" + std::to_string(c.batch_size) +
                           ": must be 1 to 16777216 rows");
  }
  if (c.linger_ms < 0) return Status::Invalid("linger_ms: must not be negative");
  if (c.connect_timeout_ms < 1) return Status::Invalid("connect_timeout_ms: must be at least 1");
  if (c.dead_letter && c.bad_data != BadDataPolicy::kDrop) {
    return Status::Invalid(
        "dead_letter=true needs bad_data=drop: under bad_data=fail a bad record stops the "
        "task instead of going to the dead-letter output");
  }
  // The limiter spaces messages 1/rate apart in nanoseconds: below one message
  // a day the wait is no longer a rate limit but a stall (and from about 1e-10
  // on its 64-bit nanosecond wait overflows, which ended the limit); above 1e9
  // the spacing rounds to nothing and the burst (rate/10) outgrows int64.
  if (c.messages_per_second != 0 &&
      !(c.messages_per_second >= KafkaSourceConfig::kMinMessagesPerSecond &&
        c.messages_per_second <= KafkaSourceConfig::kMaxMessagesPerSecond)) {
    char text[160];
    std::snprintf(text, sizeof(text),
                  "messages_per_second=%g: must be 0 (no limit) or from %g (one message a day) to "
                  "%g",
                  c.messages_per_second, KafkaSourceConfig::kMinMessagesPerSecond,
                  KafkaSourceConfig::kMaxMessagesPerSecond);
    return Status::Invalid(text);
  }
  if (c.offset_mode == OffsetMode::kTimestamp && c.start_timestamp_ms < 0) {
    return Status::Invalid(
        "offset_mode=timestamp needs start_timestamp_ms (milliseconds since the epoch)");
  }
  if (c.offset_mode == OffsetMode::kOffsets && c.start_offsets.empty()) {
    return Status::Invalid("offset_mode=offsets needs start_offsets (partition:offset,...)");
  }
  if (c.offset_mode == OffsetMode::kOffset && c.start_offset < 0) {
    return Status::Invalid("offset_mode=offset needs start_offset (an offset, 0 or more)");
  }
  if (c.offset_mode == OffsetMode::kTail && c.tail_records < 0) {
    return Status::Invalid(
        "offset_mode=tail needs tail_records (how many of each partition's newest records)");
  }
  for (int32_t p : c.partitions) {
    if (p < 0) {
      return Status::Invalid("partitions: " + std::to_string(p) +
                             " is not a partition; partitions are numbered from 0");
    }
  }
  KARROW_RETURN_NOT_OK(CheckOffsets("start_offsets", c.start_offsets));
  KARROW_RETURN_NOT_OK(CheckOffsets("stop_offsets", c.stop_offsets));
  if (c.idle_timeout_ms < 0) return Status::Invalid("idle_timeout_ms: must not be negative");
  if (c.partition_discovery_interval_ms < 0) {
    return Status::Invalid(
        "partition_discovery_interval_ms: must not be negative (0 turns discovery off)");
  }
  if (c.topic_missing_timeout_ms < 1) {
    return Status::Invalid("topic_missing_timeout_ms: must be at least 1");
  }
  KARROW_RETURN_NOT_OK(c.value_format.Validate());
  // librdkafka checks names and values without connecting anywhere.
  std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(rd_kafka_conf_new(),
                                                                          rd_kafka_conf_destroy);
  char err[512];
  for (const auto& [key, value] : c.client_configs) {
    auto owned = OwnedClientProperties().find(key);
    if (owned != OwnedClientProperties().end()) {
      return Status::Invalid("client_configs." + key + ": " + owned->second);
    }
    const rd_kafka_conf_res_t set =
        rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof(err));
    if (set == RD_KAFKA_CONF_UNKNOWN) {
      // The value is not quoted: a mistyped name may still carry a secret.
      return Status::Invalid("client_configs." + key + ": librdkafka has no such property" +
                             DidYouMean(key, LibrdkafkaPropertyNames()) +
                             " (rdkafka's CONFIGURATION.md lists them)");
    }
    if (set != RD_KAFKA_CONF_OK) {
      return Status::Invalid(ClientPropertyError("client_configs.", key, value, err));
    }
  }
  return Status::OK();
}

Status KafkaSourceConfig::Validate() const {
  KARROW_RETURN_NOT_OK(CheckSourceOptions(*this));
  if (!value_format.ColumnsKnownWithoutRegistry()) return Status::OK();
  // Making the decoder checks the schema and tells the value columns.
  KARROW_ASSIGN_OR_RAISE(std::unique_ptr<ValueDecoder> decoder,
                         MakeValueDecoder(value_format, topic));
  return CheckColumnNames(decoder->fields());
}

Result<KafkaSourceConfig> KafkaSourceConfig::FromProperties(
    const std::vector<std::pair<std::string, std::string>>& properties) {
  KafkaSourceConfig c;
  // Before any parsing, so that no error below can carry a secret.
  for (const auto& [key, value] : properties) RegisterSecretProperty(key, value);
  for (const auto& [key, value] : properties) {
    KARROW_ASSIGN_OR_RAISE(bool format_property, c.value_format.SetProperty(key, value));
    if (format_property) continue;
    if (HasPrefix(key, kClientPrefix)) {
      c.client_configs[key.substr(std::string(kClientPrefix).size())] = value;
    } else if (key == "topic") {
      c.topic = value;
    } else if (key == "bootstrap_servers") {
      c.bootstrap_servers = value;
    } else if (key == "group_id") {
      c.group_id = value;
    } else if (key == "group_id_prefix") {
      c.group_id_prefix = value;
    } else if (key == "offset_mode") {
      KARROW_ASSIGN_OR_RAISE(c.offset_mode,
                             ParseEnumProperty<OffsetMode>(key, value,
                                                           {{"earliest", OffsetMode::kEarliest},
                                                            {"latest", OffsetMode::kLatest},
                                                            {"group", OffsetMode::kGroup},
                                                            {"timestamp", OffsetMode::kTimestamp},
                                                            {"offsets", OffsetMode::kOffsets},
                                                            {"offset", OffsetMode::kOffset},
                                                            {"tail", OffsetMode::kTail}}));
    } else if (key == "start_timestamp_ms") {
      KARROW_ASSIGN_OR_RAISE(c.start_timestamp_ms, ParseIntProperty(key, value));
    } else if (key == "start_offsets") {
      KARROW_ASSIGN_OR_RAISE(c.start_offsets, ParsePartitionOffsets(key, value));
    } else if (key == "start_offset") {
      KARROW_ASSIGN_OR_RAISE(c.start_offset, ParseIntProperty(key, value));
    } else if (key == "tail_records") {
      KARROW_ASSIGN_OR_RAISE(c.tail_records, ParseIntProperty(key, value));
    } else if (key == "partitions") {
      KARROW_ASSIGN_OR_RAISE(c.partitions, ParsePartitionList(key, value));
    } else if (key == "on_out_of_range") {
      KARROW_ASSIGN_OR_RAISE(c.on_out_of_range, ParseEnumProperty<OutOfRangePolicy>(
                                                    key, value,
                                                    {{"fail", OutOfRangePolicy::kFail},
                                                     {"earliest", OutOfRangePolicy::kEarliest},
                                                     {"latest", OutOfRangePolicy::kLatest}}));
    } else if (key == "stop_offsets") {
      KARROW_ASSIGN_OR_RAISE(c.stop_offsets, ParsePartitionOffsets(key, value));
    } else if (key == "stop_timestamp_ms") {
      KARROW_ASSIGN_OR_RAISE(c.stop_timestamp_ms, ParseIntProperty(key, value));
    } else if (key == "read_committed") {
      KARROW_ASSIGN_OR_RAISE(c.read_committed, ParseBoolProperty(key, value));
    } else if (key == "idle_timeout_ms") {
      KARROW_ASSIGN_OR_RAISE(c.idle_timeout_ms, ParseIntProperty(key, value));
    } else if (key == "dead_letter") {
      KARROW_ASSIGN_OR_RAISE(c.dead_letter, ParseBoolProperty(key, value));
    } else if (key == "bad_data") {
      KARROW_ASSIGN_OR_RAISE(
          c.bad_data,
          ParseEnumProperty<BadDataPolicy>(
              key, value, {{"fail", BadDataPolicy::kFail}, {"drop", BadDataPolicy::kDrop}}));
    } else if (key == "tombstones") {
      KARROW_ASSIGN_OR_RAISE(
          c.tombstones,
          ParseEnumProperty<TombstonePolicy>(
              key, value, {{"skip", TombstonePolicy::kSkip}, {"emit", TombstonePolicy::kEmit}}));
    } else if (key == "messages_per_second") {
      KARROW_ASSIGN_OR_RAISE(c.messages_per_second, ParseNumberProperty(key, value));
    } else if (key == "key_format") {
      KARROW_ASSIGN_OR_RAISE(c.key_format,
                             ParseEnumProperty<KeyFormat>(key, value,
                                                          {{"raw_bytes", KeyFormat::kRawBytes},
                                                           {"raw_string", KeyFormat::kRawString},
                                                           {"json", KeyFormat::kJson}}));
    } else if (key == "metadata_fields") {
      KARROW_ASSIGN_OR_RAISE(c.metadata_fields, ParseMetadataFields(value));
    } else if (key == "event_time_column") {
      c.event_time_column = value;
    } else if (key == "batch_size") {
      KARROW_ASSIGN_OR_RAISE(c.batch_size, ParseIntProperty(key, value));
    } else if (key == "linger_ms") {
      KARROW_ASSIGN_OR_RAISE(c.linger_ms, ParseIntProperty(key, value));
    } else if (key == "stop_at_end") {
      KARROW_ASSIGN_OR_RAISE(c.stop_at_end, ParseBoolProperty(key, value));
    } else if (key == "connect_timeout_ms") {
      KARROW_ASSIGN_OR_RAISE(c.connect_timeout_ms, ParseIntProperty(key, value));
    } else if (key == "partition_discovery_interval_ms") {
      KARROW_ASSIGN_OR_RAISE(c.partition_discovery_interval_ms, ParseIntProperty(key, value));
    } else if (key == "topic_missing_timeout_ms") {
      KARROW_ASSIGN_OR_RAISE(c.topic_missing_timeout_ms, ParseIntProperty(key, value));
    } else {
      std::string hint = DidYouMean(key, PropertyNames());
      if (hint.empty()) {
        // A librdkafka property (or a near miss) given where karrow's go.
        const std::string client = ClosestName(key, LibrdkafkaPropertyNames());
        if (client == key) {
          hint = "; it is librdkafka's: give it as client_configs." + key;
        } else if (!client.empty()) {
          hint = "; did you mean librdkafka's client_configs." + client + "?";
        }
      }
      if (hint.empty()) hint = "; librdkafka properties go in as client_configs.<name>";
      return Status::Invalid("unknown property '" + key + "'" + hint);
    }
  }
  return c;
}

const std::vector<std::string>& KafkaSourceConfig::PropertyNames() {
  // Kept in step with FromProperties and FormatOptions::SetProperty by
  // kafka_source_config_test (each name here is taken, none is unknown).
  static const std::vector<std::string> kNames = {
      "topic",
      "bootstrap_servers",
      "group_id",
      "group_id_prefix",
      "offset_mode",
      "start_timestamp_ms",
      "start_offsets",
      "start_offset",
      "tail_records",
      "partitions",
      "on_out_of_range",
      "stop_offsets",
      "stop_timestamp_ms",
      "read_committed",
      "idle_timeout_ms",
      "dead_letter",
      "bad_data",
      "messages_per_second",
      "metadata_fields",
      "key_format",
      "event_time_column",
      "batch_size",
      "linger_ms",
      "stop_at_end",
      "connect_timeout_ms",
      "partition_discovery_interval_ms",
      "topic_missing_timeout_ms",
      "format",
      "value_schema",
      "framing",
      "max_line_length",
      "json_epoch_unit",
      "confluent_framing",
      "value_subject",
      "schema_registry.url",
      "schema_registry.basic_auth_user_info",
      "schema_registry.bearer_token",
      "schema_registry.ssl_ca_location",
      "schema_registry.ssl_certificate_location",
      "schema_registry.ssl_key_location",
      "schema_registry.ssl_key_password",
      "schema_registry.timeout_ms",
      "schema_registry.max_response_bytes",
      "schema_registry.retry_backoff_ms",
      "schema_registry.max_retries",
  };
  return kNames;
}

}  // namespace karrow
