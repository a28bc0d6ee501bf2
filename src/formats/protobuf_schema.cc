#include "formats/protobuf_schema.h"

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <map>
#include <set>

namespace karrow {
namespace {

namespace pb = google::protobuf;

// The first error libprotobuf reports, with where; the rest usually follow from it.
class FirstError : public pb::io::ErrorCollector, public pb::DescriptorPool::ErrorCollector {
 public:
  FirstError(std::string file, const pb::compiler::SourceLocationTable* locations)
      : file_(std::move(file)), locations_(locations) {}
  // Tokenizer and parser errors; lines and columns count from 0.
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    Set(file_ + " line " + std::to_string(line + 1) + " column " + std::to_string(column + 1) +
        ": " + message);
  }
  // Descriptor errors (unknown types, duplicate numbers, ...): located with
  // the parser's table when the file was text.
  void AddError(const std::string& filename, const std::string& element_name,
                const pb::Message* descriptor, ErrorLocation location,
                const std::string& message) override {
    int line = -1, column = -1;
    if (locations_ && locations_->Find(descriptor, location, &line, &column)) {
      Set(filename + " line " + std::to_string(line + 1) + " column " + std::to_string(column + 1) +
          " (" + element_name + "): " + message);
    } else {
      Set(filename + " (" + element_name + "): " + message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  void Set(std::string e) {
    if (error_.empty()) error_ = std::move(e);
  }
  std::string file_;
  const pb::compiler::SourceLocationTable* locations_;
  std::string error_;
};

// Confluent's serializers register base64; .proto text always has a ';' or
// a '{', which base64 never has.
bool IsBase64(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' ||
          c == '\n' || c == '\r' || c == ' ')) {
      return false;
    }
  }
  return true;
}

bool DecodeBase64(const std::string& in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      padding = true;
      continue;
    } else {
      continue;  // line breaks
    }
    if (padding) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

// A serialized FileDescriptorSet starts with its first file (field 1, a
// message), whose own first byte is again the tag 0x0a of its name; a
// FileDescriptorProto starts with its name, whose first character is a
// file name's, never a newline.
bool IsDescriptorSet(const std::string& bytes) {
  if (bytes.size() < 2 || bytes[0] != 0x0a) return false;
  size_t i = 1;
  while (i < bytes.size() && (static_cast<uint8_t>(bytes[i]) & 0x80)) ++i;
  return i + 1 < bytes.size() && bytes[i + 1] == 0x0a;
}

class Builder {
 public:
  Builder(const std::string& what, pb::DescriptorPool* pool,
          const std::vector<ProtoSource>& imports)
      : what_(what), pool_(pool) {
    for (const ProtoSource& s : imports) sources_.emplace(s.name, &s);
  }

  Result<const pb::FileDescriptor*> Build(const ProtoSource& source) {
    // Files of a descriptor set come in import order and are built in turn.
    std::vector<pb::FileDescriptorProto> files;
    auto locations = std::make_unique<pb::compiler::SourceLocationTable>();
    if (IsBase64(source.content)) {
      std::string bytes;
      if (!DecodeBase64(source.content, &bytes)) {
        return Status::Invalid(what_ + ": " + source.name + " is neither .proto text nor base64");
      }
      if (IsDescriptorSet(bytes)) {
        pb::FileDescriptorSet set;
        if (!set.ParseFromString(bytes) || set.file_size() == 0) {
          return Status::Invalid(what_ + ": " + source.name +
                                 " is not a valid serialized FileDescriptorSet");
        }
        for (auto& f : *set.mutable_file()) files.push_back(std::move(f));
      } else {
        files.emplace_back();
        if (!files.back().ParseFromString(bytes)) {
          return Status::Invalid(what_ + ": " + source.name +
                                 " is not a valid serialized FileDescriptorProto");
        }
      }
      locations.reset();
      if (files.back().name().empty()) files.back().set_name(source.name);
    } else {
      files.emplace_back();
      pb::io::ArrayInputStream input(source.content.data(),
                                     static_cast<int>(source.content.size()));
      FirstError errors(source.name, nullptr);
      pb::io::Tokenizer tokenizer(&input, &errors);
      pb::compiler::Parser parser;
      parser.RecordErrorsTo(&errors);
      parser.RecordSourceLocationsTo(locations.get());
      if (!parser.Parse(&tokenizer, &files.back())) {
        return Status::Invalid(what_ + ": " + errors.error());
      }
      files.back().set_name(source.name);
    }
    const pb::FileDescriptor* last = nullptr;
    for (size_t i = 0; i < files.size(); ++i) {
      bool main = i + 1 == files.size();
      KARROW_ASSIGN_OR_RAISE(last, BuildProto(files[i], main ? locations.get() : nullptr));
    }
    return last;
  }

