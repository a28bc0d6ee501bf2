#include "karrow/kafka_source.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/log.h"
#include "formats/framing.h"
#include "formats/value_decoder.h"
#include "kafka/dead_letter.h"
#include "kafka/fetch_waker.h"
#include "kafka/rate_limiter.h"
#include "kafka/rdkafka_handles.h"
#include "operator/watermark_tracker.h"

namespace karrow {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Messages fetched per consume call: large enough to amortize the call, small
// enough that a batch of big values stays far from the 2 GiB column limit.
constexpr int64_t kMaxFetchPerCall = 1024;
// How long one consume call may block while the batch is empty, so that
// Stop() is noticed promptly.
constexpr int kIdlePollMs = 100;
// The fetcher counts as stopped when the prefetch queue has not grown for
// this long; also the least time between two wake-ups (see FetchWaker).
constexpr milliseconds kFetchQuiet{10};
// Dead letters are due at this many value bytes too: far below the 2 GiB
// column limit even after a whole fetch of large bad records.
constexpr int64_t kDeadLetterDueBytes = int64_t{64} << 20;

void LogFromLibrdkafka(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // syslog levels: 0-3 errors, 4 warning, 5-6 info, 7 debug.
  LogLevel ours = level <= 3 ? LogLevel::kError : level == 4 ? LogLevel::kWarn : level <= 6 ? LogLevel::kInfo : LogLevel::kDebug;
  Log(ours, std::string("librdkafka ") + facility + ": " + message);
}

bool IsFatalConsumerError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
      return true;
    default:
      return false;
  }
}

std::vector<Field> MetadataColumns(const std::vector<MetadataField>& fields) {
  std::vector<Field> out;
  for (const MetadataField& f : fields) {
    switch (f.kind) {
      case MetadataKind::kKey:
        out.push_back({f.column, binary(), true});
        break;
      case MetadataKind::kOffsetId:
        out.push_back({f.column, int64(), false});
        break;
      case MetadataKind::kPartition:
        out.push_back({f.column, int32(), false});
        break;
      case MetadataKind::kTopic:
        out.push_back({f.column, utf8(), false});
        break;
      case MetadataKind::kTimestamp:
        out.push_back({f.column, timestamp(TimeUnit::kMilli, "UTC"), true});
        break;
      case MetadataKind::kHeaders: {
        auto header = struct_({{"key", utf8(), false}, {"value", binary(), true}});
        out.push_back({f.column, list({"item", header, false}), false});
        break;
      }
    }
  }
  return out;
}

std::string Where(const std::string& topic, int32_t partition, int64_t offset) {
  return "topic '" + topic + "' partition " + std::to_string(partition) + " offset " + std::to_string(offset);
}

// librdkafka 2.0.2 can block forever in rd_kafka_destroy once a partition's
// topic was deleted under it (its broker thread never exits). A reader must
// not hang its caller for that, so the handle is destroyed on a helper thread
// and abandoned, with a warning, if that takes longer than `limit`.
void DestroyWithDeadline(rd_kafka_t* rk, std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([rk, done] {
    rd_kafka_destroy(rk);
    done->set_value();
  }).detach();
  if (finished.wait_for(limit) != std::future_status::ready) {
    Log(LogLevel::kWarn, "the Kafka client did not shut down within " + std::to_string(limit.count()) +
                             " s (librdkafka 2.0.2 can hang after a topic is deleted); leaving it behind");
  }
}

}  // namespace

struct KafkaSource::Impl {
  KafkaSourceConfig config;
  TaskInfo task;
  KafkaHandle rk;
  QueueHandle queue;
  QueueHandle commit_results;  // outcomes of CommitOffsets(), as events
  int commits_in_flight = 0;
  int32_t topic_partitions = 0;

  std::vector<PartitionPosition> positions;  // this task's partitions, ascending
  std::vector<int32_t> slot;                 // partition -> index in positions, or -1

  SchemaPtr schema;
  std::unique_ptr<ValueDecoder> decoder;
  std::unique_ptr<RecordBatchBuilder> builder;
  std::unique_ptr<DeadLetterBuilder> dead_letters;  // only with dead_letter=true
  Clock::time_point dead_letter_deadline;
  int first_metadata_column = 0;
  int event_time_column = 0;
  bool wants_headers = false;  // parse headers only when a column shows them

  // Waking librdkafka's fetcher when it stopped at a full queue (FetchWaker).
  std::unique_ptr<FetchWaker> fetch_waker;
  int64_t queue_max_messages = 0;  // the prefetch queue's thresholds, as configured
  int64_t queue_max_bytes = 0;
  size_t queued_after_poll = 0;     // prefetch queue length after the last consume call
  int64_t fetched_bytes = 0;        // keys and values of the records read, for the mean size
  bool queue_was_full = false;      // seen near a threshold since the last wake-up took
  bool waking = false;              // a wake-up was sent and no records have come since
  Clock::time_point last_delivery;  // when records last arrived in the prefetch queue
  Clock::time_point last_wakeup;

  RateLimiter limiter{0, 1};
  LogRateLimiter bad_data_log{milliseconds(1000)};
  LogRateLimiter transient_log{milliseconds(5000)};

