// `karrow run`: the runtime with Kafka source tasks and the file sink.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/metrics_server.h"
#include "common/log.h"
#include "kafka/consumer.h"
#include "karrow/kafka_source_operator.h"
#include "karrow/runtime.h"
#include "karrow/source_collector.h"
#include "runtime/checkpoint_store.h"

namespace karrow::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};

void Say(const char* text) {
  ssize_t ignored = write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

// The first SIGINT/SIGTERM asks for a last checkpoint, then exit (bounded by
// --stop-timeout); a second one exits at once, without it: the user gave up
// waiting, and the checkpoint before stands. Only async-signal-safe calls.
void OnSignal(int signal_number) {
  if (g_signals.fetch_add(1) == 0) {
    g_stop.store(true);
    Say("karrow: stopping after a final checkpoint; signal again to stop at once without it\n");
    return;
  }
  Say("karrow: stopped at once by a second signal, without waiting for the final checkpoint "
      "(the newest complete checkpoint stands; running the job again resumes from it)\n");
  _exit(128 + signal_number);
}

// "500ms", "10s" or "2m" (the unit is required), for `flag`, from 1
// ms to `max`; `range` words the error. The range is checked on the double:
// a huge value (1e30s) cast to int64 first wrapped to a negative count and
// was refused as "at least 1 ms".
Result<std::chrono::milliseconds> ParseDuration(const char* flag, const std::string& text,
                                                std::chrono::milliseconds max,
                                                std::string (*range)(const std::string&)) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  std::string unit = end ? end : "";
  double ms = unit == "ms" || unit.empty() ? value
              : unit == "s"                ? value * 1e3
              : unit == "m"                ? value * 6e4
                                           : std::nan("");
  if (text.empty() || end == text.c_str() || std::isnan(ms)) {
    return Status::Invalid(std::string(flag) + " " + text +
                           ": expected a duration like 500ms, 10s or 1m");
  }
  // A bare number was taken as milliseconds, so "10" meant 10 ms where a
  // user most likely meant 10 s: the unit has to be written.
  if (unit.empty()) {
    return Status::Invalid(std::string(flag) + " " + text + ": give the unit: " + text + "s (" +
                           text + " seconds), " + text + "ms or " + text + "m");
  }
  if (!(ms >= 1 && ms <= static_cast<double>(max.count()))) return Status::Invalid(range(text));
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

// What the progress line shows, summed over the tasks.
struct RunTotals {
  double records = 0, bytes = 0, lag = 0;
  int64_t last_epoch = -1;
  double last_checkpoint_at = -1;  // seconds since the epoch
};

RunTotals Totals(const RunMetrics& metrics) {
  RunTotals t;
  for (const auto& [labels, samples] : metrics.Snapshot()) {
    for (const MetricSample& s : samples) {
      if (s.def == &metric::kRecordsRead) t.records += s.value;
      if (s.def == &metric::kValueBytesRead) t.bytes += s.value;
      if (s.def == &metric::kPartitionLag) t.lag += s.value;
      if (s.def == &metric::kLastCheckpointEpoch) t.last_epoch = static_cast<int64_t>(s.value);
      if (s.def == &metric::kLastCheckpointTime) t.last_checkpoint_at = s.value;
    }
  }
  return t;
}

// A one-line status on stderr, like consume's, redrawn once a second while
// the job runs, only when stderr is a terminal: rates over the last second,
// the total lag, and the newest checkpoint and its age.
class RunProgress {
 public:
  explicit RunProgress(const RunMetrics& metrics) : metrics_(metrics) {
    if (isatty(STDERR_FILENO)) thread_ = std::thread([this] { Loop(); });
  }
  /// Draws the line a last time and ends it.
  ~RunProgress() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
    std::fputc('\n', stderr);
  }

 private:
  void Loop() {
    RunTotals before = Totals(metrics_);
    auto last = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      RunTotals now = Totals(metrics_);
      auto at = std::chrono::steady_clock::now();
      double secs = std::chrono::duration<double>(at - last).count();
      std::string checkpoint = "no checkpoint yet";
      if (now.last_epoch > 0) {
        checkpoint = "checkpoint " + std::to_string(now.last_epoch);
        if (now.last_checkpoint_at >= 0) {
          double wall =
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
          checkpoint +=
              " " + std::to_string(static_cast<int64_t>(wall - now.last_checkpoint_at)) + " s ago";
        }
      }
      std::fprintf(stderr, "\r%.0f records  %.0f records/s  %.1f MB/s  lag %.0f  %s   ",
                   now.records, secs > 0 ? (now.records - before.records) / secs : 0.0,
                   secs > 0 ? (now.bytes - before.bytes) / secs / 1e6 : 0.0, now.lag,
                   checkpoint.c_str());
      before = now;
      last = at;
    }
  }

  const RunMetrics& metrics_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

