#include "karrow/runtime.h"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <type_traits>
#include <variant>

#include "common/log.h"
#include "operator/channel.h"
#include "operator/task_metrics.h"
#include "runtime/checkpoint_store.h"
#include "runtime/dir_lock.h"
#include "runtime/file_sink.h"
#include "runtime/files.h"
#include "runtime/text_escape.h"

namespace karrow {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// In the checkpoint folder, and "<kLockFile>-<job>" in the sink folder: two
// files even when the folders are one (a second flock of one file from this
// process would fail).
constexpr const char* kLockFile = ".lock";

// What tasks tell the coordinator.
struct TaskAck {  // barrier passed: the task's share of a checkpoint
  TaskCheckpoint checkpoint;
  int64_t epoch = 0;
};
struct TaskEndOfData {
  int32_t task = 0;
};
struct TaskDone {
  int32_t task = 0;
  Status status;
  SourceFinishType finish = SourceFinishType::kImmediate;
};
using TaskEvent = std::variant<TaskAck, TaskEndOfData, TaskDone>;

// Puts a task's batches (and dead letters) into its staged sink files of the
// current epoch; at a barrier, seals those files and hands the coordinator
// the task's state.
class TaskCollector : public SourceCollector {
 public:
  TaskCollector(SourceContext* ctx, SinkWriter* writer, SinkWriter* dead_letter_writer,
                Channel<TaskEvent>* events, int64_t first_epoch)
      : ctx_(ctx),
        writer_(writer),
        dead_letter_writer_(dead_letter_writer),
        events_(events),
        epoch_(first_epoch) {}

  Status Collect(RecordBatch batch) override { return writer_->Write(batch, epoch_); }
  Status CollectDeadLetters(RecordBatch batch) override {
    return dead_letter_writer_->Write(batch, epoch_);
  }
  Status Flush() override { return Status::OK(); }  // the Collect calls write through

 protected:
  Status Deliver(const Signal& s) override {
    if (const auto* barrier = std::get_if<signal::Barrier>(&s)) {
      if (barrier->epoch != epoch_) {
        return Status::Internal("barrier of epoch " + std::to_string(barrier->epoch) +
                                " while epoch " + std::to_string(epoch_) + " is open");
      }
      TaskAck ack;
      ack.epoch = epoch_;
      ack.checkpoint.task_index = ctx_->task.task_index;
      ack.checkpoint.tables = ctx_->tables.Snapshot();
      KARROW_ASSIGN_OR_RAISE(ack.checkpoint.sink_files, writer_->Seal(epoch_));
      KARROW_ASSIGN_OR_RAISE(std::vector<std::string> dead_letter_files,
                             dead_letter_writer_->Seal(epoch_));
      ack.checkpoint.sink_files.insert(ack.checkpoint.sink_files.end(), dead_letter_files.begin(),
                                       dead_letter_files.end());
      ++epoch_;
      events_->Send(std::move(ack));
    } else if (const auto* wm = std::get_if<signal::Watermark>(&s)) {
      ctx_->metrics->Set("watermark_idle", wm->idle ? 1 : 0);
      if (!wm->idle) ctx_->metrics->Set("watermark_ns", wm->event_time_ns);
    } else if (std::holds_alternative<signal::EndOfData>(s)) {
      events_->Send(TaskEndOfData{ctx_->task.task_index});
    }
    return Status::OK();
  }