  Status failure;         // sticky: once failed, Next() keeps returning it
  bool ended = false;     // bounded run reached its end
  int partitions_at_end = 0;
  int partitions_finished = 0;
  std::unique_ptr<WatermarkTracker> watermarks;
  Clock::time_point batch_deadline;
  std::vector<rd_kafka_message_t*> messages;
  KafkaSourceStats stats;

  // A copy for other threads (progress reporting), refreshed once per batch.
  mutable std::mutex published_mu;
  std::vector<PartitionPosition> published_positions;
  KafkaSourceStats published_stats;

  Status Connect();
  Result<std::vector<int64_t>> ListOffsets(const std::vector<int64_t>& timestamps);
  Status ResolvePositions(const PartitionOffsets& restored);
  Status AssignPartitions();
  void Advance(PartitionPosition& pos, int64_t next_offset);
  Status SkipOutOfRange(const rd_kafka_message_t* m);
  void ServeCommitResults(milliseconds max_wait);
  Status HandleMessage(const rd_kafka_message_t* m);
  Status HandleError(const rd_kafka_message_t* m);
  Status AppendRows(const rd_kafka_message_t* m, int64_t* rows_appended);
  Status AppendMetadata(const rd_kafka_message_t* m, rd_kafka_headers_t* headers);
  Status Drop(const rd_kafka_message_t* m, std::string_view value, std::optional<int32_t> line,
              const std::string& reason);
  void WakeFetcherIfStopped(size_t queued, Clock::time_point now, int* timeout_ms);
  void Publish();
};

Status KafkaSource::Impl::Connect() {
  ConfHandle conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const std::string& key, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      return Status::Invalid("client property " + key + "=" + value + ": " + err);
    }
    return Status::OK();
  };
  KARROW_RETURN_NOT_OK(set("bootstrap.servers", config.bootstrap_servers));
  KARROW_RETURN_NOT_OK(set("group.id", config.EffectiveGroupId()));
  KARROW_RETURN_NOT_OK(set("client.id", "karrow"));
  KARROW_RETURN_NOT_OK(set("enable.auto.commit", "false"));
  KARROW_RETURN_NOT_OK(set("enable.auto.offset.store", "false"));
  // Never move a position silently (DESIGN 3.5): out of range is an error.
  KARROW_RETURN_NOT_OK(set("auto.offset.reset", "error"));
  KARROW_RETURN_NOT_OK(set("enable.partition.eof", "true"));
  KARROW_RETURN_NOT_OK(set("isolation.level", config.read_committed ? "read_committed" : "read_uncommitted"));
  // Prefetch sizing, overridable through client_configs. librdkafka 2.0.2
  // stops fetching once the prefetch queue (one queue here: every partition
  // forwards into it) passes either threshold, and FetchWaker gets it going
  // again. The message-count threshold (100000 by default) is set out of
  // the way, so that the byte bound is what bounds memory whatever the
  // message size. With the waker, 16 MiB reads as fast as librdkafka's 64
  // MiB default (bench/RESULTS.md) in a quarter of the memory.
  KARROW_RETURN_NOT_OK(set("queued.min.messages", "10000000"));
  KARROW_RETURN_NOT_OK(set("queued.max.messages.kbytes", "16384"));
  for (const auto& [key, value] : config.client_configs) KARROW_RETURN_NOT_OK(set(key, value));
  auto get = [&](const char* key) -> int64_t {
    char value[64];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(conf.get(), key, value, &size) != RD_KAFKA_CONF_OK) return 0;
    return std::strtoll(value, nullptr, 10);
  };
  queue_max_messages = get("queued.min.messages");
  queue_max_bytes = get("queued.max.messages.kbytes") * 1024;
  rd_kafka_conf_set_log_cb(conf.get(), LogFromLibrdkafka);

  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (handle == nullptr) return Status::Invalid(std::string("cannot create the Kafka consumer: ") + err);
  conf.release();  // rd_kafka_new took it
  rk.reset(handle);
  // Route client errors and logs to the consumer queue, where Next() sees them.
  rd_kafka_poll_set_consumer(rk.get());

  TopicHandle topic(rd_kafka_topic_new(rk.get(), config.topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t e =
      rd_kafka_metadata(rk.get(), 0, topic.get(), &raw, static_cast<int>(config.connect_timeout_ms));
  MetadataHandle metadata(raw);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Timeout("could not get metadata for topic '" + config.topic + "' from " +
                           config.bootstrap_servers + " within " +
                           std::to_string(config.connect_timeout_ms) + " ms (" + rd_kafka_err2str(e) +
                           "); check bootstrap_servers and that the brokers are up and reachable");
  }
  if (metadata->topic_cnt != 1) return Status::Internal("metadata answer lists no topic");
  const rd_kafka_metadata_topic_t& t = metadata->topics[0];
  if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || (t.err == 0 && t.partition_cnt == 0)) {
    return Status::NotFound("topic '" + config.topic + "' does not exist on " + config.bootstrap_servers +
                            "; create it or check the name");
  }
  if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka("topic '" + config.topic + "': " + rd_kafka_err2str(t.err));
  }
  topic_partitions = t.partition_cnt;
  return Status::OK();
}

