// native_fetch: the phase-1 prototype of a native Kafka reader (no
// librdkafka), behind the benchmark only. One PLAINTEXT connection speaks
// ApiVersions, Metadata, ListOffsets and Fetch v4 itself; each fetch
// response's RecordBatch v2 bytes are parsed in place (CRC32C checked) and
// every record goes straight into karrow's RowAssembler (the value decoder
// and metadata columns karrow's KafkaSource uses), with no object per
// message and no thread between the socket and the builders. The next Fetch
// is sent before the current response is parsed, so the broker works while
// this process decodes.
//
//   native_fetch --bootstrap HOST:PORT --topic NAME [-p key=value]...
//                [--seconds S] [--partition-max-bytes N] [--no-pipeline]
//   native_fetch --bootstrap HOST:PORT --topic NAME --verify
//
// -p takes KafkaSourceConfig properties as karrow_e2e does (format=raw_string,
// metadata_fields=...). A pass reads every partition from its start to its
// end offsets read when the pass starts (karrow's stop_at_end), dropping each
// batch of batch_size rows; with --seconds, passes (a new connection each)
// repeat until S seconds are on the clock. The clock starts after the
// offsets are looked up, as the other contenders' do. Prints one JSON line
// (measurement.h).
//
// --verify reads the topic once natively, with the key, offset, partition
// and timestamp columns, and once with librdkafka, and compares per
// partition: the count, the first and last offset, that offsets ascend, and
// a digest of every (offset, key, value, timestamp, headers) taken from the
// finished Arrow columns. Exits 1 on any difference.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/malloc_tuning.h"
#include "crc32c.h"
#include "formats/value_decoder.h"
#include "kafka/rdkafka_handles.h"
#include "kafka/row_assembler.h"
#include "kafka_client.h"
#include "karrow/kafka_source_config.h"
#include "measurement.h"
#include "record_batch.h"

namespace karrow::native {
namespace {

using bench::Measurement;

constexpr int kMaxStalledFetches = 100;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "native_fetch: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const std::string& what) {
  if (!r.ok()) Fail(what + ": " + r.status().ToString());
  return std::move(*r);
}
void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Fail(what + ": " + s.ToString());
}

struct Options {
  std::string bootstrap;
  std::string topic;
  std::vector<std::pair<std::string, std::string>> properties;
  double seconds = 0;
  bool verify = false;
  bool pipeline = true;
  FetchLimits limits;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--verify") {
      o.verify = true;
      continue;
    }
    if (arg == "--no-pipeline") {
      o.pipeline = false;
      continue;
    }
    if (i + 1 >= argc) Fail("missing value after " + arg);
    std::string value = argv[++i];
    if (arg == "--bootstrap") {
      o.bootstrap = value;
    } else if (arg == "--topic") {
      o.topic = value;
    } else if (arg == "-p") {
      size_t eq = value.find('=');
      if (eq == std::string::npos) Fail("-p wants key=value, got " + value);
      o.properties.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (arg == "--seconds") {
      o.seconds = std::atof(value.c_str());
    } else if (arg == "--partition-max-bytes") {
      o.limits.partition_max_bytes = std::atoi(value.c_str());
    } else {
      Fail("unknown option " + arg);
    }
  }
  if (o.bootstrap.empty() || o.topic.empty() || o.limits.partition_max_bytes < 1) {
    Fail(
        "usage: native_fetch --bootstrap HOST:PORT --topic NAME [-p key=value]... "
        "[--seconds S] [--partition-max-bytes N] [--no-pipeline] [--verify]");
  }
  return o;
}

KafkaSourceConfig MakeConfig(const Options& o,
                             std::vector<std::pair<std::string, std::string>> extra = {}) {
  auto properties = o.properties;
  properties.emplace_back("bootstrap_servers", o.bootstrap);
  properties.emplace_back("topic", o.topic);
  for (auto& kv : extra) properties.push_back(std::move(kv));
  return Check(KafkaSourceConfig::FromProperties(properties), "configuration");
}