 private:
  SourceContext* ctx_;
  SinkWriter* writer_;
  SinkWriter* dead_letter_writer_;
  Channel<TaskEvent>* events_;
  int64_t epoch_;
};

struct Task {
  std::unique_ptr<SourceOperator> op;
  SourceContext ctx;
  ControlChannel control;
  TaskMetrics metrics;
  std::unique_ptr<SinkWriter> writer;
  std::unique_ptr<SinkWriter> dead_letter_writer;
  std::unique_ptr<TaskCollector> collector;
  std::thread thread;
  bool done = false;
};

// What the task threads use: on the heap, so that a stop past its timeout can
// leave tasks that do not end behind (leaked, with their threads detached)
// instead of waiting for them.
struct TaskGroup {
  Channel<TaskEvent> events;
  std::vector<std::unique_ptr<Task>> tasks;
};

// How long tasks told to stop at once, after the stop timeout, get to end
// before they are left behind.
constexpr milliseconds kAbandonGrace{1000};

void RunTask(Task* t, Channel<TaskEvent>* events) {
  Status st = t->op->OnStart(t->ctx);
  SourceFinishType finish = SourceFinishType::kImmediate;
  if (st.ok()) {
    Result<SourceFinishType> r = t->op->Run(t->ctx, *t->collector);
    if (r.ok()) {
      finish = *r;
    } else {
      st = r.status();
    }
  }
  Status closed = t->op->OnClose(t->ctx);
  if (st.ok()) st = closed;
  events->Send(TaskDone{t->ctx.task.task_index, std::move(st), finish});
}

// For the crash tests: KARROW_CRASH_AT=<point>:<epoch> kills the process
// (SIGKILL, like `kill -9`) at that point of that checkpoint.
void MaybeCrash(const char* point, int64_t epoch) {
  static const char* spec = std::getenv("KARROW_CRASH_AT");
  if (spec == nullptr) return;
  std::string want = std::string(point) + ":" + std::to_string(epoch);
  if (want == spec) std::raise(SIGKILL);
}

// The sink's record of a job: "<sink>/.job-<name>", written by its first
// run. A run whose identity differs would publish, retract or discard files
// of that job's (same name, other topic: same lock, other files), so it is
// refused.
Status ClaimSink(const std::string& dir, const JobIdentity& job) {
  const std::string path = dir + "/.job-" + job.name;
  const std::string header = "karrow-job 1";
  std::string text = header + "\n";
  for (const auto& [key, value] : job.Fields()) text += key + " " + EscapeToken(value) + "\n";
  if (!files::Exists(path)) return files::PublishAtomically(path, text);
  KARROW_ASSIGN_OR_RAISE(std::string recorded, files::Read(path));
  JobIdentity theirs;
  std::istringstream in(recorded);
  std::string line;
  bool valid = std::getline(in, line) && line == header;
  while (valid && std::getline(in, line)) {
    size_t space = line.find(' ');
    Result<std::string> value =
        UnescapeToken(space == std::string::npos ? "" : line.substr(space + 1));
    valid = space != std::string::npos && value.ok() && theirs.Set(line.substr(0, space), *value);
  }
  if (!valid) return Status::Invalid(path + ": not a karrow job file (damaged?)");
  if (theirs == job) return Status::OK();
  return Status::Invalid("sink directory " + dir + " holds the output of " + theirs.Describe() +
                         ", not of " + job.Describe() +
                         ": use another --sink-dir, or another --job");
}

// The error of a stop that did not finish within the stop timeout: whether
// its final checkpoint completed, and where a new run resumes.
Status StopTimedOut(milliseconds timeout, int64_t final_epoch, int64_t last_complete) {
  std::string within = " within the stop timeout (" + std::to_string(timeout.count()) + " ms)";
  std::string resume = last_complete > 0
                           ? "checkpoint " + std::to_string(last_complete) +
                                 " stands, and running the job again resumes from it"
                           : "no checkpoint completed yet, so running the job again starts "
                             "where this run started";
  if (final_epoch > 0 && last_complete >= final_epoch) {
    return Status::Timeout("the final checkpoint (" + std::to_string(final_epoch) +
                           ") completed, but the tasks did not finish closing" + within +
                           " (a Kafka broker that does not answer?); stopped without waiting "
                           "for them. Nothing is lost: " +
                           resume);
  }
  std::string which = final_epoch > 0 ? "the final checkpoint (" + std::to_string(final_epoch) + ")"
                                      : "the final checkpoint";
  return Status::Timeout(which + " did not complete" + within +
                         "; stopped without it. Nothing is lost: " + resume);
}

}  // namespace

struct RunMetrics::Impl {
  struct TaskEntry {
    MetricLabels labels;
    const TaskMetrics* live = nullptr;  // null once the run ended: then `ended`
    MetricSamples ended;
  };
  mutable std::mutex mu;
  MetricLabels job_labels;
  std::vector<TaskEntry> tasks;
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t last_epoch = -1;  // -1: not known yet
  double last_duration_s = -1;
  double last_size_bytes = -1;
  double last_completed_at = -1;  // seconds since the epoch

