// The operator contract (docs/semantics.md) of KafkaSourceOperator against the real
// broker of the test run: control messages in, batches and signals out, in
// the order the runtime relies on. The batches' Arrow data is checked by
// pyarrow in the Python tests; here only their row counts and offsets matter.
#include "karrow/kafka_source_operator.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "kafka/rdkafka_handles.h"
#include "operator/channel.h"
#include "operator/task_metrics.h"

namespace karrow {
namespace {

using std::chrono::milliseconds;

std::string Bootstrap() {
  const char* dir = std::getenv("KARROW_KAFKA_DIR");
  std::ifstream in(std::string(dir ? dir : "") + "/bootstrap");
  std::string address;
  in >> address;
  return address;
}

KafkaHandle NewProducer(const std::string& bootstrap) {
  char err[512];
  ConfHandle conf(rd_kafka_conf_new());
  EXPECT_EQ(rd_kafka_conf_set(conf.get(), "bootstrap.servers", bootstrap.c_str(), err, sizeof(err)),
            RD_KAFKA_CONF_OK);
  EXPECT_EQ(rd_kafka_conf_set(conf.get(), "acks", "all", err, sizeof(err)), RD_KAFKA_CONF_OK);
  KafkaHandle rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), err, sizeof(err)));
  EXPECT_TRUE(rk) << err;
  return rk;
}

// Event times of the test records: record i of partition p (its offset, as
// the tests write them) is stamped kBaseMs + p * 100 s + i s, so every
// expected watermark is an exact number, given as seconds past kBaseMs.
constexpr int64_t kBaseMs = 1'700'000'000'000;
int64_t EventTimeMs(int32_t partition, int64_t offset) {
  return kBaseMs + partition * 100'000 + offset * 1000;
}