// A connection to the leader of every partition, with each partition's
// start and end offsets. The prototype reads from one broker: a topic led by
// several is refused.
struct Plan {
  std::unique_ptr<Connection> connection;
  std::vector<int32_t> partitions;
  std::vector<int64_t> starts, ends;
};

Plan Prepare(const Options& o) {
  Plan plan;
  std::unique_ptr<Connection> c = Check(Connection::Open(o.bootstrap), "connect");
  auto versions = Check(ApiVersions(c.get()), "ApiVersions");
  auto speaks = [&](int16_t key, int16_t version, const char* name) {
    auto it = versions.find(key);
    if (it == versions.end() || version < it->second.first || version > it->second.second) {
      Fail(std::string("the broker at ") + o.bootstrap + " does not speak " + name + " v" +
           std::to_string(version));
    }
  };
  speaks(1, 4, "Fetch");
  speaks(2, 2, "ListOffsets");
  speaks(3, 1, "Metadata");
  TopicMetadata md = Check(Metadata(c.get(), o.topic), "Metadata");
  int32_t leader = md.partitions.front().leader;
  for (const PartitionInfo& p : md.partitions) {
    if (p.leader != leader || p.leader < 0) {
      Fail("topic '" + o.topic + "' partition " + std::to_string(p.partition) +
           " is not led by broker " + std::to_string(leader) +
           ": the phase-1 prototype reads from one broker");
    }
    plan.partitions.push_back(p.partition);
  }
  std::sort(plan.partitions.begin(), plan.partitions.end());
  auto host = md.brokers.find(leader);
  if (host == md.brokers.end())
    Fail("Metadata names no address for broker " + std::to_string(leader));
  if (host->second != o.bootstrap) c = Check(Connection::Open(host->second), "connect to leader");
  plan.starts = Check(ListOffsets(c.get(), o.topic, plan.partitions, -2), "ListOffsets (start)");
  plan.ends = Check(ListOffsets(c.get(), o.topic, plan.partitions, -1), "ListOffsets (end)");
  plan.connection = std::move(c);
  return plan;
}

struct PassStats {
  int64_t messages = 0;
  int64_t value_bytes = 0;
  int64_t fetches = 0;
  ParseStats parse;
};

