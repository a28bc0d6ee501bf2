#include "karrow/kafka_source.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/log.h"
#include "formats/value_decoder.h"
#include "kafka/consumer.h"
#include "kafka/fetch_pacer.h"
#include "kafka/fetch_waker.h"
#include "kafka/kafka_source_config_internal.h"
#include "kafka/offset_committer.h"
#include "kafka/oversized_fetch_watch.h"
#include "kafka/partition_plan.h"
#include "kafka/row_assembler.h"
#include "kafka/topic_watcher.h"
#include "operator/watermark_tracker.h"

namespace karrow {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long one consume call may block while the batch is empty, so that
// Stop() is noticed promptly.
constexpr int kIdlePollMs = 100;

// How often the topic's metadata is read: at the discovery interval, and
// often enough that a deleted topic is noticed within a fraction of
// topic_missing_timeout_ms past it; never more than 10 times a second.
milliseconds TopicWatchPeriod(const KafkaSourceConfig& c) {
  int64_t period = c.topic_missing_timeout_ms / 3;
  if (c.partition_discovery_interval_ms > 0 && !c.bounded())
    period = std::min(period, c.partition_discovery_interval_ms);
  return milliseconds(std::max<int64_t>(period, 100));
}

}  // namespace

// The reading thread's state. Each job has its class: the consumer
// (connection, offset look-ups), the partition plan (positions), the row
// assembler (rows and dead letters), the fetch pacer (rate limit, fetch
// wake-ups) and the offset committer; this ties them together. Hidden
// explicitly: a nested class takes the visibility of KafkaSource, which
// libkarrow.so exports, and this is no part of its interface.
struct __attribute__((visibility("hidden"))) KafkaSource::Impl {
  KafkaSourceConfig config;
  // Declared in the order they depend on each other: the consumer's handle
  // outlives the waker's thread and the committer's queue.
  std::unique_ptr<KafkaConsumer> consumer;
  std::unique_ptr<PartitionPlan> plan;
  std::unique_ptr<RowAssembler> rows;
  std::unique_ptr<OffsetCommitter> committer;
  std::unique_ptr<FetchWaker> fetch_waker;
  std::unique_ptr<FetchPacer> pacer;
  std::unique_ptr<WatermarkTracker> watermarks;
  std::unique_ptr<TopicWatcher> topic_watcher;
  TaskInfo task;

  // Since when the topic has been missing from the cluster's metadata (the
  // first answer that said so), while it is.
  std::optional<Clock::time_point> topic_missing_since;
  // The partition count past which discovery is off was logged.
  int32_t undiscovered_logged = 0;

  OversizedFetchWatch oversized_fetch;
  LogRateLimiter transient_log{milliseconds(5000)};
  // The client's own errors (connections, brokers down) on a limit of their
  // own, so that they never hide a partition's.
  LogRateLimiter client_error_log{milliseconds(5000)};
  Status failure;  // sticky: once failed, Poll() keeps returning it
  Clock::time_point batch_deadline;
  std::vector<rd_kafka_message_t*> messages;
  std::vector<RecordHeader> headers;  // of the record being read, reused
  KafkaSourceStats stats;

  // A copy for other threads (progress reporting), refreshed once per batch.
  mutable std::mutex published_mu;
  std::vector<PartitionPosition> published_positions;
  KafkaSourceStats published_stats;
  int32_t published_topic_partitions = 0;

