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

std::string SinkFileName(int64_t epoch, int32_t task, SinkFormat format) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%010" PRId64 "-%04d.%s", epoch, task,
                format == SinkFormat::kArrowIpc ? "arrows" : "ndjson");
  return buf;
}

// "" or "dead-letter" -> "" or "/dead-letter", to append to a folder path.
std::string SubPath(const std::string& subfolder) {
  return subfolder.empty() ? "" : "/" + subfolder;
}

class StagingWriter : public SinkWriter {
 public:
  StagingWriter(std::string staging_dir, std::string subfolder, int32_t task, SinkFormat format)
      : staging_dir_(std::move(staging_dir)),
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
      name_ = (subfolder_.empty() ? "" : subfolder_ + "/") + SinkFileName(epoch, task_, format_);
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

int64_t SinkFileEpoch(const std::string& name) {
  long long epoch = -1;
  int task = -1;
  char dot = 0;
  if (std::sscanf(name.c_str(), "%10lld-%4d%c", &epoch, &task, &dot) != 3 || dot != '.') return -1;
  return epoch;
}

Status FileSink::Recover(int64_t completed, const std::vector<std::string>& completed_files,
                         std::vector<std::string>* notes) {
  KARROW_RETURN_NOT_OK(files::MakeDirs(staging_dir()));
  KARROW_RETURN_NOT_OK(Publish(completed_files));
  KARROW_RETURN_NOT_OK(RecoverFolder("", completed, notes));
  for (const std::string& subfolder : subfolders_)
    KARROW_RETURN_NOT_OK(RecoverFolder(subfolder, completed, notes));
  return Status::OK();
}

Status FileSink::RecoverFolder(const std::string& subfolder, int64_t completed,
                               std::vector<std::string>* notes) {
  const std::string prefix = subfolder.empty() ? "" : subfolder + "/";
  auto is_subfolder = [&](const std::string& name) {
    return subfolder.empty() &&
           std::find(subfolders_.begin(), subfolders_.end(), name) != subfolders_.end();
  };
  std::string staging = staging_dir() + SubPath(subfolder);
  if (files::Exists(staging)) {
    KARROW_ASSIGN_OR_RAISE(std::vector<std::string> staged, files::List(staging));
    for (const std::string& name : staged) {
      if (is_subfolder(name)) continue;
      KARROW_RETURN_NOT_OK(files::RemoveAll(staging + "/" + name));
      notes->push_back("discarded staged file " + prefix + name + " of an unfinished checkpoint");
    }
  }
  std::string published_dir = dir_ + SubPath(subfolder);
  if (!files::Exists(published_dir)) return Status::OK();
  KARROW_ASSIGN_OR_RAISE(std::vector<std::string> published, files::List(published_dir));
  for (const std::string& name : published) {
    if (SinkFileEpoch(name) <= completed) continue;
    // Only a checkpoint that was complete and later damaged can have left
    // these: restoring from an older one reads their records again, so they
    // must leave the output to keep every record there exactly once.
    std::string retracted = dir_ + "/.retracted" + SubPath(subfolder);
    KARROW_RETURN_NOT_OK(files::MakeDirs(retracted));
    if (std::rename((published_dir + "/" + name).c_str(), (retracted + "/" + name).c_str()) != 0) {
      return Status::IoError("cannot retract '" + prefix + name + "': " + std::strerror(errno));
    }
    notes->push_back("retracted published file " + prefix + name +
                     " to .retracted/: its checkpoint is damaged " +
                     "and its records will be read again");
  }
  return files::SyncDir(published_dir);
}

std::unique_ptr<SinkWriter> FileSink::NewWriter(int32_t task_index, const std::string& subfolder) {
  return std::make_unique<StagingWriter>(staging_dir(), subfolder, task_index, format_);
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
