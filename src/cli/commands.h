// The karrow command-line tool's subcommands; each returns a process exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace karrow::cli {

struct ConsumeOptions {
  std::vector<std::pair<std::string, std::string>> properties;  // KafkaSourceConfig keys
  std::string output = "ndjson";  // ndjson | arrow
  int64_t count = -1;             // stop after this many rows; -1 = no limit
  int32_t task_index = 0;
  int32_t parallelism = 1;
};

int RunConsume(const ConsumeOptions& options);
int RunDemo(int records, int partitions);

}  // namespace karrow::cli