  bool ended() const { return plan->ended(); }
  /// The run has ended and all it read was handed out (dead letters too,
  /// when they are handed out).
  bool Finished(bool stop_requested, bool with_dead_letters) const {
    return (stop_requested || ended()) && failure.ok() && rows->num_rows() == 0 &&
           (!with_dead_letters || rows->num_dead_letters() == 0);
  }
  /// `pos`'s index among the plan's positions, as the watermark tracker counts.
  int Slot(const PartitionPosition& pos) const {
    return static_cast<int>(&pos - plan->positions().data());
  }
  Result<SourceOutput> Poll(bool with_dead_letters, bool stop_requested);
  Result<SourceOutput> Take(bool rows_due, bool with_dead_letters, bool stopping);
  Status HandleMessage(const rd_kafka_message_t* m);
  Status HandleError(const rd_kafka_message_t* m);
  Status SkipOutOfRange(int32_t partition);
  std::vector<PartitionPosition> PositionsWithWatermarks() const;
  Status CheckOversizedFetch();
  Status WatchTopic(Clock::time_point now);
  Status HandleClientErrors();
  Status TakeOnPartitions(int32_t topic_partitions, Clock::time_point now);
  /// What a missing-topic warning adds: when it becomes fatal (WatchTopic).
  std::string MissingTopicBound() const {
    return " (failing if the topic is still missing after " +
           std::to_string(config.topic_missing_timeout_ms) + " ms, topic_missing_timeout_ms)";
  }
  void Advance(PartitionPosition& pos, int64_t next_offset);
  void ServeCommits(milliseconds max_wait);
  void Publish();
  // Publish() also runs at least this often while idle, so that what other
  // threads see (lag, fetch queue, round trips) does not go stale.
  static constexpr milliseconds kIdlePublishPeriod{1000};
  Clock::time_point next_publish{};
  /// Sleeps one slice (at most FetchPacer::kMaxWait) of the rate limit's
  /// wait, if there is one; true when it slept.
  bool PaceOnce();
};

// Never the whole wait at once: at a slow rate it lasts seconds, and a
// barrier or a stop request must not wait for it (docs/semantics.md §7).
bool KafkaSource::Impl::PaceOnce() {
  auto wait = pacer->WaitBeforeConsume(Clock::now());
  if (wait.count() <= 0) return false;
  std::this_thread::sleep_for(wait);
  ++stats.rate_limit_waits;
  stats.rate_limit_wait_ns += wait.count();
  return true;
}

// Moves a partition's position forward, and stops fetching a partition a
// bounded run has read to its end.
void KafkaSource::Impl::Advance(PartitionPosition& pos, int64_t next_offset) {
  if (plan->Advance(pos, next_offset)) consumer->Pause(pos.partition);
}

// docs/semantics.md §5 with an explicit skip policy: jump to the oldest
// retained record or the end, and say which offsets were lost.
Status KafkaSource::Impl::SkipOutOfRange(int32_t partition) {
  PartitionPosition& pos = *plan->Find(partition);
  const int64_t from = pos.next_offset;
  int64_t low = -1, high = -1;
  if (Status st = consumer->QueryRange(partition, &low, &high); !st.ok()) {
    return Status::Kafka(
        RecordWhere(config.topic, partition, from) +
        " is out of range, and its retained range could not be read: " + st.message());
  }
  int64_t to = config.on_out_of_range == OutOfRangePolicy::kEarliest ? low : high;
  if (Status st = consumer->Restart(partition, to); !st.ok()) {
    return Status::Kafka(RecordWhere(config.topic, partition, from) +
                         ": could not skip to offset " + std::to_string(to) + ": " + st.message());
  }
  ++stats.offset_gaps;
  if (from >= 0 && to > from) stats.skipped_offsets += to - from;
  Log(LogLevel::kWarn,
      RecordWhere(config.topic, partition, from) + " is out of range (retained: " +
          std::to_string(low) + " to " + std::to_string(high) + "); on_out_of_range=" +
          (config.on_out_of_range == OutOfRangePolicy::kEarliest ? "earliest" : "latest") +
          " skips the gap [" + std::to_string(from) + ", " + std::to_string(to) + ")");
  Advance(pos, to);
  return Status::OK();
}

