// ExpectError: a test's check that a Status failed with a given code and a
// message containing given fragments.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "karrow/status.h"

namespace karrow {

inline void ExpectError(const Status& st, StatusCode code,
                        const std::vector<std::string>& fragments) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), code) << st.ToString();
  for (const std::string& f : fragments) {
    EXPECT_NE(st.message().find(f), std::string::npos) << f << " in: " << st.message();
  }
}

}  // namespace karrow
