// Runtime: runs N parallel tasks of a source operator in one process,
// checkpoints them at an interval, and drives a two-phase-commit file sink,
// so that killing the process at any instant and running it again puts each
// record in the published output exactly once (docs/architecture.md, docs/file-formats.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "karrow/job_identity.h"
#include "karrow/metrics.h"
#include "karrow/source_operator.h"
#include "karrow/status.h"

namespace karrow {

/// The format of the published output files.
enum class SinkFormat {
  kArrowIpc,  ///< Arrow IPC stream files, ".arrows"
  kNdjson,    ///< newline-delimited JSON, ".ndjson"
};

/// What to do with published output that no checkpoint covers: the
/// checkpoint folder is empty or gone, or its newest checkpoints were
/// damaged after their files were published.
enum class OrphanOutput {
  kFail,     ///< refuse to run (the default): the user decides
  kKeep,     ///< leave the files; their records are read again (duplicates)
  kRetract,  ///< move them to .retracted/; their records are read again
};

struct RuntimeOptions {
  /// Recorded in every checkpoint and in the sink; a run of another job on
  /// the same folders is refused. Its name and topic name the sink's files.
  /// Its sink_format is taken from `sink_format` below.
  JobIdentity job;
  int32_t parallelism = 1;
  /// Where checkpoints are kept; running again with the same folder resumes.
  std::string checkpoint_dir;
  std::chrono::milliseconds checkpoint_interval{10000};
  /// The most checkpoint_interval may be: long enough for "a checkpoint only
  /// at the end" of any bounded read, short enough that the next checkpoint's
  /// time point (steady clock, 64-bit nanoseconds) never overflows.
  static constexpr std::chrono::milliseconds kMaxCheckpointInterval{30LL * 24 * 3600 * 1000};
  /// The most tasks one run starts: each is a Kafka client with its threads.
  static constexpr int32_t kMaxParallelism = 1024;
  /// How long a stop (`*stop` set) may take: its final checkpoint and the
  /// tasks' closing. Past it RunJob gives up on them and returns a kTimeout
  /// error saying so; the newest complete checkpoint stands.
  std::chrono::milliseconds stop_timeout{30000};
  /// The most stop_timeout may be (the same bound as checkpoint_interval).
  static constexpr std::chrono::milliseconds kMaxStopTimeout = kMaxCheckpointInterval;
  /// Complete checkpoints kept; older ones are removed.
  int keep_checkpoints = 3;
  /// Where output files are published; dead letters go to its subfolder
  /// dead-letter/, in the same checkpoints.
  std::string sink_dir;
  SinkFormat sink_format = SinkFormat::kArrowIpc;
  OrphanOutput on_orphan_output = OrphanOutput::kFail;
  /// A published file the restored checkpoint lists is gone (moved away by
  /// a downstream process): go on without it instead of refusing to run.
  bool allow_missing_output = false;

  Status Validate() const;
};

struct RunSummary {
  int64_t restored_epoch = 0;  ///< checkpoint resumed from; 0 for a fresh start
  int64_t last_epoch = 0;      ///< newest complete checkpoint when the run ended
  int64_t checkpoints = 0;     ///< checkpoints completed by this run
  int64_t files_published = 0;
  std::map<std::string, int64_t> metrics;  ///< summed over tasks
  /// The job's watermark when it ended (docs/semantics.md §13): the least
  /// of the tasks' newest watermarks, idle tasks left out; nullopt while some
  /// task that is not idle has none, or when every task is idle
  /// (watermark_idle). signal::Watermark::kEndOfTime after a kFinal finish.
  std::optional<int64_t> watermark_ns;
  bool watermark_idle = false;
  SourceFinishType finish = SourceFinishType::kImmediate;
};

/// Makes the operator of one task; called once per task.
using OperatorFactory = std::function<std::unique_ptr<SourceOperator>(int32_t task_index)>;

class RunMetrics;
/// Runs the job until its input ends (bounded runs: a final checkpoint, then
/// kFinal), `*stop` becomes true (a final checkpoint, then kGraceful), or a
/// task fails (no checkpoint after the failure; the error is returned).
/// A stop that takes longer than `options.stop_timeout` ends with a
/// kTimeout error; tasks that still have not ended a second after it are
/// left running on their threads (their state is leaked and the folder locks
/// stay held until the process exits), so the caller should exit soon.
/// When `metrics` is not null, RunJob keeps it up to date while it runs.
Result<RunSummary> RunJob(const RuntimeOptions& options, const OperatorFactory& make_operator,
                          const std::atomic<bool>* stop, RunMetrics* metrics = nullptr);

/// A running job's metrics (docs/metrics.md), for a metrics endpoint or a
/// progress line: RunJob fills it while it runs; any thread may read it.
class RunMetrics {
 public:
  RunMetrics();
  ~RunMetrics();
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  /// Every task's samples with its labels, then the job's own; empty before
  /// RunJob starts the tasks. Any thread.
  std::vector<std::pair<MetricLabels, MetricSamples>> Snapshot() const;

 private:
  friend Result<RunSummary> RunJob(const RuntimeOptions&, const OperatorFactory&,
                                   const std::atomic<bool>*, RunMetrics*);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The error for a checkpoint interval out of range, `given` as the user wrote it.
std::string CheckpointIntervalRange(const std::string& given);
/// The error for a stop timeout out of range, `given` as the user wrote it.
std::string StopTimeoutRange(const std::string& given);

}  // namespace karrow