Status KafkaSource::Impl::HandleError(const rd_kafka_message_t* m) {
  std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : config.topic;
  PartitionPosition* pos = plan->Find(m->partition);
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (pos != nullptr) {
      plan->MarkAtEnd(*pos);
      watermarks->MarkCaughtUp(Slot(*pos));
      // The end can lie past the last record (transaction markers, compaction).
      if (!pos->finished && m->offset > pos->next_offset) Advance(*pos, m->offset);
    }
    return Status::OK();
  }
  std::string message = rd_kafka_message_errstr(m);
  if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512];
    rd_kafka_fatal_error(consumer->handle(), reason, sizeof(reason));
    message = reason;
  }
  if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
      m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
    if (pos != nullptr && config.on_out_of_range != OutOfRangePolicy::kFail)
      return SkipOutOfRange(m->partition);
    int64_t offset = pos != nullptr ? pos->next_offset : m->offset;
    return Status::Kafka(
        RecordWhere(topic, m->partition, offset) +
        " is out of range: retention or truncation removed it, and karrow does not "
        "skip data silently. To accept the loss and go on, set on_out_of_range to "
        "earliest or latest (" +
        message + ")");
  }
  if (std::string access = DescribeAccessError(m->err, topic, config.EffectiveGroupId(), message);
      !access.empty()) {
    return Status::Kafka(access);
  }
  if (IsFatalConsumerError(m->err)) {
    return Status::Kafka("topic '" + topic + "': " + rd_kafka_err2name(m->err) + ": " + message);
  }
  if (IsMissingTopicError(m->err)) {
    // Fatal only once the metadata has said so for topic_missing_timeout_ms
    // (WatchTopic): right after a topic is created or grown it may be
    // unknown for a moment.
    transient_log.Log(LogLevel::kWarn, "topic '" + topic + "' partition " +
                                           std::to_string(m->partition) + ": " + message +
                                           MissingTopicBound());
    return Status::OK();
  }
  // Broker down, leader moved, timeouts: the client retries on its own.
  transient_log.Log(LogLevel::kWarn, "Kafka client (retrying): " + message);
  return Status::OK();
}

// The client's own errors (KafkaConsumer::TakeClientErrors): a refused
// login or authorization ends the task; the rest the client retries.
Status KafkaSource::Impl::HandleClientErrors() {
  for (KafkaConsumer::ClientError& error : consumer->TakeClientErrors()) {
    // Retried forever by librdkafka; CheckOversizedFetch ends it.
    if (OversizedFetchWatch::IsOversizedResponse(error.reason))
      oversized_fetch.Reported(error.reason, Clock::now());
    std::string access =
        DescribeAccessError(error.code, config.topic, config.EffectiveGroupId(), error.reason);
    if (!access.empty()) return Status::Kafka(access);
    if (error.code == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      rd_kafka_fatal_error(consumer->handle(), reason, sizeof(reason));
      return Status::Kafka("topic '" + config.topic + "': the Kafka client failed: " + reason);
    }
    if (IsMissingTopicError(error.code)) {
      client_error_log.Log(LogLevel::kWarn,
                           "topic '" + config.topic + "': " + error.reason + MissingTopicBound());
    } else {
      client_error_log.Log(LogLevel::kWarn, "Kafka client (retrying): " + error.reason);
    }
  }
  return Status::OK();
}

// Acts on the newest metadata answer: a topic missing for longer than
// topic_missing_timeout_ms, or not to be read by this client, fails the task
// (docs/semantics.md §6); partitions added to it are taken on (§17).
Status KafkaSource::Impl::WatchTopic(Clock::time_point now) {
  if (!topic_watcher) return Status::OK();
  using State = TopicObservation::State;
  const std::string& topic = config.topic;
  if (std::optional<TopicObservation> seen = topic_watcher->TakeNewest()) {
    // A topic deleted and created again with fewer partitions has lost the
    // ones this task knew: as good as missing.
    const bool shrunk =
        seen->state == State::kPresent && seen->partitions < plan->topic_partitions();
    if (seen->state == State::kUnauthorized) {
      return Status::Kafka(DescribeAccessError(seen->error, topic, config.EffectiveGroupId(),
                                               rd_kafka_err2str(seen->error)));
    }
    if (seen->state == State::kMissing || shrunk) {
      if (!topic_missing_since) {
        topic_missing_since = seen->at;
        Log(LogLevel::kWarn,
            "topic '" + topic + "' " +
                (shrunk ? "now has " + std::to_string(seen->partitions) +
                              " partitions, fewer than " + std::to_string(plan->topic_partitions())
                        : std::string("is missing from the cluster's metadata")) +
                "; the task fails if this lasts " +
                std::to_string(config.topic_missing_timeout_ms) + " ms (topic_missing_timeout_ms)");
      }
    } else if (seen->state == State::kPresent) {
      if (topic_missing_since) {
        Log(LogLevel::kInfo, "topic '" + topic + "' is back in the cluster's metadata");
        topic_missing_since.reset();
      }
      if (seen->partitions > plan->topic_partitions())
        KARROW_RETURN_NOT_OK(TakeOnPartitions(seen->partitions, now));
    }
  }
  if (topic_missing_since &&
      now - *topic_missing_since >= milliseconds(config.topic_missing_timeout_ms)) {
    const auto missing_ms =
        std::chrono::duration_cast<milliseconds>(now - *topic_missing_since).count();
    return Status::NotFound(
        "topic '" + topic + "' was deleted: it does not exist on " + config.bootstrap_servers +
        " (missing for " + std::to_string(missing_ms) +
        " ms, topic_missing_timeout_ms=" + std::to_string(config.topic_missing_timeout_ms) +
        "). The records not read from it are gone; recreate the topic and start the job "
        "afresh, or point it at another topic");
  }
  return Status::OK();
}

