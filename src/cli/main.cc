// karrow: read Kafka topics into Apache Arrow, from the command line.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/property_values.h"
#include "common/malloc_tuning.h"
#include "common/properties.h"
#include "common/secrets.h"
#include "common/suggest.h"
#include "karrow/version.h"

namespace {

// std::to_string prints six decimals, so a rate of 1e-9 went through as
// "0.000000", which means no limit; %.17g keeps every digit of the double.
std::string ExactNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", v);
  return text;
}

// What -o takes, as kcat does, besides karrow's own words: where to start
// (one of them) and e@MS, where to stop; each becomes source properties.
// Returns false after saying why.
bool OffsetProperties(const std::vector<std::string>& values, karrow::cli::Properties* props) {
  auto fail = [](const std::string& value, const std::string& why) {
    std::fprintf(stderr, "karrow: -o %s: %s\n", value.c_str(), why.c_str());
    return false;
  };
  // A whole number from 0, all digits (strtoll alone takes "12abc" and "+3").
  auto number = [](const std::string& text, int64_t* out) {
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return false;
    *out = std::stoll(text);
    return true;
  };
  static const std::vector<std::pair<std::string, std::string>> kWords = {
      {"beginning", "earliest"},  {"earliest", "earliest"}, {"end", "latest"},
      {"latest", "latest"},       {"stored", "group"},      {"group", "group"},
      {"timestamp", "timestamp"}, {"offsets", "offsets"}};
  std::string start, stop;
  for (const std::string& value : values) {
    std::string lower = value;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    int64_t n = 0;
    if (lower.compare(0, 2, "e@") == 0) {
      if (!stop.empty()) return fail(value, "a second e@ (the first was " + stop + "); give one");
      if (!number(value.substr(2), &n)) {
        return fail(value, "expected e@MS, milliseconds since the epoch, e.g. e@1700000000000");
      }
      stop = value;
      props->emplace_back("stop_timestamp_ms", std::to_string(n));
      continue;
    }
    if (!start.empty()) {
      return fail(value, "a second start (the first was -o " + start +
                             "); give one start, and e@MS to stop");
    }
    start = value;
    auto word =
        std::find_if(kWords.begin(), kWords.end(), [&](const auto& w) { return w.first == lower; });
    if (word != kWords.end()) {
      props->emplace_back("offset_mode", word->second);
    } else if (lower.compare(0, 2, "s@") == 0) {
      if (!number(value.substr(2), &n)) {
        return fail(value, "expected s@MS, milliseconds since the epoch, e.g. s@1700000000000");
      }
      props->emplace_back("offset_mode", "timestamp");
      props->emplace_back("start_timestamp_ms", std::to_string(n));
    } else if (!value.empty() && value[0] == '-' && number(value.substr(1), &n)) {
      props->emplace_back("offset_mode", "tail");
      props->emplace_back("tail_records", std::to_string(n));
    } else if (number(value, &n)) {
      props->emplace_back("offset_mode", "offset");
      props->emplace_back("start_offset", std::to_string(n));
    } else {
      std::vector<std::string> names;
      for (const auto& w : kWords) names.push_back(w.first);
      return fail(value,
                  "expected beginning, end, stored, an offset N, -N (the last N records of each "
                  "partition), s@MS (start at this time) or e@MS (stop at this time), MS in "
                  "milliseconds since the epoch" +
                      karrow::DidYouMean(lower, names));
    }
  }
  if (start.empty()) props->emplace_back("offset_mode", "earliest");
  return true;
}

// The source options `consume` and `run` share, kcat's letters where kcat
// has one for the same thing.
struct SourceFlags {
  std::string brokers, topic, format = "raw_string", group, metadata, framing = "none",
                              bad_data = "fail", schema_file, schema_registry, key_format,
                              tombstones = "skip", proto_message;
  std::vector<std::string> offsets, client_props, source_props, property_files;
  std::vector<int32_t> partitions;
  std::string event_time_column;
  const CLI::Option* event_time_option = nullptr;  // to tell "" from not given
  bool until_end = false, envelope = false, quiet = false;
  int64_t batch_size = 8192, linger_ms = 100;
  double rate = 0;
  // How the user spelled what became each property, to word errors in the
  // flags typed (--bad-data drop) rather than the properties (bad_data=drop).
  karrow::cli::Spellings spellings;

