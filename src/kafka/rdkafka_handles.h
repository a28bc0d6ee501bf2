// RAII owners for librdkafka handles, so that every early return frees them.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace karrow {

struct RdKafkaConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct RdKafkaQueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct RdKafkaTopicDeleter {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
struct RdKafkaPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
struct RdKafkaMetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

struct RdKafkaErrorDeleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
struct RdKafkaEventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

using ConfHandle = std::unique_ptr<rd_kafka_conf_t, RdKafkaConfDeleter>;
using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using QueueHandle = std::unique_ptr<rd_kafka_queue_t, RdKafkaQueueDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, RdKafkaTopicDeleter>;
using PartitionListHandle =
    std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaPartitionListDeleter>;
using MetadataHandle = std::unique_ptr<const rd_kafka_metadata_t, RdKafkaMetadataDeleter>;

using ErrorHandle = std::unique_ptr<rd_kafka_error_t, RdKafkaErrorDeleter>;
using EventHandle = std::unique_ptr<rd_kafka_event_t, RdKafkaEventDeleter>;

}  // namespace karrow
