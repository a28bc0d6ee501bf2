// karrow: read Kafka topics into Apache Arrow, from the command line.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/property_values.h"
#include "common/malloc_tuning.h"
#include "common/properties.h"
#include "common/secrets.h"
#include "karrow/version.h"

namespace {

// std::to_string prints six decimals, so a rate of 1e-9 went through as
// "0.000000", which means no limit; %.17g keeps every digit of the double.
std::string ExactNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", v);
  return text;
}

// The source options `consume` and `run` share, kcat-like where kcat has one.
struct SourceFlags {
  std::string brokers, topic, format = "raw_string", offset = "earliest", group, metadata,
                              framing = "none", bad_data = "fail", schema_file, schema_registry,
                              proto_message;
  std::vector<std::string> client_props, source_props, property_files;
  std::string event_time_column;
  const CLI::Option* event_time_option = nullptr;  // to tell "" from not given
  bool until_end = false;
  int64_t batch_size = 8192, linger_ms = 100;
  double rate = 0;

  void AddTo(CLI::App* c) {
    c->add_option("-b,--brokers", brokers, "Bootstrap servers, host:port[,host:port...]")
        ->required();
    c->add_option("-t,--topic", topic, "Topic to read")->required();
    c->add_option("-X", client_props,
                  "librdkafka property key=value (repeatable); a value @FILE is read from FILE, "
                  "env:NAME from the environment");
    c->add_option("-F", property_files,
                  "Properties file of key=value lines (# comments): librdkafka properties, and "
                  "schema_registry.* source properties; -X and -p override it (repeatable)");
    c->add_option("-f,--format", format, "raw_string | raw_bytes | json | avro | protobuf")
        ->capture_default_str();
    c->add_option(
         "-o,--offset", offset,
         "Where to start without a checkpoint: earliest | latest | group | timestamp | offsets")
        ->capture_default_str();
    c->add_option("-g,--group", group, "Consumer group id (default: karrow-<topic>)");
    c->add_option("--metadata", metadata,
                  "Metadata columns: key,offset_id,partition,topic,timestamp,headers");
    event_time_option =
        c->add_option("--event-time-column", event_time_column,
                      "Name of the event time column (default _timestamp); '' leaves it out");
    c->add_option("--framing", framing, "none | newline")->capture_default_str();
    c->add_option(
        "--schema", schema_file,
        "Schema file of the values: for json, {\"fields\": [{\"name\": ..., \"type\": ...}]} or an "
        "Avro schema; for avro, the reader schema; for protobuf, a .proto file (FILE.proto) or a "
        "descriptor set (any other name, as protoc --descriptor_set_out --include_imports writes)");
    c->add_option("--proto-message", proto_message,
                  "Format protobuf: the full name of the values' message, e.g. shop.v1.Order "
                  "(default: the schema file's first message)");
    c->add_option("--schema-registry", schema_registry,
                  "Schema registry URL (formats avro and protobuf; other schema_registry.* "
                  "settings go in -p)");
    c->add_option("--bad-data", bad_data, "fail | drop")->capture_default_str();
    c->add_flag("-e,--exit", until_end,
                "Stop once every partition is read to where it ended at start");
    c->add_option("--batch-size", batch_size, "Rows per Arrow batch")->capture_default_str();
    c->add_option("--linger-ms", linger_ms, "Emit a partial batch after this long")
        ->capture_default_str();
    c->add_option("--rate", rate, "Limit to this many messages per second");
    c->add_option("-p,--property", source_props,
                  "Any source property key=value (repeatable), e.g. start_timestamp_ms=..., "
                  "stop_offsets=0:100,1:200, on_out_of_range=earliest, idle_timeout_ms=5000, "
                  "partition_discovery_interval_ms=30000 (0: off), topic_missing_timeout_ms=30000; "
                  "values as for -X");
  }