// Asks the partition leaders, in one round, for an offset per owned partition:
// per ListOffsets, a timestamp gives the first offset at or after it, -1 the
// end of the partition and -2 its beginning. A timestamp past every record
// answers -1.
Result<std::vector<int64_t>> KafkaSource::Impl::ListOffsets(const std::vector<int64_t>& timestamps) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (size_t i = 0; i < positions.size(); ++i) {
    rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), positions[i].partition)->offset = timestamps[i];
  }
  rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk.get(), list.get(), static_cast<int>(config.connect_timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka("could not look up offsets of topic '" + config.topic + "': " + rd_kafka_err2str(e));
  }
  std::vector<int64_t> out(positions.size());
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Kafka("could not look up offsets of topic '" + config.topic + "' partition " +
                           std::to_string(tp.partition) + ": " + rd_kafka_err2str(tp.err));
    }
    out[static_cast<size_t>(slot[tp.partition])] = tp.offset;
  }
  return out;
}

// Fixes where each owned partition starts (DESIGN 3.2) and, for bounded runs,
// where it stops, as concrete offsets where the run's meaning needs them.
Status KafkaSource::Impl::ResolvePositions(const PartitionOffsets& restored) {
  slot.assign(static_cast<size_t>(topic_partitions), -1);
  for (int32_t p = 0; p < topic_partitions; ++p) {
    if (p % task.parallelism != task.task_index) continue;  // DESIGN 3.1
    slot[p] = static_cast<int32_t>(positions.size());
    positions.push_back({p});
  }
  if (positions.empty()) {
    ended = config.bounded();  // nothing to read: a bounded run is over
    return Status::OK();
  }
  const size_t n = positions.size();

  std::vector<int64_t> start(n, kOffsetBeginning);
  if (!restored.empty()) {
    // A partition the checkpoint does not know is new since it was taken:
    // its beginning, never its end, or records written to it are lost.
    for (size_t i = 0; i < n; ++i) {
      auto it = restored.find(positions[i].partition);
      if (it != restored.end()) start[i] = it->second;
    }
  } else if (config.offset_mode == OffsetMode::kLatest) {
    KARROW_ASSIGN_OR_RAISE(start, ListOffsets(std::vector<int64_t>(n, -1)));
  } else if (config.offset_mode == OffsetMode::kTimestamp) {
    KARROW_ASSIGN_OR_RAISE(start, ListOffsets(std::vector<int64_t>(n, config.start_timestamp_ms)));
    std::vector<int64_t> ends;
    KARROW_ASSIGN_OR_RAISE(ends, ListOffsets(std::vector<int64_t>(n, -1)));
    for (size_t i = 0; i < n; ++i) {
      if (start[i] < 0) start[i] = ends[i];  // no record that late yet: start at the end
    }
  } else if (config.offset_mode == OffsetMode::kOffsets) {
    for (size_t i = 0; i < n; ++i) {
      auto it = config.start_offsets.find(positions[i].partition);
      if (it != config.start_offsets.end()) start[i] = it->second;
    }
  } else if (config.offset_mode == OffsetMode::kGroup) {
    PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(n)));
    for (const PartitionPosition& pos : positions) {
      rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), pos.partition);
    }
    rd_kafka_resp_err_t e = rd_kafka_committed(rk.get(), list.get(), static_cast<int>(config.connect_timeout_ms));
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Kafka("could not read the committed offsets of group '" + config.EffectiveGroupId() +
                           "': " + rd_kafka_err2str(e));
    }
    for (int i = 0; i < list->cnt; ++i) {
      // No committed offset yet: start at the beginning, never at the end.
      if (list->elems[i].offset >= 0) start[static_cast<size_t>(slot[list->elems[i].partition])] = list->elems[i].offset;
    }
  }
  for (size_t i = 0; i < n; ++i) positions[i].next_offset = start[i];

  if (!config.bounded()) return Status::OK();
  std::vector<int64_t> stop(n, -1);
  if (config.stop_timestamp_ms >= 0) {
    KARROW_ASSIGN_OR_RAISE(stop, ListOffsets(std::vector<int64_t>(n, config.stop_timestamp_ms)));
  }
  if (config.stop_at_end || config.stop_timestamp_ms >= 0) {
    std::vector<int64_t> ends;
    KARROW_ASSIGN_OR_RAISE(ends, ListOffsets(std::vector<int64_t>(n, -1)));
    for (size_t i = 0; i < n; ++i) {
      if (stop[i] < 0) stop[i] = ends[i];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    auto it = config.stop_offsets.find(positions[i].partition);
    if (it != config.stop_offsets.end()) stop[i] = it->second;
    if (stop[i] < 0) {
      return Status::Invalid("stop_offsets has no offset for partition " + std::to_string(positions[i].partition) +
                             " of topic '" + config.topic + "'; list every partition, or add stop_at_end");
    }
    positions[i].stop_offset = stop[i];
    if (positions[i].next_offset >= stop[i]) {
      positions[i].finished = true;
      ++partitions_finished;
    }
  }
  if (partitions_finished == static_cast<int>(n)) ended = true;
  return Status::OK();
}