// One pass: every partition from its start to its end. `on_batch` gets each
// finished RecordBatch (every batch_size rows, and the rest at the end) and
// returns false to stop the pass early.
template <typename OnBatch>
PassStats ReadPass(const Options& o, const KafkaSourceConfig& config, Measurement* measurement,
                   OnBatch&& on_batch) {
  Plan plan = Prepare(o);
  Connection* c = plan.connection.get();
  std::unique_ptr<ValueDecoder> decoder =
      Check(MakeValueDecoder(config.value_format, config.topic), "value decoder");
  std::unique_ptr<RowAssembler> rows =
      Check(RowAssembler::Make(config, std::move(decoder)), "row assembler");
  const bool want_headers = rows->wants_headers();
  std::map<int32_t, size_t> index;
  std::vector<int64_t> next = plan.starts;
  for (size_t i = 0; i < plan.partitions.size(); ++i) index[plan.partitions[i]] = i;
  auto unfinished = [&] {
    std::vector<FetchPartition> out;
    for (size_t i = 0; i < plan.partitions.size(); ++i) {
      if (next[i] < plan.ends[i]) out.push_back({plan.partitions[i], next[i]});
    }
    return out;
  };
  PassStats stats;
  Frame frame;
  std::vector<FetchedPartition> fetched;
  std::vector<RecordHeader> headers;
  std::vector<int64_t> from(plan.partitions.size());
  std::string error;
  bool stop = false;
  int stalled = 0;  // fetches in a row that moved no partition forward
  auto finish = [&] {
    RecordBatch batch = Check(rows->FinishRows(), "finish a batch");
    if (!on_batch(std::move(batch))) stop = true;
  };
  auto append = [&](const KafkaRecord& r) {
    Status st = rows->Append(r);
    if (!st.ok()) Fail("topic '" + o.topic + "': " + st.ToString());
    ++stats.messages;
    stats.value_bytes += static_cast<int64_t>(r.value_size);
    if (rows->num_rows() >= config.batch_size) finish();
    return !stop;
  };

  measurement->Resume();
  std::vector<FetchPartition> wanted = unfinished();
  int32_t in_flight = -1;
  if (!wanted.empty()) in_flight = Check(SendFetch(c, o.topic, wanted, o.limits), "Fetch");
  while (in_flight >= 0 && !stop) {
    Check(c->Receive(in_flight, &frame), "Fetch");
    in_flight = -1;
    ++stats.fetches;
    Check(ParseFetchResponse(frame, o.topic, &fetched), "Fetch from " + c->where());
    // Where the next fetch starts needs only the batch headers; the records
    // are parsed after it is on its way.
    for (const FetchedPartition& f : fetched) {
      auto it = index.find(f.partition);
      if (it == index.end())
        Fail("Fetch response for unasked partition " + std::to_string(f.partition));
      if (f.error != 0) {
        Fail("Fetch of topic '" + o.topic + "' partition " + std::to_string(f.partition) +
             ": error " + std::to_string(f.error));
      }
      from[it->second] = next[it->second];
      next[it->second] = NextOffset(f.records, f.records_end, next[it->second]);
      if (next[it->second] > from[it->second]) stalled = 0;
    }
    // Every offset asked for is below the end read at the start, so the
    // broker has records for it: fetches that keep bringing no whole batch
    // mean a broker (or a parser) that will never move on.
    if (++stalled > kMaxStalledFetches) {
      Fail("topic '" + o.topic + "': " + std::to_string(kMaxStalledFetches) +
           " fetches in a row from " + c->where() + " moved no partition forward");
    }
    wanted = unfinished();
    if (o.pipeline && !wanted.empty()) {
      in_flight = Check(SendFetch(c, o.topic, wanted, o.limits), "Fetch");
    }
    for (const FetchedPartition& f : fetched) {
      if (f.records == nullptr || stop) continue;
      size_t i = index[f.partition];
      if (!ParseBatches(f.records, f.records_end, f.partition, from[i], plan.ends[i], want_headers,
                        &headers, &stats.parse, &error, append) &&
          !stop) {
        Fail("topic '" + o.topic + "' " + error);
      }
    }
    if (!o.pipeline && !wanted.empty() && !stop) {
      in_flight = Check(SendFetch(c, o.topic, wanted, o.limits), "Fetch");
    }
  }
  if (!stop && rows->num_rows() > 0) finish();
  measurement->Pause();
  return stats;
}

int Run(const Options& o) {
  KafkaSourceConfig config = MakeConfig(o);
  Measurement measurement;
  bool time_up = false;
  PassStats total;
  int64_t rows = 0, batches = 0;
  while (!time_up) {
    PassStats s = ReadPass(o, config, &measurement, [&](RecordBatch batch) {
      rows += batch.num_rows();
      ++batches;
      measurement.Handed(batch.num_rows());
      time_up = o.seconds > 0 && measurement.Elapsed() >= o.seconds;
      return !time_up;
    });
    measurement.Count(s.messages, s.value_bytes);
    total.fetches += s.fetches;
    total.parse.batches += s.parse.batches;
    total.parse.tombstones += s.parse.tombstones;
    if (o.seconds <= 0) break;
  }
  measurement.Print("native", "\"rows\": " + std::to_string(rows) +
                                  ", \"batches\": " + std::to_string(batches) +
                                  ", \"fetches\": " + std::to_string(total.fetches) +
                                  ", \"record_batches\": " + std::to_string(total.parse.batches) +
                                  ", \"pipeline\": " + (o.pipeline ? "true" : "false"));
  return 0;
}

// --- --verify -------------------------------------------------------------------------

// What is compared of one partition.
struct Digest {
  int64_t count = 0;
  int64_t first = -1;
  int64_t last = -1;
  bool ascending = true;
  uint64_t sum = 0;  // of each record's hash: independent of how batches split

