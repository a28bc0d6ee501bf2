// FileSink: a two-phase-commit file output. Each task stages its rows of an
// epoch in one file; the runtime publishes (renames) the staged files of an
// epoch into the output folder only once that epoch's checkpoint is
// complete. Published files are never rewritten, so a reader of the output
// folder sees every record exactly once.
//
// Layout: DIR/<epoch>-<task>.arrows (published), DIR/.staging/ (not yet),
// DIR/.retracted/ (see Recover). Epoch and task are zero-padded, so sorting
// names gives publish order. A second output (dead letters) has the same
// layout one level down: DIR/dead-letter/..., DIR/.staging/dead-letter/...;
// its files are named "dead-letter/<epoch>-<task>.arrows" in checkpoints.
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

class FileSink {
 public:
  /// `subfolders` are further outputs inside `dir` (e.g. kDeadLetterFolder),
  /// created when their first file is.
  FileSink(std::string dir, SinkFormat format, std::vector<std::string> subfolders = {})
      : dir_(std::move(dir)), format_(format), subfolders_(std::move(subfolders)) {}

  /// Brings the folder in line with the checkpoint restored from (epoch
  /// `completed`, 0 for none): publishes its files if a crash came between
  /// the checkpoint and their publishing; discards staged files of later,
  /// unfinished epochs; and moves published files of later epochs, which
  /// only a damaged newer checkpoint can have left, to .retracted/ (their
  /// records are read again). Each action taken is described in `notes`.
  /// The same for every subfolder.
  Status Recover(int64_t completed, const std::vector<std::string>& completed_files,
                 std::vector<std::string>* notes);

  /// A writer of one task's files in `subfolder`: "" for the output folder
  /// itself, else one of the subfolders.
  std::unique_ptr<SinkWriter> NewWriter(int32_t task_index, const std::string& subfolder = "");

  /// Publishes staged files; files already published are skipped, so this
  /// can be repeated after a crash.
  Status Publish(const std::vector<std::string>& names);

  const std::string& dir() const { return dir_; }
  std::string staging_dir() const { return dir_ + "/.staging"; }

 private:
  Status RecoverFolder(const std::string& subfolder, int64_t completed,
                       std::vector<std::string>* notes);

  std::string dir_;
  SinkFormat format_;
  std::vector<std::string> subfolders_;
};

/// The epoch a sink file name starts with, or -1 if it is not a sink file.
int64_t SinkFileEpoch(const std::string& name);

}  // namespace karrow
