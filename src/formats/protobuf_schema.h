// Protobuf schemas as descriptors, for the Protobuf decoder to compile: .proto
// text parsed by libprotobuf's own parser, or serialized descriptors (what
// Confluent's serializers register, and what `protoc --descriptor_set_out`
// writes). Imports resolve to the other files given and to the well-known
// types compiled into libprotobuf. protobuf's headers stay out of this one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "karrow/status.h"

namespace google::protobuf {
class Descriptor;
class DescriptorPool;
class FileDescriptor;
}  // namespace google::protobuf

namespace karrow {

/// One schema file: the name imports call it by, and its content: .proto
/// text, or base64 of a serialized FileDescriptorProto (what Confluent's
/// serializers register) or FileDescriptorSet (its last file is the main one).
struct ProtoSource {
  std::string name;
  std::string content;
};

class ProtobufSchema {
 public:
  /// Builds `main` with `imports` available to its import statements (and
  /// theirs); only the files actually imported are parsed. `what` names the
  /// schema in errors ("value_schema", "schema id 7"), which also give the
  /// file, line and column. Imports of google/protobuf/*.proto that are not
  /// given come from libprotobuf.
  static Result<std::shared_ptr<const ProtobufSchema>> Make(
      const std::string& what, const ProtoSource& main, const std::vector<ProtoSource>& imports);
  ~ProtobufSchema();

  /// The message named `full_name` ("package.Outer.Inner"), or, when empty,
  /// the first message of the main file. Not found is an error listing the
  /// file's messages.
  Result<const google::protobuf::Descriptor*> FindMessage(const std::string& full_name) const;
  /// The message a Confluent message-index path names: the path[0]-th
  /// message of the main file, its path[1]-th nested message, and so on.
  Result<const google::protobuf::Descriptor*> MessageAtPath(const std::vector<int32_t>& path) const;

 private:
  ProtobufSchema();
  std::string what_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  const google::protobuf::FileDescriptor* file_ = nullptr;
};

}  // namespace karrow