// Partitions added to the topic (docs/semantics.md §17): this task's share
// is read from its beginning, whatever offset_mode says, since no record of
// a new partition can have been read; a bounded run keeps the partitions it
// started with, as its end was fixed then.
Status KafkaSource::Impl::TakeOnPartitions(int32_t topic_partitions, Clock::time_point now) {
  const int32_t before = plan->topic_partitions();
  if (config.bounded() || config.partition_discovery_interval_ms == 0) {
    if (topic_partitions > undiscovered_logged) {
      undiscovered_logged = topic_partitions;
      Log(LogLevel::kInfo,
          "topic '" + config.topic + "' grew from " + std::to_string(before) + " to " +
              std::to_string(topic_partitions) + " partitions; " +
              (config.bounded() ? "a bounded run reads only the partitions it started with"
                                : "partition discovery is off "
                                  "(partition_discovery_interval_ms=0): they are read after a "
                                  "restart"));
    }
    return Status::OK();
  }
  std::vector<int32_t> added = plan->AddPartitions(topic_partitions);
  std::string list;
  for (int32_t p : added) list += (list.empty() ? "" : ",") + std::to_string(p);
  Log(LogLevel::kInfo,
      "discovered partitions " + std::to_string(before) + " to " +
          std::to_string(topic_partitions - 1) + " of topic '" + config.topic + "'; task " +
          std::to_string(task.task_index) + " of " + std::to_string(task.parallelism) + " reads " +
          (added.empty() ? std::string("none of them") : list + " from the beginning"));
  if (added.empty()) return Status::OK();
  KARROW_RETURN_NOT_OK(consumer->AssignAdded(added));
  watermarks->AddInputs(static_cast<int>(added.size()), now);
  if (fetch_waker) {
    fetch_waker->AddPartitions(added);
  } else {
    fetch_waker = std::make_unique<FetchWaker>(consumer->handle(), config.topic, added);
  }
  Publish();
  return Status::OK();
}

