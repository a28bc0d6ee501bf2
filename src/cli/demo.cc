// `karrow demo`: librdkafka's in-process mock cluster stands in for Kafka, so
// a new user sees the real KafkaSource path work with nothing installed.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"
#include "kafka/rdkafka_handles.h"
#include "karrow/kafka_source.h"

namespace karrow::cli {
namespace {

constexpr const char* kTopic = "orders";

std::string OrderJson(int i) {
  static const char* kItems[] = {"widget", "gadget", "sprocket", "gizmo", "doohickey"};
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                R"({"order_id":%d,"customer":"c-%03d","item":"%s","quantity":%d,"price":%d.%02d})",
                i, (i * 37) % 500, kItems[i % 5], 1 + i % 7, 3 + (i * 13) % 97, (i * 7) % 100);
  return buf;
}

Status ProduceOrders(rd_kafka_t* producer, int records) {
  for (int i = 0; i < records; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "c-%03d", (i * 37) % 500);
    std::string value = OrderJson(i);
    while (true) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(kTopic), RD_KAFKA_V_KEY(key, std::strlen(key)),
          RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_HEADER("source", "karrow-demo", -1), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return Status::Kafka(std::string("produce: ") + rd_kafka_err2str(e));
      rd_kafka_poll(producer, 10);
    }
  }
  if (rd_kafka_flush(producer, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Timeout("the demo producer could not deliver within 30 s");
  }
  return Status::OK();
}

std::string Clip(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s) + std::string(width - s.size(), ' ');
  return std::string(s.substr(0, width - 3)) + "...";
}

int Fail(const Status& st) {
  std::fprintf(stderr, "karrow demo: %s\n", st.message().c_str());
  return 1;
}

}  // namespace

int RunDemo(int records, int partitions) {
  if (records < 1 || partitions < 1)
    return Fail(Status::Invalid("records and partitions must be positive"));
  char err[512];
  ConfHandle conf(rd_kafka_conf_new());
  if (rd_kafka_conf_set(conf.get(), "test.mock.num.brokers", "3", err, sizeof(err)) !=
          RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf.get(), "log_level", "3", err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    return Fail(Status::Internal(err));
  }
  KafkaHandle producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof(err)));
  if (!producer) return Fail(Status::Internal(err));
  conf.release();
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(producer.get());
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  rd_kafka_mock_topic_create(cluster, kTopic, partitions, 1);

  std::printf("Started an in-process Kafka cluster (3 brokers, librdkafka mock) at %s\n",
              bootstrap.c_str());
  std::printf("Producing %d JSON orders to topic '%s' over %d partitions...\n\n", records, kTopic,
              partitions);
  if (Status st = ProduceOrders(producer.get(), records); !st.ok()) return Fail(st);

  KafkaSourceConfig config;
  config.topic = kTopic;
  config.bootstrap_servers = bootstrap;
  config.value_format.format = Format::kJson;
  config.metadata_fields = {{MetadataKind::kPartition, "partition"},
                            {MetadataKind::kOffsetId, "offset_id"},
                            {MetadataKind::kKey, "key"}};
  config.stop_at_end = true;
  config.batch_size = 1024;
  config.linger_ms = 50;
  config.client_configs["log_level"] = "3";

  auto start = std::chrono::steady_clock::now();
  auto opened = KafkaSource::Open(config);
  if (!opened.ok()) return Fail(opened.status());
  auto& source = *opened;

  int64_t rows = 0, batches = 0;
  int shown = 0;
  std::printf("  %-9s  %-6s  %-6s  %s\n", "partition", "offset", "key", "value (arrow.json)");
  while (true) {
    auto next = source->Next();
    if (!next.ok()) return Fail(next.status());
    if (!next->has_value()) break;
    const RecordBatch& batch = **next;
    ++batches;
    rows += batch.num_rows();
    for (int64_t i = 0; i < batch.num_rows() && shown < 8; ++i, ++shown) {
      std::printf("  %-9d  %-6lld  %-6s  %s\n", batch.column(1)->Value<int32_t>(i),
                  static_cast<long long>(batch.column(2)->Value<int64_t>(i)),
                  Clip(batch.column(3)->View(i), 6).c_str(),
                  Clip(batch.column(0)->View(i), 72).c_str());
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  ... %lld more rows\n\n", static_cast<long long>(rows - shown));
  std::printf("Schema:\n");
  for (const Field& f : source->schema()->fields()) {
    std::printf("  %-10s %s%s\n", f.name.c_str(), f.type->ToString().c_str(),
                f.nullable ? "" : " not null");
  }
  std::printf(
      "\nSummary: %lld records from %d partitions in %lld Arrow batches, %.2f s (%.0f records/s)\n",
      static_cast<long long>(rows), source->topic_partitions(), static_cast<long long>(batches),
      secs, secs > 0 ? rows / secs : 0.0);
  source.reset();
  return rows == records ? 0
                         : Fail(Status::Internal("read " + std::to_string(rows) + " of " +
                                                 std::to_string(records) + " records"));
}

}  // namespace karrow::cli
