#include "runtime/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace karrow {

Result<DirLock> DirLock::Acquire(const std::string& dir, const std::string& file_name,
                                 const std::string& what) {
  std::string path = dir + "/" + file_name;
  // O_CLOEXEC: a child process (e.g. one librdkafka starts) must not keep
  // the lock alive after this process ends.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("cannot open lock file '" + path + "': " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return Status::IoError("cannot lock '" + path + "': " + std::strerror(err));
    }
    // The holder writes its pid right after locking; a holder caught in
    // between has written nothing yet.
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return Status::IoError(what + " directory " + dir + " is in use by another karrow run (pid " +
                           (pid.empty() ? "unknown" : pid) +
                           "); stop it first or use another directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return Status::IoError("cannot write lock file '" + path + "': " + std::strerror(err));
  }
  return DirLock(fd);
}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void DirLock::Release() {
  // Closing the only descriptor of the open file description drops the
  // flock; the pid stays in the file, which is harmless (only a refusal
  // reads it, and a refusal needs a live holder).
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace karrow