Status KafkaSource::Impl::AssignPartitions() {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const PartitionPosition& pos : positions) {
    if (pos.finished) continue;  // a bounded run already past its stop offset
    rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), pos.partition)->offset =
        pos.next_offset == kOffsetBeginning ? RD_KAFKA_OFFSET_BEGINNING : pos.next_offset;
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(rk.get(), list.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka(std::string("could not assign partitions: ") + rd_kafka_err2str(e));
  }
  queue.reset(rd_kafka_queue_get_consumer(rk.get()));
  commit_results.reset(rd_kafka_queue_new(rk.get()));
  std::vector<int32_t> owned;
  for (const PartitionPosition& pos : positions) owned.push_back(pos.partition);
  if (!owned.empty()) fetch_waker = std::make_unique<FetchWaker>(rk.get(), config.topic, std::move(owned));
  last_delivery = Clock::now();
  return Status::OK();
}

// librdkafka stops fetching only once the prefetch queue reaches one of its
// thresholds. So the fetcher is taken for stopped when the queue was seen
// near a threshold (half of it or more, the bytes counted in records of the
// mean size read so far), has since drained under a quarter, has not grown
// for kFetchQuiet, and some partition still has records to fetch. Then it
// is woken (see FetchWaker), every kFetchQuiet until records arrive. A
// reader that keeps its queue low, fast or waiting on the broker, never
// sends a wake-up.
void KafkaSource::Impl::WakeFetcherIfStopped(size_t queued, Clock::time_point now, int* timeout_ms) {
  if (!fetch_waker) return;
  int64_t mean_bytes = std::max<int64_t>(fetched_bytes / std::max<int64_t>(stats.messages, 1), 1);
  int64_t threshold = std::min(queue_max_messages, queue_max_bytes / mean_bytes);
  auto records = static_cast<int64_t>(queued);
  if (records >= threshold / 2) queue_was_full = true;
  if (!queue_was_full || records >= std::max<int64_t>(threshold / 4, 1)) return;
  bool behind = std::any_of(positions.begin(), positions.end(),
                            [](const PartitionPosition& pos) { return !pos.finished && !pos.at_end; });
  if (!behind) return;
  // Wait less for records, so that a wake-up that did not take is repeated.
  *timeout_ms = std::min(*timeout_ms, static_cast<int>(kFetchQuiet.count()));
  if (now - last_delivery < kFetchQuiet || now - last_wakeup < kFetchQuiet) return;
  fetch_waker->Wake();
  last_wakeup = now;
  waking = true;
  ++stats.fetch_wakeups;
}

// Moves a partition's position forward and notices the end of a bounded run.
void KafkaSource::Impl::Advance(PartitionPosition& pos, int64_t next_offset) {
  pos.next_offset = next_offset;
  if (pos.finished || pos.stop_offset < 0 || next_offset < pos.stop_offset) return;
  pos.finished = true;
  ++partitions_finished;
  // Stop fetching what the run will not read.
  PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), pos.partition);
  rd_kafka_pause_partitions(rk.get(), list.get());
  if (partitions_finished == static_cast<int>(positions.size())) ended = true;
}

// DESIGN 3.5 with an explicit skip policy: jump to the oldest retained record
// or the end, and say which offsets were lost.
Status KafkaSource::Impl::SkipOutOfRange(const rd_kafka_message_t* m) {
  PartitionPosition& pos = positions[slot[m->partition]];
  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk.get(), config.topic.c_str(), m->partition, &low, &high,
                                                           static_cast<int>(config.connect_timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka(Where(config.topic, m->partition, pos.next_offset) +
                         " is out of range, and its retained range could not be read: " + rd_kafka_err2str(e));
  }
  int64_t from = pos.next_offset;
  int64_t to = config.on_out_of_range == OutOfRangePolicy::kEarliest ? low : high;
  // After an out-of-range error librdkafka 2.0.2 has stopped fetching the
  // partition, and a seek in that state fails; assigning it again restarts
  // the fetcher at the new offset. Other partitions keep their fetchers.
  PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), config.topic.c_str(), m->partition)->offset = to;
  ErrorHandle error(rd_kafka_incremental_unassign(rk.get(), list.get()));
  if (!error) error.reset(rd_kafka_incremental_assign(rk.get(), list.get()));
  if (error) {
    return Status::Kafka(Where(config.topic, m->partition, from) + ": could not skip to offset " +
                         std::to_string(to) + ": " + rd_kafka_error_string(error.get()));
  }
  ++stats.offset_gaps;
  if (from >= 0 && to > from) stats.skipped_offsets += to - from;
  Log(LogLevel::kWarn, Where(config.topic, m->partition, from) + " is out of range (retained: " +
                           std::to_string(low) + " to " + std::to_string(high) + "); on_out_of_range=" +
                           (config.on_out_of_range == OutOfRangePolicy::kEarliest ? "earliest" : "latest") +
                           " skips the gap [" + std::to_string(from) + ", " + std::to_string(to) + ")");
  Advance(pos, to);
  return Status::OK();
}

