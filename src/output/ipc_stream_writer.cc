#include "output/ipc_stream_writer.h"

#include "output/flatbuffer_writer.h"

namespace karrow {
namespace {

// Ids from the Arrow format's Schema.fbs and Message.fbs.
enum TypeTag : uint8_t {
  kNullTag = 1,
  kInt = 2,
  kFloatingPoint = 3,
  kBinary = 4,
  kUtf8 = 5,
  kBool = 6,
  kDecimal = 7,
  kDate = 8,
  kTime = 9,
  kTimestamp = 10,
  kList = 12,
  kStruct = 13,
  kUnion = 14,
  kFixedSizeBinary = 15,
  kMap = 17,
  kDurationTag = 18
};
enum HeaderTag : uint8_t { kSchemaHeader = 1, kRecordBatchHeader = 3 };
constexpr uint64_t kMetadataV5 = 4;

fb::NodePtr IntType(int bits, bool is_signed) {
  auto t = fb::Table();
  t->Add(0, 4, static_cast<uint64_t>(bits)).Add(1, 1, is_signed ? 1 : 0);
  return t;
}

std::pair<uint8_t, fb::NodePtr> TypeOf(const DataType& type) {
  auto t = fb::Table();
  switch (type.id()) {
    case TypeId::kBool:
      return {kBool, t};
    case TypeId::kInt8:
      return {kInt, IntType(8, true)};
    case TypeId::kInt16:
      return {kInt, IntType(16, true)};
    case TypeId::kInt32:
      return {kInt, IntType(32, true)};
    case TypeId::kInt64:
      return {kInt, IntType(64, true)};
    case TypeId::kUInt8:
      return {kInt, IntType(8, false)};
    case TypeId::kUInt16:
      return {kInt, IntType(16, false)};
    case TypeId::kUInt32:
      return {kInt, IntType(32, false)};
    case TypeId::kUInt64:
      return {kInt, IntType(64, false)};
    case TypeId::kFloat32:
      t->Add(0, 2, 1);  // SINGLE
      return {kFloatingPoint, t};
    case TypeId::kFloat64:
      t->Add(0, 2, 2);  // DOUBLE
      return {kFloatingPoint, t};
    case TypeId::kUtf8:
      return {kUtf8, t};
    case TypeId::kBinary:
      return {kBinary, t};
    case TypeId::kDate32:
      t->Add(0, 2, 0);  // DAY
      return {kDate, t};
    case TypeId::kTimestamp:
      t->Add(0, 2, static_cast<uint64_t>(type.unit()));  // SECOND..NANOSECOND, same order
      if (!type.timezone().empty()) t->Ref(1, fb::String(type.timezone()));
      return {kTimestamp, t};
    case TypeId::kDecimal128:
      t->Add(0, 4, static_cast<uint32_t>(type.precision()))
          .Add(1, 4, static_cast<uint32_t>(type.scale()))
          .Add(2, 4, 128);
      return {kDecimal, t};
    case TypeId::kList:
      return {kList, t};
    case TypeId::kStruct:
      return {kStruct, t};
    case TypeId::kNull:
      return {kNullTag, t};
    case TypeId::kFixedSizeBinary:
      t->Add(0, 4, static_cast<uint32_t>(type.byte_width()));
      return {kFixedSizeBinary, t};
    case TypeId::kTime32:
    case TypeId::kTime64:
      t->Add(0, 2, static_cast<uint64_t>(type.unit()))
          .Add(1, 4, static_cast<uint32_t>(type.byte_width() * 8));
      return {kTime, t};
    case TypeId::kMap:
      return {kMap, t};  // keysSorted: false
    case TypeId::kDenseUnion: {
      std::string ids;
      for (int32_t i = 0; i < static_cast<int32_t>(type.children().size()); ++i) {
        ids.append(reinterpret_cast<const char*>(&i), 4);
      }
      t->Add(0, 2, 1).Ref(
          1,
          fb::StructVector(std::move(ids), static_cast<int64_t>(type.children().size())));  // Dense
      return {kUnion, t};
    }
    case TypeId::kDuration:
      t->Add(0, 2, static_cast<uint64_t>(type.unit()));
      return {kDurationTag, t};
  }
  return {0, t};
}

fb::NodePtr FieldOf(const Field& field) {
  auto [tag, type] = TypeOf(*field.type);
  std::vector<fb::NodePtr> children;
  for (const Field& c : field.type->children()) children.push_back(FieldOf(c));
  auto f = fb::Table();
  f->Ref(0, fb::String(field.name)).Add(1, 1, field.nullable ? 1 : 0).Add(2, 1, tag).Ref(3, type);
  f->Ref(5, fb::TableVector(std::move(children)));
  if (!field.metadata.empty()) {
    std::vector<fb::NodePtr> kvs;
    for (const auto& [k, v] : field.metadata) {
      auto kv = fb::Table();
      kv->Ref(0, fb::String(k)).Ref(1, fb::String(v));
      kvs.push_back(kv);
    }
    f->Ref(6, fb::TableVector(std::move(kvs)));
  }
  return f;
}

void AppendMessage(uint8_t header_tag, fb::NodePtr header, int64_t body_length, std::string* out) {
  auto message = fb::Table();
  message->Add(0, 2, kMetadataV5).Add(1, 1, header_tag).Ref(2, std::move(header));
  message->Add(3, 8, static_cast<uint64_t>(body_length));
  std::string metadata = fb::Finish(message);  // padded to 8 bytes
  uint32_t continuation = 0xFFFFFFFF;
  auto size = static_cast<int32_t>(metadata.size());
  out->append(reinterpret_cast<const char*>(&continuation), 4);
  out->append(reinterpret_cast<const char*>(&size), 4);
  out->append(metadata);
}

void PutInt64(std::string* s, int64_t v) { s->append(reinterpret_cast<const char*>(&v), 8); }

// Collects field nodes, buffer locations and the body for one batch.
struct BodyBuilder {
  std::string nodes, buffers, body;
  int64_t node_count = 0, buffer_count = 0;

