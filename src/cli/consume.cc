#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/metrics_server.h"
#include "common/log.h"
#include "karrow/kafka_source.h"
#include "output/ipc_stream_writer.h"
#include "output/ndjson_writer.h"

namespace karrow::cli {
namespace {

std::atomic<KafkaSource*> g_source{nullptr};
std::atomic<int> g_signals{0};

// The first SIGINT/SIGTERM ends the run after the rows read so far are
// written, like kcat; a second one exits at once. Only async-signal-safe
// calls.
void OnSignal(int signal_number) {
  if (g_signals.fetch_add(1) == 0) {
    if (KafkaSource* source = g_source.load()) source->Stop();
    return;
  }
  const char text[] =
      "karrow: stopped at once by a second signal, without writing the rows read so far\n";
  ssize_t ignored = write(STDERR_FILENO, text, sizeof(text) - 1);
  (void)ignored;
  _exit(128 + signal_number);
}

bool WriteAll(const std::string& data) {
  return std::fwrite(data.data(), 1, data.size(), stdout) == data.size();
}

// A one-line status on stderr, redrawn at most once a second, only when
// stderr is a terminal (so pipes and logs get nothing extra).
class Progress {
 public:
  Progress(const KafkaSource& source, bool quiet)
      : source_(source), enabled_(!quiet && isatty(STDERR_FILENO)) {}
  // `rows` is what was output: with -c, fewer than the source read.
  void Update(int64_t rows, bool final = false) {
    if (!enabled_ || finished_) return;
    finished_ = final;
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    KafkaSourceStats s = source_.stats();
    double secs = std::chrono::duration<double>(now - start_).count();
    int64_t lag = 0;
    for (const PartitionPosition& p : source_.positions()) {
      if (p.high_watermark >= 0 && p.next_offset >= 0)
        lag += std::max<int64_t>(0, p.high_watermark - p.next_offset);
    }
    std::fprintf(stderr, "\r%lld records  %.0f records/s  %.1f MB/s  lag %lld   ",
                 static_cast<long long>(rows), secs > 0 ? rows / secs : 0.0,
                 secs > 0 ? s.value_bytes / secs / 1e6 : 0.0, static_cast<long long>(lag));
    if (final) std::fputc('\n', stderr);
  }

 private:
  const KafkaSource& source_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// The last words of a run on stderr, one key=value line a script can parse
// like `karrow run`'s: rows written, bad records dropped by reason, and each
// partition's next offset (where reading stopped; with -c, rows read past the
// count are counted as read).
void PrintSummary(const KafkaSource& source, int64_t written) {
  KafkaSourceStats s = source.stats();
  std::string line = "karrow consume: rows=" + std::to_string(written) +
                     " records_read=" + std::to_string(s.messages) +
                     " bad_records=" + std::to_string(s.bad_records) + " bad_records." +
                     bad_record_reason::kDecodeError + "=" +
                     std::to_string(s.bad_records - s.bad_lines_too_long) + " bad_records." +
                     bad_record_reason::kLineTooLong + "=" + std::to_string(s.bad_lines_too_long) +
                     " next_offsets=";
  std::string offsets;
  for (const PartitionPosition& p : source.positions()) {
    if (p.next_offset < 0) continue;  // never reached: no offset known
    offsets += (offsets.empty() ? "" : ",") + std::to_string(p.partition) + ":" +
               std::to_string(p.next_offset);
  }
  line += offsets.empty() ? "none" : offsets;
  std::fprintf(stderr, "%s\n", line.c_str());
}

// --dead-letter FILE: an Arrow IPC stream of the dead letters, written as
// they come, so the file is readable up to its last batch while karrow runs.
class DeadLetterFile {
 public:
  Status Open(const std::string& path, SchemaPtr schema) {
    path_ = path;
    file_.reset(std::fopen(path.c_str(), "wb"));
    if (!file_) return Failed("cannot create");
    stream_.emplace(std::move(schema), &out_);
    return Flush();
  }
  Status Write(const RecordBatch& batch) {
    KARROW_RETURN_NOT_OK(stream_->Write(batch));
    return Flush();
  }
  /// Ends the stream and closes the file.
  Status Close() {
    KARROW_RETURN_NOT_OK(stream_->Finish());
    KARROW_RETURN_NOT_OK(Flush());
    if (std::fclose(file_.release()) != 0) return Failed("cannot write");
    return Status::OK();
  }