  void AddTo(CLI::App* c) {
    c->add_option("-b,--brokers", brokers, "Bootstrap servers, host:port[,host:port...]")
        ->required();
    c->add_option("-t,--topic", topic, "Topic to read")->required();
    c->add_option("-p,--partition", partitions,
                  "Read only this partition (repeatable; default: all of them). consume only: "
                  "run's checkpoints cover every partition")
        ->allow_extra_args(false);
    c->add_option("-o,--offset", offsets,
                  "Where to start without a checkpoint: beginning (default) | end | stored (the "
                  "group's committed offset) | N (offset N of each partition) | -N (the last N "
                  "records of each partition) | s@MS (the first record at or after MS, "
                  "milliseconds since the epoch); and where to stop: e@MS (before the first "
                  "record at or after MS). Repeatable: -o s@MS -o e@MS. Also karrow's words "
                  "earliest | latest | group | timestamp | offsets")
        ->allow_extra_args(false);
    c->add_option("-g,--group", group,
                  "Consumer group id (default: karrow-<topic>; for run --job NAME, karrow-NAME)");
    c->add_option("-f,--format", format,
                  "The values' format: raw_string | raw_bytes | json | avro | protobuf (any case)")
        ->capture_default_str();
    c->add_option(
        "--schema", schema_file,
        "Schema file of the values: for json, {\"fields\": [{\"name\": ..., \"type\": ...}]} or an "
        "Avro schema; for avro, the reader schema; for protobuf, a .proto file (FILE.proto) or a "
        "descriptor set (any other name, as protoc --descriptor_set_out --include_imports writes)");
    c->add_option("--proto-message", proto_message,
                  "Format protobuf: the full name of the values' message, e.g. shop.v1.Order "
                  "(default: the schema file's first message)");
    c->add_option("-r,--schema-registry", schema_registry,
                  "Schema registry URL (formats avro and protobuf; other schema_registry.* "
                  "settings go in -S or -F)");
    c->add_option("--framing", framing, "none | newline (one value per line)")
        ->capture_default_str();
    c->add_option("--metadata", metadata,
                  "Metadata columns, comma-separated: key, offset_id, partition, topic, "
                  "timestamp, headers (a column may be renamed: name:kind)");
    c->add_option("--key-format", key_format,
                  "The key column's type: raw_bytes (binary, the default) | raw_string (text; "
                  "a key not UTF-8 is bad data) | json (a key not JSON is bad data)");
    c->add_flag("-J", envelope,
                "Every metadata column, as kcat's JSON envelope has them: short for --metadata "
                "topic,partition,offset_id,timestamp,key,headers");
    event_time_option =
        c->add_option("--event-time-column", event_time_column,
                      "Name of the event time column (default _timestamp); '' leaves it out");
    c->add_option("--bad-data", bad_data, "fail | drop")->capture_default_str();
    c->add_option("--tombstones", tombstones,
                  "Records with a null value: skip | emit (a row with null value columns)")
        ->capture_default_str();
    c->add_flag("-e,--exit", until_end,
                "Stop once every partition is read to where it ended at start");
    c->add_option("--batch-size", batch_size, "Rows per Arrow batch")->capture_default_str();
    c->add_option("--linger-ms", linger_ms, "Emit a partial batch after this many milliseconds")
        ->capture_default_str();
    c->add_option("--rate", rate, "Limit to this many messages per second (per task)");
    c->add_option("-X", client_props,
                  "librdkafka property key=value (repeatable); a value @FILE is read from FILE, "
                  "env:NAME from the environment");
    c->add_option("-F", property_files,
                  "Properties file of key=value lines (# comments): librdkafka properties, and "
                  "schema_registry.* source properties; -X and -S override it (repeatable)");
    c->add_option("-S,--property", source_props,
                  "Any source property key=value (repeatable), e.g. stop_offsets=0:100,1:200, "
                  "on_out_of_range=earliest, idle_timeout_ms=5000, "
                  "partition_discovery_interval_ms=30000 (0: off), topic_missing_timeout_ms=30000; "
                  "values as for -X");
    c->add_flag("-q,--quiet", quiet,
                "Nothing on stderr but errors: no progress line, no summary, no warnings");
  }

