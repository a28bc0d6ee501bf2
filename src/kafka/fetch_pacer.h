// How fast a source takes records from librdkafka: the messages_per_second
// limit, and when to wake librdkafka's fetcher after it stopped at a full
// prefetch queue (FetchWaker does the waking).
#pragma once

#include <algorithm>
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
  /// The longest one wait for the rate limit may block the reader: at 0.05
  /// messages a second a single wait was 20 s, during which neither a
  /// checkpoint barrier nor a stop request was answered.
  static constexpr std::chrono::milliseconds kMaxWait{100};

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
  /// Charges `messages` to the rate limit; returns how long to wait before
  /// the next consume call. The reader need not wait it out in one go:
  /// WaitBeforeConsume hands it out in slices.
  std::chrono::nanoseconds Charge(int64_t messages, Clock::time_point now = Clock::now()) {
    std::chrono::nanoseconds wait = limiter_.Charge(messages, now);
    resume_at_ = std::max(resume_at_, now + wait);
    return wait;
  }
  /// How long to wait at `now` before the next consume call: the rest of the
  /// rate limit's wait, but at most kMaxWait. Zero once consuming is allowed.
  /// A reader that sleeps this and then returns to its caller answers
  /// barriers and stop requests within kMaxWait however slow the rate, and
  /// takes no message earlier than one long sleep would have.
  std::chrono::nanoseconds WaitBeforeConsume(Clock::time_point now) const {
    if (now >= resume_at_) return std::chrono::nanoseconds(0);
    return std::min<std::chrono::nanoseconds>(resume_at_ - now, kMaxWait);
  }

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
  Clock::time_point resume_at_;  // no consume call before this (the rate limit)
};

}  // namespace karrow