 private:
  // Writes what the stream appended, so the file is whole up to its last batch.
  Status Flush() {
    if (std::fwrite(out_.data(), 1, out_.size(), file_.get()) != out_.size() ||
        std::fflush(file_.get()) != 0) {
      return Failed("cannot write");
    }
    out_.clear();
    return Status::OK();
  }
  Status Failed(const char* what) const {
    return Status::IoError("--dead-letter " + path_ + ": " + what +
                           " the file: " + std::strerror(errno));
  }

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, std::fclose};
  std::string out_;  // written out after every message
  std::optional<IpcStreamWriter> stream_;
};

}  // namespace

int RunConsume(const ConsumeOptions& options) {
  auto config = KafkaSourceConfig::FromProperties(options.properties);
  if (!config.ok()) {
    std::fprintf(stderr, "karrow: %s\n",
                 AsTyped(config.status().message(), options.spellings).c_str());
    return 2;
  }
  if (config->dead_letter && options.dead_letter_file.empty()) {
    std::fprintf(
        stderr,
        "karrow: dead_letter=true: name the file for the dead letters with --dead-letter FILE\n");
    return 2;
  }
  const std::string topic = config->topic;
  auto opened = KafkaSource::Open(std::move(*config), {options.task_index, options.parallelism});
  if (!opened.ok()) {
    std::fprintf(stderr, "karrow: %s\n",
                 AsTyped(opened.status().message(), options.spellings).c_str());
    return opened.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::unique_ptr<KafkaSource> source = std::move(*opened);
  g_source = source.get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<DeadLetterFile> dead_letters;
  if (!options.dead_letter_file.empty()) {
    dead_letters = std::make_unique<DeadLetterFile>();
    Status st = dead_letters->Open(options.dead_letter_file, source->dead_letter_schema());
    if (!st.ok()) {
      std::fprintf(stderr, "karrow: %s\n", st.message().c_str());
      return 1;
    }
  }

  std::unique_ptr<MetricsServer> metrics;
  if (!options.metrics_address.empty()) {
    const MetricLabels labels{topic, std::to_string(options.task_index), ""};
    // The source outlives the server, declared after it.
    Result<std::unique_ptr<MetricsServer>> server =
        MetricsServer::Start(options.metrics_address, [source = source.get(), labels] {
          std::string text;
          AppendPrometheusText({{labels, source->metrics()}}, &text);
          return text;
        });
    if (!server.ok()) {
      std::fprintf(stderr, "karrow: %s\n", server.status().message().c_str());
      return 2;
    }
    metrics = std::move(*server);
  }

  Progress progress(*source, options.quiet);
  int64_t written = 0;
  int exit_code = 0;
  const bool arrow = options.output == "arrow";
  std::string out;
  std::optional<IpcStreamWriter> stream;  // with --output arrow
  if (arrow) {
    stream.emplace(source->schema(), &out);
    if (!WriteAll(out)) return 1;
  }
  while (options.count < 0 || written < options.count) {
    auto next = source->Poll();
    if (!next.ok()) {
      progress.Update(written, true);
      std::fprintf(stderr, "karrow: %s\n",
                   AsTyped(next.status().message(), options.spellings).c_str());
      exit_code = 1;
      break;
    }
    if (dead_letters && next->dead_letters) {
      if (Status st = dead_letters->Write(*next->dead_letters); !st.ok()) {
        std::fprintf(stderr, "karrow: %s\n", st.message().c_str());
        exit_code = 1;
        break;
      }
    }
    if (!next->rows) {
      if (next->empty() && source->done()) break;
      continue;
    }
    const RecordBatch& batch = *next->rows;
    int64_t rows = batch.num_rows();
    if (options.count >= 0) rows = std::min(rows, options.count - written);
    out.clear();
    if (arrow) {
      Status st = stream->Write(batch.Slice(0, rows));
      if (!st.ok()) {
        std::fprintf(stderr, "karrow: %s\n", st.message().c_str());
        exit_code = 1;
        break;
      }
    } else {
      AppendNdjson(batch, 0, rows, &out);
    }
    if (!WriteAll(out) || std::fflush(stdout) != 0) {
      exit_code = 1;  // the reader went away (e.g. `| head`); stop quietly
      break;
    }
    written += rows;
    progress.Update(written);
  }
  progress.Update(written, true);
  if (dead_letters) {
    // The dead letters of every record read, also when the run stopped early.
    Result<SourceOutput> rest = source->Flush();
    Status st = rest.status();
    if (st.ok() && rest->dead_letters) st = dead_letters->Write(*rest->dead_letters);
    if (st.ok()) st = dead_letters->Close();
    if (!st.ok()) {
      std::fprintf(stderr, "karrow: %s\n", st.message().c_str());
      exit_code = 1;
    }
  }
  if (arrow && exit_code == 0) {
    out.clear();
    if (!stream->Finish().ok() || !WriteAll(out) || std::fflush(stdout) != 0) exit_code = 1;
  }
  if (!options.quiet) PrintSummary(*source, written);
  g_source = nullptr;
  return exit_code;
}

}  // namespace karrow::cli
