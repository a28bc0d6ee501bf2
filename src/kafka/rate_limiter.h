// messages_per_second as a GCRA (generic cell rate algorithm) limiter: each
// message moves a theoretical arrival time forward by 1/rate; the caller
// waits when that time runs more than the burst ahead of the clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace karrow {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `rate` messages per second (0 = unlimited); at most `burst` at once.
  RateLimiter(double rate, int64_t burst)
      : interval_ns_(rate > 0 ? 1e9 / rate : 0), burst_(std::max<int64_t>(burst, 1)) {}

  bool limited() const { return interval_ns_ > 0; }
  /// The most messages to fetch in one go, so one charge never passes the burst.
  int64_t max_batch() const { return burst_; }

  /// Charges `n` messages and returns how long to wait before using them.
  std::chrono::nanoseconds Charge(int64_t n, Clock::time_point now = Clock::now()) {
    if (!limited()) return std::chrono::nanoseconds(0);
    double now_ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    tat_ns_ = std::max(tat_ns_, now_ns) + interval_ns_ * static_cast<double>(n);
    double ahead = tat_ns_ - now_ns - interval_ns_ * static_cast<double>(burst_);
    return std::chrono::nanoseconds(ahead > 0 ? static_cast<int64_t>(ahead) : 0);
  }

 private:
  double interval_ns_;
  int64_t burst_;
  double tat_ns_ = 0;  // theoretical arrival time of the next message
};

}  // namespace karrow
