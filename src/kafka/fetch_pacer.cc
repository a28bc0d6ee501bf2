#include "kafka/fetch_pacer.h"

#include <algorithm>

namespace karrow {
namespace {

// Burst: a tenth of a second's worth, at least one message. It is also how
// far behind the limiter may fall and still catch up: when it was one fetch
// (1024), a reader descheduled for a few milliseconds on a busy machine lost
// that time for good, 1-2 % of 1M msg/s in the benchmarks. Each consume call
// still takes at most one fetch. Unlimited means whole fetches (a burst of 1
// there would fetch one message per call, which the benchmarks found costs
// most of the speed).
int64_t Burst(double rate) {
  return rate > 0 ? std::max<int64_t>(static_cast<int64_t>(rate / 10), 1)
                  : FetchPacer::kMaxFetchPerCall;
}

}  // namespace

FetchPacer::FetchPacer(double messages_per_second, int64_t queue_max_messages,
                       int64_t queue_max_bytes, std::function<void()> wake)
    : limiter_(messages_per_second, Burst(messages_per_second)),
      wake_(std::move(wake)),
      queue_max_messages_(queue_max_messages),
      queue_max_bytes_(queue_max_bytes),
      last_delivery_(Clock::now()) {}

// librdkafka stops fetching only once the prefetch queue reaches one of its
// thresholds. So the fetcher is taken for stopped when the queue was seen
// near a threshold (half of it or more, the bytes counted in records of the
// mean size read so far), has since drained under a quarter, has not grown
// for kFetchQuiet, and some partition still has records to fetch. Then it
// is woken, every kFetchQuiet until records arrive. A reader that keeps its
// queue low, fast or waiting on the broker, never sends a wake-up.
void FetchPacer::BeforeConsume(size_t queued, bool any_behind, Clock::time_point now,
                               int* timeout_ms) {
  if (queued > queued_after_last_) last_delivery_ = now;
  if (!wake_) return;
  int64_t mean_bytes = std::max<int64_t>(record_bytes_ / std::max<int64_t>(records_, 1), 1);
  int64_t threshold = std::min(queue_max_messages_, queue_max_bytes_ / mean_bytes);
  auto records = static_cast<int64_t>(queued);
  if (records >= threshold / 2) queue_was_full_ = true;
  if (!queue_was_full_ || records >= std::max<int64_t>(threshold / 4, 1)) return;
  if (!any_behind) return;
  *timeout_ms = std::min(*timeout_ms, static_cast<int>(kFetchQuiet.count()));
  if (now - last_delivery_ < kFetchQuiet || now - last_wakeup_ < kFetchQuiet) return;
  wake_();
  last_wakeup_ = now;
  waking_ = true;
  ++wakeups_;
}

void FetchPacer::AfterConsume(size_t queued_before, size_t queued_after, int64_t taken,
                              Clock::time_point now) {
  queued_after_last_ = queued_after;
  // Records that arrived during the call, some perhaps taken by it already.
  if (taken > 0 && queued_after + static_cast<size_t>(taken) > queued_before) last_delivery_ = now;
  if (waking_ && last_delivery_ > last_wakeup_) {
    waking_ = false;  // the fetcher runs again, until the queue is next full
    queue_was_full_ = false;
  }
}

}  // namespace karrow
