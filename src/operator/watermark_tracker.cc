#include "operator/watermark_tracker.h"

#include <algorithm>

namespace karrow {

WatermarkTracker::WatermarkTracker(int inputs, std::chrono::milliseconds idle_timeout,
                                   Clock::time_point now)
    : inputs_(static_cast<size_t>(inputs)), idle_timeout_(idle_timeout) {
  for (Input& in : inputs_) in.last_active = now;
}

std::optional<signal::Watermark> WatermarkTracker::Advance(Clock::time_point now) {
  int64_t low = INT64_MAX;
  bool any_active = false;
  for (Input& in : inputs_) {
    if (in.seen_since_advance) {
      in.last_active = now;
      in.seen_since_advance = false;
    }
    bool idle = in.caught_up && now - in.last_active >= idle_timeout_;
    if (idle) continue;
    any_active = true;
    low = std::min(low, in.max_event_time_ns);
  }
  signal::Watermark next;
  if (!any_active) {
    next.idle = true;
  } else if (low == INT64_MIN) {
    return std::nullopt;  // an active input has shown no event yet: nothing is known
  } else {
    next.event_time_ns = low;
  }
  if (next.idle) {
    if (idle_) return std::nullopt;
    idle_ = true;
    return next;
  }
  // Never backwards: an input that returns from idleness with older events
  // does not pull the watermark below one already emitted. Coming back from
  // idle at the same time is news (the task holds the watermark again).
  bool forward = next.event_time_ns > emitted_ns_ || (idle_ && next.event_time_ns == emitted_ns_);
  if (!forward) return std::nullopt;
  idle_ = false;
  emitted_ns_ = next.event_time_ns;
  return next;
}

}  // namespace karrow