// Writes `values` to one partition, in order, waiting for every
// acknowledgement; `first_offset` is the offset the first value gets.
void ProduceTo(rd_kafka_t* rk, const std::string& topic, int32_t partition,
               const std::vector<std::string>& values, int64_t first_offset = 0) {
  int64_t offset = first_offset;
  for (const std::string& value : values) {
    // A new topic's leader may not be known yet: librdkafka retries.
    rd_kafka_resp_err_t e =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_TIMESTAMP(EventTimeMs(partition, offset++)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    EXPECT_EQ(e, RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
}

// Creates a fresh topic and writes `per_partition[p]` records to partition p
// (values "p:i"), waiting for every acknowledgement.
std::string MakeTopic(const std::string& bootstrap, const std::vector<int>& per_partition) {
  static std::mt19937_64 rng(std::random_device{}());
  std::string topic = "operator-test-" + std::to_string(rng() % 1000000000);
  char err[512];
  KafkaHandle rk = NewProducer(bootstrap);

  rd_kafka_NewTopic_t* spec = rd_kafka_NewTopic_new(
      topic.c_str(), static_cast<int>(per_partition.size()), 1, err, sizeof(err));
  QueueHandle results(rd_kafka_queue_new(rk.get()));
  rd_kafka_CreateTopics(rk.get(), &spec, 1, nullptr, results.get());
  EventHandle ev(rd_kafka_queue_poll(results.get(), 30000));
  EXPECT_TRUE(ev);
  EXPECT_EQ(rd_kafka_event_error(ev.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  size_t n = 0;
  const rd_kafka_topic_result_t** created =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(created[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_NewTopic_destroy(spec);

  for (int32_t p = 0; p < static_cast<int32_t>(per_partition.size()); ++p) {
    std::vector<std::string> values;
    for (int i = 0; i < per_partition[p]; ++i)
      values.push_back(std::to_string(p) + ":" + std::to_string(i));
    ProduceTo(rk.get(), topic, p, values);
  }
  return topic;
}

// What the operator sent, in order: "rows N", "barrier E", "watermark S"
// (S: seconds past kBaseMs), "idle", "stop", "end"; and the offsets of the
// dead letters of each epoch.
bool IsWatermark(const std::string& e) { return e.rfind("watermark ", 0) == 0; }

class RecordingCollector : public SourceCollector {
 public:
  Status Collect(RecordBatch batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    rows_ += batch.num_rows();
    pending_rows_ += batch.num_rows();
    changed_.notify_all();
    return Status::OK();
  }
  Status CollectDeadLetters(RecordBatch batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    const int offset_column = batch.schema()->IndexOf("offset");
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      dead_letters_since_barrier_.push_back(batch.column(offset_column)->Value<int64_t>(i));
    }
    dead_letters_ += batch.num_rows();
    changed_.notify_all();
    return Status::OK();
  }
  Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_rows_ > 0) events_.push_back("rows " + std::to_string(pending_rows_));
    pending_rows_ = 0;
    return Status::OK();
  }

  /// Waits until `done(events, rows)` holds; false after 20 s.
  template <typename Pred>
  bool WaitFor(Pred done) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return done(events_, rows_); });
  }
  /// Waits until `n` dead letters arrived; false after 20 s.
  bool WaitForDeadLetters(int64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(20), [&] { return dead_letters_ >= n; });
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  /// epoch -> offsets of the dead letters collected before its barrier.
  std::map<int64_t, std::vector<int64_t>> dead_letters_by_epoch() {
    std::lock_guard<std::mutex> lock(mu_);
    return dead_letters_by_epoch_;
  }

 protected:
  Status Deliver(const Signal& s) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (const auto* b = std::get_if<signal::Barrier>(&s)) {
      events_.push_back("barrier " + std::to_string(b->epoch));
      dead_letters_by_epoch_[b->epoch] = std::move(dead_letters_since_barrier_);
      dead_letters_since_barrier_.clear();
    } else if (const auto* wm = std::get_if<signal::Watermark>(&s)) {
      // Consecutive watermarks fold into the newest: how far one poll reads
      // (and so the steps a watermark takes) is up to the broker's pace,
      // where it ends is not. The end of time (a kFinal finish) never folds:
      // it is an event of its own.
      const bool end_of_time = wm->event_time_ns == signal::Watermark::kEndOfTime;
      std::string name =
          wm->idle ? "idle"
          : end_of_time
              ? "watermark +inf"
              : "watermark " + std::to_string((wm->event_time_ns / 1'000'000 - kBaseMs) / 1000);
      bool folds = !end_of_time && !events_.empty() &&
                   (wm->idle ? events_.back() == "idle" : IsWatermark(events_.back()));
      if (folds) {
        events_.back() = name;
      } else {
        events_.push_back(name);
      }
    } else if (std::holds_alternative<signal::Stop>(s)) {
      events_.push_back("stop");
    } else {
      events_.push_back("end");
    }
    changed_.notify_all();
    return Status::OK();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
  int64_t rows_ = 0;
  int64_t pending_rows_ = 0;
  int64_t dead_letters_ = 0;
  std::vector<int64_t> dead_letters_since_barrier_;
  std::map<int64_t, std::vector<int64_t>> dead_letters_by_epoch_;
};

bool Has(const std::vector<std::string>& events, const std::string& e) {
  return std::find(events.begin(), events.end(), e) != events.end();
}

// The events without watermarks; checked apart (Watermarks), since where
// a watermark falls among the other events depends on the broker's pace.
std::vector<std::string> WithoutWatermarks(const std::vector<std::string>& events) {
  std::vector<std::string> out;
  for (const std::string& e : events) {
    if (!IsWatermark(e) && e != "idle") out.push_back(e);
  }
  return out;
}

// Just the watermarks, in order.
std::vector<std::string> Watermarks(const std::vector<std::string>& events) {
  std::vector<std::string> out;
  for (const std::string& e : events) {
    if (IsWatermark(e) || e == "idle") out.push_back(e);
  }
  return out;
}

// True when `got` is one of `allowed`; for test output.
::testing::AssertionResult OneOf(const std::vector<std::string>& got,
                                 const std::vector<std::vector<std::string>>& allowed) {
  for (const auto& a : allowed) {
    if (got == a) return ::testing::AssertionSuccess();
  }
  std::string text;
  for (const std::string& e : got) text += "[" + e + "] ";
  return ::testing::AssertionFailure() << "watermarks " << text << "are none of the expected";
}

// Every owned partition was read to its end and went quiet.
bool AllIdle(const std::vector<std::string>& events, int64_t) { return Has(events, "idle"); }

// One task of the operator, run on its own thread as the runtime runs it.
class OperatorTask {
 public:
  OperatorTask(KafkaSourceConfig config, TaskInfo task, TableEntries restored = {})
      : op_(std::move(config)) {
    ctx_.task = task;
    ctx_.control = &control_;
    ctx_.metrics = &metrics_;
    for (const auto& [name, table] : op_.tables()) ctx_.tables.Add(name, restored);
    finished_ = std::async(std::launch::async, [this]() -> Result<SourceFinishType> {
      KARROW_RETURN_NOT_OK(op_.OnStart(ctx_));
      Result<SourceFinishType> r = op_.Run(ctx_, collector_);
      Status closed = op_.OnClose(ctx_);
      if (r.ok() && !closed.ok()) return closed;
      return r;
    });
  }
  ~OperatorTask() {
    control_.Close();
    if (finished_.valid()) finished_.wait();
  }

  void Send(ControlMessage m) { control_.Send(std::move(m)); }
  ControlChannel& control() { return control_; }
  RecordingCollector& collector() { return collector_; }
  /// The saved offsets, as the next checkpoint would take them.
  TableEntries Offsets() { return ctx_.tables.Snapshot()["offsets"]; }
  Result<SourceFinishType> Finish(milliseconds wait = milliseconds(20000)) {
    if (finished_.wait_for(wait) != std::future_status::ready) {
      return Status::Timeout("the operator did not finish in time");
    }
    return finished_.get();
  }

 private:
  KafkaSourceOperator op_;
  SourceContext ctx_;
  ControlChannel control_;
  TaskMetrics metrics_;
  RecordingCollector collector_;
  std::future<Result<SourceFinishType>> finished_;
};

KafkaSourceConfig Config(const std::string& topic) {
  KafkaSourceConfig c;
  c.topic = topic;
  c.bootstrap_servers = Bootstrap();
  c.linger_ms = 60000;  // only checkpoints and stops cut batches here
  c.idle_timeout_ms = 200;
  return c;
}

class KafkaSourceOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Bootstrap().empty()) GTEST_SKIP() << "no broker: run through ctest (./scripts/test)";
  }
};

