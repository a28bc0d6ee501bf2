// Metrics: the one catalog of what karrow measures (names, kinds, labels,
// help text), the samples operators report against it, and where they report
// them. The Prometheus text, Python's reader.metrics() and the C API all read
// the catalog, so a name is written once (docs/metrics.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "karrow/export.h"

namespace karrow {

enum class MetricType {
  kCounter,  ///< only grows over a run; its name ends in _total
  kGauge,    ///< a value now (a lag, an offset, a time)
};

/// Which thing a metric describes, and so which labels its samples carry
/// besides the one in MetricDef::label.
enum class MetricScope {
  kTask,       ///< one reading task: labels topic, task
  kPartition,  ///< one partition of a task: labels topic, partition
  kJob,        ///< a whole `karrow run`: label job
};

struct MetricDef {
  const char* name;  ///< Prometheus name, e.g. "karrow_records_read_total"
  MetricType type;
  MetricScope scope;
  const char* label;  ///< a label of its own ("reason"), or "" for none
  const char* help;   ///< one line, for # HELP and docs/metrics.md
};

/// Every metric, in the order they are shown. Static storage.
KARROW_EXPORT const std::vector<const MetricDef*>& MetricCatalog();

namespace metric {
// Per task.
KARROW_EXPORT extern const MetricDef kRecordsRead;
KARROW_EXPORT extern const MetricDef kValueBytesRead;
KARROW_EXPORT extern const MetricDef kRowsEmitted;
KARROW_EXPORT extern const MetricDef kBatchesEmitted;
KARROW_EXPORT extern const MetricDef kTombstones;
KARROW_EXPORT extern const MetricDef kBadRecords;  // label reason
KARROW_EXPORT extern const MetricDef kDeadLetters;
KARROW_EXPORT extern const MetricDef kCommits;
KARROW_EXPORT extern const MetricDef kCommitFailures;
KARROW_EXPORT extern const MetricDef kOffsetGaps;
KARROW_EXPORT extern const MetricDef kSkippedOffsets;
KARROW_EXPORT extern const MetricDef kFetchWakeups;
KARROW_EXPORT extern const MetricDef kRateLimitWaits;
KARROW_EXPORT extern const MetricDef kRateLimitWaitSeconds;
KARROW_EXPORT extern const MetricDef kFetchQueueMessages;
KARROW_EXPORT extern const MetricDef kWatermark;
KARROW_EXPORT extern const MetricDef kBrokerRoundTrip;  // label broker
// Per partition.
KARROW_EXPORT extern const MetricDef kPartitionLag;
KARROW_EXPORT extern const MetricDef kPartitionNextOffset;
KARROW_EXPORT extern const MetricDef kPartitionEndOffset;
KARROW_EXPORT extern const MetricDef kPartitionRecordsRead;
// Per job (`karrow run`).
KARROW_EXPORT extern const MetricDef kCheckpointsCompleted;
KARROW_EXPORT extern const MetricDef kCheckpointsFailed;
KARROW_EXPORT extern const MetricDef kCheckpointDuration;
KARROW_EXPORT extern const MetricDef kCheckpointSize;
KARROW_EXPORT extern const MetricDef kLastCheckpointEpoch;
KARROW_EXPORT extern const MetricDef kLastCheckpointTime;
}  // namespace metric

/// The reasons of karrow_bad_records_total.
namespace bad_record_reason {
constexpr const char* kDecodeError = "decode_error";   ///< the value (or line) did not decode
constexpr const char* kLineTooLong = "line_too_long";  ///< a framed line over max_line_length
}  // namespace bad_record_reason

struct MetricSample {
  const MetricDef* def = nullptr;  ///< one of the catalog's
  /// The partition of a kPartition metric, as text.
  std::string partition;
  /// The value of def->label, when it has one.
  std::string label_value;
  double value = 0;
};
using MetricSamples = std::vector<MetricSample>;

/// The labels every sample of a group shares; empty ones are left out.
struct MetricLabels {
  std::string topic;
  std::string task;  ///< task index, as text
  std::string job;
};

/// Appends `groups` in the Prometheus text exposition format (version
/// 0.0.4): for each catalog metric with samples, its # HELP and # TYPE
/// lines, then a line per sample with the group's labels and its own.
KARROW_EXPORT void AppendPrometheusText(
    const std::vector<std::pair<MetricLabels, MetricSamples>>& groups, std::string* out);

class KARROW_EXPORT MetricsRecorder {
 public:
  virtual ~MetricsRecorder() = default;
  /// Sets a gauge, or a counter the operator keeps itself. Thread-safe.
  virtual void Set(const std::string& name, int64_t value) = 0;
  /// Adds `delta` to a counter. Thread-safe.
  virtual void Add(const std::string& name, int64_t delta) = 0;
  /// Replaces the operator's catalog samples (for the metrics endpoint).
  /// Called once per batch, not per record. Thread-safe.
  virtual void Publish(MetricSamples samples) { (void)samples; }
};

}  // namespace karrow
