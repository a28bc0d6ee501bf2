#include "kafka/oversized_fetch_watch.h"

namespace karrow {
namespace {

bool Behind(const PartitionPosition& pos) {
  if (pos.finished || pos.at_end) return false;
  // Known to be at the end already (its end-of-partition event not yet seen).
  return pos.next_offset < 0 || pos.high_watermark < 0 || pos.next_offset < pos.high_watermark;
}

}  // namespace

bool OversizedFetchWatch::IsOversizedResponse(std::string_view client_error) {
  return client_error.find("Invalid response size") != std::string_view::npos &&
         client_error.find("receive.message.max.bytes") != std::string_view::npos;
}

void OversizedFetchWatch::Reported(std::string client_error, Clock::time_point now) {
  last_report_ = now;
  if (watching_) return;
  watching_ = true;
  first_report_ = now;
  client_error_ = std::move(client_error);
  seen_.clear();
}

std::vector<PartitionPosition> OversizedFetchWatch::Stuck(
    const std::vector<PartitionPosition>& positions, Clock::time_point now) {
  std::vector<PartitionPosition> stuck;
  if (!watching_) return stuck;
  if (now - last_report_ > kForgetAfter) {
    watching_ = false;
    return stuck;
  }
  for (const PartitionPosition& pos : positions) {
    auto [it, added] = seen_.try_emplace(pos.partition, Seen{pos.next_offset, now});
    if (!added && it->second.next_offset != pos.next_offset)
      it->second = Seen{pos.next_offset, now};
    if (now - first_report_ >= kGiveUpAfter && Behind(pos) &&
        now - it->second.since >= kGiveUpAfter) {
      stuck.push_back(pos);
    }
  }
  return stuck;
}

}  // namespace karrow
