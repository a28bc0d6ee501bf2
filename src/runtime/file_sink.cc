#include "runtime/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>

#include "output/ipc_stream_writer.h"
#include "output/ndjson_writer.h"
#include "runtime/files.h"

namespace karrow {
namespace {

const char* Extension(SinkFormat format) {
  return format == SinkFormat::kArrowIpc ? "arrows" : "ndjson";
}

std::string SinkFileName(const std::string& prefix, int64_t epoch, int32_t task,
                         SinkFormat format) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%010" PRId64 "-%04d.%s", epoch, task, Extension(format));
  return prefix + buf;
}

// "" or "dead-letter" -> "" or "/dead-letter", to append to a folder path.
std::string SubPath(const std::string& subfolder) {
  return subfolder.empty() ? "" : "/" + subfolder;
}

class StagingWriter : public SinkWriter {
 public:
  StagingWriter(std::string staging_dir, std::string prefix, std::string subfolder, int32_t task,
                SinkFormat format)
      : staging_dir_(std::move(staging_dir)),
        prefix_(std::move(prefix)),
        subfolder_(std::move(subfolder)),
        task_(task),
        format_(format) {}
  ~StagingWriter() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Write(const RecordBatch& batch, int64_t epoch) override {
    if (batch.num_rows() == 0) return Status::OK();
    buffer_.clear();
    if (fd_ < 0) {
      if (!subfolder_ready_ && !subfolder_.empty()) {
        KARROW_RETURN_NOT_OK(files::MakeDirs(staging_dir_ + SubPath(subfolder_)));
        KARROW_RETURN_NOT_OK(files::SyncDir(staging_dir_));
      }
      subfolder_ready_ = true;
      name_ = (subfolder_.empty() ? "" : subfolder_ + "/") +
              SinkFileName(prefix_, epoch, task_, format_);
      epoch_ = epoch;
      std::string path = staging_dir_ + "/" + name_;
      fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0)
        return Status::IoError("cannot create staged file '" + path + "': " + std::strerror(errno));
      if (format_ == SinkFormat::kArrowIpc) stream_.emplace(batch.schema(), &buffer_);
    } else if (epoch != epoch_) {
      return Status::Internal("rows of epoch " + std::to_string(epoch) + " before epoch " +
                              std::to_string(epoch_) + " was sealed");
    }
    if (format_ == SinkFormat::kArrowIpc) {
      KARROW_RETURN_NOT_OK(stream_->Write(batch));
    } else {
      AppendNdjson(batch, 0, batch.num_rows(), &buffer_);
    }
    return WriteBuffer();
  }

  Result<std::vector<std::string>> Seal(int64_t epoch) override {
    if (fd_ < 0) return std::vector<std::string>();
    if (epoch != epoch_) {
      return Status::Internal("sealing epoch " + std::to_string(epoch) + " while epoch " +
                              std::to_string(epoch_) + " is open");
    }
    buffer_.clear();
    if (stream_) {
      KARROW_RETURN_NOT_OK(stream_->Finish());
      stream_.reset();
    }
    KARROW_RETURN_NOT_OK(WriteBuffer());
    int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      return Status::IoError("cannot make staged file '" + name_ +
                             "' durable: " + std::strerror(errno));
    }
    KARROW_RETURN_NOT_OK(files::SyncDir(staging_dir_ + SubPath(subfolder_)));
    return std::vector<std::string>{name_};
  }

 private:
  Status WriteBuffer() {
    const char* p = buffer_.data();
    size_t left = buffer_.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError("cannot write staged file '" + name_ + "': " + std::strerror(errno));
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Status::OK();
  }

  std::string staging_dir_;
  std::string prefix_;
  std::string subfolder_;
  bool subfolder_ready_ = false;
  int32_t task_;
  SinkFormat format_;
  int fd_ = -1;
  int64_t epoch_ = -1;
  std::string name_;
  std::string buffer_;                     // reused per batch
  std::optional<IpcStreamWriter> stream_;  // of the open file, with kArrowIpc
};

}  // namespace

std::string FileNamePrefix(const std::string& job, const std::string& topic) {
  return job + "@" + topic + "@";
}

