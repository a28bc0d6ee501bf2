#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "karrow/c_export.h"
#include "karrow/kafka_source.h"
#include "karrow/karrow.h"
#include "karrow/version.h"

namespace {

// Dead letters on their way from the thread that reads a stream to whoever
// takes them; shared by the stream and the handle, so either may go first.
struct DeadLetterQueue {
  std::mutex mu;
  std::vector<karrow::RecordBatch> batches;
};

}  // namespace

struct karrow_dead_letters {
  std::shared_ptr<DeadLetterQueue> queue;
  karrow::SchemaPtr schema;
};

namespace {

int Fail(int code, const std::string& message, char* error, size_t error_size) {
  if (error != nullptr && error_size > 0) {
    size_t n = std::min(message.size(), error_size - 1);
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
  }
  return code;
}

int ErrnoFor(karrow::StatusCode code) {
  switch (code) {
    case karrow::StatusCode::kInvalidArgument:
      return EINVAL;
    case karrow::StatusCode::kNotFound:
      return ENOENT;
    case karrow::StatusCode::kTimeout:
      return ETIMEDOUT;
    default:
      return EIO;
  }
}

// The stream's reader with dead_letter=true: reads with KafkaSource::Poll(),
// which hands out the dead letters as they come due (so that a long stretch
// of bad records does not pile up unseen) and with every batch of rows (so
// that they include every bad record before it), and moves them to the queue.
class DeadLetterForwardingReader : public karrow::RecordBatchReader {
 public:
  DeadLetterForwardingReader(std::unique_ptr<karrow::KafkaSource> source,
                             std::shared_ptr<DeadLetterQueue> queue)
      : source_(std::move(source)), queue_(std::move(queue)) {}

  karrow::SchemaPtr schema() const override { return source_->schema(); }
  const karrow::KafkaSource& source() const { return *source_; }

  karrow::Result<std::optional<karrow::RecordBatch>> Next() override {
    while (true) {
      KARROW_ASSIGN_OR_RAISE(karrow::SourceOutput out, source_->Poll());
      if (out.dead_letters) {
        std::lock_guard<std::mutex> lock(queue_->mu);
        queue_->batches.push_back(std::move(*out.dead_letters));
      }
      if (out.rows) return std::move(out.rows);
      if (out.empty() && source_->done()) return std::optional<karrow::RecordBatch>();
    }
  }

 private:
  std::unique_ptr<karrow::KafkaSource> source_;
  std::shared_ptr<DeadLetterQueue> queue_;
};

// Batches already in memory, as a reader to export.
class BatchListReader : public karrow::RecordBatchReader {
 public:
  BatchListReader(karrow::SchemaPtr schema, std::vector<karrow::RecordBatch> batches)
      : schema_(std::move(schema)), batches_(std::move(batches)) {}
  karrow::SchemaPtr schema() const override { return schema_; }
  karrow::Result<std::optional<karrow::RecordBatch>> Next() override {
    if (next_ == batches_.size()) return std::optional<karrow::RecordBatch>();
    return std::optional<karrow::RecordBatch>(std::move(batches_[next_++]));
  }

 private:
  karrow::SchemaPtr schema_;
  std::vector<karrow::RecordBatch> batches_;
  size_t next_ = 0;
};

}  // namespace

extern "C" const char* karrow_version(void) { return KARROW_VERSION_STRING; }

