// Metrics: named counters and gauges of a task, updated by its operator and
// read by the runtime (summaries, progress) from other threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace karrow {

class Metrics {
 public:
  void Add(const std::string& name, int64_t delta) {
    std::lock_guard<std::mutex> lock(mu_);
    values_[name] += delta;
  }
  void Set(const std::string& name, int64_t value) {
    std::lock_guard<std::mutex> lock(mu_);
    values_[name] = value;
  }
  int64_t Get(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = values_.find(name);
    return it == values_.end() ? 0 : it->second;
  }
  std::map<std::string, int64_t> Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return values_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> values_;
};

}  // namespace karrow
