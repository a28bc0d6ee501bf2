#include "common/suggest.h"

#include <algorithm>
#include <cctype>

namespace karrow {

int EditDistance(const std::string& a, const std::string& b) {
  // Optimal string alignment: a swapped pair counts as one edit, the most
  // common typo of all (fecth, bathc).
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                               std::tolower(static_cast<unsigned char>(b[j - 1]))
                           ? 0
                           : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string ClosestName(const std::string& typed, const std::vector<std::string>& known) {
  const int limit = typed.size() <= 4 ? 1 : 2;
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& name : known) {
    // Names far apart in length cannot be within the limit: skip the work.
    const size_t longer = std::max(name.size(), typed.size());
    const size_t shorter = std::min(name.size(), typed.size());
    if (longer - shorter > static_cast<size_t>(limit)) continue;
    const int d = EditDistance(typed, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::string DidYouMean(const std::string& typed, const std::vector<std::string>& known,
                       const std::string& spelled_prefix) {
  std::string name = ClosestName(typed, known);
  return name.empty() ? "" : "; did you mean " + spelled_prefix + name + "?";
}

}  // namespace karrow