  void Add(int64_t offset, const void* key, size_t key_size, const void* value, size_t value_size,
           int64_t timestamp_ms, uint64_t headers_hash) {
    if (count > 0 && offset <= last) ascending = false;
    if (count == 0) first = offset;
    last = offset;
    ++count;
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const void* data, size_t n) {
      const auto* p = static_cast<const uint8_t*>(data);
      for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(&offset, 8);
    int64_t k = key ? static_cast<int64_t>(key_size) : -1;
    mix(&k, 8);
    if (key) mix(key, key_size);
    mix(&value_size, sizeof(value_size));
    mix(value, value_size);
    mix(&timestamp_ms, 8);
    mix(&headers_hash, 8);
    sum += h;
  }
  bool operator==(const Digest& d) const {
    return count == d.count && first == d.first && last == d.last && ascending && d.ascending &&
           sum == d.sum;
  }
  std::string ToString() const {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%lld records, offsets %lld..%lld%s, digest %016llx",
                  static_cast<long long>(count), static_cast<long long>(first),
                  static_cast<long long>(last), ascending ? "" : " (NOT ascending)",
                  static_cast<unsigned long long>(sum));
    return buf;
  }
};

// The headers of one record, in order: (key, value or null) each.
class HeadersHash {
 public:
  void Add(std::string_view key, const void* value, size_t size) {
    Mix(key.data(), key.size());
    int64_t n = value ? static_cast<int64_t>(size) : -1;
    Mix(&n, 8);
    if (value) Mix(value, size);
  }
  uint64_t value() const { return h_; }

 private:
  void Mix(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
    h_ = (h_ ^ n) * 1099511628211ull;
  }
  uint64_t h_ = 1469598103934665603ull;
};

std::map<int32_t, Digest> NativeDigests(Options o) {
  // Every value as raw bytes, whatever the workload's format (the decoders
  // are karrow's own, tested on their own): the value, then the key, offset,
  // partition, timestamp and headers columns, then _timestamp.
  o.properties = {{"format", "raw_bytes"}};
  KafkaSourceConfig config =
      MakeConfig(o, {{"metadata_fields", "key,offset_id,partition,timestamp,headers"}});
  std::map<int32_t, Digest> out;
  Measurement unused;
  ReadPass(o, config, &unused, [&](RecordBatch batch) {
    const ArrayData& value = *batch.column(0);
    const ArrayData& key = *batch.column(1);
    const ArrayData& offset = *batch.column(2);
    const ArrayData& partition = *batch.column(3);
    const ArrayData& timestamp = *batch.column(4);
    const ArrayData& headers = *batch.column(5);
    const ArrayData& header_key = *headers.children[0]->children[0];
    const ArrayData& header_value = *headers.children[0]->children[1];
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      std::string_view v = value.View(i);
      std::string_view k = key.IsValid(i) ? key.View(i) : std::string_view();
      HeadersHash hh;
      auto [begin, end] = headers.ListRange(i);
      for (int32_t j = begin; j < end; ++j) {
        std::string_view hv = header_value.IsValid(j) ? header_value.View(j) : std::string_view();
        hh.Add(header_key.View(j), header_value.IsValid(j) ? hv.data() : nullptr, hv.size());
      }
      out[partition.Value<int32_t>(i)].Add(offset.Value<int64_t>(i),
                                           key.IsValid(i) ? k.data() : nullptr, k.size(), v.data(),
                                           v.size(), timestamp.Value<int64_t>(i), hh.value());
    }
    return true;
  });
  return out;
}

