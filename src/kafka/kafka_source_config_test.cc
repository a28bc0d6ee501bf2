#include "karrow/kafka_source_config.h"

#include <gtest/gtest.h>

#include <cmath>

namespace karrow {
namespace {

KafkaSourceConfig Valid() {
  KafkaSourceConfig c;
  c.topic = "orders";
  c.bootstrap_servers = "127.0.0.1:9092";
  return c;
}

void ExpectInvalid(const KafkaSourceConfig& c, const std::string& fragment) {
  Status st = c.Validate();
  ASSERT_FALSE(st.ok()) << "expected an error mentioning " << fragment;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find(fragment), std::string::npos) << st.message();
}

TEST(KafkaSourceConfig, ValidateNamesTheField) {
  EXPECT_TRUE(Valid().Validate().ok());
  auto c = Valid();
  c.topic = "";
  ExpectInvalid(c, "topic: required");
  c = Valid();
  c.topic = "bad topic";
  ExpectInvalid(c, "not a valid Kafka topic name");
  c = Valid();
  c.bootstrap_servers = "";
  ExpectInvalid(c, "bootstrap_servers");
  c = Valid();
  c.batch_size = 0;
  ExpectInvalid(c, "batch_size=0");
  c = Valid();
  c.client_configs["enable.auto.commit"] = "true";
  ExpectInvalid(c, "karrow commits offsets itself");
  c = Valid();
  c.client_configs["fetch.wait.max.ms"] = "soon";
  ExpectInvalid(c, "client_configs.fetch.wait.max.ms=soon");
  c = Valid();
  c.metadata_fields = {{MetadataKind::kKey, "value"}};
  ExpectInvalid(c, "clashes");
  c = Valid();
  c.partition_discovery_interval_ms = -1;
  ExpectInvalid(c, "partition_discovery_interval_ms: must not be negative");
  c.partition_discovery_interval_ms = 0;  // off
  EXPECT_TRUE(c.Validate().ok());
  c.topic_missing_timeout_ms = 0;
  ExpectInvalid(c, "topic_missing_timeout_ms: must be at least 1");
}

TEST(KafkaSourceConfig, TopicWatchProperties) {
  auto defaults = KafkaSourceConfig::FromProperties({{"topic", "t"}, {"bootstrap_servers", "b:1"}});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->partition_discovery_interval_ms, 30000);
  EXPECT_EQ(defaults->topic_missing_timeout_ms, 30000);
  auto c = KafkaSourceConfig::FromProperties({{"topic", "t"},
                                              {"bootstrap_servers", "b:1"},
                                              {"partition_discovery_interval_ms", "0"},
                                              {"topic_missing_timeout_ms", "2500"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->partition_discovery_interval_ms, 0);
  EXPECT_EQ(c->topic_missing_timeout_ms, 2500);
}

// A rate so small that the limiter's wait overflowed (1e-9 and below) once
// turned the limit off; now it is refused, with the range, before any read.
TEST(KafkaSourceConfig, MessagesPerSecondOutsideItsRangeIsRefused) {
  for (double rate : {1e-9, 1e-300, 1e-6, 1e10, 1e300, -1.0, std::nan(""), HUGE_VAL}) {
    auto c = Valid();
    c.messages_per_second = rate;
    ExpectInvalid(c, "must be 0 (no limit) or from 1.15741e-05 (one message a day) to 1e+09");
  }
  for (double rate : {0.0, 1.0 / 86400, 0.5, 1e6, 1e9}) {
    auto c = Valid();
    c.messages_per_second = rate;
    EXPECT_TRUE(c.Validate().ok()) << rate;
  }
  auto parsed = KafkaSourceConfig::FromProperties(
      {{"topic", "t"}, {"bootstrap_servers", "b:1"}, {"messages_per_second", "1e-09"}});
  ASSERT_TRUE(parsed.ok());
  ExpectInvalid(*parsed, "messages_per_second=1e-09: must be 0 (no limit)");
}

TEST(KafkaSourceConfig, FromProperties) {
  auto c = KafkaSourceConfig::FromProperties({{"topic", "t"},
                                              {"bootstrap_servers", "b:1"},
                                              {"format", "raw_bytes"},
                                              {"metadata_fields", "key,pos:offset_id"},
                                              {"client_configs.fetch.min.bytes", "10"},
                                              {"stop_at_end", "true"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->value_format.format, Format::kRawBytes);
  ASSERT_EQ(c->metadata_fields.size(), 2u);
  EXPECT_EQ(c->metadata_fields[1].column, "pos");
  EXPECT_EQ(c->metadata_fields[1].kind, MetadataKind::kOffsetId);
  EXPECT_EQ(c->client_configs.at("fetch.min.bytes"), "10");
  EXPECT_TRUE(c->stop_at_end);
  EXPECT_EQ(c->EffectiveGroupId(), "karrow-t");
  EXPECT_EQ(c->tombstones, TombstonePolicy::kSkip);

  auto emit = KafkaSourceConfig::FromProperties({{"tombstones", "emit"}});
  ASSERT_TRUE(emit.ok()) << emit.status().ToString();
  EXPECT_EQ(emit->tombstones, TombstonePolicy::kEmit);
  auto keep = KafkaSourceConfig::FromProperties({{"tombstones", "keep"}});
  ASSERT_FALSE(keep.ok());
  EXPECT_NE(keep.status().message().find("expected one of skip, emit"), std::string::npos)
      << keep.status().message();

  auto bad = KafkaSourceConfig::FromProperties({{"offset_mode", "newest"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected one of earliest, latest, group"),
            std::string::npos);
}

TEST(KafkaSourceConfig, Semantics11_DeadLetterOnlyWithDrop) {
  auto c = KafkaSourceConfig::FromProperties({{"topic", "t"},
                                              {"bootstrap_servers", "b:1"},
                                              {"dead_letter", "true"},
                                              {"bad_data", "drop"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->dead_letter);
  EXPECT_TRUE(c->Validate().ok());
  c->bad_data = BadDataPolicy::kFail;
  ExpectInvalid(*c, "dead_letter=true needs bad_data=drop");
  EXPECT_FALSE(Valid().dead_letter);

  auto bad = KafkaSourceConfig::FromProperties({{"dead_letter", "yes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "dead_letter=yes: expected true or false");
}

TEST(KafkaSourceConfig, FormatPropertiesGoToTheValueFormat) {
  auto c = KafkaSourceConfig::FromProperties(
      {{"topic", "t"},
       {"bootstrap_servers", "b:1"},
       {"format", "json"},
       {"value_schema", R"({"fields": [{"name": "id", "type": "int64"}]})"},
       {"framing", "newline"},
       {"max_line_length", "77"},
       {"json_epoch_unit", "us"},
       {"confluent_framing", "true"},
       {"value_subject", "s"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const FormatOptions& f = c->value_format;
  EXPECT_EQ(f.format, Format::kJson);
  EXPECT_EQ(f.schema, R"({"fields": [{"name": "id", "type": "int64"}]})");
  EXPECT_EQ(f.framing, Framing::kNewline);
  EXPECT_EQ(f.max_line_length, 77);
  EXPECT_EQ(f.json_epoch_unit, TimeUnit::kMicro);
  EXPECT_EQ(f.confluent_framing, std::optional<bool>(true));
  EXPECT_EQ(f.subject, "s");
  EXPECT_TRUE(c->Validate().ok()) << c->Validate().ToString();

  // The format layer's own checks, reached through the source's Validate().
  c->value_format.max_line_length = 0;
  ExpectInvalid(*c, "max_line_length: must be at least 1");
  c = Valid();
  c->value_format.format = Format::kAvro;
  ExpectInvalid(*c, "set schema_registry.url");
  c->value_format.confluent_framing = false;
  ExpectInvalid(*c, "needs value_schema");
  // A schema that does not parse is found before any connection.
  c = Valid();
  c->value_format.format = Format::kJson;
  c->value_format.schema = "{not json";
  EXPECT_FALSE(c->Validate().ok());
}

// PropertyNames() feeds "did you mean": every name in it must be one
// FromProperties takes (its value may still be refused, as "x" is for most).
TEST(KafkaSourceConfig, PropertyNamesAreTheOnesTaken) {
  for (const std::string& name : KafkaSourceConfig::PropertyNames()) {
    auto r = KafkaSourceConfig::FromProperties({{name, "x"}});
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find("unknown property"), std::string::npos)
          << name << ": " << r.status().message();
    }
  }
}

TEST(KafkaSourceConfig, UnknownNamesGetTheNearest) {
  auto r = KafkaSourceConfig::FromProperties({{"stop_ofsets", "0:1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unknown property 'stop_ofsets'; did you mean stop_offsets?");
  r = KafkaSourceConfig::FromProperties({{"fetch.max.bytes", "1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown property 'fetch.max.bytes'; it is librdkafka's: give it as "
            "client_configs.fetch.max.bytes");
  r = KafkaSourceConfig::FromProperties({{"fetch.max.byte", "1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown property 'fetch.max.byte'; did you mean librdkafka's "
            "client_configs.fetch.max.bytes?");
  KafkaSourceConfig c = Valid();
  c.client_configs["socket.timeout.msx"] = "5";
  ExpectInvalid(c,
                "client_configs.socket.timeout.msx: librdkafka has no such property; did you "
                "mean socket.timeout.ms?");
  // Words in any case; metadata names with spaces after the commas.
  auto words =
      KafkaSourceConfig::FromProperties({{"format", "JSON"},
                                         {"bad_data", "Drop"},
                                         {"metadata_fields", "key, partition ,at:timestamp"},
                                         {"key_format", "RAW_STRING"},
                                         {"partitions", "3,1,3"}});
  ASSERT_TRUE(words.ok()) << words.status().ToString();
  EXPECT_EQ(words->value_format.format, Format::kJson);
  EXPECT_EQ(words->bad_data, BadDataPolicy::kDrop);
  ASSERT_EQ(words->metadata_fields.size(), 3u);
  EXPECT_EQ(words->metadata_fields[1].column, "partition");
  EXPECT_EQ(words->metadata_fields[2].column, "at");
  EXPECT_EQ(words->key_format, KeyFormat::kRawString);
  EXPECT_EQ(words->partitions, (std::vector<int32_t>{3, 1}));
}

}  // namespace
}  // namespace karrow