Status KafkaSource::Impl::HandleMessage(const rd_kafka_message_t* m) {
  if (m->err) return HandleError(m);
  PartitionPosition* pos = plan->Find(m->partition);
  if (pos == nullptr) {
    return Status::Internal("received partition " + std::to_string(m->partition) +
                            " that this task does not own");
  }
  // Fetched before the partition was paused at the end of a bounded run.
  if (pos->finished) return Status::OK();
  if (pos->stop_offset >= 0 && m->offset >= pos->stop_offset) {
    Advance(*pos, m->offset);  // compaction left no record at the stop offset
    return Status::OK();
  }
  ++stats.messages;
  ++pos->records;
  const int64_t timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  const bool tombstone = m->payload == nullptr;
  if (tombstone) {
    ++stats.tombstones;  // docs/semantics.md §10: not bad data, but the offset is read
    pacer->CountRecord(0);
  } else {
    stats.value_bytes += static_cast<int64_t>(m->len);
    pacer->CountRecord(static_cast<int64_t>(m->len + m->key_len));
  }
  if (!tombstone || config.tombstones == TombstonePolicy::kEmit) {
    KafkaRecord record;
    record.partition = m->partition;
    record.offset = m->offset;
    record.timestamp_ms = timestamp_ms;
    record.key = m->key;
    record.key_size = m->key_len;
    record.value = m->payload;
    record.value_size = m->len;
    rd_kafka_headers_t* raw_headers = nullptr;
    if (rows->wants_headers() &&
        rd_kafka_message_headers(m, &raw_headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Walked once here; every row of a framed record reuses them.
      headers.clear();
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(raw_headers, i, &name, &value, &size) == 0; ++i) {
        headers.push_back({name, value, size});
      }
      record.headers = &headers;
    }
    KARROW_RETURN_NOT_OK(rows->Append(record));
  }
  if (timestamp_ms >= 0) watermarks->Observe(Slot(*pos), timestamp_ms * 1000000);
  pos->at_end = false;
  Advance(*pos, m->offset + 1);
  return Status::OK();
}

std::vector<PartitionPosition> KafkaSource::Impl::PositionsWithWatermarks() const {
  std::vector<PartitionPosition> positions = plan->positions();
  for (PartitionPosition& pos : positions) {
    if (int64_t high = consumer->CachedHighWatermark(pos.partition); high >= 0)
      pos.high_watermark = high;
  }
  return positions;
}

// See OversizedFetchWatch: once the partitions that stopped at a response
// librdkafka cannot receive are known, the task fails naming them.
Status KafkaSource::Impl::CheckOversizedFetch() {
  if (!oversized_fetch.watching()) return Status::OK();
  std::vector<PartitionPosition> stuck =
      oversized_fetch.Stuck(PositionsWithWatermarks(), Clock::now());
  if (stuck.empty()) return Status::OK();
  std::string where;
  for (const PartitionPosition& pos : stuck) {
    int64_t offset = pos.next_offset;
    if (offset < 0) {  // stopped before its first record: that is its oldest
      int64_t low = -1, high = -1;
      if (consumer->QueryRange(pos.partition, &low, &high).ok()) offset = low;
    }
    if (!where.empty()) where += ", or ";
    where += offset >= 0 ? RecordWhere(config.topic, pos.partition, offset)
                         : "topic '" + config.topic + "' partition " +
                               std::to_string(pos.partition) + " at its oldest offset";
  }
  return Status::Kafka(
      where +
      ": the fetch response holding this record is larger than the Kafka client "
      "accepts, so it can never be read with these settings (librdkafka refused it "
      "and fetched it again for " +
      std::to_string(OversizedFetchWatch::kGiveUpAfter.count()) +
      " s, about five attempts: " + oversized_fetch.client_error() +
      "). Increase receive.message.max.bytes above the response size it names: "
      "-X receive.message.max.bytes=N on the command line, client_configs in Python "
      "(at most 2147483647)");
}

void KafkaSource::Impl::Publish() {
  std::vector<PartitionPosition> positions = PositionsWithWatermarks();
  stats.rows = rows->rows();
  stats.bad_records = rows->bad_records();
  stats.bad_lines_too_long = rows->bad_lines_too_long();
  stats.fetch_queue_messages = static_cast<int64_t>(rd_kafka_queue_length(consumer->queue()));
  stats.broker_round_trip_us = consumer->BrokerRoundTrips();
  stats.commits = committer->commits();
  stats.commit_failures = committer->failures();
  stats.fetch_wakeups = pacer->wakeups();
  next_publish = Clock::now() + kIdlePublishPeriod;
  std::lock_guard<std::mutex> lock(published_mu);
  published_positions = std::move(positions);
  published_stats = stats;
  published_topic_partitions = plan->topic_partitions();
}

void KafkaSource::Impl::ServeCommits(milliseconds max_wait) {
  if (committer->Serve(max_wait)) Publish();
}

