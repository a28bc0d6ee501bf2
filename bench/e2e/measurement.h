// What an end-to-end benchmark program measures about itself, printed as one
// JSON line on stdout for bench/run, which turns it into the report.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace karrow::bench {

/// The clock runs only while the contender reads: from its partitions being
/// assigned to the last batch of a pass (Resume() to Pause()), so that
/// connecting, the same for every contender, stays out of the rates. CPU
/// time is the whole process's (every librdkafka thread included) over the
/// same intervals.
class Measurement {
 public:
  using Clock = std::chrono::steady_clock;

  void Resume() {
    running_ = true;
    resumed_ = Clock::now();
    resumed_cpu_ = CpuSeconds();
  }
  void Pause() {
    elapsed_s_ = Elapsed();
    cpu_s_ += CpuSeconds() - resumed_cpu_;
    running_ = false;
  }
  /// Seconds on the clock so far.
  double Elapsed() const {
    return elapsed_s_ +
           (running_ ? std::chrono::duration<double>(Clock::now() - resumed_).count() : 0.0);
  }
  /// `rows` were handed to the caller now (a batch, or one fetch's rows).
  void Handed(int64_t rows) { handed_.emplace_back(Elapsed(), rows); }
  void Count(int64_t messages, int64_t value_bytes) {
    messages_ += messages;
    value_bytes_ += value_bytes;
  }

  /// {"contender", "messages", "value_bytes", "elapsed_s", "cpu_s",
  ///  "peak_rss_kib" (VmHWM now), "handed": [[seconds on the clock, rows], ...],
  ///  then `extra` verbatim: more members such as `"rows": 5`, or nothing}.
  void Print(const std::string& contender, const std::string& extra = "") const {
    std::string out = "{\"contender\": \"" + contender +
                      "\", \"messages\": " + std::to_string(messages_) +
                      ", \"value_bytes\": " + std::to_string(value_bytes_) +
                      ", \"elapsed_s\": " + Number(elapsed_s_) + ", \"cpu_s\": " + Number(cpu_s_) +
                      ", \"peak_rss_kib\": " + std::to_string(PeakRssKib()) + ", \"handed\": [";
    for (size_t i = 0; i < handed_.size(); ++i) {
      if (i > 0) out += ", ";
      out += "[" + Number(handed_[i].first) + ", " + std::to_string(handed_[i].second) + "]";
    }
    out += "]";
    if (!extra.empty()) out += ", " + extra;
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  static double CpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  // The process's resident memory at its highest so far (Linux's VmHWM).
  static int64_t PeakRssKib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return 0;
    char line[256];
    long long kib = 0;
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      if (std::sscanf(line, "VmHWM: %lld kB", &kib) == 1) break;
    }
    std::fclose(f);
    return kib;
  }
  static std::string Number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6f", v);
    return buf;
  }

  bool running_ = false;
  Clock::time_point resumed_{};
  double resumed_cpu_ = 0;
  double elapsed_s_ = 0;
  double cpu_s_ = 0;
  int64_t messages_ = 0;
  int64_t value_bytes_ = 0;
  std::vector<std::pair<double, int64_t>> handed_;
};

}  // namespace karrow::bench
