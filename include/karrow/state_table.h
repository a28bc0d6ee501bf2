// State tables: what an operator saves in each checkpoint and gets back on
// restore. A global keyed table is readable by every task, so a job can
// restart with a different parallelism and still find every key.
#pragma once

#include <map>
#include <string>

#include "karrow/status.h"

namespace karrow {

enum class TableKind {
  kGlobalKeyed,  ///< Key -> value; each task writes its keys, every task reads all.
};

struct TableConfig {
  TableKind kind = TableKind::kGlobalKeyed;
  std::string description;
};

using TableEntries = std::map<std::string, std::string>;

/// One task's view of a global keyed table.
class GlobalKeyedTable {
 public:
  explicit GlobalKeyedTable(TableEntries restored = {}) : restored_(std::move(restored)) {}

  /// Every entry of the checkpoint restored from, whichever task wrote it.
  const TableEntries& restored() const { return restored_; }

  /// Sets what this task's next checkpoints save under `key`, until changed.
  void Put(const std::string& key, std::string value) { current_[key] = std::move(value); }
  /// What this task's next checkpoint saves.
  const TableEntries& current() const { return current_; }

 private:
  TableEntries restored_;
  TableEntries current_;
};

/// A task's tables by name, as declared by its operator's tables().
class StateTables {
 public:
  /// Creates (or replaces) a table with the entries restored for it.
  void Add(const std::string& name, TableEntries restored) {
    tables_[name] = GlobalKeyedTable(std::move(restored));
  }

  /// The table called `name`, or nullptr if the operator did not declare it.
  GlobalKeyedTable* global_keyed(const std::string& name) {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : &it->second;
  }

  /// table name -> this task's current entries: the task's share of a checkpoint.
  std::map<std::string, TableEntries> Snapshot() const {
    std::map<std::string, TableEntries> out;
    for (const auto& [name, table] : tables_) out[name] = table.current();
    return out;
  }

 private:
  std::map<std::string, GlobalKeyedTable> tables_;
};

}  // namespace karrow
