// "Did you mean ...?": the known name closest to a mistyped one, for errors
// about unknown options and properties.
#pragma once

#include <string>
#include <vector>

namespace karrow {

/// The edit distance (insertions, deletions, substitutions, and swaps of
/// two neighbours) between `a` and `b`.
int EditDistance(const std::string& a, const std::string& b);

/// The name in `known` closest to `typed` when it is close enough to be a
/// typo (at most 2 edits, 1 for names of 4 characters or fewer), else "".
/// Ties go to the first in `known`.
std::string ClosestName(const std::string& typed, const std::vector<std::string>& known);

/// "; did you mean NAME?" for the closest name, or "" when none is close.
std::string DidYouMean(const std::string& typed, const std::vector<std::string>& known,
                       const std::string& spelled_prefix = "");

}  // namespace karrow
