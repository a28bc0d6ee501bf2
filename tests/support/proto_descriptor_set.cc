// Test tool: turns .proto files into a serialized FileDescriptorSet on
// stdout, imports first, as `protoc --descriptor_set_out --include_imports`
// would. The Python tests load it into Python's protobuf to make message
// classes from the same .proto text karrow reads (no protoc binary needed).
//
//   karrow_proto_descriptor_set DIR MAIN.proto > set.pb
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdio>
#include <iostream>
#include <set>
#include <string>

namespace pb = google::protobuf;

class Errors : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column,
                const std::string& message) override {
    std::fprintf(stderr, "%s:%d:%d: %s\n", file.c_str(), line + 1, column + 1, message.c_str());
  }
};

void Add(const pb::FileDescriptor* f, std::set<std::string>* seen, pb::FileDescriptorSet* out) {
  if (!seen->insert(f->name()).second) return;
  for (int i = 0; i < f->dependency_count(); ++i) Add(f->dependency(i), seen, out);
  f->CopyTo(out->add_file());
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR MAIN.proto\n", argv[0]);
    return 2;
  }
  pb::compiler::DiskSourceTree tree;
  tree.MapPath("", argv[1]);
  // The well-known types, as libprotobuf-dev installs them.
  tree.MapPath("google/protobuf", "/usr/include/google/protobuf");
  Errors errors;
  pb::compiler::Importer importer(&tree, &errors);
  const pb::FileDescriptor* file = importer.Import(argv[2]);
  if (file == nullptr) return 1;
  pb::FileDescriptorSet set;
  std::set<std::string> seen;
  Add(file, &seen, &set);
  std::string bytes;
  set.SerializeToString(&bytes);
  std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return std::cout ? 0 : 1;
}