TEST_F(KafkaSourceOperatorTest, Semantics3_BarrierFollowsItsRowsAndSavesEveryPartition) {
  std::string topic = MakeTopic(Bootstrap(), {10, 0, 4});
  OperatorTask task(Config(topic), {0, 1});
  // Rows are held for the linger time, so only the barrier can send them.
  ASSERT_TRUE(task.collector().WaitFor(AllIdle));
  task.Send(control::Checkpoint{1, false});
  ASSERT_TRUE(
      task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "barrier 1"); }));
  EXPECT_EQ(WithoutWatermarks(task.collector().events()),
            (std::vector<std::string>{"rows 14", "barrier 1"}));
  // Partition 1 has no records, so there is no watermark until it is idle;
  // then the minimum of the others' newest (9 s in partition 0, 203 s in
  // partition 2), or the newest of whichever is not idle yet, then idle.
  const std::vector<std::vector<std::string>> kAllowed = {
      {"idle"}, {"watermark 9", "idle"}, {"watermark 203", "idle"}};
  EXPECT_TRUE(OneOf(Watermarks(task.collector().events()), kAllowed));
  // Partition 1 saw no data and is still saved (docs/semantics.md §3).
  EXPECT_EQ(task.Offsets(),
            (TableEntries{{topic + ":0", "10"}, {topic + ":1", "0"}, {topic + ":2", "4"}}));

  task.Send(control::Commit{1});
  task.Send(control::Stop{control::StopMode::kGraceful});
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
  EXPECT_EQ(*finish, SourceFinishType::kGraceful);
  EXPECT_EQ(WithoutWatermarks(task.collector().events()),
            (std::vector<std::string>{"rows 14", "barrier 1", "stop"}));
  EXPECT_TRUE(OneOf(Watermarks(task.collector().events()), kAllowed));
}

