#include "kafka/consumer.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <thread>
#include <utility>

#include "common/log.h"
#include "kafka/kafka_source_config_internal.h"

namespace karrow {
namespace {

void LogFromLibrdkafka(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // syslog levels: 0-3 errors, 4 warning, 5-6 info, 7 debug.
  LogLevel ours = level <= 3   ? LogLevel::kError
                  : level == 4 ? LogLevel::kWarn
                  : level <= 6 ? LogLevel::kInfo
                               : LogLevel::kDebug;
  Log(ours, std::string("librdkafka ") + facility + ": " + message);
}

// With -X debug=... the user asked for librdkafka's debug lines: they are
// written whatever KARROW_LOG says, rather than also needing KARROW_LOG=debug.
void LogFromLibrdkafkaDebugging(const rd_kafka_t* rk, int level, const char* facility,
                                const char* message) {
  if (level < 7) return LogFromLibrdkafka(rk, level, facility, message);
  LogUnfiltered(LogLevel::kDebug, std::string("librdkafka ") + facility + ": " + message);
}

// librdkafka 2.0.2 can block forever in rd_kafka_destroy once a partition's
// topic was deleted under it (its broker thread never exits), and
// rd_kafka_consumer_close waits for an offset commit in flight, which a
// broker that stopped answering holds for minutes (two request timeouts, 121
// s when probed). A reader must not hang its caller for either, so the handle
// is unassigned, closed and destroyed on a helper thread, and abandoned, with
// a warning, if that takes longer than `limit`.
void CloseWithDeadline(rd_kafka_t* rk, std::chrono::seconds limit) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([rk, done] {
    // Unassign first: librdkafka 2.0.2 can hang in rd_kafka_destroy while a
    // partition of a deleted topic is still assigned.
    rd_kafka_assign(rk, nullptr);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    done->set_value();
  }).detach();
  if (finished.wait_for(limit) != std::future_status::ready) {
    Log(LogLevel::kWarn, "the Kafka client did not shut down within " +
                             std::to_string(limit.count()) +
                             " s (a broker that does not answer, or librdkafka 2.0.2 hanging "
                             "after a topic is deleted); leaving it behind");
  }
}

// The answers for `partitions`, in that order; -1 for one not answered.
std::vector<int64_t> InRequestOrder(const std::vector<int32_t>& partitions,
                                    const std::map<int32_t, int64_t>& found) {
  std::vector<int64_t> out;
  for (int32_t p : partitions) {
    auto it = found.find(p);
    out.push_back(it == found.end() ? -1 : it->second);
  }
  return out;
}

}  // namespace

bool IsFatalConsumerError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
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

bool IsMissingTopicError(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

namespace {
// True when OpenSSL's text in `detail` says a certificate was refused: the
// client could not verify the broker's ("certificate verify failed"), or the
// broker sent an alert about the client's ("tlsv13 alert certificate
// required", "ssl/tls alert bad certificate", "tlsv1 alert unknown ca",
// "... access denied"). Other TLS failures, such as "unexpected eof while
// reading" when a broker restarts, are a dropped connection, retried.
bool IsCertificateRefusal(const std::string& detail) {
  auto has = [&](const char* text) { return detail.find(text) != std::string::npos; };
  if (has("certificate verify failed")) return true;
  return has(" alert ") && (has("certificate") || has("unknown ca") || has("access denied"));
}

std::string TlsAuthenticationFailed(const std::string& detail) {
  return "TLS authentication failed: " + detail +
         "; check ssl.ca.location (the CA that signed the broker's certificate) and, when the "
         "broker asks for a client certificate, ssl.certificate.location and ssl.key.location "
         "(a certificate the broker's CA signed)";
}
}  // namespace

std::string DescribeAccessError(rd_kafka_resp_err_t err, const std::string& topic,
                                const std::string& group, const std::string& detail) {
  const std::string code = std::string(" (") + rd_kafka_err2name(err) + ": " + detail + ")";
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return "not authorized to read topic '" + topic + "'" + code +
             "; grant this client's principal READ and DESCRIBE on the topic";
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
      return "not authorized to use consumer group '" + group + "' for topic '" + topic + "'" +
             code + "; grant this client's principal READ on the group, or set group_id";
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return "not authorized by the cluster to read topic '" + topic + "'" + code +
             "; check the ACLs of this client's principal";
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return "SASL authentication failed: " + detail +
             "; check sasl.mechanism, sasl.username and the password or token";
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
      // Under TLS 1.3 the broker refuses a client certificate after the
      // client has finished its side of the handshake, so the refusal comes
      // as a failed receive (_TRANSPORT), not as a failed handshake (_SSL).
      // Either way only OpenSSL's text tells a refused certificate from a
      // dropped connection.
      return IsCertificateRefusal(detail) ? TlsAuthenticationFailed(detail) : "";
    default:
      return "";
  }
}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Connect(const KafkaSourceConfig& config) {
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(config));
  KARROW_RETURN_NOT_OK(consumer->Create());
  KARROW_RETURN_NOT_OK(consumer->ReadMetadata());
  return consumer;
}

