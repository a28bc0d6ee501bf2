// CheckpointStore: durable checkpoints in a local folder. Each checkpoint is
// a folder of per-task state files, written and fsynced first, and a
// manifest with their sizes and checksums, published last by atomic rename.
// A checkpoint without a valid manifest, or whose files do not match it, is
// not complete and is never restored from.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "karrow/job_identity.h"
#include "karrow/state_table.h"
#include "karrow/status.h"

namespace karrow {

/// One task's share of a checkpoint.
struct TaskCheckpoint {
  int32_t task_index = 0;
  std::map<std::string, TableEntries> tables;  ///< table name -> this task's entries
  std::vector<std::string> sink_files;         ///< output files staged in this epoch
};

struct CheckpointData {
  int64_t epoch = 0;
  int32_t parallelism = 0;
  JobIdentity identity;  ///< the job that wrote it: only that job may restore it
  std::vector<TaskCheckpoint> tasks;

  /// table name -> the entries of every task (global tables).
  std::map<std::string, TableEntries> MergedTables() const;
  std::vector<std::string> SinkFiles() const;
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir) : dir_(std::move(dir)) {}

  /// Makes `checkpoint` durable and complete; on success it is the newest.
  Status Write(const CheckpointData& checkpoint);

  /// The newest complete checkpoint, or std::nullopt when there is none.
  /// Every newer checkpoint that is torn or damaged is described in
  /// `skipped` (one line each: which, and why). A checkpoint of an older
  /// layout is an error, not skipped: skipping it would start the job afresh
  /// (and discard it) while its output is published.
  Result<std::optional<CheckpointData>> LoadLatest(std::vector<std::string>* skipped) const;

  /// Removes every checkpoint newer than `epoch` (torn or damaged ones found
  /// on restore), so their epochs can be taken again.
  Status DiscardAfter(int64_t epoch);
  /// Keeps the newest `keep` checkpoints, removing older ones.
  Status Prune(int keep);

  const std::string& dir() const { return dir_; }
  std::string CheckpointDir(int64_t epoch) const;

 private:
  Result<CheckpointData> Load(int64_t epoch) const;
  /// Epochs with a checkpoint folder, ascending (complete or not).
  Result<std::vector<int64_t>> Epochs() const;

  std::string dir_;
};

}  // namespace karrow
