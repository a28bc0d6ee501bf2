#include "kafka/offset_committer.h"

#include <algorithm>

#include "common/log.h"

namespace karrow {

OffsetCommitter::OffsetCommitter(rd_kafka_t* rk, const KafkaSourceConfig& config)
    : rk_(rk), config_(config), results_(rd_kafka_queue_new(rk)) {}

void OffsetCommitter::Commit(const PartitionOffsets& offsets) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    // Nothing is known of a partition still at its logical beginning.
    if (offset >= 0) {
      rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), partition)->offset =
          offset;
    }
  }
  if (list->cnt == 0) return;
  rd_kafka_resp_err_t e = rd_kafka_commit_queue(rk_, list.get(), results_.get(), nullptr, nullptr);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++failures_;
    Log(LogLevel::kWarn,
        "could not commit offsets of topic '" + config_.topic + "': " + rd_kafka_err2str(e));
    return;
  }
  ++in_flight_;
}

bool OffsetCommitter::Serve(std::chrono::milliseconds max_wait) {
  using Clock = std::chrono::steady_clock;
  bool served = false;
  Clock::time_point deadline = Clock::now() + max_wait;
  while (true) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    int wait_ms = in_flight_ > 0 ? static_cast<int>(std::max<int64_t>(left, 0)) : 0;
    EventHandle ev{rd_kafka_queue_poll(results_.get(), wait_ms)};
    if (!ev) break;
    served = true;
    if (rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
    --in_flight_;
    std::string problem;
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problem = rd_kafka_event_error_string(ev.get());
    } else if (const rd_kafka_topic_partition_list_t* list =
                   rd_kafka_event_topic_partition_list(ev.get())) {
      for (int i = 0; i < list->cnt && problem.empty(); ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          problem = "partition " + std::to_string(list->elems[i].partition) + ": " +
                    rd_kafka_err2str(list->elems[i].err);
        }
      }
    }
    if (problem.empty()) {
      ++commits_;
      continue;
    }
    ++failures_;
    Log(LogLevel::kWarn, "could not commit offsets of topic '" + config_.topic +
                             "' to consumer group '" + config_.EffectiveGroupId() +
                             "' (a later checkpoint commits again): " + problem);
  }
  return served;
}

}  // namespace karrow