  // The run is over: its tasks' last samples stay, for a final scrape.
  void Detach() {
    std::lock_guard<std::mutex> lock(mu);
    for (TaskEntry& t : tasks) {
      if (t.live != nullptr) t.ended = t.live->Samples();
      t.live = nullptr;
    }
  }
};

RunMetrics::RunMetrics() : impl_(std::make_unique<Impl>()) {}
RunMetrics::~RunMetrics() = default;

std::vector<std::pair<MetricLabels, MetricSamples>> RunMetrics::Snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::pair<MetricLabels, MetricSamples>> out;
  for (const Impl::TaskEntry& t : impl_->tasks)
    out.emplace_back(t.labels, t.live != nullptr ? t.live->Samples() : t.ended);
  if (impl_->last_epoch < 0) return out;  // not running yet
  MetricSamples job;
  auto add = [&](const MetricDef& def, double value) { job.push_back({&def, {}, {}, value}); };
  add(metric::kCheckpointsCompleted, static_cast<double>(impl_->completed));
  add(metric::kCheckpointsFailed, static_cast<double>(impl_->failed));
  add(metric::kLastCheckpointEpoch, static_cast<double>(impl_->last_epoch));
  if (impl_->last_duration_s >= 0) add(metric::kCheckpointDuration, impl_->last_duration_s);
  if (impl_->last_size_bytes >= 0) add(metric::kCheckpointSize, impl_->last_size_bytes);
  if (impl_->last_completed_at >= 0) add(metric::kLastCheckpointTime, impl_->last_completed_at);
  out.emplace_back(impl_->job_labels, std::move(job));
  return out;
}

std::string CheckpointIntervalRange(const std::string& given) {
  return "checkpoint_interval " + given + ": must be from 1 ms to 30 days (" +
         std::to_string(RuntimeOptions::kMaxCheckpointInterval.count()) +
         " ms), e.g. 500ms, 10s or 1m";
}

std::string StopTimeoutRange(const std::string& given) {
  return "stop_timeout " + given + ": must be from 1 ms to 30 days (" +
         std::to_string(RuntimeOptions::kMaxStopTimeout.count()) + " ms), e.g. 10s or 1m";
}

Status RuntimeOptions::Validate() const {
  KARROW_RETURN_NOT_OK(job.Validate());
  if (parallelism < 1 || parallelism > kMaxParallelism)
    return Status::Invalid("parallelism " + std::to_string(parallelism) + ": must be 1 to " +
                           std::to_string(kMaxParallelism));
  if (checkpoint_dir.empty())
    return Status::Invalid("checkpoint_dir: required (where checkpoints are kept)");
  if (sink_dir.empty())
    return Status::Invalid("sink_dir: required (where output files are published)");
  if (checkpoint_interval.count() < 1 || checkpoint_interval > kMaxCheckpointInterval) {
    return Status::Invalid(
        CheckpointIntervalRange(std::to_string(checkpoint_interval.count()) + " ms"));
  }
  if (stop_timeout.count() < 1 || stop_timeout > kMaxStopTimeout)
    return Status::Invalid(StopTimeoutRange(std::to_string(stop_timeout.count()) + " ms"));
  if (keep_checkpoints < 1) return Status::Invalid("keep_checkpoints: must be at least 1");
  return Status::OK();
}

