// DirLock: an exclusive lock on a folder, so that two `karrow run` never use
// the same checkpoint or output folder at once. It is a flock() on a lock
// file inside the folder, which the kernel drops when the process ends in
// any way (SIGKILL included), so a crash never leaves a stale lock behind.
// The lock file holds the holder's pid, for the refusal message only; the
// file itself is never removed (removing it would let a second process lock
// a new file of the same name while the first still holds the old one).
#pragma once

#include <string>

#include "karrow/status.h"

namespace karrow {

class DirLock {
 public:
  /// Locks `dir`/`file_name` (creating it), or refuses at once when another
  /// open file description holds it: "<what> directory <dir> is in use by
  /// another karrow run (pid N); ...". `what` names the folder's role, e.g.
  /// "checkpoint" or "sink".
  static Result<DirLock> Acquire(const std::string& dir, const std::string& file_name,
                                 const std::string& what);

  DirLock() = default;
  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock() { Release(); }

  /// Gives the lock up (also done by the destructor).
  void Release();
  bool held() const { return fd_ >= 0; }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace karrow
