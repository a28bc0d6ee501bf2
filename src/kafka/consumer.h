// The librdkafka consumer of one source: configured the way karrow's
// guarantees need, connected to one topic, with the offset look-ups,
// assignment and shutdown the source uses.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kafka/partition_plan.h"
#include "kafka/rdkafka_handles.h"
#include "karrow/kafka_source_config.h"
#include "karrow/status.h"

namespace karrow {

/// True for consumer errors that end the task at once (docs/semantics.md
/// §6); the client retries the others itself. An unknown topic or partition
/// is not among them: right after a topic is created or grown the cluster
/// may not know it everywhere yet, so only a topic missing for longer than
/// topic_missing_timeout_ms ends the task (IsMissingTopicError).
bool IsFatalConsumerError(rd_kafka_resp_err_t err);
/// True for errors that say the topic or a partition of it does not exist.
bool IsMissingTopicError(rd_kafka_resp_err_t err);
/// For an authorization or authentication failure, the message a task
/// fails with: what was refused and what to check ("not authorized to read
/// topic 'x' ...", "SASL authentication failed: ..."); `detail` is the
/// client's own text. Empty for other errors.
std::string DescribeAccessError(rd_kafka_resp_err_t err, const std::string& topic,
                                const std::string& group, const std::string& detail);

class KafkaConsumer final : public OffsetLookup {
 public:
  /// The prefetch queue's message bound and the most one fetch response
  /// brings, unless client_configs sets queued.min.messages or
  /// fetch.max.bytes (consumer.cc says why).
  static constexpr int64_t kQueueMaxMessages = 100000;
  static constexpr int64_t kFetchMaxBytes = 4 * 1024 * 1024;

  /// Creates the consumer and reads the topic's metadata; fails within about
  /// config.connect_timeout_ms when the cluster does not answer, and when
  /// the topic does not exist. `config` must outlive the consumer.
  static Result<std::unique_ptr<KafkaConsumer>> Connect(const KafkaSourceConfig& config);
  /// Unassigns, closes and destroys the client, giving up on it (with a
  /// warning) if librdkafka hangs.
  ~KafkaConsumer() override;
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  rd_kafka_t* handle() const { return rk_.get(); }
  /// Partitions of the topic, as seen when connecting.
  int32_t topic_partitions() const { return topic_partitions_; }
  /// The prefetch queue's thresholds as configured (queued.min.messages,
  /// queued.max.messages.kbytes in bytes).
  int64_t queue_max_messages() const { return queue_max_messages_; }
  int64_t queue_max_bytes() const { return queue_max_bytes_; }

  Result<std::vector<int64_t>> ListOffsets(const std::vector<int32_t>& partitions,
                                           const std::vector<int64_t>& timestamps) override;
  Result<std::vector<int64_t>> Committed(const std::vector<int32_t>& partitions) override;

  /// Starts fetching every unfinished partition of `positions` at its next
  /// offset, into the consumer queue (queue()).
  Status Assign(const std::vector<PartitionPosition>& positions);
  /// Where records, errors and end-of-partition events arrive; not owned.
  rd_kafka_queue_t* queue() const { return queue_.get(); }
  /// Starts fetching `partitions` (added to the topic while reading) at
  /// their beginning, beside those already assigned.
  Status AssignAdded(const std::vector<int32_t>& partitions);
  /// Stops fetching `partition` (a bounded run read it to its stop offset).
  void Pause(int32_t partition);
  /// Restarts fetching `partition` at `offset`, after an out-of-range error.
  Status Restart(int32_t partition, int64_t offset);
  /// The retained range [low, high) of `partition`, asking its leader.
  Status QueryRange(int32_t partition, int64_t* low, int64_t* high);
  /// The newest high watermark seen in fetch responses; -1 if none yet.
  int64_t CachedHighWatermark(int32_t partition) const;
  /// An error of the client itself (not of one partition's fetch):
  /// librdkafka 2.0.2 serves these as callbacks while the consumer queue is
  /// read, never as error messages, so they are collected here.
  struct ClientError {
    rd_kafka_resp_err_t code;
    std::string reason;
  };
  /// The client errors since the last call, oldest first. They come while
  /// a consume call serves the queue, before the records it returns are
  /// handled; take them after handling those.
  std::vector<ClientError> TakeClientErrors();
  /// Each broker's name and average round-trip time (µs) in librdkafka's
  /// newest statistics, which come only when the client property
  /// statistics.interval.ms is set; empty until then. Any thread.
  std::vector<std::pair<std::string, int64_t>> BrokerRoundTrips() const;

 private:
  explicit KafkaConsumer(const KafkaSourceConfig& config) : config_(config) {}
  Status Create();
  Status ReadMetadata();
  static void OnClientError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int OnStatistics(rd_kafka_t* rk, char* json, size_t size, void* opaque);

  const KafkaSourceConfig& config_;
  KafkaHandle rk_;
  QueueHandle queue_;
  int32_t topic_partitions_ = 0;
  int64_t queue_max_messages_ = 0;
  int64_t queue_max_bytes_ = 0;
  std::mutex client_errors_mu_;
  std::vector<ClientError> client_errors_;  // at most kMaxClientErrors, the oldest
  mutable std::mutex statistics_mu_;
  std::vector<std::pair<std::string, int64_t>> broker_round_trips_;
};

}  // namespace karrow
