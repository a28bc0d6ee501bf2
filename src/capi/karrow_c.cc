#include "karrow/karrow.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "karrow/kafka_source.h"

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

}  // namespace

extern "C" const char* karrow_version(void) { return "0.1.0"; }

extern "C" int karrow_kafka_stream_open(const char* const* keys, const char* const* values, size_t count,
                                        int32_t task_index, int32_t parallelism, ArrowArrayStream* out,
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
    auto source = karrow::KafkaSource::Open(std::move(*config), {task_index, parallelism});
    if (!source.ok()) return Fail(ErrnoFor(source.status().code()), source.status().message(), error, error_size);
    karrow::ExportRecordBatchReader(std::move(*source), out);
    return 0;
  } catch (const std::exception& e) {
    return Fail(EIO, std::string("internal error: ") + e.what(), error, error_size);
  }
}
