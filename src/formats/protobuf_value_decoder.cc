#include "formats/protobuf_value_decoder.h"

#include <google/protobuf/descriptor.h>

#include <map>
#include <set>

#include "formats/confluent_frame.h"
#include "formats/protobuf_arrow_type.h"
#include "formats/protobuf_decoder.h"
#include "formats/schema_registry_client.h"

namespace karrow {
namespace {

namespace pb = google::protobuf;

std::vector<ArrayBuilder*> ValueColumns(RecordBatchBuilder* builder, size_t n) {
  std::vector<ArrayBuilder*> columns;
  for (size_t i = 0; i < n; ++i) columns.push_back(builder->column(static_cast<int>(i)));
  return columns;
}

class ProtobufMessageDecoder final : public ValueDecoder {
 public:
  ProtobufMessageDecoder(std::shared_ptr<const ProtobufSchema> schema,
                         const pb::Descriptor* message, std::vector<Field> fields)
      : schema_(std::move(schema)), message_(message), fields_(std::move(fields)) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    // The columns are the message's Arrow form, so compiling cannot fail.
    reader_ =
        ProtobufMessageReader::Make(message_, ValueColumns(builder, fields_.size())).ValueOrDie();
  }
  Status Append(const uint8_t* data, int64_t size) override { return reader_->Read(data, size); }

 private:
  std::shared_ptr<const ProtobufSchema> schema_;
  const pb::Descriptor* message_;
  std::vector<Field> fields_;
  std::unique_ptr<ProtobufMessageReader> reader_;
};

// Writer (schema id, message-index path) pairs found unusable are
// remembered, bounded because hostile ids and paths are unbounded.
constexpr size_t kMaxRemembered = 1024;
// A path longer than this names no message anyone declares.
constexpr uint64_t kMaxPathLength = 64;

class ConfluentProtobufDecoder final : public ValueDecoder {
 public:
  ConfluentProtobufDecoder(std::shared_ptr<const ProtobufSchema> reader,
                           const pb::Descriptor* message, std::vector<Field> fields,
                           std::shared_ptr<SchemaRegistryClient> registry)
      : reader_schema_(std::move(reader)),
        message_(message),
        fields_(std::move(fields)),
        registry_(std::move(registry)) {}
  std::vector<Field> fields() const override { return fields_; }
  void Bind(RecordBatchBuilder* builder) override {
    reader_ =
        ProtobufMessageReader::Make(message_, ValueColumns(builder, fields_.size())).ValueOrDie();
  }
  Status Append(const uint8_t* data, int64_t size) override {
    KARROW_ASSIGN_OR_RAISE(ConfluentFrame frame, ParseConfluentFrame(data, size));
    const uint8_t* p = frame.payload;
    const uint8_t* end = p + frame.payload_size;
    KARROW_RETURN_NOT_OK(ReadPath(&p, end));
    if (frame.schema_id != last_id_ || path_ != last_path_) {
      KARROW_RETURN_NOT_OK(Check(frame.schema_id));
      last_id_ = frame.schema_id;
      last_path_ = path_;
    }
    return reader_->Read(p, end - p);
  }

