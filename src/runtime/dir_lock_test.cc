#include "runtime/dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "support/expect_error.h"
#include "support/scratch_dir.h"

namespace karrow {
namespace {

// flock() locks belong to an open file description, so a second Acquire in
// the same process (a second open()) is refused just as another process is.
TEST(DirLockTest, SecondLockIsRefusedWithTheHoldersPid) {
  ScratchDir dir;
  Result<DirLock> first = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<DirLock> second = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
  ExpectError(second.status(), StatusCode::kIoError,
              {"checkpoint directory " + dir.path() + " is in use by another karrow run (pid " +
                   std::to_string(::getpid()) + ")",
               "stop it first or use another directory"});
}

TEST(DirLockTest, ReleasedLockCanBeTakenAgain) {
  ScratchDir dir;
  Result<DirLock> first = DirLock::Acquire(dir.path(), ".lock", "sink");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  first->Release();
  EXPECT_FALSE(first->held());
  Result<DirLock> again = DirLock::Acquire(dir.path(), ".lock", "sink");
  EXPECT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->held());
}

TEST(DirLockTest, DestroyedLockIsReleased) {
  ScratchDir dir;
  { ASSERT_TRUE(DirLock::Acquire(dir.path(), ".lock", "sink").ok()); }
  EXPECT_TRUE(DirLock::Acquire(dir.path(), ".lock", "sink").ok());
}

TEST(DirLockTest, DifferentFilesInOneFolderAreIndependent) {
  ScratchDir dir;
  Result<DirLock> a = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
  Result<DirLock> b = DirLock::Acquire(dir.path(), ".lock-job", "sink");
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(b.ok()) << b.status().ToString();
}

// Another process holds the lock: refused with its pid; once it is killed
// (SIGKILL, no cleanup at all), the lock is free.
TEST(DirLockTest, LockOfAKilledProcessIsFree) {
  ScratchDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<DirLock> held = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
    char c = held.ok() ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) ::_exit(3);
    while (true) ::pause();  // until killed
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  Result<DirLock> refused = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
  ExpectError(refused.status(), StatusCode::kIoError, {"(pid " + std::to_string(child) + ")"});
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  Result<DirLock> after = DirLock::Acquire(dir.path(), ".lock", "checkpoint");
  EXPECT_TRUE(after.ok()) << after.status().ToString();
}

}  // namespace
}  // namespace karrow