 private:
  Result<const pb::FileDescriptor*> BuildProto(const pb::FileDescriptorProto& proto,
                                               const pb::compiler::SourceLocationTable* locations) {
    if (const pb::FileDescriptor* built = pool_->FindFileByName(proto.name())) return built;
    if (!building_.insert(proto.name()).second) {
      return Status::Invalid(what_ + ": " + proto.name() + " imports itself (an import cycle)");
    }
    for (const std::string& dep : proto.dependency()) {
      if (pool_->FindFileByName(dep)) continue;
      if (auto it = sources_.find(dep); it != sources_.end()) {
        KARROW_RETURN_NOT_OK(Build(*it->second).status());
      } else if (const pb::FileDescriptor* known =
                     pb::DescriptorPool::generated_pool()->FindFileByName(dep)) {
        pb::FileDescriptorProto copy;
        known->CopyTo(&copy);
        KARROW_RETURN_NOT_OK(BuildProto(copy, nullptr).status());
      }
      // Else the pool reports the missing import, with where it is.
    }
    FirstError errors(proto.name(), locations);
    const pb::FileDescriptor* file = pool_->BuildFileCollectingErrors(proto, &errors);
    building_.erase(proto.name());
    if (file == nullptr) {
      return Status::Invalid(what_ + ": " + errors.error());
    }
    return file;
  }

  const std::string& what_;
  pb::DescriptorPool* pool_;
  std::map<std::string, const ProtoSource*> sources_;
  std::set<std::string> building_;
};

}  // namespace

ProtobufSchema::ProtobufSchema() = default;
ProtobufSchema::~ProtobufSchema() = default;

Result<std::shared_ptr<const ProtobufSchema>> ProtobufSchema::Make(
    const std::string& what, const ProtoSource& main, const std::vector<ProtoSource>& imports) {
  std::shared_ptr<ProtobufSchema> schema(new ProtobufSchema());
  schema->what_ = what;
  schema->pool_ = std::make_unique<pb::DescriptorPool>();
  Builder builder(what, schema->pool_.get(), imports);
  KARROW_ASSIGN_OR_RAISE(schema->file_, builder.Build(main));
  return std::shared_ptr<const ProtobufSchema>(std::move(schema));
}

Result<const pb::Descriptor*> ProtobufSchema::FindMessage(const std::string& full_name) const {
  if (full_name.empty()) {
    if (file_->message_type_count() == 0) {
      return Status::Invalid(what_ + ": " + file_->name() + " declares no message");
    }
    return file_->message_type(0);
  }
  if (const pb::Descriptor* d = pool_->FindMessageTypeByName(full_name)) return d;
  std::string known;
  for (int i = 0; i < file_->message_type_count(); ++i) {
    known += (i ? ", " : "") + file_->message_type(i)->full_name();
  }
  return Status::Invalid(what_ + ": no message named '" + full_name + "' (give the full name, " +
                         "package included; " + file_->name() + " declares " +
                         (known.empty() ? "none" : known) + ")");
}

Result<const pb::Descriptor*> ProtobufSchema::MessageAtPath(
    const std::vector<int32_t>& path) const {
  auto describe = [&] {
    std::string s = "[";
    for (size_t i = 0; i < path.size(); ++i) s += (i ? "," : "") + std::to_string(path[i]);
    return s + "]";
  };
  const pb::Descriptor* d = nullptr;
  for (size_t i = 0; i < path.size(); ++i) {
    int count = d ? d->nested_type_count() : file_->message_type_count();
    if (path[i] < 0 || path[i] >= count) {
      return Status::Invalid("message index " + describe() + " names no message of " + what_ +
                             " (" + (d ? d->full_name() : file_->name()) + " has " +
                             std::to_string(count) + ")");
    }
    d = d ? d->nested_type(path[i]) : file_->message_type(path[i]);
  }
  if (d == nullptr) return Status::Invalid("message index " + describe() + " is empty");
  return d;
}

}  // namespace karrow
