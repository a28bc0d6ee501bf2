#include "karrow/metrics.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace karrow {
namespace metric {

using T = MetricType;
using S = MetricScope;

const MetricDef kRecordsRead{"karrow_records_read_total", T::kCounter, S::kTask, "",
                             "Kafka records read, tombstones and bad records included"};
const MetricDef kValueBytesRead{"karrow_value_bytes_read_total", T::kCounter, S::kTask, "",
                                "Bytes of record values read"};
const MetricDef kRowsEmitted{"karrow_rows_emitted_total", T::kCounter, S::kTask, "",
                             "Rows emitted in Arrow batches"};
const MetricDef kBatchesEmitted{"karrow_batches_emitted_total", T::kCounter, S::kTask, "",
                                "Arrow batches of rows emitted"};
const MetricDef kTombstones{"karrow_tombstones_total", T::kCounter, S::kTask, "",
                            "Records with a null value, skipped"};
const MetricDef kBadRecords{"karrow_bad_records_total", T::kCounter, S::kTask, "reason",
                            "Records (or framed lines) dropped as bad data, by reason"};
const MetricDef kDeadLetters{"karrow_dead_letters_total", T::kCounter, S::kTask, "",
                             "Dead letters emitted (bad records kept with dead_letter=true)"};
const MetricDef kCommits{"karrow_commits_total", T::kCounter, S::kTask, "",
                         "Offset commits the group coordinator accepted"};
const MetricDef kCommitFailures{"karrow_commit_failures_total", T::kCounter, S::kTask, "",
                                "Offset commits that failed"};
const MetricDef kOffsetGaps{"karrow_offset_gaps_total", T::kCounter, S::kTask, "",
                            "Out-of-range positions skipped (on_out_of_range)"};
const MetricDef kSkippedOffsets{"karrow_skipped_offsets_total", T::kCounter, S::kTask, "",
                                "Offsets jumped over by those skips"};
const MetricDef kFetchWakeups{"karrow_fetch_wakeups_total", T::kCounter, S::kTask, "",
                              "Times the idle fetcher was woken"};
const MetricDef kRateLimitWaits{"karrow_rate_limit_waits_total", T::kCounter, S::kTask, "",
                                "Sleeps to keep to messages_per_second"};
const MetricDef kRateLimitWaitSeconds{"karrow_rate_limit_wait_seconds_total", T::kCounter, S::kTask,
                                      "", "Time slept to keep to messages_per_second"};
const MetricDef kFetchQueueMessages{
    "karrow_fetch_queue_messages", T::kGauge, S::kTask, "",
    "Messages the Kafka client fetched that were not read yet (librdkafka's queue)"};
const MetricDef kWatermark{"karrow_event_time_watermark_seconds", T::kGauge, S::kTask, "",
                           "The newest event-time watermark emitted, in seconds since the epoch"};
const MetricDef kBrokerRoundTrip{
    "karrow_broker_rtt_seconds", T::kGauge, S::kTask, "broker",
    "Average round-trip time to the broker in librdkafka's last statistics window (only with "
    "the client property statistics.interval.ms set)"};
const MetricDef kPartitionLag{
    "karrow_partition_lag_records", T::kGauge, S::kPartition, "",
    "Records between the next offset to read and the partition's end (high watermark, or last "
    "stable offset under read_committed)"};
const MetricDef kPartitionNextOffset{"karrow_partition_next_offset", T::kGauge, S::kPartition, "",
                                     "The next offset to read"};
const MetricDef kPartitionEndOffset{
    "karrow_partition_end_offset", T::kGauge, S::kPartition, "",
    "The partition's end as last fetched: high watermark, or last stable offset under "
    "read_committed"};
const MetricDef kPartitionRecordsRead{"karrow_partition_records_read_total", T::kCounter,
                                      S::kPartition, "", "Kafka records read from the partition"};
const MetricDef kCheckpointsCompleted{"karrow_checkpoints_completed_total", T::kCounter, S::kJob,
                                      "", "Checkpoints completed (written and published)"};
const MetricDef kCheckpointsFailed{"karrow_checkpoints_failed_total", T::kCounter, S::kJob, "",
                                   "Checkpoints that failed to complete"};
const MetricDef kCheckpointDuration{"karrow_checkpoint_duration_seconds", T::kGauge, S::kJob, "",
                                    "How long the last completed checkpoint took, from its "
                                    "barrier to its files published"};
const MetricDef kCheckpointSize{"karrow_checkpoint_size_bytes", T::kGauge, S::kJob, "",
                                "Bytes of output files the last completed checkpoint published"};
const MetricDef kLastCheckpointEpoch{"karrow_last_checkpoint_epoch", T::kGauge, S::kJob, "",
                                     "Epoch of the newest completed checkpoint"};
const MetricDef kLastCheckpointTime{
    "karrow_last_checkpoint_timestamp_seconds", T::kGauge, S::kJob, "",
    "When the newest checkpoint completed, in seconds since the epoch"};

}  // namespace metric