Status KafkaSource::Impl::HandleError(const rd_kafka_message_t* m) {
  std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : config.topic;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (m->partition >= 0 && m->partition < topic_partitions && slot[m->partition] >= 0) {
      PartitionPosition& pos = positions[slot[m->partition]];
      if (!pos.at_end) {
        pos.at_end = true;
        ++partitions_at_end;
      }
      watermarks->MarkCaughtUp(slot[m->partition]);
      // The end can lie past the last record (transaction markers, compaction).
      if (!pos.finished && m->offset > pos.next_offset) Advance(pos, m->offset);
    }
    return Status::OK();
  }
  std::string message = rd_kafka_message_errstr(m);
  if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512];
    rd_kafka_fatal_error(rk.get(), reason, sizeof(reason));
    message = reason;
  }
  if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE || m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
    bool owned = m->partition >= 0 && m->partition < topic_partitions && slot[m->partition] >= 0;
    if (owned && config.on_out_of_range != OutOfRangePolicy::kFail) return SkipOutOfRange(m);
    int64_t offset = owned ? positions[slot[m->partition]].next_offset : m->offset;
    return Status::Kafka(Where(topic, m->partition, offset) +
                         " is out of range: retention or truncation removed it, and karrow does not "
                         "skip data silently. To accept the loss and go on, set on_out_of_range to "
                         "earliest or latest (" + message + ")");
  }
  if (IsFatalConsumerError(m->err)) {
    return Status::Kafka("topic '" + topic + "': " + rd_kafka_err2name(m->err) + ": " + message);
  }
  // Broker down, leader moved, timeouts: the client retries on its own.
  transient_log.Log(LogLevel::kWarn, "Kafka client (retrying): " + message);
  return Status::OK();
}

Status KafkaSource::Impl::AppendMetadata(const rd_kafka_message_t* m, rd_kafka_headers_t* headers) {
  int col = first_metadata_column;
  for (const MetadataField& f : config.metadata_fields) {
    ArrayBuilder* b = builder->column(col++);
    switch (f.kind) {
      case MetadataKind::kKey:
        if (m->key == nullptr) {
          b->AppendNull();
        } else {
          KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(b)->Append(m->key, static_cast<int64_t>(m->key_len)));
        }
        break;
      case MetadataKind::kOffsetId:
        static_cast<Int64Builder*>(b)->Append(m->offset);
        break;
      case MetadataKind::kPartition:
        static_cast<Int32Builder*>(b)->Append(m->partition);
        break;
      case MetadataKind::kTopic:
        KARROW_RETURN_NOT_OK(static_cast<BinaryBuilder*>(b)->Append(config.topic));
        break;
      case MetadataKind::kTimestamp: {
        int64_t ts = rd_kafka_message_timestamp(m, nullptr);
        if (ts < 0) {
          b->AppendNull();
        } else {
          static_cast<Int64Builder*>(b)->Append(ts);
        }
        break;
      }
      case MetadataKind::kHeaders: {
        auto* list = static_cast<ListBuilder*>(b);
        auto* item = static_cast<StructBuilder*>(list->item_builder());
        auto* keys = static_cast<BinaryBuilder*>(item->child(0));
        auto* values = static_cast<BinaryBuilder*>(item->child(1));
        list->Append();
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; headers && rd_kafka_header_get_all(headers, i, &name, &value, &size) == 0; ++i) {
          KARROW_RETURN_NOT_OK(keys->Append(name, static_cast<int64_t>(std::strlen(name))));
          if (value == nullptr) {
            values->AppendNull();
          } else {
            KARROW_RETURN_NOT_OK(values->Append(value, static_cast<int64_t>(size)));
          }
          item->Append();
        }
        break;
      }
    }
  }
  return Status::OK();
}

Status KafkaSource::Impl::AppendRows(const rd_kafka_message_t* m, int64_t* rows_appended) {
  rd_kafka_headers_t* headers = nullptr;
  if (wants_headers && rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == 0; ++i) {
      if (!simdjson::validate_utf8(name, std::strlen(name))) {
        return Status::BadData("header key #" + std::to_string(i) + " is not valid UTF-8");
      }
    }
  }
  int64_t ts_ms = rd_kafka_message_timestamp(m, nullptr);
  if (ts_ms < 0) {
    ts_ms = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  auto* event_time = builder->column_as<Int64Builder>(event_time_column);
  auto append_one = [&](const uint8_t* data, int64_t size) -> Status {
    int64_t before = builder->num_rows();
    Status st = decoder->Append(data, size);
    if (st.ok()) st = AppendMetadata(m, headers);
    if (!st.ok()) {
      builder->Truncate(before);
      return st;
    }
    event_time->Append(ts_ms * 1000000);
    ++*rows_appended;
    return Status::OK();
  };
  const auto* payload = static_cast<const uint8_t*>(m->payload);
  auto size = static_cast<int64_t>(m->len);
  if (config.framing == Framing::kNone) return append_one(payload, size);
  NewlineSplitter lines(payload, size);
  const uint8_t* line;
  int64_t length;
  int32_t line_no = 1;               // of `line`, counting empty lines too, as an editor does
  const uint8_t* counted = payload;  // the newlines before here are in line_no
  const int64_t message_start = builder->num_rows();
  const int64_t message_dead_letters = dead_letters ? dead_letters->num_rows() : 0;
  while (lines.Next(&line, &length)) {
    line_no += static_cast<int32_t>(std::count(counted, line, '\n'));
    counted = line;
    Status st = length > config.max_line_length
                    ? Status::BadData("line of " + std::to_string(length) + " bytes is longer than max_line_length=" +
                                      std::to_string(config.max_line_length))
                    : append_one(line, length);
    if (st.ok()) continue;
    bool bad_data = st.code() == StatusCode::kBadData;
    st = Status(st.code(), "line " + std::to_string(line_no) + ": " + st.message());
    if (bad_data && config.bad_data == BadDataPolicy::kDrop) {
      // Under drop, one bad line costs only itself; report it and go on.
      st = Drop(m, {reinterpret_cast<const char*>(line), static_cast<size_t>(length)}, line_no, st.message());
      if (st.ok()) continue;
    }
    // The record as a whole is not read: take back its earlier lines (and
    // their dead letters) too, so that reading it again cannot duplicate them.
    builder->Truncate(message_start);
    if (dead_letters) dead_letters->Truncate(message_dead_letters);
    *rows_appended = 0;
    return st;
  }
  return Status::OK();
}

