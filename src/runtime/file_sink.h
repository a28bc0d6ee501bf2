// FileSink: a two-phase-commit file output. Each task stages its rows of an
// epoch in one file; the runtime publishes (renames) the staged files of an
// epoch into the output folder only once that epoch's checkpoint is
// complete. Published files are never rewritten, so a reader of the output
// folder sees every record exactly once.
//
// Layout: DIR/<prefix><epoch>-<task>.arrows (published), DIR/.staging/ (not
// yet), DIR/.retracted/ (see Recover). The prefix names the job and topic
// ("<job>@<topic>@"), so several jobs can share one folder: a sink looks at,
// moves and deletes only files with its own prefix. Epoch and task are
// zero-padded, so sorting one job's names gives publish order. A second
// output (dead letters) has the same layout one level down:
// DIR/dead-letter/..., DIR/.staging/dead-letter/...; its files are named
// "dead-letter/<prefix><epoch>-<task>.arrows" in checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "karrow/record_batch.h"
#include "karrow/runtime.h"
#include "karrow/status.h"

namespace karrow {

/// The subfolder of the output folder that holds dead letters (docs/semantics.md §11).
inline constexpr const char* kDeadLetterFolder = "dead-letter";

/// Stages one task's rows, one file per epoch with data.
class SinkWriter {
 public:
  virtual ~SinkWriter() = default;
  /// Appends rows to the staged file of `epoch` (created on first use).
  virtual Status Write(const RecordBatch& batch, int64_t epoch) = 0;
  /// Finishes the staged file of `epoch` and makes it durable. Returns the
  /// names of the files staged for it (none when the epoch had no rows),
  /// relative to the output folder.
  virtual Result<std::vector<std::string>> Seal(int64_t epoch) = 0;
};

/// What Recover may do beyond what the restored checkpoint implies.
struct SinkRecoveryOptions {
  /// Published files of this sink that no restored checkpoint covers.
  OrphanOutput orphans = OrphanOutput::kFail;
  /// A file the restored checkpoint lists that is neither staged nor
  /// published (moved away downstream): go on without it instead of failing.
  bool allow_missing = false;
};

class FileSink {
 public:
  /// `prefix` starts the name of every file of this sink (FileNamePrefix).
  /// `subfolders` are further outputs inside `dir` (e.g. kDeadLetterFolder),
  /// created when their first file is.
  FileSink(std::string dir, SinkFormat format, std::string prefix,
           std::vector<std::string> subfolders = {})
      : dir_(std::move(dir)),
        format_(format),
        prefix_(std::move(prefix)),
        subfolders_(std::move(subfolders)) {}

  /// Brings the folder in line with the checkpoint restored from (epoch
  /// `completed`, 0 for none): publishes its files if a crash came between
  /// the checkpoint and their publishing; discards staged files of later,
  /// unfinished epochs. Published files of later epochs ("orphans": the
  /// checkpoint store was emptied, or a newer checkpoint was damaged) are
  /// an error unless `options.orphans` says to keep them or to move them to
  /// .retracted/ (their records are then read again). Checks everything
  /// before changing anything, so a refusal leaves the folder as it was.
  /// Returns the epoch the next file must come after: `completed`, or the
  /// newest kept orphan's epoch, so that no name is ever published twice.
  /// Each action taken is described in `notes`. The same for every subfolder.
  Result<int64_t> Recover(int64_t completed, const std::vector<std::string>& completed_files,
                          const SinkRecoveryOptions& options, std::vector<std::string>* notes);

  /// A writer of one task's files in `subfolder`: "" for the output folder
  /// itself, else one of the subfolders.
  std::unique_ptr<SinkWriter> NewWriter(int32_t task_index, const std::string& subfolder = "");

  /// Publishes staged files; files already published are skipped, so this
  /// can be repeated after a crash. Never replaces a published file.
  Status Publish(const std::vector<std::string>& names);

  /// The epoch of a file name of this sink (no folder), or -1 when the name
  /// is not one of this sink's files (another job's, or no sink file).
  int64_t FileEpoch(const std::string& name) const;

  const std::string& dir() const { return dir_; }
  std::string staging_dir() const { return dir_ + "/.staging"; }

 private:
  // This sink's published files of `subfolder` with an epoch after `completed`.
  Result<std::vector<std::string>> Orphans(const std::string& subfolder, int64_t completed) const;
  Status DiscardStaged(const std::string& subfolder, std::vector<std::string>* notes);
  Status Retract(const std::string& name);

  std::string dir_;
  SinkFormat format_;
  std::string prefix_;
  std::vector<std::string> subfolders_;
};

/// The prefix of the file names of a job's sink: "<job>@<topic>@". A job
/// name and a Kafka topic name never hold '@', so one job's prefix is never
/// the start of another job's.
std::string FileNamePrefix(const std::string& job, const std::string& topic);

}  // namespace karrow
