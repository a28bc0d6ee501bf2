// ScratchDir: a fresh folder for one test, removed with everything in it when
// the test ends, for the tests of code that keeps state in files.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "runtime/files.h"

namespace karrow {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "karrow-test-XXXXXX";
    // A unique name per test, so tests run in parallel do not share state.
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    path_ = pattern;
  }
  ~ScratchDir() {
    Status st = files::RemoveAll(path_);
    if (!st.ok()) ADD_FAILURE() << st.ToString();
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  /// The path of `name` inside the folder.
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace karrow