Status KafkaSource::Impl::HandleMessage(const rd_kafka_message_t* m) {
  if (m->err) return HandleError(m);
  if (m->partition < 0 || m->partition >= topic_partitions || slot[m->partition] < 0) {
    return Status::Internal("received partition " + std::to_string(m->partition) + " that this task does not own");
  }
  PartitionPosition& pos = positions[slot[m->partition]];
  // Fetched before the partition was paused at the end of a bounded run.
  if (pos.finished) return Status::OK();
  if (pos.stop_offset >= 0 && m->offset >= pos.stop_offset) {
    Advance(pos, m->offset);  // compaction left no record at the stop offset
    return Status::OK();
  }
  ++stats.messages;
  if (m->payload == nullptr) {
    ++stats.tombstones;  // DESIGN 3.10: not bad data, but the offset is read
  } else {
    stats.value_bytes += static_cast<int64_t>(m->len);
    fetched_bytes += static_cast<int64_t>(m->len + m->key_len);
    int64_t rows = 0;
    Status st = AppendRows(m, &rows);
    stats.rows += rows;
    if (!st.ok()) {
      if (st.code() != StatusCode::kBadData) return st;
      if (config.bad_data == BadDataPolicy::kFail) {
        // The position stays on the bad record, so nothing past it counts as read.
        return Status::BadData(Where(config.topic, m->partition, m->offset) + ": " + st.message() +
                               ". Set bad_data=drop to skip bad records");
      }
      KARROW_RETURN_NOT_OK(Drop(m, {static_cast<const char*>(m->payload), m->len}, std::nullopt, st.message()));
    }
  }
  int64_t ts_ms = rd_kafka_message_timestamp(m, nullptr);
  if (ts_ms >= 0) watermarks->Observe(slot[m->partition], ts_ms * 1000000);
  if (pos.at_end) {
    pos.at_end = false;
    --partitions_at_end;
  }
  Advance(pos, m->offset + 1);
  return Status::OK();
}

// bad_data=drop: counts the record (or line), logs it at a bounded rate and,
// with dead_letter, keeps it as a dead letter.
Status KafkaSource::Impl::Drop(const rd_kafka_message_t* m, std::string_view value, std::optional<int32_t> line,
                               const std::string& reason) {
  ++stats.bad_records;
  bad_data_log.Log(LogLevel::kWarn,
                   "dropped bad data at " + Where(config.topic, m->partition, m->offset) + ": " + reason);
  if (!dead_letters) return Status::OK();
  DeadLetter letter;
  letter.topic = config.topic;
  letter.partition = m->partition;
  letter.offset = m->offset;
  if (int64_t ts = rd_kafka_message_timestamp(m, nullptr); ts >= 0) letter.timestamp_ms = ts;
  if (m->key != nullptr) letter.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  letter.value = value;
  letter.line = line;
  letter.error = reason;
  if (dead_letters->num_rows() == 0) dead_letter_deadline = Clock::now() + milliseconds(config.linger_ms);
  return dead_letters->Append(letter);
}

void KafkaSource::Impl::Publish() {
  for (PartitionPosition& pos : positions) {
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(rk.get(), config.topic.c_str(), pos.partition, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      pos.high_watermark = high;
    }
  }
  std::lock_guard<std::mutex> lock(published_mu);
  published_positions = positions;
  published_stats = stats;
}