int64_t FileSink::FileEpoch(const std::string& name) const {
  // Exactly <prefix><10 digits>-<4 digits>.<this format's extension>.
  std::string ext = std::string(".") + Extension(format_);
  if (name.size() != prefix_.size() + 15 + ext.size() ||
      name.compare(0, prefix_.size(), prefix_) != 0 ||
      name.compare(prefix_.size() + 15, std::string::npos, ext) != 0) {
    return -1;
  }
  int64_t epoch = 0;
  for (size_t i = 0; i < 15; ++i) {
    char c = name[prefix_.size() + i];
    if (i == 10 ? c != '-' : (c < '0' || c > '9')) return -1;
    if (i < 10) epoch = epoch * 10 + (c - '0');
  }
  return epoch;
}

Result<std::vector<std::string>> FileSink::Orphans(const std::string& subfolder,
                                                   int64_t completed) const {
  std::vector<std::string> out;
  std::string folder = dir_ + SubPath(subfolder);
  if (!files::Exists(folder)) return out;
  KARROW_ASSIGN_OR_RAISE(std::vector<std::string> names, files::List(folder));
  for (const std::string& name : names) {
    if (FileEpoch(name) > completed)
      out.push_back((subfolder.empty() ? "" : subfolder + "/") + name);
  }
  return out;
}

Status FileSink::DiscardStaged(const std::string& subfolder, std::vector<std::string>* notes) {
  std::string staging = staging_dir() + SubPath(subfolder);
  if (!files::Exists(staging)) return Status::OK();
  KARROW_ASSIGN_OR_RAISE(std::vector<std::string> staged, files::List(staging));
  for (const std::string& name : staged) {
    // Another job's staged files are not ours to judge.
    if (FileEpoch(name) < 0) continue;
    KARROW_RETURN_NOT_OK(files::RemoveAll(staging + "/" + name));
    notes->push_back("discarded staged file " + (subfolder.empty() ? "" : subfolder + "/") + name +
                     " of an unfinished checkpoint");
  }
  return Status::OK();
}

Status FileSink::Retract(const std::string& name) {
  size_t slash = name.rfind('/');
  std::string folder =
      dir_ + "/.retracted" + (slash == std::string::npos ? "" : "/" + name.substr(0, slash));
  KARROW_RETURN_NOT_OK(files::MakeDirs(folder));
  // An epoch retracted once can be taken and retracted again: never replace
  // what an earlier retraction kept.
  std::string to = dir_ + "/.retracted/" + name;
  for (int n = 1; files::Exists(to); ++n)
    to = dir_ + "/.retracted/" + name + "." + std::to_string(n);
  if (std::rename((dir_ + "/" + name).c_str(), to.c_str()) != 0) {
    return Status::IoError("cannot retract '" + name + "': " + std::strerror(errno));
  }
  return Status::OK();
}

