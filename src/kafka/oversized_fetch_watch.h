// Turns librdkafka's endless retry of a fetch response it cannot receive
// into an error naming the partition and offset.
//
// The broker hands out the first record batch of a fetch whole however large
// it is (fetch.max.bytes only limits what follows it). librdkafka 2.0.2 drops
// a response larger than receive.message.max.bytes, closes the connection
// ("Invalid response size N (0..M): increase receive.message.max.bytes"),
// and sends the same fetch again after its reconnect backoff (100 ms,
// doubling), forever. It reports that to the error callback once, then at
// most every 30 s (identical errors are suppressed in between), and never
// says which partition: the response as a whole was too big.
//
// The batch can never be received with these settings, so waiting does not
// help; what is left to find out is where it is. From the first report on,
// the watch follows the reader's positions; kGiveUpAfter after it, the
// partitions still behind (not at their end, not finished) that have not
// moved for kGiveUpAfter hold it: their position is the offset of the record
// librdkafka cannot fetch. A watch without a report for kForgetAfter (the
// trouble is gone: librdkafka would have repeated it) ends.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "karrow/kafka_source.h"

namespace karrow {

class OversizedFetchWatch {
 public:
  using Clock = std::chrono::steady_clock;

  /// From the first report to the verdict. librdkafka fetches again after
  /// about 0.1, 0.3, 0.7, 1.5 and 3.1 s: five attempts.
  static constexpr std::chrono::seconds kGiveUpAfter{5};
  /// Twice librdkafka's 30 s between reports of the same error, and a little.
  static constexpr std::chrono::seconds kForgetAfter{65};

  /// Whether a client error's text is librdkafka refusing a response larger
  /// than receive.message.max.bytes.
  static bool IsOversizedResponse(std::string_view client_error);

  /// librdkafka reported `client_error` (IsOversizedResponse) at `now`.
  void Reported(std::string client_error, Clock::time_point now);

  /// Called with the reader's positions after each consume call. Once
  /// kGiveUpAfter has passed since the first report: the partitions behind
  /// whose position has not moved for kGiveUpAfter (as far as these calls
  /// saw). Otherwise empty.
  std::vector<PartitionPosition> Stuck(const std::vector<PartitionPosition>& positions,
                                       Clock::time_point now);

  bool watching() const { return watching_; }
  /// librdkafka's words of the first report (they give the response's size
  /// and the limit).
  const std::string& client_error() const { return client_error_; }

 private:
  struct Seen {
    int64_t next_offset;
    Clock::time_point since;  // at that offset since then
  };
  bool watching_ = false;
  Clock::time_point first_report_;
  Clock::time_point last_report_;
  std::string client_error_;
  std::map<int32_t, Seen> seen_;  // by partition
};

}  // namespace karrow