Status KafkaConsumer::Create() {
  RegisterConfigSecrets(config_);
  ConfHandle conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const std::string& key, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      return Status::Invalid(ClientPropertyError("client property ", key, value, err));
    }
    return Status::OK();
  };
  KARROW_RETURN_NOT_OK(set("bootstrap.servers", config_.bootstrap_servers));
  KARROW_RETURN_NOT_OK(set("group.id", config_.EffectiveGroupId()));
  KARROW_RETURN_NOT_OK(set("client.id", "karrow"));
  KARROW_RETURN_NOT_OK(set("enable.auto.commit", "false"));
  KARROW_RETURN_NOT_OK(set("enable.auto.offset.store", "false"));
  // Never move a position silently (docs/semantics.md §5): out of range is an error.
  KARROW_RETURN_NOT_OK(set("auto.offset.reset", "error"));
  KARROW_RETURN_NOT_OK(set("enable.partition.eof", "true"));
  KARROW_RETURN_NOT_OK(
      set("isolation.level", config_.read_committed ? "read_committed" : "read_uncommitted"));
  // Prefetch sizing, overridable through client_configs. librdkafka 2.0.2
  // stops fetching once the prefetch queue (one queue here: every partition
  // forwards into it) passes either threshold, and FetchWaker gets it going
  // again. Both bound memory: the byte bound counts only keys and values,
  // and each queued message costs librdkafka a few hundred bytes more (its
  // message and op structures), so with 11-byte values a queue bounded by
  // bytes alone held 1.5 million messages and over 500 MB. 100000 messages
  // (librdkafka's own default) is some 40 MB of that; the byte bound takes
  // over for values above ~160 bytes. The thresholds are checked before a
  // fetch, and a whole response is queued at once, so a response adds up to
  // fetch.max.bytes on top: librdkafka would make that the byte bound, 16
  // MiB, or some 800000 small records (with 100000 and 8 partitions of
  // 11-byte values behind a slow reader, as bench/memory reads them: 156 MiB
  // peak; with 4 MiB: 92 MiB, and as fast: bench/MEMORY.md). With
  // the waker, a 16 MiB queue reads as fast as librdkafka's 64 MiB default
  // (bench/RESULTS.md) in a quarter of the memory.
  KARROW_RETURN_NOT_OK(set("queued.min.messages", std::to_string(kQueueMaxMessages)));
  KARROW_RETURN_NOT_OK(set("queued.max.messages.kbytes", "16384"));
  KARROW_RETURN_NOT_OK(set("fetch.max.bytes", std::to_string(kFetchMaxBytes)));
  for (const auto& [key, value] : config_.client_configs) KARROW_RETURN_NOT_OK(set(key, value));
  auto get = [&](const char* key) -> int64_t {
    char value[64];
    size_t size = sizeof(value);
    if (rd_kafka_conf_get(conf.get(), key, value, &size) != RD_KAFKA_CONF_OK) return 0;
    return std::strtoll(value, nullptr, 10);
  };
  queue_max_messages_ = get("queued.min.messages");
  queue_max_bytes_ = get("queued.max.messages.kbytes") * 1024;
  auto debug = config_.client_configs.find("debug");
  const bool debugging = debug != config_.client_configs.end() && !debug->second.empty();
  rd_kafka_conf_set_log_cb(conf.get(), debugging ? LogFromLibrdkafkaDebugging : LogFromLibrdkafka);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaConsumer::OnClientError);
  rd_kafka_conf_set_stats_cb(conf.get(), &KafkaConsumer::OnStatistics);
  rd_kafka_conf_set_opaque(conf.get(), this);

  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (handle == nullptr)
    return Status::Invalid(std::string("cannot create the Kafka consumer: ") + err);
  conf.release();  // rd_kafka_new took it
  rk_.reset(handle);
  // Route client errors and logs to the consumer queue, where the source sees them.
  rd_kafka_poll_set_consumer(rk_.get());
  return Status::OK();
}

