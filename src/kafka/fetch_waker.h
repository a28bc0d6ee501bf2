// Keeps librdkafka 2.0.2's fetcher from sitting out a whole second.
//
// Once the prefetch queue reaches one of its thresholds
// (queued.max.messages.kbytes, queued.min.messages), librdkafka 2.0.2 stops
// fetching and decides again only when the leader's broker thread next
// wakes up: on network or control traffic, or else a second later
// (fetch.queue.backoff.ms, which shortens that, came in 2.1). A reader that
// drains the queue in less than a second then waits for the rest of it: the
// benchmarks saw a 64 MiB queue of 1 KB JSON records read at 30 % of the
// speed the reader had while data was there.
//
// FetchWaker asks each leader for the partitions' latest offsets (one
// ListOffsets request per leader, from its own thread so that reading never
// waits for the round trip). Handling it wakes the broker thread, which
// then sees the drained queue and fetches again. When to wake is the
// reader's call (FetchPacer, src/kafka/fetch_pacer.h).
#pragma once

#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace karrow {

class FetchWaker {
 public:
  /// `rk` must outlive this object.
  FetchWaker(rd_kafka_t* rk, std::string topic, std::vector<int32_t> partitions);
  ~FetchWaker();  // waits for a request in flight (at most its timeout)
  FetchWaker(const FetchWaker&) = delete;
  FetchWaker& operator=(const FetchWaker&) = delete;

  /// Asks for one wake-up soon. Never blocks; calls made while a request is
  /// pending or in flight are merged into it.
  void Wake();
  /// Partitions the reader took on since (added to the topic): woken too.
  void AddPartitions(const std::vector<int32_t>& partitions);

 private:
  void Run();

  rd_kafka_t* rk_;
  const std::string topic_;
  std::vector<int32_t> partitions_;  // guarded by mu_
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace karrow
