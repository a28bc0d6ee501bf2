#include "common/log.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/secrets.h"

namespace karrow {

LogLevel MinLogLevel() {
  static const LogLevel level = [] {
    const char* v = std::getenv("KARROW_LOG");
    if (v == nullptr) return LogLevel::kWarn;
    if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
    if (std::strcmp(v, "info") == 0) return LogLevel::kInfo;
    if (std::strcmp(v, "error") == 0) return LogLevel::kError;
    return LogLevel::kWarn;
  }();
  return level;
}

void Log(LogLevel level, const std::string& message) {
  if (level < MinLogLevel()) return;
  LogUnfiltered(level, message);
}

void LogUnfiltered(LogLevel level, const std::string& message) {
  static const char* kNames[] = {"debug", "info", "warning", "error"};
  std::string line = std::string("karrow: ") + kNames[static_cast<int>(level)] + ": " +
                     ScrubSecrets(message) + "\n";
  std::fwrite(line.data(), 1, line.size(),
              stderr);  // one write, so lines from threads do not interleave
}

void LogRateLimiter::Log(LogLevel level, const std::string& message) {
  auto now = std::chrono::steady_clock::now();
  int64_t suppressed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now < next_) {
      ++suppressed_;
      return;
    }
    next_ = now + interval_;
    suppressed = suppressed_;
    suppressed_ = 0;
  }
  karrow::Log(level, suppressed == 0 ? message
                                     : message + " (" + std::to_string(suppressed) +
                                           " similar messages suppressed)");
}

}  // namespace karrow
