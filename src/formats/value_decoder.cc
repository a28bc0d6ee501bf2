#include "formats/value_decoder.h"

#include <simdjson.h>

#include <cstring>
#include <string>

#include "formats/json_decoder.h"
#include "formats/json_schema.h"
#include "formats/json_syntax.h"

namespace karrow {
namespace {

class RawDecoder final : public ValueDecoder {
 public:
  explicit RawDecoder(bool utf8) : utf8_(utf8) {}
  std::vector<Field> fields() const override {
    return {{"value", utf8_ ? utf8() : binary(), false}};
  }
  void Bind(RecordBatchBuilder* builder) override { out_ = builder->column_as<BinaryBuilder>(0); }
  Status Append(const uint8_t* data, int64_t size) override {
    if (utf8_ && !simdjson::validate_utf8(reinterpret_cast<const char*>(data), size)) {
      return Status::BadData("value is not valid UTF-8 (format raw_string); use format raw_bytes "
                             "to read binary values");
    }
    return out_->Append(data, size);
  }

 private:
  bool utf8_;
  BinaryBuilder* out_ = nullptr;
};

// Unstructured JSON: the text is kept as is, after a full syntax and UTF-8
// check, in a utf8 column tagged with Arrow's canonical JSON extension type.
class JsonTextDecoder final : public ValueDecoder {
 public:
  std::vector<Field> fields() const override {
    return {{"value", utf8(), false, {{"ARROW:extension:name", "arrow.json"}, {"ARROW:extension:metadata", ""}}}};
  }
  void Bind(RecordBatchBuilder* builder) override { out_ = builder->column_as<BinaryBuilder>(0); }
  Status Append(const uint8_t* data, int64_t size) override {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; Kafka's
    // buffers promise nothing there, so parse from our own padded copy.
    size_t needed = static_cast<size_t>(size) + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < needed) padded_.resize(needed);
    std::memcpy(padded_.data(), data, static_cast<size_t>(size));
    std::memset(padded_.data() + size, 0, simdjson::SIMDJSON_PADDING);
    // Not the DOM parser: it rejects valid numbers beyond 64 bits, and the
    // text is kept as is, so any JSON number is fine.
    auto error = CheckJsonText(parser_, padded_.data(), static_cast<size_t>(size), needed);
    if (error) {
      return Status::BadData(std::string("value is not valid JSON (format json): ") +
                             simdjson::error_message(error));
    }
    return out_->Append(data, size);
  }

 private:
  simdjson::ondemand::parser parser_;
  std::vector<char> padded_;
  BinaryBuilder* out_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeValueDecoder(const KafkaSourceConfig& config) {
  switch (config.format) {
    case Format::kRawString:
      return std::unique_ptr<ValueDecoder>(std::make_unique<RawDecoder>(true));
    case Format::kRawBytes:
      return std::unique_ptr<ValueDecoder>(std::make_unique<RawDecoder>(false));
    case Format::kJson:
      if (config.value_schema.empty()) return std::unique_ptr<ValueDecoder>(std::make_unique<JsonTextDecoder>());
      KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, ParseJsonSchema(config.value_schema));
      return MakeJsonRecordDecoder(std::move(fields));
  }
  return Status::Invalid("unknown format");
}

}  // namespace karrow