  void AddBuffer(const uint8_t* data, int64_t size) {
    PutInt64(&buffers, static_cast<int64_t>(body.size()));
    PutInt64(&buffers, size);
    ++buffer_count;
    if (size > 0) body.append(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
    while (body.size() % 8) body.push_back('\0');
  }

  Status Add(const ArrayData& a, int64_t length) {
    if (a.offset != 0)
      return Status::Invalid("the Arrow IPC writer takes arrays with offset 0 only");
    const auto& validity = a.buffers[0];
    // Counted for `length`, which can be shorter than the array (a prefix).
    int64_t nulls = 0;
    for (int64_t i = 0; validity && i < length; ++i) nulls += !a.IsValid(i);
    const DataType& t = *a.type;
    if (t.id() == TypeId::kNull) nulls = length;
    PutInt64(&nodes, length);
    PutInt64(&nodes, nulls);
    ++node_count;
    if (HasValiditySlot(t.id()))
      AddBuffer(validity ? validity->data() : nullptr, validity ? (length + 7) / 8 : 0);
    switch (t.id()) {
      case TypeId::kNull:
        break;
      case TypeId::kDenseUnion:
        AddBuffer(a.buffers[1]->data(), length);
        AddBuffer(a.buffers[2]->data(), length * 4);
        // Members are written whole: the offsets may point anywhere in them.
        for (const auto& c : a.children) KARROW_RETURN_NOT_OK(Add(*c, c->length));
        break;
      case TypeId::kBool:
        AddBuffer(a.buffers[1]->data(), (length + 7) / 8);
        break;
      case TypeId::kUtf8:
      case TypeId::kBinary: {
        AddBuffer(a.buffers[1]->data(), (length + 1) * 4);
        auto end = reinterpret_cast<const int32_t*>(a.buffers[1]->data())[length];
        AddBuffer(a.buffers[2]->data(), end);
        break;
      }
      case TypeId::kList:
      case TypeId::kMap: {
        AddBuffer(a.buffers[1]->data(), (length + 1) * 4);
        auto end = reinterpret_cast<const int32_t*>(a.buffers[1]->data())[length];
        KARROW_RETURN_NOT_OK(Add(*a.children[0], end));
        break;
      }
      case TypeId::kStruct:
        for (const auto& c : a.children) KARROW_RETURN_NOT_OK(Add(*c, length));
        break;
      default:
        AddBuffer(a.buffers[1]->data(), length * t.byte_width());
        break;
    }
    return Status::OK();
  }
};

void AppendIpcSchema(const Schema& schema, std::string* out) {
  std::vector<fb::NodePtr> fields;
  for (const Field& f : schema.fields()) fields.push_back(FieldOf(f));
  auto s = fb::Table();
  s->Add(0, 2, 0).Ref(1, fb::TableVector(std::move(fields)));  // little-endian
  AppendMessage(kSchemaHeader, s, 0, out);
}

// Appends nothing when it fails: the message is built whole before it is appended.
Status AppendIpcRecordBatch(const RecordBatch& batch, std::string* out) {
  BodyBuilder b;
  for (const auto& column : batch.columns()) KARROW_RETURN_NOT_OK(b.Add(*column, batch.num_rows()));
  auto rb = fb::Table();
  rb->Add(0, 8, static_cast<uint64_t>(batch.num_rows()));
  rb->Ref(1, fb::StructVector(b.nodes, b.node_count))
      .Ref(2, fb::StructVector(b.buffers, b.buffer_count));
  AppendMessage(kRecordBatchHeader, rb, static_cast<int64_t>(b.body.size()), out);
  out->append(b.body);
  return Status::OK();
}

void AppendIpcEndOfStream(std::string* out) {
  uint32_t marker[2] = {0xFFFFFFFF, 0};
  out->append(reinterpret_cast<const char*>(marker), 8);
}

std::string FieldText(const Field& f) {
  return "'" + f.name + ": " + f.type->ToString() + (f.nullable ? "" : " not null") + "'";
}

// Where `batch` differs from `stream`, or "" when they are equal. Field
// metadata counts: readers keep the schema message's, so it must hold for all.
std::string SchemaDifference(const Schema& batch, const Schema& stream) {
  if (batch.num_fields() != stream.num_fields()) {
    return "columns: " + std::to_string(batch.num_fields()) + " in the batch, " +
           std::to_string(stream.num_fields()) + " in the stream's schema";
  }
  for (int i = 0; i < batch.num_fields(); ++i) {
    const Field& x = batch.field(i);
    const Field& y = stream.field(i);
    if (x.name != y.name || x.nullable != y.nullable || !x.type->Equals(*y.type)) {
      return "column " + std::to_string(i) + " is " + FieldText(x) + ", the stream's is " +
             FieldText(y);
    }
    if (x.metadata != y.metadata) {
      return "column " + std::to_string(i) + " " + FieldText(x) + " has other metadata";
    }
  }
  return "";
}

}  // namespace

IpcStreamWriter::IpcStreamWriter(SchemaPtr schema, std::string* out)
    : schema_(std::move(schema)), out_(out) {
  AppendIpcSchema(*schema_, out_);
}

Status IpcStreamWriter::Write(const RecordBatch& batch) {
  if (finished_) {
    return Status::Invalid(
        "Arrow IPC stream: a record batch after the end-of-stream marker; write every batch "
        "before Finish()");
  }
  // Pointer equality first: batches of one source share its schema object.
  if (batch.schema() != schema_) {
    std::string difference = SchemaDifference(*batch.schema(), *schema_);
    if (!difference.empty()) {
      return Status::Invalid("Arrow IPC stream: a record batch of another schema (" + difference +
                             "); start a new stream for a new schema");
    }
  }
  return AppendIpcRecordBatch(batch, out_);
}

Status IpcStreamWriter::Finish() {
  if (finished_) {
    return Status::Invalid(
        "Arrow IPC stream: Finish() called twice; the end-of-stream marker is written once");
  }
  finished_ = true;
  AppendIpcEndOfStream(out_);
  return Status::OK();
}

}  // namespace karrow
