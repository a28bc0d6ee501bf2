#include "runtime/checkpoint_store.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

#include "runtime/files.h"
#include "runtime/text_escape.h"

namespace karrow {
namespace {

constexpr const char* kManifest = "_manifest";
// Layout 2 added the job's identity; layout 1 manifests are refused (see LoadLatest).
constexpr const char* kManifestHeader = "karrow-checkpoint 2";
constexpr const char* kManifestHeaderV1 = "karrow-checkpoint 1";
constexpr const char* kOlderLayout = "written by an older karrow";
constexpr const char* kStateHeader = "karrow-state 1";

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

std::string StateFileName(int32_t task) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "task-%04d.state", task);
  return buf;
}

std::string EncodeState(const TaskCheckpoint& task) {
  std::string out = std::string(kStateHeader) + "\n";
  for (const auto& [table, entries] : task.tables) {
    for (const auto& [key, value] : entries)
      out += EscapeToken(table) + " " + EscapeToken(key) + " " + EscapeToken(value) + "\n";
  }
  return out;
}

Status DecodeState(const std::string& text, TaskCheckpoint* task) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kStateHeader)
    return Status::Invalid("not a karrow state file");
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string table, key, value, extra;
    if (!(fields >> table >> key >> value) || (fields >> extra))
      return Status::Invalid("bad line '" + line + "'");
    KARROW_ASSIGN_OR_RAISE(std::string t, UnescapeToken(table));
    KARROW_ASSIGN_OR_RAISE(std::string k, UnescapeToken(key));
    KARROW_ASSIGN_OR_RAISE(std::string v, UnescapeToken(value));
    task->tables[t][k] = v;
  }
  return Status::OK();
}

}  // namespace

std::map<std::string, TableEntries> CheckpointData::MergedTables() const {
  std::map<std::string, TableEntries> out;
  for (const TaskCheckpoint& t : tasks) {
    for (const auto& [name, entries] : t.tables) out[name].insert(entries.begin(), entries.end());
  }
  return out;
}

std::vector<std::string> CheckpointData::SinkFiles() const {
  std::vector<std::string> out;
  for (const TaskCheckpoint& t : tasks)
    out.insert(out.end(), t.sink_files.begin(), t.sink_files.end());
  return out;
}

std::string CheckpointStore::CheckpointDir(int64_t epoch) const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "chk-%010" PRId64, epoch);
  return dir_ + "/" + buf;
}

Status CheckpointStore::Write(const CheckpointData& c) {
  std::string dir = CheckpointDir(c.epoch);
  // A torn attempt at this epoch (from before a crash) is not reused.
  KARROW_RETURN_NOT_OK(files::RemoveAll(dir));
  KARROW_RETURN_NOT_OK(files::MakeDirs(dir));
  KARROW_RETURN_NOT_OK(files::SyncDir(dir_));
  std::string manifest = std::string(kManifestHeader) + "\n";
  manifest += "epoch " + std::to_string(c.epoch) + "\n";
  manifest += "parallelism " + std::to_string(c.parallelism) + "\n";
  for (const auto& [key, value] : c.identity.Fields())
    manifest += key + " " + EscapeToken(value) + "\n";
  for (const TaskCheckpoint& t : c.tasks) {
    std::string name = StateFileName(t.task_index);
    std::string data = EncodeState(t);
    KARROW_RETURN_NOT_OK(files::WriteDurably(dir + "/" + name, data));
    manifest += "state " + std::to_string(t.task_index) + " " + name + " " +
                std::to_string(data.size()) + " " + Hex32(files::Crc32c(data)) + "\n";
    for (const std::string& f : t.sink_files)
      manifest += "output " + std::to_string(t.task_index) + " " + f + "\n";
  }
  KARROW_RETURN_NOT_OK(files::SyncDir(dir));
  manifest += "checksum " + Hex32(files::Crc32c(manifest)) + "\n";
  // The manifest is the commit point: the checkpoint exists once it does.
  return files::PublishAtomically(dir + "/" + kManifest, manifest);
}

