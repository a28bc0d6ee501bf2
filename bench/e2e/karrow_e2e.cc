// karrow end to end, as a user of the public API runs it: a KafkaSource reads
// the topic into Arrow record batches and the batches are dropped.
//
//   karrow_e2e --bootstrap HOST:PORT --topic NAME [-p key=value]...
//              [--seconds S | --rate-test S]
//
// Each -p is a KafkaSourceConfig property (KafkaSourceConfig::FromProperties);
// a value "@FILE" is read from FILE (for value_schema).
//
// By default: one pass with Next() until caught up (stop_at_end); with
// --seconds, passes (a new source each) until S seconds are on the clock,
// the last one stopped with Stop(). "handed" holds each batch's time and rows.
// With --rate-test, for the rate limiter (set messages_per_second): one
// source read for S seconds after its first rows with Poll() then
// Flush(), so that "handed" holds the rows of every fetch, at the time
// the caller got them.
//
// Prints one JSON line (see measurement.h), with "rows", "batches",
// "bad_records" and "fetch_wakeups" from the source's stats.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/malloc_tuning.h"
#include "karrow/kafka_source.h"
#include "measurement.h"

namespace karrow::bench {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "karrow_e2e: %s\n", what.c_str());
  std::exit(1);
}

struct Options {
  std::vector<std::pair<std::string, std::string>> properties;
  double seconds = 0;            // read the topic again until this much time; 0: once
  double rate_test_seconds = 0;  // 0: no rate test
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) Fail("missing value after " + arg);
    std::string value = argv[++i];
    if (arg == "--bootstrap") {
      o.properties.emplace_back("bootstrap_servers", value);
    } else if (arg == "--topic") {
      o.properties.emplace_back("topic", value);
    } else if (arg == "-p") {
      size_t eq = value.find('=');
      if (eq == std::string::npos) Fail("-p wants key=value, got " + value);
      std::string v = value.substr(eq + 1);
      if (!v.empty() && v[0] == '@') v = ReadFile(v.substr(1));
      o.properties.emplace_back(value.substr(0, eq), v);
    } else if (arg == "--seconds") {
      o.seconds = std::atof(value.c_str());
    } else if (arg == "--rate-test") {
      o.rate_test_seconds = std::atof(value.c_str());
      if (o.rate_test_seconds <= 0) Fail("--rate-test wants seconds > 0");
    } else {
      Fail("unknown option " + arg);
    }
  }
  o.properties.emplace_back("stop_at_end", "true");
  return o;
}

std::unique_ptr<KafkaSource> OpenSource(const Options& o) {
  Result<KafkaSourceConfig> config = KafkaSourceConfig::FromProperties(o.properties);
  if (!config.ok()) Fail(config.status().ToString());
  Result<std::unique_ptr<KafkaSource>> opened = KafkaSource::Open(std::move(*config));
  if (!opened.ok()) Fail(opened.status().ToString());
  return std::move(*opened);
}

int Run(const Options& o) {
  Measurement measurement;
  // Hands a batch over; returns whether there was one.
  auto hand = [&](Result<std::optional<RecordBatch>> batch) {
    if (!batch.ok()) Fail(batch.status().ToString());
    if (!batch->has_value()) return false;
    measurement.Handed((*batch)->num_rows());
    return true;
  };
  auto hand_output = [&](Result<SourceOutput> out) {
    if (!out.ok()) Fail(out.status().ToString());
    return hand(std::move(out->rows));
  };
  KafkaSourceStats total;
  auto add = [&](const KafkaSourceStats& stats) {
    measurement.Count(stats.messages, stats.value_bytes);
    total.rows += stats.rows;
    total.batches += stats.batches;
    total.bad_records += stats.bad_records;
    total.fetch_wakeups += stats.fetch_wakeups;
  };

  if (o.rate_test_seconds > 0) {
    std::unique_ptr<KafkaSource> source = OpenSource(o);
    measurement.Resume();
    std::optional<Measurement::Clock::time_point> first_rows;
    while (!source->done()) {
      bool got = hand_output(source->Poll());
      got |= hand_output(source->Flush());
      if (got && !first_rows) first_rows = Measurement::Clock::now();
      if (first_rows && Measurement::Clock::now() - *first_rows >=
                            std::chrono::duration<double>(o.rate_test_seconds)) {
        source->Stop();
      }
    }
    measurement.Pause();
    add(source->stats());
  } else {
    bool time_up = false;
    while (!time_up) {
      // One pass over the topic: from its beginning until caught up.
      std::unique_ptr<KafkaSource> source = OpenSource(o);
      measurement.Resume();
      while (hand(source->Next())) {
        if (o.seconds > 0 && !time_up && measurement.Elapsed() >= o.seconds) {
          time_up = true;
          source->Stop();
        }
      }
      measurement.Pause();
      add(source->stats());
      if (o.seconds <= 0) break;
    }
  }
  measurement.Print("karrow", "\"rows\": " + std::to_string(total.rows) +
                                  ", \"batches\": " + std::to_string(total.batches) +
                                  ", \"bad_records\": " + std::to_string(total.bad_records) +
                                  ", \"fetch_wakeups\": " + std::to_string(total.fetch_wakeups));
  return 0;
}

}  // namespace
}  // namespace karrow::bench

int main(int argc, char** argv) {
  karrow::HoldMmapThreshold();  // as karrow's own executables do
  return karrow::bench::Run(karrow::bench::ParseOptions(argc, argv));
}
