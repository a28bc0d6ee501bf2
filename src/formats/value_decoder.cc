#include "formats/value_decoder.h"

#include <simdjson.h>

#include <cstring>
#include <string>

#include "formats/avro_value_decoder.h"
#include "formats/confluent_frame.h"
#include "formats/json_decoder.h"
#include "formats/json_schema.h"
#include "formats/json_syntax.h"
#include "formats/protobuf_value_decoder.h"
#include "formats/schema_registry_client.h"

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
      return Status::BadData(
          "value is not valid UTF-8 (format raw_string); use format raw_bytes "
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
    return {{"value",
             utf8(),
             false,
             {{"ARROW:extension:name", "arrow.json"}, {"ARROW:extension:metadata", ""}}}};
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
    JsonCheck check = CheckJsonText(parser_, padded_.data(), static_cast<size_t>(size), needed);
    if (!check.ok()) {
      return Status::BadData("value is not valid JSON (format json): " +
                             check.Reason(padded_.data()));
    }
    return out_->Append(data, size);
  }

 private:
  simdjson::ondemand::parser parser_;
  std::vector<char> padded_;
  BinaryBuilder* out_ = nullptr;
};

// Values in the Confluent wire format: the 5-byte prefix is checked and
// dropped, and the rest goes to a decoder that knows nothing of it. (The
// schema id is not used: the declared schema is what the columns follow.)
class ConfluentFramedDecoder final : public ValueDecoder {
 public:
  explicit ConfluentFramedDecoder(std::unique_ptr<ValueDecoder> inner) : inner_(std::move(inner)) {}
  std::vector<Field> fields() const override { return inner_->fields(); }
  void Bind(RecordBatchBuilder* builder) override { inner_->Bind(builder); }
  Status Append(const uint8_t* data, int64_t size) override {
    KARROW_ASSIGN_OR_RAISE(ConfluentFrame frame, ParseConfluentFrame(data, size));
    return inner_->Append(frame.payload, frame.payload_size);
  }

 private:
  std::unique_ptr<ValueDecoder> inner_;
};

Result<std::unique_ptr<ValueDecoder>> MakeUnframedDecoder(const FormatOptions& options) {
  switch (options.format) {
    case Format::kRawString:
      return std::unique_ptr<ValueDecoder>(std::make_unique<RawDecoder>(true));
    case Format::kRawBytes:
      return std::unique_ptr<ValueDecoder>(std::make_unique<RawDecoder>(false));
    case Format::kJson: {
      if (options.schema.empty()) {
        return std::unique_ptr<ValueDecoder>(std::make_unique<JsonTextDecoder>());
      }
      KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, ParseJsonSchema(options.schema));
      return MakeJsonRecordDecoder(std::move(fields),
                                   JsonOptions{.epoch_unit = options.json_epoch_unit});
    }
    case Format::kAvro:
      return MakeAvroDatumDecoder(options.schema);
    case Format::kProtobuf: {
      KARROW_ASSIGN_OR_RAISE(
          auto schema,
          ProtobufSchema::Make("value_schema", {"value_schema.proto", options.schema}, {}));
      return MakeProtobufMessageDecoder(std::move(schema), options.protobuf_message);
    }
  }
  return Status::Invalid("unknown format");
}

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeValueDecoder(const FormatOptions& options,
                                                       const std::string& topic) {
  KARROW_RETURN_NOT_OK(options.Validate());
  if (options.HasRegistrySchemas() && options.UsesConfluentFraming()) {
    KARROW_ASSIGN_OR_RAISE(std::unique_ptr<SchemaRegistryClient> client,
                           SchemaRegistryClient::Make(options.schema_registry));
    std::shared_ptr<SchemaRegistryClient> registry = std::move(client);
    std::string reader = options.schema;
    std::vector<SchemaReference> references;
    std::string what = "value_schema";
    std::string file_name = "value_schema.proto";
    if (reader.empty()) {
      // TopicNameStrategy: the subject Confluent's serializers register under.
      std::string subject = options.subject.empty() ? topic + "-value" : options.subject;
      what = "the reader schema (latest of subject '" + subject + "')";
      file_name = subject + ".proto";
      auto latest = registry->GetLatest(subject);
      if (!latest.ok()) {
        return Status(latest.status().code(), what + ": " + latest.status().message());
      }
      reader = (*latest)->schema;
      references = (*latest)->references;
      const std::string expected = options.format == Format::kAvro ? "AVRO" : "PROTOBUF";
      if ((*latest)->schema_type != expected) {
        return Status::Invalid(what + " is a " + (*latest)->schema_type + " schema, not " +
                               (options.format == Format::kAvro ? "Avro" : "Protobuf"));
      }
      if (options.format == Format::kAvro && !references.empty()) {
        return Status::Invalid(what +
                               " uses schema references, which karrow follows for Protobuf "
                               "schemas only, not for Avro");
      }
    }
    if (options.format == Format::kAvro)
      return MakeConfluentAvroDecoder(reader, std::move(registry));
    KARROW_ASSIGN_OR_RAISE(
        auto schema, FetchProtobufSchema(registry.get(), what, file_name, reader, references));
    return MakeConfluentProtobufDecoder(std::move(schema), options.protobuf_message,
                                        std::move(registry));
  }
  KARROW_ASSIGN_OR_RAISE(std::unique_ptr<ValueDecoder> decoder, MakeUnframedDecoder(options));
  if (!options.UsesConfluentFraming()) return decoder;
  return std::unique_ptr<ValueDecoder>(
      std::make_unique<ConfluentFramedDecoder>(std::move(decoder)));
}

}  // namespace karrow