// The rows when `rows_due`, and the dead letters with them, when due or
// when the run is stopping; empty when none of these holds.
Result<SourceOutput> KafkaSource::Impl::Take(bool rows_due, bool with_dead_letters, bool stopping) {
  SourceOutput out;
  if (rows_due && rows->num_rows() > 0) {
    KARROW_ASSIGN_OR_RAISE(RecordBatch batch, rows->FinishRows());
    ++stats.batches;
    out.rows = std::move(batch);
  }
  if (with_dead_letters && rows->num_dead_letters() > 0 &&
      (out.rows || stopping || rows->DeadLettersDue(Clock::now()))) {
    KARROW_ASSIGN_OR_RAISE(out.dead_letters, rows->TakeDeadLetters());
    if (out.dead_letters) stats.dead_letters += out.dead_letters->num_rows();
  }
  if (!out.empty()) Publish();
  return out;
}

Result<SourceOutput> KafkaSource::Impl::Poll(bool with_dead_letters, bool stop_requested) {
  ServeCommits(milliseconds(0));
  if (failure.ok()) {
    if (Status st = WatchTopic(Clock::now()); !st.ok()) failure = std::move(st);
  }
  auto stopping = [&] { return stop_requested || ended() || !failure.ok(); };
  auto due = [&] {
    int64_t n = rows->num_rows();
    return n > 0 && (stopping() || n >= config.batch_size || Clock::now() >= batch_deadline);
  };
  KARROW_ASSIGN_OR_RAISE(SourceOutput ready, Take(due(), with_dead_letters, stopping()));
  if (!ready.empty()) return ready;
  if (!failure.ok()) return failure;
  if (stopping()) {
    Publish();  // the final positions and counts
    return SourceOutput{};
  }
  if (plan->positions().empty()) {
    // A task that owns no partition has nothing to read.
    std::this_thread::sleep_for(milliseconds(kIdlePollMs));
    return SourceOutput{};
  }
  if (PaceOnce()) {
    // Still waiting for the rate limit: back to the caller, which answers
    // barriers and stop requests, and then comes back to wait on.
    KARROW_ASSIGN_OR_RAISE(ready, Take(due(), with_dead_letters, stopping()));
    return ready;
  }
  const int64_t buffered = rows->num_rows();
  int timeout_ms = kIdlePollMs;
  if (buffered > 0) {
    auto left = std::chrono::duration_cast<milliseconds>(batch_deadline - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<int64_t>(left, 0, kIdlePollMs));
  }
  int64_t want =
      std::min({config.batch_size - buffered, FetchPacer::kMaxFetchPerCall, pacer->max_batch()});
  rd_kafka_queue_t* queue = consumer->queue();
  const size_t queued = rd_kafka_queue_length(queue);
  pacer->BeforeConsume(queued, plan->AnyBehind(), Clock::now(), &timeout_ms);
  ssize_t n =
      rd_kafka_consume_batch_queue(queue, timeout_ms, messages.data(), static_cast<size_t>(want));
  pacer->AfterConsume(queued, rd_kafka_queue_length(queue), std::max<ssize_t>(n, 0), Clock::now());
  if (n < 0) {
    failure =
        Status::Kafka(std::string("consume failed: ") + rd_kafka_err2str(rd_kafka_last_error()));
    n = 0;
  }
  int64_t data_messages = 0;
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = messages[i];
    if (failure.ok()) {
      data_messages += m->err == 0;
      Status st = HandleMessage(m);
      if (!st.ok()) failure = std::move(st);
    }
    rd_kafka_message_destroy(m);
  }
  // After this call's records: the errors came while it gathered them.
  if (failure.ok()) failure = HandleClientErrors();
  if (failure.ok()) failure = CheckOversizedFetch();
  if (buffered == 0 && rows->num_rows() > 0)
    batch_deadline = Clock::now() + milliseconds(config.linger_ms);
  if (data_messages > 0) {
    pacer->Charge(data_messages);
    PaceOnce();
  }
  KARROW_ASSIGN_OR_RAISE(ready, Take(due(), with_dead_letters, stopping()));
  if (!ready.empty()) return ready;
  if (!failure.ok() && rows->num_rows() == 0) return failure;
  // The final positions and counts, or a refresh while idle.
  if (stopping() || Clock::now() >= next_publish) Publish();
  return SourceOutput{};
}

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaSource::~KafkaSource() = default;

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(KafkaSourceConfig config, TaskInfo task,
                                                       const PartitionOffsets& restored) {
  // Validate() less the schema, which making the decoder parses, once.
  KARROW_RETURN_NOT_OK(CheckSourceOptions(config));
  if (task.parallelism < 1 || task.task_index < 0 || task.task_index >= task.parallelism) {
    return Status::Invalid("task index " + std::to_string(task.task_index) + " of parallelism " +
                           std::to_string(task.parallelism) + ": need 0 <= index < parallelism");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  const KafkaSourceConfig& c = impl->config;
  KARROW_ASSIGN_OR_RAISE(std::unique_ptr<ValueDecoder> decoder,
                         MakeValueDecoder(c.value_format, c.topic));
  KARROW_ASSIGN_OR_RAISE(impl->rows, RowAssembler::Make(c, std::move(decoder)));
  impl->messages.resize(FetchPacer::kMaxFetchPerCall);

  KARROW_ASSIGN_OR_RAISE(impl->consumer, KafkaConsumer::Connect(c));
  const int32_t topic_partitions = impl->consumer->topic_partitions();
  for (int32_t p : c.partitions) {
    if (p >= topic_partitions) {
      return Status::Invalid("partitions: topic '" + c.topic + "' has no partition " +
                             std::to_string(p) + "; its " + std::to_string(topic_partitions) +
                             " partition(s) are numbered 0 to " +
                             std::to_string(topic_partitions - 1));
    }
  }
  impl->plan = std::make_unique<PartitionPlan>(topic_partitions, task, c.partitions);
  KARROW_RETURN_NOT_OK(impl->plan->Resolve(c, restored, *impl->consumer));
  KARROW_RETURN_NOT_OK(impl->consumer->Assign(impl->plan->positions()));
  impl->committer = std::make_unique<OffsetCommitter>(impl->consumer->handle(), c);
  if (!impl->plan->positions().empty()) {
    impl->fetch_waker =
        std::make_unique<FetchWaker>(impl->consumer->handle(), c.topic, impl->plan->partitions());
  }
  // The waker may come later, with the first partition discovered.
  auto wake = [impl = impl.get()] {
    if (impl->fetch_waker) impl->fetch_waker->Wake();
  };
  impl->pacer =
      std::make_unique<FetchPacer>(c.messages_per_second, impl->consumer->queue_max_messages(),
                                   impl->consumer->queue_max_bytes(), std::move(wake));
  impl->watermarks =
      std::make_unique<WatermarkTracker>(static_cast<int>(impl->plan->positions().size()),
                                         milliseconds(c.idle_timeout_ms), Clock::now());
  impl->task = task;
  impl->topic_watcher = std::make_unique<TopicWatcher>(
      impl->consumer->handle(), c.topic, TopicWatchPeriod(c),
      static_cast<int>(std::min<int64_t>(c.connect_timeout_ms, 5000)));
  impl->Publish();
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
}

SchemaPtr KafkaSource::schema() const { return impl_->rows->schema(); }

Result<SourceOutput> KafkaSource::Poll() { return impl_->Poll(true, stop_requested_.load()); }

Result<SourceOutput> KafkaSource::Flush() { return impl_->Take(true, true, true); }

SchemaPtr KafkaSource::dead_letter_schema() const { return DeadLetterSchema(); }

bool KafkaSource::done() const { return impl_->Finished(stop_requested_.load(), true); }

Result<std::optional<RecordBatch>> KafkaSource::Next() {
  while (true) {
    KARROW_ASSIGN_OR_RAISE(SourceOutput out, impl_->Poll(false, stop_requested_.load()));
    if (out.rows) return std::move(out.rows);
    if (impl_->Finished(stop_requested_.load(), false)) return std::optional<RecordBatch>();
  }
}

PartitionOffsets KafkaSource::NextOffsets() const { return impl_->plan->NextOffsets(); }

void KafkaSource::CommitOffsets(const PartitionOffsets& offsets) {
  impl_->committer->Commit(offsets);
}

void KafkaSource::AwaitCommits(milliseconds max_wait) { impl_->ServeCommits(max_wait); }

std::optional<signal::Watermark> KafkaSource::AdvanceWatermark() {
  std::optional<signal::Watermark> wm = impl_->watermarks->Advance(Clock::now());
  if (wm && !wm->idle) {
    impl_->stats.watermark_ns = wm->event_time_ns;
    std::lock_guard<std::mutex> lock(impl_->published_mu);
    impl_->published_stats.watermark_ns = wm->event_time_ns;
  }
  return wm;
}

std::vector<int32_t> KafkaSource::partitions() const {
  std::lock_guard<std::mutex> lock(impl_->published_mu);
  std::vector<int32_t> out;
  for (const PartitionPosition& pos : impl_->published_positions) out.push_back(pos.partition);
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

MetricSamples KafkaSource::metrics() const {
  KafkaSourceStats stats;
  std::vector<PartitionPosition> positions;
  {
    std::lock_guard<std::mutex> lock(impl_->published_mu);
    stats = impl_->published_stats;
    positions = impl_->published_positions;
  }
  return SourceMetricSamples(stats, positions);
}

MetricSamples SourceMetricSamples(const KafkaSourceStats& s,
                                  const std::vector<PartitionPosition>& positions) {
  MetricSamples out;
  auto add = [&](const MetricDef& def, double value, std::string partition = {},
                 std::string label = {}) {
    out.push_back({&def, std::move(partition), std::move(label), value});
  };
  add(metric::kRecordsRead, s.messages);
  add(metric::kValueBytesRead, s.value_bytes);
  add(metric::kRowsEmitted, s.rows);
  add(metric::kBatchesEmitted, s.batches);
  add(metric::kTombstones, s.tombstones);
  add(metric::kBadRecords, s.bad_records - s.bad_lines_too_long, {},
      bad_record_reason::kDecodeError);
  add(metric::kBadRecords, s.bad_lines_too_long, {}, bad_record_reason::kLineTooLong);
  add(metric::kDeadLetters, s.dead_letters);
  add(metric::kCommits, s.commits);
  add(metric::kCommitFailures, s.commit_failures);
  add(metric::kOffsetGaps, s.offset_gaps);
  add(metric::kSkippedOffsets, s.skipped_offsets);
  add(metric::kFetchWakeups, s.fetch_wakeups);
  add(metric::kRateLimitWaits, s.rate_limit_waits);
  add(metric::kRateLimitWaitSeconds, s.rate_limit_wait_ns / 1e9);
  add(metric::kFetchQueueMessages, s.fetch_queue_messages);
  if (s.watermark_ns >= 0) add(metric::kWatermark, s.watermark_ns / 1e9);
  for (const auto& [broker, us] : s.broker_round_trip_us)
    add(metric::kBrokerRoundTrip, us / 1e6, {}, broker);
  for (const PartitionPosition& p : positions) {
    std::string partition = std::to_string(p.partition);
    // Unknown until the partition's first record or end tells where it is.
    if (p.next_offset >= 0) {
      add(metric::kPartitionNextOffset, p.next_offset, partition);
      if (p.high_watermark >= 0) {
        add(metric::kPartitionLag, std::max<int64_t>(0, p.high_watermark - p.next_offset),
            partition);
      }
    }
    if (p.high_watermark >= 0) add(metric::kPartitionEndOffset, p.high_watermark, partition);
    add(metric::kPartitionRecordsRead, p.records, partition);
  }
  return out;
}

const std::string& KafkaSource::topic() const { return impl_->config.topic; }

TaskInfo KafkaSource::task() const { return impl_->task; }

int32_t KafkaSource::topic_partitions() const {
  std::lock_guard<std::mutex> lock(impl_->published_mu);
  return impl_->published_topic_partitions;
}

}  // namespace karrow
