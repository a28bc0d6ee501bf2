// The karrow command-line tool's subcommands; each returns a process exit code.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/property_values.h"

namespace karrow::cli {

using Properties = std::vector<std::pair<std::string, std::string>>;  // KafkaSourceConfig keys

struct ConsumeOptions {
  Properties properties;
  std::string output = "ndjson";  // ndjson | arrow
  std::string dead_letter_file;   // an Arrow IPC stream of the dead letters; empty = none
  int64_t count = -1;             // stop after this many rows; -1 = no limit
  int32_t task_index = 0;
  int32_t parallelism = 1;
  Spellings spellings;          // to word configuration errors as the user typed them
  std::string metrics_address;  // HOST:PORT of the metrics endpoint; empty = none
  bool quiet = false;           // -q: no progress line, no summary
};

struct RunOptions {
  Properties properties;
  int32_t parallelism = 1;
  std::string checkpoint_dir;
  std::string checkpoint_interval = "10s";
  std::string stop_timeout = "30s";  // how long a stop's final checkpoint may take
  int keep_checkpoints = 3;
  std::string sink_dir;
  std::string sink_format = "arrow";
  std::string job;                        // empty: the consumer group id
  std::string on_orphan_output = "fail";  // fail | keep | retract
  bool allow_missing_output = false;
  Spellings spellings;          // to word configuration errors as the user typed them
  std::string metrics_address;  // HOST:PORT of the metrics endpoint; empty = none
  bool quiet = false;           // -q: no progress line, no summary line
};

int RunConsume(const ConsumeOptions& options);
int RunJobCommand(const RunOptions& options);
int RunDemo(int records, int partitions);

}  // namespace karrow::cli