Result<RunSummary> RunJob(const RuntimeOptions& options, const OperatorFactory& make_operator,
                          const std::atomic<bool>* stop, RunMetrics* metrics) {
  RunMetrics own_metrics;
  RunMetrics::Impl& m = *(metrics != nullptr ? metrics : &own_metrics)->impl_;
  KARROW_RETURN_NOT_OK(options.Validate());
  KARROW_RETURN_NOT_OK(files::MakeDirs(options.checkpoint_dir));
  KARROW_RETURN_NOT_OK(files::MakeDirs(options.sink_dir));
  JobIdentity job = options.job;
  job.sink_format = options.sink_format == SinkFormat::kArrowIpc ? "arrow" : "ndjson";
  // One run per folder: a second run would publish the same records again
  // and delete the first one's staged files. Held until RunJob returns. The
  // sink's lock is the job's, so that other jobs may share the folder.
  KARROW_ASSIGN_OR_RAISE(DirLock checkpoint_lock,
                         DirLock::Acquire(options.checkpoint_dir, kLockFile, "checkpoint"));
  KARROW_ASSIGN_OR_RAISE(
      DirLock sink_lock,
      DirLock::Acquire(options.sink_dir, std::string(kLockFile) + "-" + job.name, "sink"));
  CheckpointStore store(options.checkpoint_dir);
  FileSink sink(options.sink_dir, options.sink_format, FileNamePrefix(job.name, job.topic),
                {kDeadLetterFolder});

  // Recovery: newest complete checkpoint, then the sink brought in line.
  std::vector<std::string> notes;
  KARROW_ASSIGN_OR_RAISE(std::optional<CheckpointData> restored, store.LoadLatest(&notes));
  for (const std::string& n : notes) Log(LogLevel::kWarn, "ignoring checkpoint " + n);
  if (restored && restored->identity != job) {
    return Status::Invalid("checkpoint directory " + options.checkpoint_dir + " belongs to " +
                           restored->identity.Describe() + ", not to " + job.Describe() +
                           ": use another --checkpoint-dir for this job, or give this run the "
                           "--job, -t, -g, -f and --sink-format of the job that wrote it");
  }
  KARROW_RETURN_NOT_OK(ClaimSink(options.sink_dir, job));
  RunSummary summary;
  summary.restored_epoch = restored ? restored->epoch : 0;
  summary.last_epoch = summary.restored_epoch;
  notes.clear();
  SinkRecoveryOptions recovery{options.on_orphan_output, options.allow_missing_output};
  KARROW_ASSIGN_OR_RAISE(int64_t first_epoch_after,
                         sink.Recover(summary.restored_epoch,
                                      restored ? restored->SinkFiles() : std::vector<std::string>{},
                                      recovery, &notes));
  for (const std::string& n : notes) Log(LogLevel::kWarn, "sink: " + n);
  // After the sink's checks, which may refuse: a refusal leaves the damaged
  // checkpoints for the user to look at.
  KARROW_RETURN_NOT_OK(store.DiscardAfter(summary.restored_epoch));
  std::map<std::string, TableEntries> tables =
      restored ? restored->MergedTables() : std::map<std::string, TableEntries>{};
  if (restored) {
    Log(LogLevel::kInfo, "resuming from checkpoint " + std::to_string(restored->epoch) + " in " +
                             store.CheckpointDir(restored->epoch) + " (written with parallelism " +
                             std::to_string(restored->parallelism) + ")");
  }

  const int32_t n = options.parallelism;
  auto group = std::make_unique<TaskGroup>();
  Channel<TaskEvent>& events = group->events;
  std::vector<std::unique_ptr<Task>>& tasks = group->tasks;
  for (int32_t i = 0; i < n; ++i) {
    auto t = std::make_unique<Task>();
    t->op = make_operator(i);
    t->ctx.job_id = job.name;
    t->ctx.operator_id = t->op->name();
    t->ctx.task = {i, n};
    for (const auto& [name, config] : t->op->tables()) t->ctx.tables.Add(name, tables[name]);
    t->ctx.control = &t->control;
    t->ctx.metrics = &t->metrics;
    t->writer = sink.NewWriter(i);
    t->dead_letter_writer = sink.NewWriter(i, kDeadLetterFolder);
    t->collector = std::make_unique<TaskCollector>(
        &t->ctx, t->writer.get(), t->dead_letter_writer.get(), &events, first_epoch_after + 1);
    tasks.push_back(std::move(t));
  }
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.job_labels.job = job.name;
    m.last_epoch = summary.restored_epoch;
    for (auto& t : tasks) {
      MetricLabels labels{job.topic, std::to_string(t->ctx.task.task_index), job.name};
      m.tasks.push_back({std::move(labels), &t->metrics, {}});
    }
  }
  // Whatever way RunJob returns from here, the tasks' last samples stay.
  struct DetachAtEnd {
    RunMetrics::Impl* m;
    ~DetachAtEnd() { m->Detach(); }
  } detach_at_end{&m};
  for (auto& t : tasks) t->thread = std::thread(RunTask, t.get(), &events);

  int64_t epoch = first_epoch_after;
  int64_t in_flight = 0;    // epoch of the checkpoint being taken; 0 for none
  bool stopping = false;    // a then_stop checkpoint was requested
  int64_t final_epoch = 0;  // the then_stop checkpoint's epoch, once requested
  std::optional<Clock::time_point> stop_deadline;  // set when *stop is first seen
  bool stop_timed_out = false;
  std::vector<TaskCheckpoint> acks;
  std::set<int32_t> out_of_data;
  int32_t running = n;
  Status failure;
  Clock::time_point next_checkpoint = Clock::now() + options.checkpoint_interval;
  Clock::time_point started_at;
  int64_t records_at_last_checkpoint = 0;
  auto records_read = [&] {
    int64_t sum = 0;
    for (auto& t : tasks) {
      std::map<std::string, int64_t> values = t->metrics.Snapshot();
      if (auto it = values.find("messages"); it != values.end()) sum += it->second;
    }
    return sum;
  };

  auto trigger = [&](bool then_stop) {
    in_flight = ++epoch;
    stopping |= then_stop;
    if (then_stop) final_epoch = in_flight;
    started_at = Clock::now();
    acks.clear();
    for (auto& t : tasks) t->control.Send(control::Checkpoint{in_flight, then_stop});
  };
  auto complete = [&]() -> Status {
    CheckpointData c;
    c.epoch = in_flight;
    c.parallelism = n;
    c.identity = job;
    c.tasks = std::move(acks);
    acks.clear();
    KARROW_RETURN_NOT_OK(store.Write(c));
    MaybeCrash("after_checkpoint", c.epoch);
    std::vector<std::string> files = c.SinkFiles();
    KARROW_RETURN_NOT_OK(sink.Publish(files));
    MaybeCrash("after_publish", c.epoch);
    summary.files_published += static_cast<int64_t>(files.size());
    ++summary.checkpoints;
    summary.last_epoch = c.epoch;
    {
      std::error_code ignored;  // a file moved away downstream already counts as nothing
      uintmax_t bytes = 0;
      for (const std::string& f : files) {
        uintmax_t size = std::filesystem::file_size(options.sink_dir + "/" + f, ignored);
        if (!ignored) bytes += size;
      }
      const double took = std::chrono::duration<double>(Clock::now() - started_at).count();
      const int64_t records = records_read();
      {
        std::lock_guard<std::mutex> lock(m.mu);
        ++m.completed;
        m.last_epoch = c.epoch;
        m.last_duration_s = took;
        m.last_size_bytes = static_cast<double>(bytes);
        m.last_completed_at =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
      }
      Log(LogLevel::kInfo, "checkpoint " + std::to_string(c.epoch) + " complete: " +
                               std::to_string(records - records_at_last_checkpoint) +
                               " records since the last, " + std::to_string(files.size()) +
                               " files (" + std::to_string(bytes) + " bytes) published, took " +
                               std::to_string(static_cast<int64_t>(took * 1000)) + " ms");
      records_at_last_checkpoint = records;
    }
    for (auto& t : tasks) t->control.Send(control::Commit{c.epoch});
    Status pruned = store.Prune(options.keep_checkpoints);
    if (!pruned.ok()) Log(LogLevel::kWarn, "could not remove old checkpoints: " + pruned.message());
    in_flight = 0;
    next_checkpoint = std::max(started_at + options.checkpoint_interval, Clock::now());
    return Status::OK();
  };

  while (running > 0 && failure.ok()) {
    if (!stop_deadline && stop != nullptr && stop->load())
      stop_deadline = Clock::now() + options.stop_timeout;
    if (stop_deadline && Clock::now() >= *stop_deadline) {
      failure = StopTimedOut(options.stop_timeout, final_epoch, summary.last_epoch);
      stop_timed_out = true;
      break;
    }
    if (in_flight == 0 && !stopping) {
      if ((stop != nullptr && stop->load()) || static_cast<int32_t>(out_of_data.size()) == n) {
        trigger(true);  // last checkpoint, then the tasks stop
      } else if (Clock::now() >= next_checkpoint) {
        trigger(false);
      }
    }
    auto wait = milliseconds(100);
    if (in_flight == 0 && !stopping) {
      wait = std::clamp(std::chrono::duration_cast<milliseconds>(next_checkpoint - Clock::now()),
                        milliseconds(0), milliseconds(100));
    }
    if (stop_deadline) {
      wait = std::clamp(std::chrono::duration_cast<milliseconds>(*stop_deadline - Clock::now()),
                        milliseconds(0), wait);
    }
    std::optional<TaskEvent> event = events.Receive(wait);
    if (!event) continue;
    if (auto* ack = std::get_if<TaskAck>(&*event)) {
      if (ack->epoch != in_flight) {
        failure = Status::Internal("task " + std::to_string(ack->checkpoint.task_index) +
                                   " acknowledged epoch " + std::to_string(ack->epoch) + " while " +
                                   std::to_string(in_flight) + " is open");
        break;
      }
      acks.push_back(std::move(ack->checkpoint));
      if (static_cast<int32_t>(acks.size()) == n) failure = complete();
    } else if (auto* end = std::get_if<TaskEndOfData>(&*event)) {
      out_of_data.insert(end->task);
    } else if (auto* done = std::get_if<TaskDone>(&*event)) {
      --running;
      tasks[done->task]->done = true;
      if (!done->status.ok()) {
        failure = Status(done->status.code(),
                         "task " + std::to_string(done->task) + ": " + done->status.message());
      } else if (!stopping) {
        failure = Status::Internal("task " + std::to_string(done->task) + " ended (" +
                                   SourceFinishTypeName(done->finish) + ") without being asked to");
      } else {
        summary.finish = done->finish;
      }
    }
  }

  if (in_flight != 0) {
    // Started and never completed: it failed, or the run failed under it.
    std::lock_guard<std::mutex> lock(m.mu);
    ++m.failed;
  }
  for (auto& t : tasks) {
    if (!t->done) t->control.Send(control::Stop{control::StopMode::kImmediate});
    t->control.Close();
  }
  if (stop_timed_out) {
    // Told to stop at once, a task answers within a read (100 ms); one that
    // does not is stuck in a call that may not return for minutes (opening
    // its Kafka client against a broker that does not answer, say).
    Clock::time_point give_up = Clock::now() + kAbandonGrace;
    while (running > 0 && Clock::now() < give_up) {
      std::optional<TaskEvent> event =
          events.Receive(std::chrono::duration_cast<milliseconds>(give_up - Clock::now()));
      if (auto* done = event ? std::get_if<TaskDone>(&*event) : nullptr) {
        --running;
        tasks[done->task]->done = true;
      }
    }
    if (running > 0) {
      Log(LogLevel::kWarn, std::to_string(running) +
                               " task(s) did not end after the stop timeout; leaving them behind");
      for (auto& t : tasks) {
        if (t->done) {
          t->thread.join();
        } else {
          t->thread.detach();
        }
      }
      // Their threads still use the group; and the folders stay locked, so
      // that no other run takes them while those threads may still write.
      (void)group.release();
      (void)new DirLock(std::move(checkpoint_lock));
      (void)new DirLock(std::move(sink_lock));
      return failure;
    }
  }
  for (auto& t : tasks) t->thread.join();
  bool every_task_idle = true, some_task_without = false;
  for (auto& t : tasks) {
    std::map<std::string, int64_t> metrics = t->metrics.Snapshot();
    for (const auto& [name, value] : metrics) {
      // Watermarks are per task; a sum means nothing.
      if (name.rfind("watermark", 0) != 0) summary.metrics[name] += value;
    }
    // The job's watermark is its slowest task's, as for partitions (§13).
    if (metrics.count("watermark_idle") && metrics["watermark_idle"] == 1) continue;
    every_task_idle = false;
    auto wm = metrics.find("watermark_ns");
    if (wm == metrics.end()) {
      some_task_without = true;
    } else if (!summary.watermark_ns || wm->second < *summary.watermark_ns) {
      summary.watermark_ns = wm->second;
    }
  }
  if (some_task_without) summary.watermark_ns.reset();
  summary.watermark_idle = every_task_idle && !tasks.empty();
  if (summary.watermark_idle) summary.watermark_ns.reset();
  if (!failure.ok()) return failure;
  return summary;
}

}  // namespace karrow