extern "C" int karrow_kafka_stream_open(const char* const* keys, const char* const* values,
                                        size_t count, int32_t task_index, int32_t parallelism,
                                        ArrowArrayStream* out, karrow_dead_letters** dead_letters,
                                        char* error, size_t error_size) {
  // No exception may cross into C callers.
  try {
    if (out == nullptr || (count > 0 && (keys == nullptr || values == nullptr))) {
      return Fail(EINVAL, "karrow_kafka_stream_open: null argument", error, error_size);
    }
    std::vector<std::pair<std::string, std::string>> properties;
    for (size_t i = 0; i < count; ++i) {
      if (keys[i] == nullptr || values[i] == nullptr) {
        return Fail(EINVAL, "karrow_kafka_stream_open: null key or value", error, error_size);
      }
      properties.emplace_back(keys[i], values[i]);
    }
    auto config = karrow::KafkaSourceConfig::FromProperties(properties);
    if (!config.ok()) return Fail(EINVAL, config.status().message(), error, error_size);
    const bool wants_dead_letters = config->dead_letter;
    if (wants_dead_letters && dead_letters == nullptr) {
      return Fail(
          EINVAL,
          "karrow_kafka_stream_open: dead_letter=true needs a karrow_dead_letters** to return them",
          error, error_size);
    }
    auto source = karrow::KafkaSource::Open(std::move(*config), {task_index, parallelism});
    if (!source.ok())
      return Fail(ErrnoFor(source.status().code()), source.status().message(), error, error_size);
    if (!wants_dead_letters) {
      if (dead_letters != nullptr) *dead_letters = nullptr;
      karrow::ExportRecordBatchReader(std::move(*source), out);
      return 0;
    }
    auto handle = std::make_unique<karrow_dead_letters>();
    handle->queue = std::make_shared<DeadLetterQueue>();
    handle->schema = (*source)->dead_letter_schema();
    karrow::ExportRecordBatchReader(
        std::make_unique<DeadLetterForwardingReader>(std::move(*source), handle->queue), out);
    *dead_letters = handle.release();
    return 0;
  } catch (const std::exception& e) {
    return Fail(EIO, std::string("internal error: ") + e.what(), error, error_size);
  }
}

extern "C" int karrow_dead_letters_take(karrow_dead_letters* dead_letters, ArrowArrayStream* out,
                                        char* error, size_t error_size) {
  try {
    if (dead_letters == nullptr || out == nullptr) {
      return Fail(EINVAL, "karrow_dead_letters_take: null argument", error, error_size);
    }
    std::vector<karrow::RecordBatch> batches;
    {
      std::lock_guard<std::mutex> lock(dead_letters->queue->mu);
      batches.swap(dead_letters->queue->batches);
    }
    karrow::ExportRecordBatchReader(
        std::make_unique<BatchListReader>(dead_letters->schema, std::move(batches)), out);
    return 0;
  } catch (const std::exception& e) {
    return Fail(EIO, std::string("internal error: ") + e.what(), error, error_size);
  }
}

extern "C" int karrow_stream_metrics(ArrowArrayStream* stream, char** text, char* error,
                                     size_t error_size) {
  try {
    if (stream == nullptr || text == nullptr) {
      return Fail(EINVAL, "karrow_stream_metrics: null argument", error, error_size);
    }
    karrow::RecordBatchReader* reader = karrow::ExportedReader(stream);
    const karrow::KafkaSource* source = dynamic_cast<karrow::KafkaSource*>(reader);
    if (auto* forwarding = dynamic_cast<DeadLetterForwardingReader*>(reader))
      source = &forwarding->source();
    if (source == nullptr) {
      return Fail(EINVAL,
                  "karrow_stream_metrics: not a stream of karrow_kafka_stream_open, or released",
                  error, error_size);
    }
    karrow::MetricLabels labels{source->topic(), std::to_string(source->task().task_index), ""};
    std::string out;
    karrow::AppendPrometheusText({{labels, source->metrics()}}, &out);
    char* copy = static_cast<char*>(std::malloc(out.size() + 1));
    if (copy == nullptr)
      return Fail(ENOMEM, "karrow_stream_metrics: out of memory", error, error_size);
    std::memcpy(copy, out.c_str(), out.size() + 1);
    *text = copy;
    return 0;
  } catch (const std::exception& e) {
    return Fail(EIO, std::string("internal error: ") + e.what(), error, error_size);
  }
}

extern "C" void karrow_dead_letters_free(karrow_dead_letters* dead_letters) { delete dead_letters; }