TEST_F(KafkaSourceOperatorTest, Semantics2_RestoredOffsetsDecideTheStart) {
  std::string topic = MakeTopic(Bootstrap(), {8, 8});
  KafkaSourceConfig config = Config(topic);
  config.offset_mode = OffsetMode::kLatest;  // what a fresh start would use; the checkpoint wins
  config.stop_at_end = true;
  OperatorTask task(config, {0, 1},
                    {{topic + ":0", "5"}, {topic + ":1", "8"}, {"other-topic:0", "99"}});
  ASSERT_TRUE(task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "end"); }));
  task.Send(control::Checkpoint{1, true});
  task.Send(control::Commit{1});
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
  EXPECT_EQ(*finish, SourceFinishType::kFinal);
  // Offsets 5-7 of partition 0, end of data, then the last barrier.
  EXPECT_EQ(WithoutWatermarks(task.collector().events()),
            (std::vector<std::string>{"rows 3", "end", "barrier 1"}));
  // Partition 1 starts at its end and holds the watermark back until it is
  // idle (200 ms), which the end of the read may come before; partition 0's
  // newest event time is 7 s (offset 7). A final finish ends with the
  // watermark at +infinity, after everything else.
  EXPECT_TRUE(
      OneOf(Watermarks(task.collector().events()), {{"watermark +inf"},
                                                    {"idle", "watermark +inf"},
                                                    {"watermark 7", "watermark +inf"},
                                                    {"watermark 7", "idle", "watermark +inf"}}));
  EXPECT_EQ(task.collector().events().back(), "watermark +inf");
  EXPECT_EQ(task.Offsets(), (TableEntries{{topic + ":0", "8"}, {topic + ":1", "8"}}));
}

TEST_F(KafkaSourceOperatorTest, Semantics1_TaskWithoutPartitionsIsIdleAndAnswersControl) {
  std::string topic = MakeTopic(Bootstrap(), {1, 1});
  OperatorTask task(Config(topic), {3, 4});  // partitions 0 and 1 belong to tasks 0 and 1
  ASSERT_TRUE(task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "idle"); }));
  task.Send(control::NoOp{});
  task.Send(control::LoadCompacted{});
  task.Send(control::Checkpoint{1, false});
  ASSERT_TRUE(
      task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "barrier 1"); }));
  EXPECT_TRUE(task.Offsets().empty());
  task.Send(control::Stop{control::StopMode::kImmediate});
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
  EXPECT_EQ(*finish, SourceFinishType::kImmediate);
  EXPECT_EQ(task.collector().events(), (std::vector<std::string>{"idle", "barrier 1"}));
}

TEST_F(KafkaSourceOperatorTest, ClosedControlChannelEndsTheTaskCleanly) {
  std::string topic = MakeTopic(Bootstrap(), {3});
  OperatorTask task(Config(topic), {0, 1});
  ASSERT_TRUE(task.collector().WaitFor(AllIdle));
  task.control().Close();
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
  EXPECT_EQ(*finish, SourceFinishType::kImmediate);
  // No barrier and no stop: rows read since the last checkpoint are not
  // sent; the watermarks are: the newest event time (offset 2), then idle.
  EXPECT_EQ(task.collector().events(), (std::vector<std::string>{"watermark 2", "idle"}));
}