  // Returns false (after saying why) when a flag's value is malformed.
  bool Properties(karrow::cli::Properties* props) {
    // Words in any case; lowered here too, as the job's identity records the format.
    for (std::string* word : {&format, &framing, &bad_data, &tombstones}) {
      for (char& ch : *word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    *props = {{"bootstrap_servers", brokers},
              {"topic", topic},
              {"format", format},
              {"framing", framing},
              {"bad_data", bad_data},
              {"tombstones", tombstones},
              {"batch_size", std::to_string(batch_size)},
              {"linger_ms", std::to_string(linger_ms)},
              {"stop_at_end", until_end ? "true" : "false"},
              {"messages_per_second", ExactNumber(rate)}};
    spellings = {{"bootstrap_servers", "-b"},
                 {"topic", "-t"},
                 {"format", "-f"},
                 {"framing", "--framing"},
                 {"bad_data", "--bad-data"},
                 {"tombstones", "--tombstones"},
                 {"batch_size", "--batch-size"},
                 {"linger_ms", "--linger-ms"},
                 {"stop_at_end=true", "-e"},
                 {"messages_per_second", "--rate"},
                 {"offset_mode", "-o"},
                 {"start_offset", "-o"},
                 {"tail_records", "-o -"},
                 {"start_timestamp_ms", "-o s@"},
                 {"stop_timestamp_ms", "-o e@"},
                 {"partitions", "-p"},
                 {"group_id", "-g"},
                 {"metadata_fields", "--metadata"},
                 {"event_time_column", "--event-time-column"},
                 {"schema_registry.url", "-r"},
                 {"value_schema", "--schema " + schema_file},
                 {"dead_letter=true", "--dead-letter FILE"},
                 {"key_format", "--key-format"},
                 {"protobuf_message", "--proto-message"}};
    if (!OffsetProperties(offsets, props)) return false;
    if (!partitions.empty()) {
      std::string list;
      for (int32_t p : partitions) list += (list.empty() ? "" : ",") + std::to_string(p);
      props->emplace_back("partitions", list);
    }
    if (!group.empty()) props->emplace_back("group_id", group);
    if (envelope && !metadata.empty()) {
      std::fprintf(stderr, "karrow: -J is short for --metadata %s: give one of them\n", kEnvelope);
      return false;
    }
    if (envelope) props->emplace_back("metadata_fields", kEnvelope);
    if (!metadata.empty()) props->emplace_back("metadata_fields", metadata);
    if (event_time_option->count() > 0) props->emplace_back("event_time_column", event_time_column);
    if (!key_format.empty()) props->emplace_back("key_format", key_format);
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
        spellings.emplace_back(source ? key : "client_configs." + key, "-F " + file + ": " + key);
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
      const std::string key = prefix + kv.substr(0, eq);
      // Given as a property, the property's name is what the user typed.
      spellings.erase(std::remove_if(spellings.begin(), spellings.end(),
                                     [&](const auto& s) {
                                       return s.first == key ||
                                              s.first.compare(0, key.size() + 1, key + "=") == 0;
                                     }),
                      spellings.end());
      if (flag == "-X") spellings.emplace_back(key, "-X " + kv.substr(0, eq));
      props->emplace_back(key, std::move(value));
      return true;
    };
    for (const std::string& kv : client_props) {
      if (!split("-X", kv, "client_configs.")) return false;
    }
    for (const std::string& kv : source_props) {
      if (!split("-S", kv, "")) return false;
    }
    return true;
  }

  static constexpr const char* kEnvelope = "topic,partition,offset_id,timestamp,key,headers";
};

// CLI11's parse errors, with exit code 2 (usage) instead of CLI11's own
// codes, and a hint where one helps: the nearest option for a mistyped one,
// the new letter for karrow's old -p key=value.
int UsageError(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string hint;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "-p") == 0 && std::strchr(argv[i + 1], '=') != nullptr) {
      hint =
          "-p is the partition to read, as in kcat; give source properties with -S key=value "
          "(--property)";
    }
  }
  if (hint.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // The subcommand typed: CLI11 has not recorded it as parsed when
    // extras stop the parse.
    CLI::App* sub = nullptr;
    for (CLI::App* s : app.get_subcommands([](CLI::App*) { return true; })) {
      for (int i = 1; i < argc && sub == nullptr; ++i) {
        if (s->get_name() == argv[i]) sub = s;
      }
    }
    std::vector<std::string> names;
    if (sub != nullptr) {
      for (const CLI::Option* o : sub->get_options()) {
        for (const std::string& name : o->get_lnames()) names.push_back("--" + name);
      }
    }
    for (int i = 1; i < argc && hint.empty(); ++i) {
      std::string arg = argv[i];
      if (arg.compare(0, 2, "--") != 0) continue;
      arg = arg.substr(0, arg.find('='));
      if (std::find(names.begin(), names.end(), arg) != names.end()) continue;
      std::string near = karrow::ClosestName(arg, names);
      if (!near.empty()) hint = "unknown option " + arg + "; did you mean " + near + "?";
    }
  }
  std::fprintf(stderr, "karrow: %s\n", e.what());
  if (!hint.empty()) std::fprintf(stderr, "karrow: %s\n", hint.c_str());
  std::fprintf(stderr, "Run with --help for more information.\n");
  return 2;
}
// Shown under every command's --help.
constexpr const char* kEnvironmentHelp =
    "Environment:\n"
    "  KARROW_LOG=debug|info|warn|error  which messages karrow writes to stderr (default warn);\n"
    "                                    info adds a line per task start and per checkpoint.\n"
    "                                    -X debug=<contexts> writes librdkafka's debug lines\n"
    "                                    whatever KARROW_LOG says.\n"
    "Metrics: --metrics-address HOST:PORT serves them at http://HOST:PORT/metrics in the\n"
    "Prometheus text format (port 0: any free port, printed at start); docs/metrics.md.";

}  // namespace