std::map<int32_t, Digest> LibrdkafkaDigests(const Options& o) {
  Plan plan = Prepare(o);  // the same end offsets the native pass read up to
  ConfHandle conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const char* key, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), key, value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK)
      Fail(std::string(key) + ": " + err);
  };
  set("bootstrap.servers", o.bootstrap);
  set("group.id", "karrow-verify-" + o.topic);
  set("enable.auto.commit", "false");
  set("enable.partition.eof", "true");
  set("isolation.level", "read_committed");
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (raw == nullptr) Fail(std::string("librdkafka consumer: ") + err);
  conf.release();
  KafkaHandle rk(raw);
  rd_kafka_poll_set_consumer(rk.get());
  PartitionListHandle assignment(rd_kafka_topic_partition_list_new(1));
  std::map<int32_t, int64_t> ends;
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    if (plan.ends[i] <= plan.starts[i]) continue;
    ends[plan.partitions[i]] = plan.ends[i];
    rd_kafka_topic_partition_list_add(assignment.get(), o.topic.c_str(), plan.partitions[i])
        ->offset = plan.starts[i];
  }
  if (rd_kafka_assign(rk.get(), assignment.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) Fail("assign");
  std::map<int32_t, Digest> out;
  size_t finished = 0;
  std::map<int32_t, bool> done;
  while (finished < ends.size()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 10000);
    if (m == nullptr) Fail("librdkafka read nothing for 10 s");
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && !done[m->partition] &&
        m->offset < ends[m->partition]) {
      if (m->payload != nullptr) {
        HeadersHash hh;
        rd_kafka_headers_t* headers = nullptr;
        if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name;
          const void* value;
          size_t size;
          for (size_t j = 0; rd_kafka_header_get_all(headers, j, &name, &value, &size) ==
                             RD_KAFKA_RESP_ERR_NO_ERROR;
               ++j) {
            hh.Add(name, value, size);
          }
        }
        out[m->partition].Add(m->offset, m->key, m->key_len, m->payload, m->len,
                              rd_kafka_message_timestamp(m, nullptr), hh.value());
      }
      if (m->offset + 1 >= ends[m->partition]) {
        done[m->partition] = true;
        ++finished;
      }
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      Fail(std::string("librdkafka: ") + rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(rk.get(), nullptr);
  rd_kafka_consumer_close(rk.get());
  return out;
}

int Verify(const Options& o) {
  // The instruction and the tables must agree before either is trusted.
  std::string sample(100000, '\0');
  for (size_t i = 0; i < sample.size(); ++i) sample[i] = static_cast<char>(i * 131 + 7 + (i >> 9));
  for (size_t n : {0, 1, 7, 8, 9, 61, 767, 768, 769, 1000, 4099, 65536, 99999, 100000}) {
    const auto* p = reinterpret_cast<const uint8_t*>(sample.data());
    if (Crc32c(p, n) != Crc32cPortable(p, n)) Fail("CRC32C: instruction and table disagree");
  }
  // The check value of the CRC-32C catalogue: "123456789" → e3069283.
  if (Crc32cPortable(reinterpret_cast<const uint8_t*>("123456789"), 9) != 0xE3069283u)
    Fail("CRC32C: wrong check value");
  std::map<int32_t, Digest> native = NativeDigests(o);
  std::map<int32_t, Digest> reference = LibrdkafkaDigests(o);
  int64_t messages = 0;
  bool same = native.size() == reference.size();
  for (const auto& [p, d] : reference) {
    auto it = native.find(p);
    bool ok = it != native.end() && it->second == d;
    same &= ok;
    messages += d.count;
    if (!ok) {
      std::fprintf(stderr, "native_fetch: partition %d: librdkafka %s; native %s\n", p,
                   d.ToString().c_str(),
                   it == native.end() ? "nothing" : it->second.ToString().c_str());
    }
  }
  if (messages == 0) {
    std::fprintf(stderr, "native_fetch: topic '%s' has no records to compare\n", o.topic.c_str());
    same = false;
  }
  std::printf(
      "{\"contender\": \"native-verify\", \"same\": %s, \"messages\": %lld, "
      "\"partitions\": %zu}\n",
      same ? "true" : "false", static_cast<long long>(messages), reference.size());
  return same ? 0 : 1;
}

}  // namespace
}  // namespace karrow::native

int main(int argc, char** argv) {
  karrow::HoldMmapThreshold();  // as karrow's executables (and karrow_e2e) do
  karrow::native::Options o = karrow::native::ParseOptions(argc, argv);
  return o.verify ? karrow::native::Verify(o) : karrow::native::Run(o);
}
