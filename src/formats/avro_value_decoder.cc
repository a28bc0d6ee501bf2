#include "formats/avro_value_decoder.h"

#include "formats/avro_arrow_type.h"
#include "formats/avro_decoder.h"

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
    reader_ = AvroDatumReader::Make(schema_, schema_, ValueColumns(builder, fields_.size())).ValueOrDie();
  }
  Status Append(const uint8_t* data, int64_t size) override { return reader_->Read(data, size); }

 private:
  std::shared_ptr<const AvroSchema> schema_;
  std::vector<Field> fields_;
  std::unique_ptr<AvroDatumReader> reader_;
};

}  // namespace

Result<std::unique_ptr<ValueDecoder>> MakeAvroDatumDecoder(const std::string& schema_json) {
  KARROW_ASSIGN_OR_RAISE(AvroSchema parsed, AvroSchema::Parse(schema_json));
  auto schema = std::make_shared<const AvroSchema>(std::move(parsed));
  KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, AvroToArrowColumns(*schema));
  // Compiled once here so that a schema the decoder cannot take (say, a
  // default that is not a value of its field) fails now, not at Bind().
  RecordBatchBuilder trial(std::make_shared<Schema>(fields));
  KARROW_RETURN_NOT_OK(AvroDatumReader::Make(schema, schema, ValueColumns(&trial, fields.size())).status());
  return std::unique_ptr<ValueDecoder>(std::make_unique<AvroDatumDecoder>(std::move(schema), std::move(fields)));
}

}  // namespace karrow