const std::vector<const MetricDef*>& MetricCatalog() {
  using namespace metric;
  static const std::vector<const MetricDef*> all = {
      &kRecordsRead,          &kValueBytesRead,       &kRowsEmitted,         &kBatchesEmitted,
      &kTombstones,           &kBadRecords,           &kDeadLetters,         &kCommits,
      &kCommitFailures,       &kOffsetGaps,           &kSkippedOffsets,      &kFetchWakeups,
      &kRateLimitWaits,       &kRateLimitWaitSeconds, &kFetchQueueMessages,  &kWatermark,
      &kBrokerRoundTrip,      &kPartitionLag,         &kPartitionNextOffset, &kPartitionEndOffset,
      &kPartitionRecordsRead, &kCheckpointsCompleted, &kCheckpointsFailed,   &kCheckpointDuration,
      &kCheckpointSize,       &kLastCheckpointEpoch,  &kLastCheckpointTime};
  return all;
}

namespace {

// Label values may hold any text (a topic name): \, " and newline escaped.
void AppendLabel(const char* name, const std::string& value, bool* first, std::string* out) {
  out->append(*first ? "{" : ",");
  *first = false;
  out->append(name);
  out->append("=\"");
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendValue(double v, std::string* out) {
  char text[40];
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(text, sizeof(text), "%.0f", v);  // counts print as integers
    out->append(text);
  } else {
    std::snprintf(text, sizeof(text), "%.17g", v);
    out->append(text);
  }
}

}  // namespace

void AppendPrometheusText(const std::vector<std::pair<MetricLabels, MetricSamples>>& groups,
                          std::string* out) {
  // Each metric's samples together, under one HELP and TYPE, as the format asks.
  std::map<const MetricDef*, std::vector<std::pair<const MetricLabels*, const MetricSample*>>>
      by_metric;
  for (const auto& [labels, samples] : groups) {
    for (const MetricSample& s : samples) by_metric[s.def].emplace_back(&labels, &s);
  }
  for (const MetricDef* def : MetricCatalog()) {
    auto it = by_metric.find(def);
    if (it == by_metric.end()) continue;
    out->append("# HELP ").append(def->name).append(" ").append(def->help).append("\n");
    out->append("# TYPE ").append(def->name).append(def->type == MetricType::kCounter ? " counter\n"
                                                                                      : " gauge\n");
    for (const auto& [labels, s] : it->second) {
      out->append(def->name);
      bool first = true;
      if (def->scope == MetricScope::kJob) {
        if (!labels->job.empty()) AppendLabel("job", labels->job, &first, out);
      } else {
        if (!labels->topic.empty()) AppendLabel("topic", labels->topic, &first, out);
        if (def->scope == MetricScope::kPartition) {
          AppendLabel("partition", s->partition, &first, out);
        } else if (!labels->task.empty()) {
          AppendLabel("task", labels->task, &first, out);
        }
      }
      if (def->label[0] != '\0') AppendLabel(def->label, s->label_value, &first, out);
      if (!first) out->push_back('}');
      out->push_back(' ');
      AppendValue(s->value, out);
      out->push_back('\n');
    }
  }
}

}  // namespace karrow