TEST_F(KafkaSourceOperatorTest, CheckpointThenStopEndsGracefullyAfterItsCommit) {
  std::string topic = MakeTopic(Bootstrap(), {5});
  OperatorTask task(Config(topic), {0, 1});
  ASSERT_TRUE(task.collector().WaitFor(AllIdle));
  task.Send(control::Checkpoint{1, true});
  ASSERT_TRUE(
      task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "barrier 1"); }));
  // Until the checkpoint is complete the task keeps running.
  EXPECT_EQ(task.Finish(milliseconds(500)).status().code(), StatusCode::kTimeout);
  task.Send(control::Commit{1});
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
  EXPECT_EQ(*finish, SourceFinishType::kGraceful);
  // One partition: the watermark is its newest event time (offset 4), and
  // it is idle before the checkpoint is asked for.
  EXPECT_EQ(task.collector().events(),
            (std::vector<std::string>{"watermark 4", "idle", "rows 5", "barrier 1"}));
}

TEST_F(KafkaSourceOperatorTest, Semantics11_BarrierCoversExactlyTheDeadLettersBeforeIt) {
  std::string topic = MakeTopic(Bootstrap(), {0});
  ProduceTo(NewProducer(Bootstrap()).get(), topic, 0, {"good-0", "bad-1\xff", "good-2"});
  KafkaSourceConfig config = Config(topic);
  config.bad_data = BadDataPolicy::kDrop;
  config.dead_letter = true;
  config.batch_size = 2;  // two rows, or two dead letters, are due at once
  OperatorTask task(config, {0, 1});
  // One dead letter is not due: only the barrier can take it along.
  ASSERT_TRUE(task.collector().WaitFor(AllIdle));
  task.Send(control::Checkpoint{1, false});
  ASSERT_TRUE(
      task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "barrier 1"); }));
  EXPECT_EQ(task.Offsets(), (TableEntries{{topic + ":0", "3"}}));

  // Two are due as soon as both are read, before any barrier.
  ProduceTo(NewProducer(Bootstrap()).get(), topic, 0, {"bad-3\xff", "bad-4\xff"}, 3);
  ASSERT_TRUE(task.collector().WaitForDeadLetters(3));
  task.Send(control::Checkpoint{2, false});
  ASSERT_TRUE(
      task.collector().WaitFor([](auto& events, int64_t) { return Has(events, "barrier 2"); }));
  EXPECT_EQ(task.Offsets(), (TableEntries{{topic + ":0", "5"}}));
  EXPECT_EQ(task.collector().dead_letters_by_epoch(),
            (std::map<int64_t, std::vector<int64_t>>{{1, {1}}, {2, {3, 4}}}));
  EXPECT_EQ(WithoutWatermarks(task.collector().events()),
            (std::vector<std::string>{"rows 2", "barrier 1", "barrier 2"}));
  // Dead letters count for the watermark too (their Kafka timestamps).
  // Before barrier 1: perhaps a step or two as rows are cut, then the
  // newest event time, 2 s, then idle. After it, records 3 and 4: 4 s,
  // idle again if the barrier came 200 ms after them.
  std::vector<std::string> events = task.collector().events();
  auto barrier = std::find(events.begin(), events.end(), "barrier 1");
  std::vector<std::string> before = Watermarks({events.begin(), barrier});
  ASSERT_GE(before.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(before.end() - 2, before.end()),
            (std::vector<std::string>{"watermark 2", "idle"}));
  for (size_t i = 0; i + 2 < before.size(); ++i) {
    EXPECT_TRUE(before[i] == "watermark 0" || before[i] == "watermark 1") << before[i];
  }
  EXPECT_TRUE(
      OneOf(Watermarks({barrier, events.end()}), {{"watermark 4"}, {"watermark 4", "idle"}}));

  task.Send(control::Stop{control::StopMode::kImmediate});
  Result<SourceFinishType> finish = task.Finish();
  ASSERT_TRUE(finish.ok()) << finish.status().message();
}

}  // namespace
}  // namespace karrow