void KafkaSource::Impl::ServeCommitResults(milliseconds max_wait) {
  if (!commit_results) return;
  bool served = false;
  Clock::time_point deadline = Clock::now() + max_wait;
  while (true) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    int wait_ms = commits_in_flight > 0 ? static_cast<int>(std::max<int64_t>(left, 0)) : 0;
    EventHandle ev{rd_kafka_queue_poll(commit_results.get(), wait_ms)};
    if (!ev) break;
    served = true;
    if (rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
    --commits_in_flight;
    std::string problem;
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problem = rd_kafka_event_error_string(ev.get());
    } else if (const rd_kafka_topic_partition_list_t* list = rd_kafka_event_topic_partition_list(ev.get())) {
      for (int i = 0; i < list->cnt && problem.empty(); ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          problem = "partition " + std::to_string(list->elems[i].partition) + ": " + rd_kafka_err2str(list->elems[i].err);
        }
      }
    }
    if (problem.empty()) {
      ++stats.commits;
      continue;
    }
    // DESIGN 3.4: the checkpoint is the truth; the group offset only shows
    // progress to monitoring, so a failed commit is reported, not fatal.
    ++stats.commit_failures;
    Log(LogLevel::kWarn, "could not commit offsets of topic '" + config.topic + "' to consumer group '" +
                             config.EffectiveGroupId() + "' (a later checkpoint commits again): " + problem);
  }
  if (served) Publish();
}

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaSource::~KafkaSource() {
  if (impl_->rk) {
    impl_->fetch_waker.reset();  // its thread uses the handle
    impl_->queue.reset();
    impl_->commit_results.reset();
    // Unassign first: librdkafka 2.0.2 can hang in rd_kafka_destroy while a
    // partition of a deleted topic is still assigned.
    rd_kafka_assign(impl_->rk.get(), nullptr);
    rd_kafka_consumer_close(impl_->rk.get());
    DestroyWithDeadline(impl_->rk.release(), std::chrono::seconds(5));
  }
}

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(KafkaSourceConfig config, TaskInfo task,
                                                       const PartitionOffsets& restored) {
  KARROW_RETURN_NOT_OK(config.Validate());
  if (task.parallelism < 1 || task.task_index < 0 || task.task_index >= task.parallelism) {
    return Status::Invalid("task index " + std::to_string(task.task_index) + " of parallelism " +
                           std::to_string(task.parallelism) + ": need 0 <= index < parallelism");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->task = task;
  KARROW_ASSIGN_OR_RAISE(impl->decoder, MakeValueDecoder(impl->config));
  KARROW_RETURN_NOT_OK(impl->config.CheckColumnNames(impl->decoder->fields()));

  std::vector<Field> fields = impl->decoder->fields();
  impl->first_metadata_column = static_cast<int>(fields.size());
  for (Field& f : MetadataColumns(impl->config.metadata_fields)) fields.push_back(std::move(f));
  impl->event_time_column = static_cast<int>(fields.size());
  for (const MetadataField& f : impl->config.metadata_fields) {
    impl->wants_headers |= f.kind == MetadataKind::kHeaders;
  }
  fields.push_back({"_timestamp", timestamp(TimeUnit::kNano, "UTC"), false});
  impl->schema = std::make_shared<Schema>(std::move(fields));
  impl->builder = std::make_unique<RecordBatchBuilder>(impl->schema);
  impl->builder->Reserve(std::min<int64_t>(impl->config.batch_size, 65536));
  impl->decoder->Bind(impl->builder.get());
  if (impl->config.dead_letter) impl->dead_letters = std::make_unique<DeadLetterBuilder>();
  double rate = impl->config.messages_per_second;
  // Burst: a tenth of a second's worth, at least one message. It is also
  // how far behind the limiter may fall and still catch up: when it was one
  // fetch (1024), a reader descheduled for a few milliseconds on a busy
  // machine lost that time for good, 1-2 % of 1M msg/s in the benchmarks.
  // Each consume call still takes at most one fetch. Unlimited means whole
  // fetches (a burst of 1 there would fetch one message per call, which the
  // benchmarks found costs most of the speed).
  int64_t burst = rate > 0 ? std::max<int64_t>(static_cast<int64_t>(rate / 10), 1) : kMaxFetchPerCall;
  impl->limiter = RateLimiter(rate, burst);
  impl->messages.resize(kMaxFetchPerCall);

  KARROW_RETURN_NOT_OK(impl->Connect());
  KARROW_RETURN_NOT_OK(impl->ResolvePositions(restored));
  KARROW_RETURN_NOT_OK(impl->AssignPartitions());
  impl->watermarks = std::make_unique<WatermarkTracker>(static_cast<int>(impl->positions.size()),
                                                        milliseconds(impl->config.idle_timeout_ms), Clock::now());
  impl->Publish();
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
}

SchemaPtr KafkaSource::schema() const { return impl_->schema; }

Result<std::optional<RecordBatch>> KafkaSource::Poll() {
  Impl& s = *impl_;
  s.ServeCommitResults(milliseconds(0));
  auto due = [&] {
    int64_t rows = s.builder->num_rows();
    bool stopping = stop_requested_.load() || s.ended || !s.failure.ok();
    return rows > 0 && (stopping || rows >= s.config.batch_size || Clock::now() >= s.batch_deadline);
  };
  if (due()) return TakeBuffered();
  if (!s.failure.ok()) return s.failure;
  if (stop_requested_.load() || s.ended) {
    s.Publish();  // the final positions and counts
    return std::optional<RecordBatch>();
  }
  if (s.positions.empty()) {
    // A task that owns no partition has nothing to read.
    std::this_thread::sleep_for(milliseconds(kIdlePollMs));
    return std::optional<RecordBatch>();
  }
  int64_t rows = s.builder->num_rows();
  int timeout_ms = kIdlePollMs;
  if (rows > 0) {
    auto left = std::chrono::duration_cast<milliseconds>(s.batch_deadline - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<int64_t>(left, 0, kIdlePollMs));
  }
  int64_t want = std::min({s.config.batch_size - rows, kMaxFetchPerCall, s.limiter.max_batch()});
  size_t queued = rd_kafka_queue_length(s.queue.get());
  Clock::time_point now = Clock::now();
  if (queued > s.queued_after_poll) s.last_delivery = now;
  s.WakeFetcherIfStopped(queued, now, &timeout_ms);
  ssize_t n = rd_kafka_consume_batch_queue(s.queue.get(), timeout_ms, s.messages.data(), static_cast<size_t>(want));
  s.queued_after_poll = rd_kafka_queue_length(s.queue.get());
  // Records that arrived during the call, some perhaps taken by it already.
  if (n > 0 && s.queued_after_poll + static_cast<size_t>(n) > queued) s.last_delivery = Clock::now();
  if (s.waking && s.last_delivery > s.last_wakeup) {
    s.waking = false;  // the fetcher runs again, until the queue is next full
    s.queue_was_full = false;
  }
  if (n < 0) {
    s.failure = Status::Kafka(std::string("consume failed: ") + rd_kafka_err2str(rd_kafka_last_error()));
    n = 0;
  }
  int64_t data_messages = 0;
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = s.messages[i];
    if (s.failure.ok()) {
      data_messages += m->err == 0;
      Status st = s.HandleMessage(m);
      if (!st.ok()) s.failure = std::move(st);
    }
    rd_kafka_message_destroy(m);
  }
  if (rows == 0 && s.builder->num_rows() > 0) s.batch_deadline = Clock::now() + milliseconds(s.config.linger_ms);
  if (data_messages > 0) {
    auto wait = s.limiter.Charge(data_messages);
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
  }
  if (due()) return TakeBuffered();
  if (!s.failure.ok() && s.builder->num_rows() == 0) return s.failure;
  if (done()) s.Publish();  // the final positions and counts
  return std::optional<RecordBatch>();
}

