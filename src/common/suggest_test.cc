#include "common/suggest.h"

#include <gtest/gtest.h>

namespace karrow {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(EditDistance("batch_size", "batch_size"), 0);
  EXPECT_EQ(EditDistance("bathc_size", "batch_size"), 1);  // a swap is one edit
  EXPECT_EQ(EditDistance("batch_sze", "batch_size"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(Suggest, ClosestName) {
  const std::vector<std::string> known = {"stop_offsets", "start_offsets", "linger_ms"};
  EXPECT_EQ(ClosestName("stop_ofsets", known), "stop_offsets");
  EXPECT_EQ(ClosestName("lingr_ms", known), "linger_ms");
  EXPECT_EQ(ClosestName("something_else", known), "");
  EXPECT_EQ(ClosestName("abc", {"abd", "xyz"}), "abd");
  EXPECT_EQ(ClosestName("ab", {"xy"}), "");  // short names: one edit at most
  EXPECT_EQ(DidYouMean("lingr_ms", known, "--property "), "; did you mean --property linger_ms?");
  EXPECT_EQ(DidYouMean("zzz", known), "");
}

}  // namespace
}  // namespace karrow
