// Minimal leveled logging to stderr, and a limiter for messages that could
// otherwise repeat once per record.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace karrow {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// Messages below this level are dropped; KARROW_LOG=debug|info|warn|error.
LogLevel MinLogLevel();
void Log(LogLevel level, const std::string& message);
/// Writes `message` whatever MinLogLevel() is: for output the user asked
/// for otherwise (librdkafka's debug lines, -X debug=...).
void LogUnfiltered(LogLevel level, const std::string& message);

/// Lets one message through per interval and counts the ones it held back.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}
  /// Logs `message` now, or counts it; the next message that gets through
  /// says how many were suppressed.
  void Log(LogLevel level, const std::string& message);
  /// Writes `message` whatever MinLogLevel() is: for output the user asked
  /// for otherwise (librdkafka's debug lines, -X debug=...).
  void LogUnfiltered(LogLevel level, const std::string& message);

 private:
  std::mutex mu_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_{};
  int64_t suppressed_ = 0;
};

}  // namespace karrow