  // Returns false (after saying why) when a key=value is malformed.
  bool Properties(karrow::cli::Properties* props) const {
    *props = {{"bootstrap_servers", brokers},
              {"topic", topic},
              {"format", format},
              {"offset_mode", offset},
              {"framing", framing},
              {"bad_data", bad_data},
              {"batch_size", std::to_string(batch_size)},
              {"linger_ms", std::to_string(linger_ms)},
              {"stop_at_end", until_end ? "true" : "false"},
              {"messages_per_second", ExactNumber(rate)}};
    if (!group.empty()) props->emplace_back("group_id", group);
    if (!metadata.empty()) props->emplace_back("metadata_fields", metadata);
    if (event_time_option->count() > 0) props->emplace_back("event_time_column", event_time_column);
    if (!schema_registry.empty()) props->emplace_back("schema_registry.url", schema_registry);
    if (!schema_file.empty()) {
      std::ifstream in(schema_file);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        std::fprintf(stderr, "karrow: --schema %s: cannot read the file\n", schema_file.c_str());
        return false;
      }
      // A descriptor set is binary; the property takes it in base64.
      const bool binary =
          format == "protobuf" && !(schema_file.size() > 6 &&
                                    schema_file.compare(schema_file.size() - 6, 6, ".proto") == 0);
      props->emplace_back("value_schema", binary ? karrow::Base64Encode(text.str()) : text.str());
    }
    if (!proto_message.empty()) props->emplace_back("protobuf_message", proto_message);
    auto fail = [](const std::string& what) {
      std::fprintf(stderr, "karrow: %s\n", what.c_str());
      return false;
    };
    // Files go first, so that every flag overrides them (a later property wins).
    karrow::cli::Properties from_files;
    for (const std::string& file : property_files) {
      std::vector<std::pair<std::string, std::string>> lines;
      std::string error;
      if (!karrow::cli::ReadPropertiesFile(file, &lines, &error)) return fail("-F " + error);
      for (auto& [key, value] : lines) {
        // librdkafka has no schema_registry.* property: those are karrow's.
        const bool source = key.compare(0, 16, "schema_registry.") == 0;
        from_files.emplace_back(source ? key : "client_configs." + key, std::move(value));
      }
    }
    props->insert(props->begin(), from_files.begin(), from_files.end());
    auto split = [&](const std::string& flag, const std::string& kv, const std::string& prefix) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        // Not quoted when it may be a secret typed without its key.
        return fail(flag + " " + (karrow::IsSensitiveKey(kv) ? karrow::kRedacted : kv) +
                    ": expected key=value");
      }
      std::string value, error;
      if (!karrow::cli::ResolveValue(kv.substr(eq + 1), &value, &error)) {
        return fail(flag + " " + kv.substr(0, eq) + ": " + error);
      }
      props->emplace_back(prefix + kv.substr(0, eq), std::move(value));
      return true;
    };
    for (const std::string& kv : client_props) {
      if (!split("-X", kv, "client_configs.")) return false;
    }
    for (const std::string& kv : source_props) {
      if (!split("--property", kv, "")) return false;
    }
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  karrow::HoldMmapThreshold();  // keeps a long read's RSS flat: see the header
  CLI::App app{"karrow: read Apache Kafka topics into Apache Arrow record batches"};
  app.set_version_flag("--version", "karrow " KARROW_VERSION_STRING);
  app.require_subcommand(1);

  SourceFlags consume_flags;
  karrow::cli::ConsumeOptions consume;
  std::string task = "0/1";
  CLI::App* c = app.add_subcommand("consume", "Read a topic and write its rows to stdout");
  consume_flags.AddTo(c);
  c->add_option("--output", consume.output, "ndjson | arrow (an Arrow IPC stream)")
      ->check(CLI::IsMember({"ndjson", "arrow"}))
      ->capture_default_str();
  // Taken as text: the int64 conversion would otherwise accept a count too
  // large for it (99999999999999999999) without a word.
  std::string count;
  c->add_option("-c,--count", count, "Stop after this many rows");
  c->add_option("--dead-letter", consume.dead_letter_file,
                "With --bad-data drop: write the dropped records (raw bytes, coordinates, reason) "
                "to this file "
                "as an Arrow IPC stream");
  c->add_option("--task", task, "Read task i of n, as i/n (partitions p with p % n == i)")
      ->capture_default_str();

  SourceFlags run_flags;
  karrow::cli::RunOptions run;
  CLI::App* r = app.add_subcommand(
      "run", "Read a topic into files, exactly once, with checkpoints; run it again to resume");
  run_flags.AddTo(r);
  r->add_option("--parallelism", run.parallelism, "Tasks reading in parallel")
      ->capture_default_str();
  r->add_option("--checkpoint-dir", run.checkpoint_dir, "Where checkpoints are kept")->required();
  r->add_option("--checkpoint-interval", run.checkpoint_interval,
                "Time between checkpoints, e.g. 500ms, 10s, 1m")
      ->capture_default_str();
  r->add_option("--stop-timeout", run.stop_timeout,
                "How long SIGINT/SIGTERM's final checkpoint may take before karrow exits "
                "without it (exit 1; the previous checkpoint stands), e.g. 10s, 1m")
      ->capture_default_str();
  r->add_option("--keep-checkpoints", run.keep_checkpoints, "Complete checkpoints kept")
      ->capture_default_str();
  r->add_option("--sink-dir", run.sink_dir, "Where output files are published")->required();
  r->add_option("--sink-format", run.sink_format, "arrow (Arrow IPC stream files) | ndjson")
      ->check(CLI::IsMember({"arrow", "ndjson"}))
      ->capture_default_str();
  r->add_option("--job", run.job,
                "The job's name: starts its output file names, and checkpoints and output of "
                "another job are refused (default: the consumer group id)");
  r->add_option("--on-orphan-output", run.on_orphan_output,
                "Published output no checkpoint covers (checkpoints gone or damaged): fail | "
                "keep (records read again: duplicates) | retract (moved to .retracted/)")
      ->check(CLI::IsMember({"fail", "keep", "retract"}))
      ->capture_default_str();
  r->add_flag("--allow-missing-output", run.allow_missing_output,
              "Go on when a published file the checkpoint lists is gone (moved away downstream)");

  int demo_records = 5000, demo_partitions = 6;
  CLI::App* d = app.add_subcommand(
      "demo", "Show karrow at work against an in-process Kafka (no install needed)");
  d->add_option("-n,--records", demo_records, "Orders to produce")->capture_default_str();
  d->add_option("-p,--partitions", demo_partitions, "Partitions of the demo topic")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (d->parsed()) return karrow::cli::RunDemo(demo_records, demo_partitions);
  if (r->parsed()) {
    if (!run_flags.Properties(&run.properties)) return 2;
    return karrow::cli::RunJobCommand(run);
  }
  if (!consume_flags.Properties(&consume.properties)) return 2;
  if (!count.empty()) {
    karrow::Result<int64_t> n = karrow::ParseIntProperty("-c", count);
    if (!n.ok() || *n < 0) {
      std::fprintf(stderr,
                   "karrow: -c %s: expected a whole number of rows from 0 to %lld; leave -c out "
                   "to read without a limit\n",
                   count.c_str(), static_cast<long long>(INT64_MAX));
      return 2;
    }
    consume.count = *n;
  }
  if (!consume.dead_letter_file.empty()) consume.properties.emplace_back("dead_letter", "true");
  if (std::sscanf(task.c_str(), "%d/%d", &consume.task_index, &consume.parallelism) != 2) {
    std::fprintf(stderr, "karrow: --task %s: expected i/n, e.g. 0/3\n", task.c_str());
    return 2;
  }
  return karrow::cli::RunConsume(consume);
}
