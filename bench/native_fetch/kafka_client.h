// The few Kafka requests the phase-1 prototype needs, over one PLAINTEXT
// connection: ApiVersions (v0), Metadata (v1), ListOffsets (v2, for
// isolation_level) and Fetch (v4: the first with RecordBatch v2 and
// isolation_level, no flexible encoding). Errors are Status values naming
// the request and what to do.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "karrow/status.h"

namespace karrow::native {

/// A response frame, read whole into a buffer reused from one to the next.
struct Frame {
  std::unique_ptr<uint8_t[]> data;
  size_t capacity = 0;
  size_t size = 0;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& host_port);
  ~Connection();

  /// Sends one request (header v1: api key, version, correlation id,
  /// client id) and returns its correlation id.
  Result<int32_t> Send(int16_t api_key, int16_t version, const std::string& body);
  /// Reads the next response into `frame`, checks its correlation id and
  /// leaves frame->data at the body (after the id).
  Status Receive(int32_t correlation_id, Frame* frame);
  const std::string& where() const { return where_; }

 private:
  Connection(int fd, std::string where) : fd_(fd), where_(std::move(where)) {}
  Status ReadFully(uint8_t* out, size_t n);
  int fd_;
  std::string where_;
  int32_t next_correlation_id_ = 1;
};

/// The versions of each API the broker speaks, by API key.
Result<std::map<int16_t, std::pair<int16_t, int16_t>>> ApiVersions(Connection* c);

struct PartitionInfo {
  int32_t partition = 0;
  int32_t leader = -1;
};
struct TopicMetadata {
  std::map<int32_t, std::string> brokers;  // node id → host:port
  std::vector<PartitionInfo> partitions;
};
Result<TopicMetadata> Metadata(Connection* c, const std::string& topic);

/// ListOffsets of every partition in `partitions` at `timestamp` (-1: the
/// end, under read_committed the last stable offset; -2: the start).
Result<std::vector<int64_t>> ListOffsets(Connection* c, const std::string& topic,
                                         const std::vector<int32_t>& partitions, int64_t timestamp);

struct FetchPartition {
  int32_t partition;
  int64_t offset;
};
struct FetchLimits {
  int32_t max_wait_ms = 500;
  int32_t max_bytes = 50 * 1024 * 1024;       // librdkafka's fetch.max.bytes
  int32_t partition_max_bytes = 1024 * 1024;  // librdkafka's fetch.message.max.bytes
};
/// Sends a Fetch v4 (read_committed) without waiting for its response.
Result<int32_t> SendFetch(Connection* c, const std::string& topic,
                          const std::vector<FetchPartition>& partitions, const FetchLimits& limits);

/// One partition's part of a Fetch response: its records bytes, in place.
struct FetchedPartition {
  int32_t partition = 0;
  int16_t error = 0;
  int64_t high_watermark = 0;
  const uint8_t* records = nullptr;
  const uint8_t* records_end = nullptr;
};
/// Parses a Fetch v4 response body (Connection::Receive's frame).
Status ParseFetchResponse(const Frame& frame, const std::string& topic,
                          std::vector<FetchedPartition>* out);

}  // namespace karrow::native