int main(int argc, char** argv) {
  karrow::HoldMmapThreshold();  // keeps a long read's RSS flat: see the header
  CLI::App app{"karrow: read Apache Kafka topics into Apache Arrow record batches"};
  app.set_version_flag("--version", "karrow " KARROW_VERSION_STRING);
  app.require_subcommand(1);
  const char* exit_codes =
      "Exit codes: 0 success; 1 runtime failure (a missing topic, an unreachable broker, bad "
      "data under --bad-data fail); 2 usage or configuration error; 130/143 stopped at once by "
      "a second SIGINT/SIGTERM.";
  const std::string footer = std::string(kEnvironmentHelp) + "\n" + exit_codes;
  app.footer(footer);

  SourceFlags consume_flags;
  karrow::cli::ConsumeOptions consume;
  std::string task = "0/1";
  CLI::App* c = app.add_subcommand("consume", "Read a topic and write its rows to stdout");
  consume_flags.AddTo(c);
  c->footer(footer);
  c->add_option("--output", consume.output,
                "ndjson (one JSON object per row) | arrow (an Arrow IPC stream; not to a "
                "terminal)")
      ->transform(CLI::IsMember({"ndjson", "arrow"}, CLI::ignore_case))
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
  c->add_option("--metrics-address", consume.metrics_address,
                "Serve metrics at http://HOST:PORT/metrics (Prometheus text format) while reading");

  SourceFlags run_flags;
  karrow::cli::RunOptions run;
  CLI::App* r = app.add_subcommand(
      "run", "Read a topic into files, exactly once, with checkpoints; run it again to resume");
  run_flags.AddTo(r);
  r->footer(footer);
  r->add_option("--parallelism", run.parallelism, "Tasks reading in parallel")
      ->capture_default_str();
  r->add_option("--checkpoint-dir", run.checkpoint_dir, "Where checkpoints are kept")->required();
  r->add_option("--checkpoint-interval", run.checkpoint_interval,
                "Time between checkpoints, with its unit: 500ms, 10s, 1m (a bare number is "
                "refused)")
      ->capture_default_str();
  r->add_option("--stop-timeout", run.stop_timeout,
                "How long SIGINT/SIGTERM's final checkpoint may take before karrow exits "
                "without it (exit 1; the previous checkpoint stands), with its unit: 10s, 1m")
      ->capture_default_str();
  r->add_option("--keep-checkpoints", run.keep_checkpoints, "Complete checkpoints kept")
      ->capture_default_str();
  r->add_option("--sink-dir", run.sink_dir, "Where output files are published")->required();
  r->add_option("--sink-format", run.sink_format, "arrow (Arrow IPC stream files) | ndjson")
      ->transform(CLI::IsMember({"arrow", "ndjson"}, CLI::ignore_case))
      ->capture_default_str();
  r->add_option("--job", run.job,
                "The job's name: starts its output file names, and checkpoints and output of "
                "another job are refused (default: the consumer group id)");
  r->add_option("--on-orphan-output", run.on_orphan_output,
                "Published output no checkpoint covers (checkpoints gone or damaged): fail | "
                "keep (records read again: duplicates) | retract (moved to .retracted/)")
      ->transform(CLI::IsMember({"fail", "keep", "retract"}, CLI::ignore_case))
      ->capture_default_str();
  r->add_flag("--allow-missing-output", run.allow_missing_output,
              "Go on when a published file the checkpoint lists is gone (moved away downstream)");
  r->add_option("--metrics-address", run.metrics_address,
                "Serve metrics at http://HOST:PORT/metrics (Prometheus text format) while running");

  int demo_records = 5000, demo_partitions = 6;
  CLI::App* d = app.add_subcommand(
      "demo", "Show karrow at work against an in-process Kafka (no install needed)");
  d->add_option("-n,--records", demo_records, "Orders to produce")->capture_default_str();
  d->add_option("-p,--partitions", demo_partitions, "Partitions of the demo topic")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: exit 0
  } catch (const CLI::ParseError& e) {
    return UsageError(app, e, argc, argv);
  }

  if (d->parsed()) return karrow::cli::RunDemo(demo_records, demo_partitions);
  if (r->parsed()) {
    if (!run_flags.partitions.empty()) {
      std::fprintf(stderr,
                   "karrow: -p: karrow run reads every partition of the topic, as its checkpoints "
                   "cover them all; read a few with karrow consume -p, or share the partitions "
                   "out with --parallelism\n");
      return 2;
    }
    if (run_flags.quiet) setenv("KARROW_LOG", "error", 1);  // read once, at the first log line
    if (!run_flags.Properties(&run.properties)) return 2;
    run.spellings = run_flags.spellings;
    run.quiet = run_flags.quiet;
    return karrow::cli::RunJobCommand(run);
  }
  if (consume_flags.quiet) setenv("KARROW_LOG", "error", 1);
  if (!consume_flags.Properties(&consume.properties)) return 2;
  consume.spellings = consume_flags.spellings;
  consume.quiet = consume_flags.quiet;
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
  // An Arrow IPC stream is binary: on a terminal it is noise that can leave
  // the terminal in a strange state.
  if (consume.output == "arrow" && isatty(STDOUT_FILENO)) {
    std::fprintf(stderr,
                 "karrow: --output arrow writes a binary Arrow IPC stream, which a terminal "
                 "cannot show: send it to a file (> %s.arrows) or to a program that reads it "
                 "(| python3 -c 'import sys, pyarrow as pa; "
                 "print(pa.ipc.open_stream(sys.stdin.buffer).read_all())'); --output ndjson "
                 "(the default) is for reading on a terminal\n",
                 consume_flags.topic.c_str());
    return 2;
  }
  return karrow::cli::RunConsume(consume);
}
