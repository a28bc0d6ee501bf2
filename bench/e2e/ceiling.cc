// The ceiling of the end-to-end benchmark: what librdkafka alone delivers when
// every message is consumed and dropped. It copies src/kafka/kafka_source.cc
// exactly where the cost lies: the same client properties, partitions
// assigned from their beginning on the consumer queue, the same
// rd_kafka_consume_batch_queue calls (at most 1024 messages, never past the
// batch size), and partitions paused as they reach the end offsets read when
// the run starts (stop_at_end). What it leaves out is karrow's own work:
// decoding values into Arrow builders and finishing batches.
//
//   ceiling --bootstrap HOST:PORT --topic NAME [--seconds S] [--batch-size 8192]
//
// Reads the topic from its beginning to its end offsets (read when the pass
// starts), again and again with a new client until S seconds are on the
// clock (stopping at a batch boundary); once without --seconds. Prints one JSON line (see
// measurement.h); "handed" holds the times at which each batch-size group was complete.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kafka/rdkafka_handles.h"
#include "measurement.h"

namespace karrow::bench {
namespace {

// As in kafka_source.cc: the most messages one consume call may return, and
// how long it may block.
constexpr int64_t kMaxFetchPerCall = 1024;
constexpr int kPollMs = 100;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "ceiling: %s\n", what.c_str());
  std::exit(1);
}

void LogErrors(const rd_kafka_t*, int level, const char* facility, const char* message) {
  if (level <= 4) std::fprintf(stderr, "ceiling: librdkafka %s: %s\n", facility, message);
}

struct Options {
  std::string bootstrap;
  std::string topic;
  int64_t batch_size = 8192;
  double seconds = 0;  // read the topic again until this much time; 0: once
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) Fail("missing value after " + arg);
    std::string value = argv[++i];
    if (arg == "--bootstrap") {
      o.bootstrap = value;
    } else if (arg == "--topic") {
      o.topic = value;
    } else if (arg == "--seconds") {
      o.seconds = std::atof(value.c_str());
    } else if (arg == "--batch-size") {
      o.batch_size = std::atoll(value.c_str());
    } else {
      Fail("unknown option " + arg);
    }
  }
  if (o.bootstrap.empty() || o.topic.empty() || o.batch_size < 1) {
    Fail("usage: ceiling --bootstrap HOST:PORT --topic NAME [--seconds S] [--batch-size N]");
  }
  return o;
}

// The consumer karrow's KafkaSource::Impl::Connect() makes, with the defaults
// of KafkaSourceConfig (group "karrow-<topic>", read_committed).
KafkaHandle Connect(const Options& o) {
  ConfHandle conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const char* key, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), key, value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      Fail(std::string(key) + ": " + err);
    }
  };
  set("bootstrap.servers", o.bootstrap);
  set("group.id", "karrow-" + o.topic);
  set("client.id", "karrow");
  set("enable.auto.commit", "false");
  set("enable.auto.offset.store", "false");
  set("auto.offset.reset", "error");
  set("enable.partition.eof", "true");
  set("isolation.level", "read_committed");
  set("queued.min.messages", "10000000");
  // karrow bounds its queue tighter, at queued.max.messages.kbytes=16384 and
  // queued.min.messages=100000, which it can afford because its FetchWaker
  // restarts a fetcher stopped at a full queue. The ceiling has no waker, so
  // it keeps librdkafka's 64 MiB and no message bound: a larger queue can
  // only help it.
  rd_kafka_conf_set_log_cb(conf.get(), LogErrors);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof(err));
  if (rk == nullptr) Fail(std::string("cannot create the consumer: ") + err);
  conf.release();  // rd_kafka_new took it
  rd_kafka_poll_set_consumer(rk);
  return KafkaHandle(rk);
}

int32_t PartitionCount(rd_kafka_t* rk, const std::string& topic_name) {
  TopicHandle topic(rd_kafka_topic_new(rk, topic_name.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, topic.get(), &raw, 10000);
  MetadataHandle metadata(raw);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Fail(std::string("metadata: ") + rd_kafka_err2str(e));
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topics[0].partition_cnt == 0) {
    Fail("topic '" + topic_name + "' does not exist");
  }
  return metadata->topics[0].partition_cnt;
}