Result<int64_t> FileSink::Recover(int64_t completed,
                                  const std::vector<std::string>& completed_files,
                                  const SinkRecoveryOptions& options,
                                  std::vector<std::string>* notes) {
  // First every check, then every change: a refusal changes nothing.
  std::vector<std::string> present;
  for (const std::string& name : completed_files) {
    if (files::Exists(staging_dir() + "/" + name) || files::Exists(dir_ + "/" + name)) {
      present.push_back(name);
    } else if (options.allow_missing) {
      notes->push_back("published file " + name + " of checkpoint " + std::to_string(completed) +
                       " is gone from " + dir_ + "; going on without it (allow_missing_output)");
    } else {
      return Status::NotFound(
          "published file " + name + " of checkpoint " + std::to_string(completed) +
          " is gone from " + dir_ +
          " (it is neither published nor staged): if a downstream process moved it away, run "
          "again with --allow-missing-output to go on without it (its records are not read again)");
    }
  }
  std::vector<std::string> orphans;
  int64_t newest_orphan = completed;
  for (const std::string& subfolder : [&] {
         std::vector<std::string> all{""};
         all.insert(all.end(), subfolders_.begin(), subfolders_.end());
         return all;
       }()) {
    KARROW_ASSIGN_OR_RAISE(std::vector<std::string> found, Orphans(subfolder, completed));
    for (const std::string& name : found) {
      newest_orphan = std::max(newest_orphan, FileEpoch(name.substr(name.rfind('/') + 1)));
      orphans.push_back(name);
    }
  }
  if (!orphans.empty() && options.orphans == OrphanOutput::kFail) {
    std::string why = completed == 0
                          ? "the checkpoint directory holds no complete checkpoint"
                          : "the checkpoint restored from is epoch " + std::to_string(completed) +
                                " (a newer one is damaged or was removed)";
    return Status::Invalid(
        dir_ + " holds " + std::to_string(orphans.size()) +
        " published files of this job that no checkpoint covers (e.g. " + orphans.back() +
        ", epochs up to " + std::to_string(newest_orphan) + "): " + why +
        ". Restore the checkpoint directory, or run again with --on-orphan-output=retract to move "
        "them to .retracted/ and read their records again, or --on-orphan-output=keep to leave "
        "them in place (their records are then read again too, and published twice)");
  }

  KARROW_RETURN_NOT_OK(files::MakeDirs(staging_dir()));
  KARROW_RETURN_NOT_OK(Publish(present));
  KARROW_RETURN_NOT_OK(DiscardStaged("", notes));
  for (const std::string& subfolder : subfolders_)
    KARROW_RETURN_NOT_OK(DiscardStaged(subfolder, notes));
  if (orphans.empty()) return completed;
  std::set<std::string> folders;
  for (const std::string& name : orphans) {
    size_t slash = name.rfind('/');
    folders.insert(slash == std::string::npos ? dir_ : dir_ + "/" + name.substr(0, slash));
    if (options.orphans == OrphanOutput::kRetract) {
      KARROW_RETURN_NOT_OK(Retract(name));
      notes->push_back("retracted published file " + name +
                       " to .retracted/: no checkpoint covers it, its records will be read again "
                       "(on_orphan_output=retract)");
    } else {
      notes->push_back("kept published file " + name +
                       " that no checkpoint covers: its records will be read again and published "
                       "twice (on_orphan_output=keep)");
    }
  }
  if (options.orphans == OrphanOutput::kRetract) {
    for (const std::string& folder : folders) KARROW_RETURN_NOT_OK(files::SyncDir(folder));
    KARROW_RETURN_NOT_OK(files::SyncDir(dir_ + "/.retracted"));
    return completed;
  }
  // Kept: new epochs come after them, so that no name is published twice.
  return newest_orphan;
}

std::unique_ptr<SinkWriter> FileSink::NewWriter(int32_t task_index, const std::string& subfolder) {
  return std::make_unique<StagingWriter>(staging_dir(), prefix_, subfolder, task_index, format_);
}

Status FileSink::Publish(const std::vector<std::string>& names) {
  std::set<std::string> folders;  // where files were published, to make durable
  for (const std::string& name : names) {
    size_t slash = name.rfind('/');
    std::string folder = slash == std::string::npos ? dir_ : dir_ + "/" + name.substr(0, slash);
    if (folders.insert(folder).second && !files::Exists(folder)) {
      // The first file of a subfolder: the subfolder itself must last too.
      KARROW_RETURN_NOT_OK(files::MakeDirs(folder));
      KARROW_RETURN_NOT_OK(files::SyncDir(dir_));
    }
    std::string from = staging_dir() + "/" + name;
    std::string to = dir_ + "/" + name;
    if (files::Exists(to)) {
      // Published before a crash; a staged file of the same name as well
      // would be a second file of one epoch, which must never replace it.
      if (!files::Exists(from)) continue;
      return Status::Internal("cannot publish '" + name + "': a published file has that name");
    }
    if (std::rename(from.c_str(), to.c_str()) == 0) continue;
    if (errno == ENOENT && files::Exists(to)) continue;  // published before a crash
    return Status::IoError(
        "cannot publish '" + name + "' (" + std::strerror(errno) +
        "): a completed checkpoint lists it, but it is neither staged nor published");
  }
  for (const std::string& folder : folders) KARROW_RETURN_NOT_OK(files::SyncDir(folder));
  return Status::OK();
}

}  // namespace karrow