Status KafkaConsumer::ReadMetadata() {
  TopicHandle topic(rd_kafka_topic_new(rk_.get(), config_.topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
  // Asked in rounds: a refused login shows here only as a timeout or a
  // transport failure, and the client's errors, served by reading the queue
  // between rounds, say what it was, so that it fails soon after the refusal
  // instead of after connect_timeout_ms. Each round is twice as long as the
  // last, so that a slow broker still gets the time to answer.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.connect_timeout_ms);
  int64_t round_ms = 250;
  while (true) {
    const int64_t left = std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now())
                             .count();
    const int64_t round = std::clamp<int64_t>(left, 1, round_ms);
    round_ms *= 2;
    const auto round_start = std::chrono::steady_clock::now();
    e = rd_kafka_metadata(rk_.get(), 0, topic.get(), &raw, static_cast<int>(round));
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    // An answer that failed at once (no broker up) must not make this spin.
    if (std::chrono::steady_clock::now() - round_start < std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    while (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 0))
      rd_kafka_message_destroy(m);
    for (const ClientError& error : TakeClientErrors()) {
      std::string access =
          DescribeAccessError(error.code, config_.topic, config_.EffectiveGroupId(), error.reason);
      if (!access.empty()) return Status::Kafka(access);
    }
    if (left <= round) break;
  }
  MetadataHandle metadata(raw);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Timeout("could not get metadata for topic '" + config_.topic + "' from " +
                           config_.bootstrap_servers + " within " +
                           std::to_string(config_.connect_timeout_ms) + " ms (" +
                           rd_kafka_err2str(e) +
                           "); check bootstrap_servers and that the brokers are up and reachable");
  }
  if (metadata->topic_cnt != 1) return Status::Internal("metadata answer lists no topic");
  const rd_kafka_metadata_topic_t& t = metadata->topics[0];
  if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || (t.err == 0 && t.partition_cnt == 0)) {
    return Status::NotFound("topic '" + config_.topic + "' does not exist on " +
                            config_.bootstrap_servers + "; create it or check the name");
  }
  if (std::string access = DescribeAccessError(t.err, config_.topic, config_.EffectiveGroupId(),
                                               rd_kafka_err2str(t.err));
      !access.empty()) {
    return Status::Kafka(access);
  }
  if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka("topic '" + config_.topic + "': " + rd_kafka_err2str(t.err));
  }
  topic_partitions_ = t.partition_cnt;
  return Status::OK();
}

namespace {
// Client errors kept between two reads of the queue; a client failing over
// and over says nothing new past these.
constexpr size_t kMaxClientErrors = 64;
}  // namespace

void KafkaConsumer::OnClientError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  std::lock_guard<std::mutex> lock(self->client_errors_mu_);
  if (self->client_errors_.size() < kMaxClientErrors) {
    self->client_errors_.push_back({static_cast<rd_kafka_resp_err_t>(err), reason});
  }
}

// librdkafka's statistics (statistics.interval.ms) are a large JSON
// document; only each known broker's average round-trip time is kept.
int KafkaConsumer::OnStatistics(rd_kafka_t*, char* json, size_t size, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  simdjson::dom::parser parser;
  simdjson::dom::object brokers;
  if (parser.parse(json, size).get_object()["brokers"].get(brokers) != simdjson::SUCCESS) return 0;
  std::vector<std::pair<std::string, int64_t>> round_trips;
  for (auto [key, broker] : brokers) {
    int64_t node = -1, average = 0;
    std::string_view name, source;
    // Bootstrap entries (node -1) and logical ones (the group coordinator)
    // stand for no broker of their own.
    if (broker["nodeid"].get(node) != simdjson::SUCCESS || node < 0) continue;
    if (broker["source"].get(source) == simdjson::SUCCESS && source == "logical") continue;
    if (broker["name"].get(name) != simdjson::SUCCESS) continue;
    if (broker["rtt"]["avg"].get(average) != simdjson::SUCCESS) continue;
    round_trips.emplace_back(std::string(name), average);
  }
  std::lock_guard<std::mutex> lock(self->statistics_mu_);
  self->broker_round_trips_ = std::move(round_trips);
  return 0;  // librdkafka frees the text
}

std::vector<std::pair<std::string, int64_t>> KafkaConsumer::BrokerRoundTrips() const {
  std::lock_guard<std::mutex> lock(statistics_mu_);
  return broker_round_trips_;
}

