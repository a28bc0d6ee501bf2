#include "kafka/fetch_waker.h"

#include "kafka/rdkafka_handles.h"

namespace karrow {
namespace {

// Long enough for a slow broker, short enough that closing a reader never
// waits long for a request in flight.
constexpr int kRequestTimeoutMs = 1000;

}  // namespace

FetchWaker::FetchWaker(rd_kafka_t* rk, std::string topic, std::vector<int32_t> partitions)
    : rk_(rk),
      topic_(std::move(topic)),
      partitions_(std::move(partitions)),
      thread_([this] { Run(); }) {}

FetchWaker::~FetchWaker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void FetchWaker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_) return;
    pending_ = true;
  }
  cv_.notify_one();
}

void FetchWaker::AddPartitions(const std::vector<int32_t>& partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  partitions_.insert(partitions_.end(), partitions.begin(), partitions.end());
}

void FetchWaker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    const std::vector<int32_t> partitions = partitions_;
    lock.unlock();
    PartitionListHandle list(
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (int32_t p : partitions) {
      // A timestamp of -1 asks for the latest offset: the cheapest answer.
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = -1;
    }
    // The answer does not matter, only that each leader's thread woke up to
    // send the request; errors (a leader moving, say) are the fetcher's to see.
    rd_kafka_offsets_for_times(rk_, list.get(), kRequestTimeoutMs);
    lock.lock();
    // Cleared only now, so that calls during the request do not queue another.
    pending_ = false;
  }
}

}  // namespace karrow
