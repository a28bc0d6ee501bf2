// A client of the Confluent schema registry's REST API: fetches the schema a
// Kafka record's schema id names, over HTTP(S) with libcurl.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "karrow/format_options.h"
#include "karrow/status.h"

namespace karrow {

/// A schema another one imports: Protobuf's `import "name"` is the schema
/// registered as `version` of `subject`.
struct SchemaReference {
  std::string name;
  std::string subject;
  int32_t version = -1;
};

struct RegisteredSchema {
  int32_t id = -1;
  std::string
      schema_type;       ///< "AVRO" (the default when the response has none), "JSON" or "PROTOBUF".
  std::string schema;    ///< The schema text as registered.
  std::string subject;   ///< GetLatest only.
  int32_t version = -1;  ///< GetLatest only.
  /// The schemas this one imports ("references"), for the caller to fetch
  /// with GetVersion(). Only Protobuf decoding follows them.
  std::vector<SchemaReference> references;
};

/// Parses the JSON body of GET /schemas/ids/{id} or GET
/// /subjects/{s}/versions/latest. Fields it does not know are ignored; a
/// missing "schema", a wrong type, an id or version out of range, a key given
/// twice or a malformed reference is an error. An absent
/// id or version is -1. Pure (no I/O), so it can be fuzzed.
Result<RegisteredSchema> ParseSchemaResponse(std::string_view body);

/// One connection (kept alive between requests) to one registry. Requests are
/// retried with exponential backoff on 5xx, 429, timeouts and connection
/// errors only. Error messages name the URL (never a credential) and include
/// the registry's own message.
class SchemaRegistryClient {
 public:
  /// Validates `config` (its url must be set) and prepares the connection;
  /// nothing is sent until the first request.
  static Result<std::unique_ptr<SchemaRegistryClient>> Make(SchemaRegistryConfig config);
  ~SchemaRegistryClient();
  SchemaRegistryClient(const SchemaRegistryClient&) = delete;
  SchemaRegistryClient& operator=(const SchemaRegistryClient&) = delete;

  /// GET /schemas/ids/{id}; cached by id for the client's life (ids are
  /// immutable), failures are not. Thread-safe. The schema is shared with the
  /// cache and stays valid as long as the caller holds it.
  Result<std::shared_ptr<const RegisteredSchema>> GetById(int32_t id);
  /// GET /subjects/{subject}/versions/latest (subject URL-encoded); not
  /// cached, since the latest version changes. Thread-safe.
  Result<std::shared_ptr<const RegisteredSchema>> GetLatest(const std::string& subject);
  /// GET /subjects/{subject}/versions/{version}, as schema references name
  /// them; cached for the client's life (a version never changes). Thread-safe.
  Result<std::shared_ptr<const RegisteredSchema>> GetVersion(const std::string& subject,
                                                             int32_t version);

 private:
  struct Impl;
  explicit SchemaRegistryClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace karrow
