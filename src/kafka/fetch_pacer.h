// How fast a source takes records from librdkafka: the messages_per_second
// limit, and when to wake librdkafka's fetcher after it stopped at a full
// prefetch queue (FetchWaker does the waking).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "kafka/rate_limiter.h"

namespace karrow {

class FetchPacer {
 public:
  using Clock = std::chrono::steady_clock;

  /// Messages taken per consume call at most: large enough to amortize the
  /// call, small enough that a batch of big values stays far from the 2 GiB
  /// column limit.
  static constexpr int64_t kMaxFetchPerCall = 1024;
  /// The fetcher counts as stopped when the prefetch queue has not grown for
  /// this long; also the least time between two wake-ups.
  static constexpr std::chrono::milliseconds kFetchQuiet{10};

  /// `messages_per_second` 0 is unlimited. `queue_max_messages` and
  /// `queue_max_bytes` are the prefetch queue's thresholds as configured;
  /// `wake` wakes the fetcher (empty: never, e.g. with no partitions).
  FetchPacer(double messages_per_second, int64_t queue_max_messages, int64_t queue_max_bytes,
             std::function<void()> wake);

  /// The most messages one consume call may take (docs/semantics.md §7).
  int64_t max_batch() const { return limiter_.max_batch(); }

  /// Before a consume call, with the prefetch queue holding `queued`
  /// records: wakes the fetcher when it stopped at a full queue and some
  /// partition is still behind, and then shortens `*timeout_ms`, so that a
  /// wake-up that did not take is repeated soon.
  void BeforeConsume(size_t queued, bool any_behind, Clock::time_point now, int* timeout_ms);
  /// After it: the queue held `queued_before`, the call took `taken`
  /// records and left `queued_after`.
  void AfterConsume(size_t queued_before, size_t queued_after, int64_t taken,
                    Clock::time_point now);
  /// A data record of `bytes` (key and value) was read: for the mean size.
  void CountRecord(int64_t bytes) {
    ++records_;
    record_bytes_ += bytes;
  }
  /// Charges `messages` to the rate limit; returns how long to wait.
  std::chrono::nanoseconds Charge(int64_t messages) { return limiter_.Charge(messages); }

  int64_t wakeups() const { return wakeups_; }

 private:
  RateLimiter limiter_;
  std::function<void()> wake_;
  int64_t queue_max_messages_;
  int64_t queue_max_bytes_;
  int64_t records_ = 0;
  int64_t record_bytes_ = 0;
  size_t queued_after_last_ = 0;     // queue length after the last consume call
  bool queue_was_full_ = false;      // seen near a threshold since the last wake-up took
  bool waking_ = false;              // a wake-up was sent and no records have come since
  Clock::time_point last_delivery_;  // when records last arrived in the queue
  Clock::time_point last_wakeup_;
  int64_t wakeups_ = 0;
};

}  // namespace karrow