Result<CheckpointData> CheckpointStore::Load(int64_t epoch) const {
  std::string dir = CheckpointDir(epoch);
  if (!files::Exists(dir + "/" + kManifest))
    return Status::NotFound("no manifest (the checkpoint was not finished)");
  KARROW_ASSIGN_OR_RAISE(std::string manifest, files::Read(dir + "/" + kManifest));
  size_t last = manifest.rfind("checksum ");
  if (last == std::string::npos ||
      manifest.compare(last, std::string::npos,
                       "checksum " + Hex32(files::Crc32c(manifest.substr(0, last))) + "\n") != 0) {
    return Status::Invalid("manifest checksum does not match (the manifest is damaged)");
  }
  CheckpointData c;
  std::map<int32_t, size_t> task_slot;
  std::istringstream in(manifest.substr(0, last));
  std::string line;
  if (std::getline(in, line) && line == kManifestHeaderV1) {
    return Status::Invalid(std::string(kOlderLayout) + " (" + kManifestHeaderV1 + ")");
  }
  if (line != kManifestHeader) return Status::Invalid("not a karrow checkpoint manifest");
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "epoch") {
      fields >> c.epoch;
    } else if (kind == "parallelism") {
      fields >> c.parallelism;
    } else if (c.identity.Set(kind, "")) {
      // "<key> <value>": the value may be empty (e.g. no group), so it is
      // the rest of the line, not a token.
      std::string value;
      std::getline(fields, value);
      KARROW_ASSIGN_OR_RAISE(std::string v, UnescapeToken(value.empty() ? "" : value.substr(1)));
      c.identity.Set(kind, std::move(v));
    } else if (kind == "state") {
      int32_t task = -1;
      std::string name, crc;
      size_t size = 0;
      fields >> task >> name >> size >> crc;
      KARROW_ASSIGN_OR_RAISE(std::string data, files::Read(dir + "/" + name));
      if (data.size() != size || Hex32(files::Crc32c(data)) != crc) {
        return Status::Invalid(
            name + " does not match the manifest's size and checksum (the file is damaged)");
      }
      TaskCheckpoint t;
      t.task_index = task;
      Status st = DecodeState(data, &t);
      if (!st.ok()) return Status::Invalid(name + ": " + st.message());
      task_slot[task] = c.tasks.size();
      c.tasks.push_back(std::move(t));
    } else if (kind == "output") {
      int32_t task = -1;
      std::string name;
      fields >> task >> name;
      auto it = task_slot.find(task);
      if (it == task_slot.end()) return Status::Invalid("output line before its task's state line");
      c.tasks[it->second].sink_files.push_back(name);
    } else {
      return Status::Invalid("unknown manifest line '" + line + "'");
    }
    if (fields.fail()) return Status::Invalid("bad manifest line '" + line + "'");
  }
  if (c.epoch != epoch) return Status::Invalid("manifest says epoch " + std::to_string(c.epoch));
  return c;
}

Result<std::vector<int64_t>> CheckpointStore::Epochs() const {
  std::vector<int64_t> epochs;
  if (!files::Exists(dir_)) return epochs;
  KARROW_ASSIGN_OR_RAISE(std::vector<std::string> names, files::List(dir_));
  for (const std::string& name : names) {
    long long epoch = 0;
    char rest = 0;
    if (std::sscanf(name.c_str(), "chk-%lld%c", &epoch, &rest) == 1 && name.size() == 14)
      epochs.push_back(epoch);
  }
  return epochs;  // names are zero-padded, so sorted names are sorted epochs
}

Result<std::optional<CheckpointData>> CheckpointStore::LoadLatest(
    std::vector<std::string>* skipped) const {
  KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> epochs, Epochs());
  for (auto it = epochs.rbegin(); it != epochs.rend(); ++it) {
    Result<CheckpointData> c = Load(*it);
    if (c.ok()) return std::optional<CheckpointData>(std::move(*c));
    if (c.status().message().find(kOlderLayout) != std::string::npos) {
      return Status::Invalid(
          "checkpoint " + CheckpointDir(*it) + " was " + c.status().message() +
          ", whose checkpoints this version cannot restore: finish the job with that version, "
          "or start it afresh with a new --checkpoint-dir and --sink-dir");
    }
    skipped->push_back(CheckpointDir(*it) + ": " + c.status().message());
  }
  return std::optional<CheckpointData>();
}

Status CheckpointStore::DiscardAfter(int64_t epoch) {
  KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> epochs, Epochs());
  for (int64_t e : epochs) {
    if (e > epoch) KARROW_RETURN_NOT_OK(files::RemoveAll(CheckpointDir(e)));
  }
  return files::Exists(dir_) ? files::SyncDir(dir_) : Status::OK();
}

Status CheckpointStore::Prune(int keep) {
  KARROW_ASSIGN_OR_RAISE(std::vector<int64_t> epochs, Epochs());
  for (size_t i = 0; i + static_cast<size_t>(keep) < epochs.size(); ++i) {
    KARROW_RETURN_NOT_OK(files::RemoveAll(CheckpointDir(epochs[i])));
  }
  return Status::OK();
}

}  // namespace karrow
