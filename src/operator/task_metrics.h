// TaskMetrics: a task's metrics as the runtime keeps them, written by its
// operator (through MetricsRecorder) and read from other threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "karrow/metrics.h"

namespace karrow {

class TaskMetrics final : public MetricsRecorder {
 public:
  void Set(const std::string& name, int64_t value) override {
    std::lock_guard<std::mutex> lock(mu_);
    values_[name] = value;
  }
  void Add(const std::string& name, int64_t delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    values_[name] += delta;
  }
  void Publish(MetricSamples samples) override {
    std::lock_guard<std::mutex> lock(mu_);
    samples_ = std::move(samples);
  }
  std::map<std::string, int64_t> Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return values_;
  }
  MetricSamples Samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> values_;
  MetricSamples samples_;
};

}  // namespace karrow