// The consumer group of a job named with --job and no -g: the job's own,
// "karrow-<job>" (after group_id_prefix when set), so that two jobs on one
// topic do not share a group (their commits would overwrite each other's,
// and -o group would start one where the other stopped). Checkpoints that a
// job wrote before this default existed record the topic's group
// ("karrow-<topic>"): the job keeps that group, so that they still restore.
std::string JobGroupId(const KafkaSourceConfig& config, const std::string& job,
                       const std::string& checkpoint_dir) {
  const std::string old_default = config.EffectiveGroupId();
  std::vector<std::string> skipped;
  Result<std::optional<CheckpointData>> restored =
      CheckpointStore(checkpoint_dir).LoadLatest(&skipped);
  if (restored.ok() && *restored && (*restored)->identity.name == job &&
      (*restored)->identity.topic == config.topic && (*restored)->identity.group == old_default) {
    Log(LogLevel::kInfo, "job '" + job + "' keeps consumer group '" + old_default +
                             "', which its checkpoints record (give -g to choose one)");
    return old_default;
  }
  return (config.group_id_prefix.empty() ? "" : config.group_id_prefix + "-") + "karrow-" + job;
}

int RunJobCommand(const RunOptions& options) {
  auto config = KafkaSourceConfig::FromProperties(options.properties);
  Status valid = config.ok() ? config->Validate() : config.status();
  if (!valid.ok()) {
    std::fprintf(stderr, "karrow: %s\n", AsTyped(valid.message(), options.spellings).c_str());
    return 2;
  }
  if (!options.job.empty() && config->group_id.empty()) {
    config->group_id = JobGroupId(*config, options.job, options.checkpoint_dir);
  }
  RuntimeOptions runtime;
  runtime.job.name = options.job.empty() ? JobNameFrom(config->EffectiveGroupId()) : options.job;
  runtime.job.topic = config->topic;
  runtime.job.group = config->EffectiveGroupId();
  for (const auto& [key, value] : options.properties) {
    if (key == "format") runtime.job.format = value;
  }
  runtime.on_orphan_output = options.on_orphan_output == "keep"      ? OrphanOutput::kKeep
                             : options.on_orphan_output == "retract" ? OrphanOutput::kRetract
                                                                     : OrphanOutput::kFail;
  runtime.allow_missing_output = options.allow_missing_output;
  runtime.parallelism = options.parallelism;
  runtime.checkpoint_dir = options.checkpoint_dir;
  runtime.keep_checkpoints = options.keep_checkpoints;
  runtime.sink_dir = options.sink_dir;
  // main.cc lets only "arrow" and "ndjson" through.
  runtime.sink_format =
      options.sink_format == "ndjson" ? SinkFormat::kNdjson : SinkFormat::kArrowIpc;
  Result<std::chrono::milliseconds> interval =
      ParseDuration("--checkpoint-interval", options.checkpoint_interval,
                    RuntimeOptions::kMaxCheckpointInterval, CheckpointIntervalRange);
  if (!interval.ok()) {
    std::fprintf(stderr, "karrow: %s\n", interval.status().message().c_str());
    return 2;
  }
  runtime.checkpoint_interval = *interval;
  Result<std::chrono::milliseconds> stop_timeout = ParseDuration(
      "--stop-timeout", options.stop_timeout, RuntimeOptions::kMaxStopTimeout, StopTimeoutRange);
  if (!stop_timeout.ok()) {
    std::fprintf(stderr, "karrow: %s\n", stop_timeout.status().message().c_str());
    return 2;
  }
  runtime.stop_timeout = *stop_timeout;
  if (Status st = runtime.Validate(); !st.ok()) {
    std::fprintf(stderr, "karrow: %s\n", st.message().c_str());
    return 2;
  }
  // Tasks past the partition count read nothing (docs/semantics.md §1), yet
  // each is a Kafka client of its own: 1024 of them connecting at once ran
  // out the metadata timeout (connect_timeout_ms, 10 s) on a small machine
  // instead of answering. A few idle tasks are harmless (a script may use one
  // --parallelism for topics of several sizes), but more idle tasks than
  // reading ones is taken for a mistake. One client asks the partition count.
  if (runtime.parallelism > 1) {
    Result<std::unique_ptr<KafkaConsumer>> probe = KafkaConsumer::Connect(*config);
    if (!probe.ok()) {
      std::fprintf(stderr, "karrow: %s\n",
                   AsTyped(probe.status().message(), options.spellings).c_str());
      return probe.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
    const int32_t partitions = (*probe)->topic_partitions();
    if (runtime.parallelism > 2 * partitions) {
      std::fprintf(stderr,
                   "karrow: --parallelism %d: topic '%s' has %d partition(s), so %d of the %d "
                   "tasks would read nothing; use at most %d (twice the partitions), best %d "
                   "(one task per partition)\n",
                   runtime.parallelism, config->topic.c_str(), partitions,
                   runtime.parallelism - partitions, runtime.parallelism, 2 * partitions,
                   partitions);
      return 2;
    }
  }
  RunMetrics metrics;
  std::unique_ptr<MetricsServer> server;
  if (!options.metrics_address.empty()) {
    Result<std::unique_ptr<MetricsServer>> started =
        MetricsServer::Start(options.metrics_address, [&metrics] {
          std::string text;
          AppendPrometheusText(metrics.Snapshot(), &text);
          return text;
        });
    if (!started.ok()) {
      std::fprintf(stderr, "karrow: %s\n", started.status().message().c_str());
      return 2;
    }
    server = std::move(*started);
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  const KafkaSourceConfig& source = *config;
  std::optional<RunProgress> progress;
  if (!options.quiet) progress.emplace(metrics);
  Result<RunSummary> result = RunJob(
      runtime, [&](int32_t) { return std::make_unique<KafkaSourceOperator>(source); }, &g_stop,
      &metrics);
  progress.reset();
  if (!result.ok()) {
    std::fprintf(stderr, "karrow: %s\n",
                 AsTyped(result.status().message(), options.spellings).c_str());
    if (g_stop.load() && result.status().code() == StatusCode::kTimeout) {
      // Past the stop timeout RunJob may have left tasks running (stuck in
      // the Kafka client); exiting now skips the static destructors they
      // could still be using.
      std::fflush(nullptr);
      std::_Exit(1);
    }
    return result.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  // One line a script can parse: key=value pairs.
  const RunSummary& s = *result;
  std::string line = "karrow run: finish=" + std::string(SourceFinishTypeName(s.finish)) +
                     " restored_epoch=" + std::to_string(s.restored_epoch) +
                     " last_epoch=" + std::to_string(s.last_epoch) +
                     " checkpoints=" + std::to_string(s.checkpoints) +
                     " files_published=" + std::to_string(s.files_published);
  for (const auto& [name, value] : s.metrics) line += " " + name + "=" + std::to_string(value);
  // Nanoseconds since the epoch; +inf once the input was read to its end.
  line += " watermark=" + (s.watermark_idle  ? std::string("idle")
                           : !s.watermark_ns ? std::string("none")
                           : *s.watermark_ns == signal::Watermark::kEndOfTime
                               ? std::string("+inf")
                               : std::to_string(*s.watermark_ns));
  if (!options.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  return 0;
}

}  // namespace karrow::cli