Result<std::optional<RecordBatch>> KafkaSource::TakeBuffered() {
  Impl& s = *impl_;
  if (s.builder->num_rows() == 0) return std::optional<RecordBatch>();
  KARROW_ASSIGN_OR_RAISE(RecordBatch batch, s.builder->Finish());
  ++s.stats.batches;
  s.builder->Reserve(std::min<int64_t>(s.config.batch_size, 65536));
  s.Publish();
  return std::optional<RecordBatch>(std::move(batch));
}

Result<std::optional<RecordBatch>> KafkaSource::PollDeadLetters() {
  Impl& s = *impl_;
  if (!s.dead_letters || s.dead_letters->num_rows() == 0) return std::optional<RecordBatch>();
  bool stopping = stop_requested_.load() || s.ended || !s.failure.ok();
  if (stopping || s.dead_letters->num_rows() >= s.config.batch_size ||
      s.dead_letters->value_bytes() >= kDeadLetterDueBytes || Clock::now() >= s.dead_letter_deadline) {
    return TakeDeadLetters();
  }
  return std::optional<RecordBatch>();
}

Result<std::optional<RecordBatch>> KafkaSource::TakeDeadLetters() {
  Impl& s = *impl_;
  if (!s.dead_letters || s.dead_letters->num_rows() == 0) return std::optional<RecordBatch>();
  KARROW_ASSIGN_OR_RAISE(RecordBatch batch, s.dead_letters->Finish());
  return std::optional<RecordBatch>(std::move(batch));
}

SchemaPtr KafkaSource::dead_letter_schema() const { return DeadLetterSchema(); }

bool KafkaSource::done() const {
  return (stop_requested_.load() || impl_->ended) && impl_->failure.ok() && impl_->builder->num_rows() == 0;
}

Result<std::optional<RecordBatch>> KafkaSource::Next() {
  while (true) {
    KARROW_ASSIGN_OR_RAISE(std::optional<RecordBatch> batch, Poll());
    if (batch.has_value()) return batch;
    if (done()) return batch;
  }
}

PartitionOffsets KafkaSource::NextOffsets() const {
  PartitionOffsets out;
  for (const PartitionPosition& pos : impl_->positions) out[pos.partition] = pos.next_offset;
  return out;
}

void KafkaSource::CommitOffsets(const PartitionOffsets& offsets) {
  Impl& s = *impl_;
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [partition, offset] : offsets) {
    // Nothing is known of a partition still at its logical beginning.
    if (offset >= 0) rd_kafka_topic_partition_list_add(list.get(), s.config.topic.c_str(), partition)->offset = offset;
  }
  if (list->cnt == 0 || !s.commit_results) return;
  rd_kafka_resp_err_t e = rd_kafka_commit_queue(s.rk.get(), list.get(), s.commit_results.get(), nullptr, nullptr);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++s.stats.commit_failures;
    Log(LogLevel::kWarn, "could not commit offsets of topic '" + s.config.topic + "': " + rd_kafka_err2str(e));
    return;
  }
  ++s.commits_in_flight;
}

void KafkaSource::AwaitCommits(milliseconds max_wait) { impl_->ServeCommitResults(max_wait); }

std::optional<signal::Watermark> KafkaSource::AdvanceWatermark() { return impl_->watermarks->Advance(Clock::now()); }

std::vector<int32_t> KafkaSource::partitions() const {
  std::vector<int32_t> out;
  for (const auto& p : impl_->positions) out.push_back(p.partition);
  return out;
}

std::vector<PartitionPosition> KafkaSource::positions() const {
  std::lock_guard<std::mutex> lock(impl_->published_mu);
  return impl_->published_positions;
}

KafkaSourceStats KafkaSource::stats() const {
  std::lock_guard<std::mutex> lock(impl_->published_mu);
  return impl_->published_stats;
}

int32_t KafkaSource::topic_partitions() const { return impl_->topic_partitions; }

}  // namespace karrow
