#include "karrow/c_export.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace karrow {
namespace {

// ---- schema -------------------------------------------------------------

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::string metadata;  // C Data Interface binary encoding; empty = none
  std::vector<ArrowSchema*> children;
};

void ReleaseSchema(ArrowSchema* schema) {
  if (schema->release == nullptr) return;
  auto* priv = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : priv->children) {
    if (child->release) child->release(child);
    delete child;
  }
  delete priv;
  schema->release = nullptr;
}

void AppendInt32(std::string* out, int32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }

std::string EncodeMetadata(const KeyValueMetadata& metadata) {
  if (metadata.empty()) return {};
  std::string out;
  AppendInt32(&out, static_cast<int32_t>(metadata.size()));
  for (const auto& [key, value] : metadata) {
    AppendInt32(&out, static_cast<int32_t>(key.size()));
    out += key;
    AppendInt32(&out, static_cast<int32_t>(value.size()));
    out += value;
  }
  return out;
}

void FillSchema(const std::string& name, const DataType& type, bool nullable,
                const KeyValueMetadata& metadata, ArrowSchema* out) {
  auto* priv = new SchemaPrivate();
  priv->format = type.CFormat();
  priv->name = name;
  priv->metadata = EncodeMetadata(metadata);
  for (const Field& child : type.children()) {
    auto* c = new ArrowSchema();
    FillSchema(child.name, *child.type, child.nullable, child.metadata, c);
    priv->children.push_back(c);
  }
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = priv->metadata.empty() ? nullptr : priv->metadata.data();
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->children = priv->children.empty() ? nullptr : priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseSchema;
  out->private_data = priv;
}

// ---- arrays -------------------------------------------------------------

struct ArrayPrivate {
  ArrayDataPtr data;  // keeps the buffers alive
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
};

void ReleaseArray(ArrowArray* array) {
  if (array->release == nullptr) return;
  auto* priv = static_cast<ArrayPrivate*>(array->private_data);
  for (ArrowArray* child : priv->children) {
    if (child->release) child->release(child);
    delete child;
  }
  delete priv;
  array->release = nullptr;
}

void FillArray(const ArrayDataPtr& data, ArrowArray* out) {
  auto* priv = new ArrayPrivate();
  priv->data = data;
  size_t first = HasValiditySlot(data->type->id()) ? 0 : 1;
  for (size_t i = first; i < data->buffers.size(); ++i) {
    priv->buffers.push_back(data->buffers[i] ? data->buffers[i]->data() : nullptr);
  }
  for (const auto& child : data->children) {
    auto* c = new ArrowArray();
    FillArray(child, c);
    priv->children.push_back(c);
  }
  out->length = data->length;
  out->null_count = data->null_count;
  out->offset = data->offset;
  out->n_buffers = static_cast<int64_t>(priv->buffers.size());
  out->n_children = static_cast<int64_t>(priv->children.size());
  out->buffers = priv->buffers.data();
  out->children = priv->children.empty() ? nullptr : priv->children.data();
  out->dictionary = nullptr;
  out->release = ReleaseArray;
  out->private_data = priv;
}

// ---- stream -------------------------------------------------------------

struct StreamPrivate {
  std::unique_ptr<RecordBatchReader> reader;
  std::string last_error;
};

StreamPrivate* Priv(ArrowArrayStream* stream) {
  return static_cast<StreamPrivate*>(stream->private_data);
}

// Returns an errno value and records the message, so that no exception
// crosses into the consumer's (C) code.
int Fail(StreamPrivate* priv, const Status& status) {
  priv->last_error = status.ToString();
  return status.code() == StatusCode::kInvalidArgument ? EINVAL : EIO;
}

int StreamGetSchema(ArrowArrayStream* stream, ArrowSchema* out) {
  auto* priv = Priv(stream);
  try {
    Status st = ExportSchema(*priv->reader->schema(), out);
    return st.ok() ? 0 : Fail(priv, st);
  } catch (const std::exception& e) {
    return Fail(priv, Status::Internal(e.what()));
  }
}

int StreamGetNext(ArrowArrayStream* stream, ArrowArray* out) {
  auto* priv = Priv(stream);
  try {
    auto next = priv->reader->Next();
    if (!next.ok()) return Fail(priv, next.status());
    if (!next->has_value()) {
      out->release = nullptr;  // end of stream
      return 0;
    }
    Status st = ExportRecordBatch(**next, out);
    return st.ok() ? 0 : Fail(priv, st);
  } catch (const std::bad_alloc&) {
    return ENOMEM;
  } catch (const std::exception& e) {
    return Fail(priv, Status::Internal(e.what()));
  }
}

const char* StreamGetLastError(ArrowArrayStream* stream) {
  auto* priv = Priv(stream);
  return priv->last_error.empty() ? nullptr : priv->last_error.c_str();
}

void StreamRelease(ArrowArrayStream* stream) {
  if (stream->release == nullptr) return;
  delete Priv(stream);
  stream->release = nullptr;
}

}  // namespace

Status ExportField(const Field& field, ArrowSchema* out) {
  FillSchema(field.name, *field.type, field.nullable, field.metadata, out);
  return Status::OK();
}

Status ExportSchema(const Schema& schema, ArrowSchema* out) {
  FillSchema("", *struct_(schema.fields()), /*nullable=*/false, {}, out);
  return Status::OK();
}

Status ExportRecordBatch(const RecordBatch& batch, ArrowArray* out) {
  auto top = std::make_shared<ArrayData>();
  top->type = struct_(batch.schema()->fields());
  top->length = batch.num_rows();
  top->buffers = {nullptr};
  top->children = batch.columns();
  FillArray(top, out);
  return Status::OK();
}

void ExportRecordBatchReader(std::unique_ptr<RecordBatchReader> reader, ArrowArrayStream* out) {
  out->get_schema = StreamGetSchema;
  out->get_next = StreamGetNext;
  out->get_last_error = StreamGetLastError;
  out->release = StreamRelease;
  out->private_data = new StreamPrivate{std::move(reader), {}};
}

RecordBatchReader* ExportedReader(ArrowArrayStream* stream) {
  if (stream == nullptr || stream->release == nullptr || stream->get_next != StreamGetNext)
    return nullptr;
  return Priv(stream)->reader.get();
}

}  // namespace karrow