// Each partition's end, as karrow's stop_at_end reads it (ListOffsets -1).
std::vector<int64_t> EndOffsets(rd_kafka_t* rk, const std::string& topic, int32_t partitions) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(partitions));
  for (int32_t p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = -1;
  rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, list.get(), 10000);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Fail(std::string("end offsets: ") + rd_kafka_err2str(e));
  std::vector<int64_t> ends(static_cast<size_t>(partitions));
  for (int i = 0; i < list->cnt; ++i)
    ends[static_cast<size_t>(list->elems[i].partition)] = list->elems[i].offset;
  return ends;
}

void Pause(rd_kafka_t* rk, const std::string& topic, int32_t partition) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  rd_kafka_pause_partitions(rk, list.get());
}

// Assigns every non-empty partition from its beginning; returns how many
// there are.
int32_t AssignFromBeginning(rd_kafka_t* rk, const std::string& topic,
                            const std::vector<int64_t>& ends) {
  const auto partitions = static_cast<int32_t>(ends.size());
  PartitionListHandle assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int32_t p = 0; p < partitions; ++p) {
    if (ends[static_cast<size_t>(p)] <= 0) continue;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, assignment.get());
      e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Fail(std::string("assign: ") + rd_kafka_err2str(e));
  }
  return assignment->cnt;
}

int Run(const Options& o) {
  Measurement measurement;
  std::vector<rd_kafka_message_t*> messages(kMaxFetchPerCall);
  bool time_up = false;
  while (!time_up) {
    // One pass over the topic, as karrow's stop_at_end reads it, with a new
    // client as karrow_e2e opens a new source (re-assigning partitions to the
    // same client costs librdkafka 2.0.2 about 400 ms before it fetches again).
    KafkaHandle rk = Connect(o);
    const int32_t partitions = PartitionCount(rk.get(), o.topic);
    const std::vector<int64_t> ends = EndOffsets(rk.get(), o.topic, partitions);
    int32_t unfinished = AssignFromBeginning(rk.get(), o.topic, ends);
    QueueHandle queue(rd_kafka_queue_get_consumer(rk.get()));
    if (unfinished == 0) Fail("topic '" + o.topic + "' is empty");
    std::vector<bool> finished(static_cast<size_t>(partitions), false);
    measurement.Resume();
    int64_t count = 0, value_bytes = 0, in_batch = 0;
    while (unfinished > 0 && !time_up) {
      int64_t want = std::min(o.batch_size - in_batch, kMaxFetchPerCall);
      ssize_t n = rd_kafka_consume_batch_queue(queue.get(), kPollMs, messages.data(),
                                               static_cast<size_t>(want));
      if (n < 0) Fail(std::string("consume: ") + rd_kafka_err2str(rd_kafka_last_error()));
      for (ssize_t i = 0; i < n; ++i) {
        rd_kafka_message_t* m = messages[static_cast<size_t>(i)];
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && !finished[static_cast<size_t>(m->partition)]) {
          ++count;
          ++in_batch;
          value_bytes += static_cast<int64_t>(m->len);
          if (m->offset + 1 >= ends[static_cast<size_t>(m->partition)]) {
            finished[static_cast<size_t>(m->partition)] = true;
            --unfinished;
            Pause(rk.get(), o.topic, m->partition);
          }
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
                   m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          Fail(std::string("consume: ") + rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
      }
      if (in_batch == o.batch_size || (unfinished == 0 && in_batch > 0)) {
        measurement.Handed(in_batch);
        in_batch = 0;
        time_up = o.seconds > 0 && measurement.Elapsed() >= o.seconds;
      }
    }
    measurement.Pause();
    measurement.Count(count, value_bytes);
    // As KafkaSource's destructor does.
    queue.reset();
    rd_kafka_assign(rk.get(), nullptr);
    rd_kafka_consumer_close(rk.get());
    if (o.seconds <= 0) break;
  }
  measurement.Print("ceiling", std::string("\"librdkafka\": \"") + rd_kafka_version_str() + "\"");
  return 0;
}

}  // namespace
}  // namespace karrow::bench

int main(int argc, char** argv) {
  return karrow::bench::Run(karrow::bench::ParseOptions(argc, argv));
}
