#include "formats/avro_value_decoder.h"

#include <unordered_map>

#include "formats/avro_arrow_type.h"
#include "formats/avro_decoder.h"
#include "formats/confluent_frame.h"
#include "formats/schema_registry_client.h"

namespace karrow {
namespace {

std::vector<ArrayBuilder*> ValueColumns(RecordBatchBuilder* builder, size_t n) {
  std::vector<ArrayBuilder*> columns;
  for (size_t i = 0; i < n; ++i) columns.push_back(builder->column(static_cast<int>(i)));
  return columns;
}

class AvroDatumDecoder final : public ValueDecoder {
 public:
  AvroDatumDecoder(std::shared_ptr<const AvroSchema> schema, std::vector<Field> fields)
      : schema_(std::move(schema)), fields_(std::move(fields)) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    // Writer and reader are the same schema, which maps to these columns by
    // construction, so compiling cannot fail.
    reader_ =
        AvroDatumReader::Make(schema_, schema_, ValueColumns(builder, fields_.size())).ValueOrDie();
  }
  Status Append(const uint8_t* data, int64_t size) override { return reader_->Read(data, size); }

 private:
  std::shared_ptr<const AvroSchema> schema_;
  std::vector<Field> fields_;
  std::unique_ptr<AvroDatumReader> reader_;
};

// Schema ids found unusable are remembered, so that a topic full of them
// does not ask the registry once per record; the memory is bounded because
// hostile ids are unbounded.
constexpr size_t kMaxUnusableIds = 1024;

class ConfluentAvroDecoder final : public ValueDecoder {
 public:
  ConfluentAvroDecoder(std::shared_ptr<const AvroSchema> reader, std::vector<Field> fields,
                       std::shared_ptr<SchemaRegistryClient> registry)
      : reader_(std::move(reader)), fields_(std::move(fields)), registry_(std::move(registry)) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    columns_ = ValueColumns(builder, fields_.size());
    programs_.clear();
    last_id_ = -1;
  }
  Status Append(const uint8_t* data, int64_t size) override {
    KARROW_ASSIGN_OR_RAISE(ConfluentFrame frame, ParseConfluentFrame(data, size));
    if (frame.schema_id != last_id_) {
      KARROW_ASSIGN_OR_RAISE(last_, ProgramFor(frame.schema_id));
      last_id_ = frame.schema_id;
    }
    return last_->Read(frame.payload, frame.payload_size);
  }

 private:
  Result<AvroDatumReader*> ProgramFor(int32_t id) {
    if (auto it = programs_.find(id); it != programs_.end()) return it->second.get();
    if (auto it = unusable_.find(id); it != unusable_.end()) return Status::BadData(it->second);
    std::string what = "schema id " + std::to_string(id);
    auto fetched = registry_->GetById(id);
    if (!fetched.ok()) {
      if (fetched.status().code() != StatusCode::kNotFound) {
        return Status(fetched.status().code(),
                      "fetching the writer schema of " + what + ": " + fetched.status().message());
      }
      return Unusable(id,
                      what + " is not in the schema registry (" + fetched.status().message() + ")");
    }
    const RegisteredSchema& registered = **fetched;
    if (registered.schema_type != "AVRO") {
      return Unusable(id, what + " is a " + registered.schema_type + " schema, not Avro");
    }
    if (!registered.references.empty()) {
      return Unusable(id, what +
                              " uses schema references, which karrow follows for Protobuf "
                              "schemas only, not for Avro");
    }
    auto writer = AvroSchema::Parse(registered.schema);
    if (!writer.ok()) return Unusable(id, what + ": " + writer.status().message());
    auto program = AvroDatumReader::Make(
        std::make_shared<const AvroSchema>(std::move(writer).ValueOrDie()), reader_, columns_);
    if (!program.ok()) {
      return Unusable(
          id, what + " cannot be read with the reader schema: " + program.status().message());
    }
    AvroDatumReader* out = program->get();
    programs_[id] = std::move(program).ValueOrDie();
    return out;
  }

  Status Unusable(int32_t id, std::string why) {
    if (unusable_.size() >= kMaxUnusableIds) unusable_.clear();
    unusable_[id] = why;
    return Status::BadData(std::move(why));
  }

  std::shared_ptr<const AvroSchema> reader_;
  std::vector<Field> fields_;
  std::shared_ptr<SchemaRegistryClient> registry_;
  std::vector<ArrayBuilder*> columns_;
  std::unordered_map<int32_t, std::unique_ptr<AvroDatumReader>> programs_;
  std::unordered_map<int32_t, std::string> unusable_;
  int32_t last_id_ = -1;
  AvroDatumReader* last_ = nullptr;
};

Result<std::pair<std::shared_ptr<const AvroSchema>, std::vector<Field>>> ReaderSchema(
    const std::string& json) {
  KARROW_ASSIGN_OR_RAISE(AvroSchema parsed, AvroSchema::Parse(json));
  auto schema = std::make_shared<const AvroSchema>(std::move(parsed));
  KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, AvroToArrowColumns(*schema));
  return std::make_pair(std::move(schema), std::move(fields));
}

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeConfluentAvroDecoder(
    const std::string& reader_json, std::shared_ptr<SchemaRegistryClient> registry) {
  KARROW_ASSIGN_OR_RAISE(auto reader, ReaderSchema(reader_json));
  return std::unique_ptr<ValueDecoder>(std::make_unique<ConfluentAvroDecoder>(
      std::move(reader.first), std::move(reader.second), std::move(registry)));
}

Result<std::unique_ptr<ValueDecoder>> MakeAvroDatumDecoder(const std::string& schema_json) {
  KARROW_ASSIGN_OR_RAISE(auto reader, ReaderSchema(schema_json));
  auto& [schema, fields] = reader;
  // Compiled once here so that a schema the decoder cannot take (say, a
  // default that is not a value of its field) fails now, not at Bind().
  RecordBatchBuilder trial(std::make_shared<Schema>(fields));
  KARROW_RETURN_NOT_OK(
      AvroDatumReader::Make(schema, schema, ValueColumns(&trial, fields.size())).status());
  return std::unique_ptr<ValueDecoder>(
      std::make_unique<AvroDatumDecoder>(std::move(schema), std::move(fields)));
}

}  // namespace karrow