 private:
  static bool ReadZigZag(const uint8_t** p, const uint8_t* end, int64_t* out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (*p == end) return false;
      uint8_t b = *(*p)++;
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) {
        *out = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
        return true;
      }
    }
    return false;
  }

  // The message-index path after the schema id: a zig-zag count, then as
  // many zig-zag indexes; a count of 0 means [0], the first message.
  Status ReadPath(const uint8_t** p, const uint8_t* end) {
    path_.clear();
    int64_t count;
    if (!ReadZigZag(p, end, &count)) {
      return Status::BadData("the message-index path after the schema id is cut off");
    }
    if (count == 0) {
      path_.push_back(0);
      return Status::OK();
    }
    if (count < 0 || static_cast<uint64_t>(count) > kMaxPathLength) {
      return Status::BadData("the message-index path has " + std::to_string(count) +
                             " indexes (at most " + std::to_string(kMaxPathLength) + ")");
    }
    for (int64_t i = 0; i < count; ++i) {
      int64_t index;
      if (!ReadZigZag(p, end, &index)) {
        return Status::BadData("the message-index path after the schema id is cut off");
      }
      if (index < 0 || index > INT32_MAX) {
        return Status::BadData("message index " + std::to_string(index) + " is out of range");
      }
      path_.push_back(static_cast<int32_t>(index));
    }
    return Status::OK();
  }

  Status Check(int32_t id) {
    auto key = std::make_pair(id, path_);
    if (auto it = checked_.find(key); it != checked_.end()) {
      return it->second.empty() ? Status::OK() : Status::BadData(it->second);
    }
    std::string what = "schema id " + std::to_string(id);
    KARROW_ASSIGN_OR_RAISE(auto writer, Writer(id, what));
    if (writer == nullptr) return Status::BadData(unusable_ids_[id]);
    std::string why;
    auto message = writer->MessageAtPath(path_);
    if (!message.ok()) {
      why = message.status().message();
    } else if ((*message)->full_name() != message_->full_name()) {
      why = what + ": the record's message is " + (*message)->full_name() + ", not " +
            message_->full_name() + " (set protobuf_message to read it)";
    } else if (Status st = CheckProtobufCompatible(*message, message_); !st.ok()) {
      why = what + " cannot be read as the reader's " + message_->full_name() + ": " + st.message();
    }
    if (checked_.size() >= kMaxRemembered) checked_.clear();
    checked_[key] = why;
    return why.empty() ? Status::OK() : Status::BadData(why);
  }

  // The writer schema of `id`; null (and the reason remembered) when the
  // registry does not know it or it is not a Protobuf schema karrow can build.
  Result<std::shared_ptr<const ProtobufSchema>> Writer(int32_t id, const std::string& what) {
    if (auto it = writers_.find(id); it != writers_.end()) return it->second;
    if (unusable_ids_.count(id)) return std::shared_ptr<const ProtobufSchema>();
    auto fetched = registry_->GetById(id);
    auto unusable = [&](std::string why) {
      if (unusable_ids_.size() >= kMaxRemembered) unusable_ids_.clear();
      unusable_ids_[id] = std::move(why);
      return std::shared_ptr<const ProtobufSchema>();
    };
    if (!fetched.ok()) {
      if (fetched.status().code() != StatusCode::kNotFound) {
        return Status(fetched.status().code(),
                      "fetching the writer schema of " + what + ": " + fetched.status().message());
      }
      return unusable(what + " is not in the schema registry (" + fetched.status().message() + ")");
    }
    const RegisteredSchema& registered = **fetched;
    if (registered.schema_type != "PROTOBUF") {
      return unusable(what + " is a " + registered.schema_type + " schema, not Protobuf");
    }
    auto schema =
        FetchProtobufSchema(registry_.get(), what, "schema_id_" + std::to_string(id) + ".proto",
                            registered.schema, registered.references);
    if (!schema.ok()) {
      if (schema.status().code() != StatusCode::kInvalidArgument &&
          schema.status().code() != StatusCode::kNotFound) {
        // The message starts with `what`.
        return Status(schema.status().code(),
                      "fetching the writer schema of " + schema.status().message());
      }
      return unusable(schema.status().message());
    }
    if (writers_.size() >= kMaxRemembered) writers_.clear();
    writers_[id] = *schema;
    return *schema;
  }

  std::shared_ptr<const ProtobufSchema> reader_schema_;
  const pb::Descriptor* message_;
  std::vector<Field> fields_;
  std::shared_ptr<SchemaRegistryClient> registry_;
  std::unique_ptr<ProtobufMessageReader> reader_;
  std::map<int32_t, std::shared_ptr<const ProtobufSchema>> writers_;
  std::map<int32_t, std::string> unusable_ids_;
  std::map<std::pair<int32_t, std::vector<int32_t>>, std::string> checked_;
  std::vector<int32_t> path_;
  std::vector<int32_t> last_path_;
  int32_t last_id_ = -1;
};

// Files a schema may pull in through references, transitively.
constexpr size_t kMaxReferencedFiles = 1000;

}  // namespace

Result<std::shared_ptr<const ProtobufSchema>> FetchProtobufSchema(
    SchemaRegistryClient* registry, const std::string& what, const std::string& file_name,
    const std::string& content, const std::vector<SchemaReference>& references) {
  std::vector<ProtoSource> imports;
  std::set<std::string> names;
  std::vector<SchemaReference> pending = references;
  while (!pending.empty()) {
    SchemaReference ref = std::move(pending.back());
    pending.pop_back();
    if (!names.insert(ref.name).second) continue;
    if (names.size() > kMaxReferencedFiles) {
      return Status::Invalid(what + " references more than " + std::to_string(kMaxReferencedFiles) +
                             " schemas");
    }
    auto got = registry->GetVersion(ref.subject, ref.version);
    if (!got.ok()) {
      return Status(got.status().code(),
                    what + ": its reference '" + ref.name + "': " + got.status().message());
    }
    imports.push_back({ref.name, (*got)->schema});
    for (const SchemaReference& r : (*got)->references) pending.push_back(r);
  }
  return ProtobufSchema::Make(what, {file_name, content}, imports);
}

Result<std::unique_ptr<ValueDecoder>> MakeProtobufMessageDecoder(
    std::shared_ptr<const ProtobufSchema> schema, const std::string& message_name) {
  KARROW_ASSIGN_OR_RAISE(const pb::Descriptor* message, schema->FindMessage(message_name));
  KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, ProtobufToArrowColumns(message));
  RecordBatchBuilder trial(std::make_shared<Schema>(fields));
  KARROW_RETURN_NOT_OK(
      ProtobufMessageReader::Make(message, ValueColumns(&trial, fields.size())).status());
  return std::unique_ptr<ValueDecoder>(
      std::make_unique<ProtobufMessageDecoder>(std::move(schema), message, std::move(fields)));
}

Result<std::unique_ptr<ValueDecoder>> MakeConfluentProtobufDecoder(
    std::shared_ptr<const ProtobufSchema> reader, const std::string& message_name,
    std::shared_ptr<SchemaRegistryClient> registry) {
  KARROW_ASSIGN_OR_RAISE(const pb::Descriptor* message, reader->FindMessage(message_name));
  KARROW_ASSIGN_OR_RAISE(std::vector<Field> fields, ProtobufToArrowColumns(message));
  RecordBatchBuilder trial(std::make_shared<Schema>(fields));
  KARROW_RETURN_NOT_OK(
      ProtobufMessageReader::Make(message, ValueColumns(&trial, fields.size())).status());
  return std::unique_ptr<ValueDecoder>(std::make_unique<ConfluentProtobufDecoder>(
      std::move(reader), message, std::move(fields), std::move(registry)));
}

}  // namespace karrow
