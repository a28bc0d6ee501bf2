#include "kafka/topic_watcher.h"

#include "kafka/rdkafka_handles.h"

namespace karrow {

TopicObservation ObserveTopic(rd_kafka_resp_err_t request_error,
                              const rd_kafka_metadata_t* metadata,
                              std::chrono::steady_clock::time_point at) {
  using State = TopicObservation::State;
  TopicObservation seen;
  seen.at = at;
  seen.error = request_error;
  if (request_error != RD_KAFKA_RESP_ERR_NO_ERROR || metadata == nullptr ||
      metadata->topic_cnt != 1) {
    return seen;  // kNoAnswer
  }
  const rd_kafka_metadata_topic_t& t = metadata->topics[0];
  seen.error = t.err;
  switch (t.err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      // A topic being deleted can be listed without partitions.
      seen.state = t.partition_cnt > 0 ? State::kPresent : State::kMissing;
      seen.partitions = t.partition_cnt;
      break;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      seen.state = State::kMissing;
      break;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      seen.state = State::kUnauthorized;
      break;
    default:
      // Leader not available and the like: the cluster is busy with the
      // topic, which says nothing about whether it exists.
      break;
  }
  return seen;
}

TopicWatcher::TopicWatcher(rd_kafka_t* rk, std::string topic, std::chrono::milliseconds period,
                           int request_timeout_ms)
    : rk_(rk),
      topic_(std::move(topic)),
      period_(period),
      request_timeout_ms_(request_timeout_ms),
      thread_([this] { Run(); }) {}

TopicWatcher::~TopicWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

std::optional<TopicObservation> TopicWatcher::TakeNewest() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<TopicObservation> out = std::move(newest_);
  newest_.reset();
  return out;
}

TopicObservation TopicWatcher::Ask() const {
  const auto at = std::chrono::steady_clock::now();
  // A handle of its own: the topic's metadata and nothing else is asked for.
  TopicHandle topic(rd_kafka_topic_new(rk_, topic_.c_str(), nullptr));
  if (!topic) return ObserveTopic(rd_kafka_last_error(), nullptr, at);
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, topic.get(), &raw, request_timeout_ms_);
  MetadataHandle metadata(raw);
  return ObserveTopic(e, metadata.get(), at);
}

void TopicWatcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (cv_.wait_for(lock, period_, [this] { return stopping_; })) return;
    lock.unlock();
    TopicObservation seen = Ask();
    lock.lock();
    newest_ = seen;
  }
}

}  // namespace karrow