std::vector<KafkaConsumer::ClientError> KafkaConsumer::TakeClientErrors() {
  std::lock_guard<std::mutex> lock(client_errors_mu_);
  return std::exchange(client_errors_, {});
}

KafkaConsumer::~KafkaConsumer() {
  if (!rk_) return;
  queue_.reset();
  CloseWithDeadline(rk_.release(), std::chrono::seconds(5));
}

// Asks the partition leaders, in one round, for an offset per partition.
Result<std::vector<int64_t>> KafkaConsumer::ListOffsets(const std::vector<int32_t>& partitions,
                                                        const std::vector<int64_t>& timestamps) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (size_t i = 0; i < partitions.size(); ++i) {
    rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), partitions[i])->offset =
        timestamps[i];
  }
  rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk_.get(), list.get(),
                                                     static_cast<int>(config_.connect_timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka("could not look up offsets of topic '" + config_.topic +
                         "': " + rd_kafka_err2str(e));
  }
  std::map<int32_t, int64_t> found;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Kafka("could not look up offsets of topic '" + config_.topic + "' partition " +
                           std::to_string(tp.partition) + ": " + rd_kafka_err2str(tp.err));
    }
    found[tp.partition] = tp.offset;
  }
  return InRequestOrder(partitions, found);
}

Result<std::vector<int64_t>> KafkaConsumer::Committed(const std::vector<int32_t>& partitions) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions)
    rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), p);
  rd_kafka_resp_err_t e =
      rd_kafka_committed(rk_.get(), list.get(), static_cast<int>(config_.connect_timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka("could not read the committed offsets of group '" +
                         config_.EffectiveGroupId() + "': " + rd_kafka_err2str(e));
  }
  std::map<int32_t, int64_t> found;
  for (int i = 0; i < list->cnt; ++i) found[list->elems[i].partition] = list->elems[i].offset;
  return InRequestOrder(partitions, found);
}

Status KafkaConsumer::Assign(const std::vector<PartitionPosition>& positions) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const PartitionPosition& pos : positions) {
    if (pos.finished) continue;  // a bounded run already past its stop offset
    rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), pos.partition)->offset =
        pos.next_offset == kOffsetBeginning ? RD_KAFKA_OFFSET_BEGINNING : pos.next_offset;
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(rk_.get(), list.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Kafka(std::string("could not assign partitions: ") + rd_kafka_err2str(e));
  }
  queue_.reset(rd_kafka_queue_get_consumer(rk_.get()));
  return Status::OK();
}

Status KafkaConsumer::AssignAdded(const std::vector<int32_t>& partitions) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (ErrorHandle error(rd_kafka_incremental_assign(rk_.get(), list.get())); error) {
    return Status::Kafka("could not start reading the partitions added to topic '" + config_.topic +
                         "': " + rd_kafka_error_string(error.get()));
  }
  return Status::OK();
}

void KafkaConsumer::Pause(int32_t partition) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), partition);
  rd_kafka_pause_partitions(rk_.get(), list.get());
}

Status KafkaConsumer::Restart(int32_t partition, int64_t offset) {
  // After an out-of-range error librdkafka 2.0.2 has stopped fetching the
  // partition, and a seek in that state fails; assigning it again restarts
  // the fetcher at the new offset. Other partitions keep their fetchers.
  PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), config_.topic.c_str(), partition)->offset = offset;
  ErrorHandle error(rd_kafka_incremental_unassign(rk_.get(), list.get()));
  if (!error) error.reset(rd_kafka_incremental_assign(rk_.get(), list.get()));
  if (error) return Status::Kafka(rd_kafka_error_string(error.get()));
  return Status::OK();
}

Status KafkaConsumer::QueryRange(int32_t partition, int64_t* low, int64_t* high) {
  rd_kafka_resp_err_t e =
      rd_kafka_query_watermark_offsets(rk_.get(), config_.topic.c_str(), partition, low, high,
                                       static_cast<int>(config_.connect_timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Kafka(rd_kafka_err2str(e));
  return Status::OK();
}

int64_t KafkaConsumer::CachedHighWatermark(int32_t partition) const {
  int64_t low = -1, high = -1;
  if (rd_kafka_get_watermark_offsets(rk_.get(), config_.topic.c_str(), partition, &low, &high) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return -1;
  }
  return high;
}

}  // namespace karrow
