// JobIdentity: which job a checkpoint folder and a sink's files belong to.
// `karrow run` records it in every checkpoint and in the sink folder, and
// refuses to run when the recorded identity is another job's: restoring
// another job's offsets, or retracting another job's output, would break
// exactly once without any error (docs/semantics.md §14).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "karrow/status.h"

namespace karrow {

struct JobIdentity {
  /// The job's name (`--job`): letters, digits, '.', '_' and '-', at most
  /// 100 bytes, not starting with '.'. It starts the sink's file names.
  std::string name;
  std::string topic;
  std::string group;        ///< the consumer group the offsets are committed to
  std::string format;       ///< of the values: raw_string | raw_bytes | json | avro
  std::string sink_format;  ///< of the output files: arrow | ndjson (RunJob sets it)

  /// Checks the name and the topic, which name files (the other fields are
  /// recorded as they are).
  Status Validate() const;
  /// (key, value) of each field, in a fixed order, as recorded on disk.
  std::vector<std::pair<std::string, std::string>> Fields() const;
  /// Sets the field `key` (one of Fields()' keys); false for another key.
  bool Set(const std::string& key, std::string value);
  /// "job J (topic T, group G, format F, sink format S)", for messages.
  std::string Describe() const;

  bool operator==(const JobIdentity&) const = default;
};

/// A job name made of `text` (e.g. a consumer group id): every byte that a
/// job name cannot hold becomes '_'; a leading '.' too.
std::string JobNameFrom(const std::string& text);

}  // namespace karrow
