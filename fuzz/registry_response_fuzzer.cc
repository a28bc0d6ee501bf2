// The schema registry's answers (ParseSchemaResponse in
// src/formats/schema_registry_client.h) are read from the network, so they
// are as hostile as the records: any body must give a schema or an
// invalid-argument error, and a schema must satisfy what the parser promises.
// dict: json.dict
#include <cstdint>
#include <string_view>

#include "decoder_harness.h"
#include "formats/schema_registry_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace karrow;
  using namespace karrow::fuzz;
  Result<RegisteredSchema> parsed =
      ParseSchemaResponse({reinterpret_cast<const char*>(data), size});
  if (!parsed.ok()) {
    if (parsed.status().code() != StatusCode::kInvalidArgument ||
        parsed.status().message().empty()) {
      CheckOk(parsed.status(),
              "ParseSchemaResponse failed with a code other than invalid argument");
    }
    return 0;
  }
  if (parsed->id < -1 || parsed->version < -1)
    CheckOk(Status::Invalid("negative id or version"), "parsed");
  if (parsed->schema_type.empty()) CheckOk(Status::Invalid("empty schema type"), "parsed");
  return 0;
}
