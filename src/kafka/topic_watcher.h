// Reads one topic's metadata again and again, from its own thread, so that
// a reader notices partitions added to the topic (docs/semantics.md §17)
// and a topic that was deleted or may no longer be read (§6) without ever
// waiting for the round trip itself.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace karrow {

/// What one metadata answer says of the topic.
struct TopicObservation {
  enum class State {
    kPresent,       ///< the topic exists with `partitions` partitions
    kMissing,       ///< the cluster does not know the topic (deleted, or not yet propagated)
    kUnauthorized,  ///< the cluster refuses to describe it to this client
    kNoAnswer,      ///< the request failed (broker down, timeout): nothing is known
  };
  State state = State::kNoAnswer;
  int32_t partitions = 0;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::chrono::steady_clock::time_point at;  ///< when the request was sent
};

/// Classifies one metadata answer for `topic_name` (rd_kafka_metadata's
/// result `request_error` and, when that is no error, `metadata`).
TopicObservation ObserveTopic(rd_kafka_resp_err_t request_error,
                              const rd_kafka_metadata_t* metadata,
                              std::chrono::steady_clock::time_point at);

class TopicWatcher {
 public:
  /// Asks for `topic`'s metadata every `period`, each request waiting at
  /// most `request_timeout_ms`. `rk` must outlive this object.
  TopicWatcher(rd_kafka_t* rk, std::string topic, std::chrono::milliseconds period,
               int request_timeout_ms);
  ~TopicWatcher();  // waits for a request in flight (at most its timeout)
  TopicWatcher(const TopicWatcher&) = delete;
  TopicWatcher& operator=(const TopicWatcher&) = delete;

  /// The newest answer not taken yet, if any. Never blocks for a request.
  std::optional<TopicObservation> TakeNewest();

 private:
  void Run();
  TopicObservation Ask() const;

  rd_kafka_t* rk_;
  const std::string topic_;
  const std::chrono::milliseconds period_;
  const int request_timeout_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<TopicObservation> newest_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace karrow
