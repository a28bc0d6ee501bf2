#include "karrow/format_options.h"

#include <map>

#include "common/properties.h"
#include "common/suggest.h"

namespace karrow {
namespace {

constexpr const char* kSchemaRegistryPrefix = "schema_registry.";

// One `schema_registry.<field>` property.
Status SetSchemaRegistryProperty(SchemaRegistryConfig* r, const std::string& key,
                                 const std::string& value) {
  const std::string field = key.substr(std::string(kSchemaRegistryPrefix).size());
  const std::map<std::string, std::string*> strings = {
      {"url", &r->url},
      {"basic_auth_user_info", &r->basic_auth_user_info},
      {"bearer_token", &r->bearer_token},
      {"ssl_ca_location", &r->ssl_ca_location},
      {"ssl_certificate_location", &r->ssl_certificate_location},
      {"ssl_key_location", &r->ssl_key_location},
      {"ssl_key_password", &r->ssl_key_password},
  };
  const std::map<std::string, int64_t*> numbers = {
      {"timeout_ms", &r->timeout_ms},
      {"max_response_bytes", &r->max_response_bytes},
      {"retry_backoff_ms", &r->retry_backoff_ms},
  };
  if (auto s = strings.find(field); s != strings.end()) {
    *s->second = value;
  } else if (auto n = numbers.find(field); n != numbers.end()) {
    KARROW_ASSIGN_OR_RAISE(*n->second, ParseIntProperty(key, value));
  } else if (field == "max_retries") {
    KARROW_ASSIGN_OR_RAISE(int64_t retries, ParseIntProperty(key, value));
    if (retries < 0 || retries > 100)
      return Status::Invalid(key + "=" + value + ": must be 0 to 100");
    r->max_retries = static_cast<int>(retries);
  } else {
    std::vector<std::string> names = {"max_retries"};
    for (const auto& [name, field_ptr] : strings) names.push_back(name);
    for (const auto& [name, field_ptr] : numbers) names.push_back(name);
    std::string hint = DidYouMean(field, names, kSchemaRegistryPrefix);
    return Status::Invalid("unknown property '" + key + "'" +
                           (hint.empty() ? "; the schema_registry.* properties are the fields of "
                                           "SchemaRegistryConfig (url, basic_auth_user_info, "
                                           "bearer_token, ssl_*, timeout_ms, ...)"
                                         : hint));
  }
  return Status::OK();
}

}  // namespace

Status FormatOptions::Validate() const {
  if (max_line_length < 1) return Status::Invalid("max_line_length: must be at least 1");
  KARROW_RETURN_NOT_OK(schema_registry.Validate());
  if (!schema.empty() && format != Format::kJson && !HasRegistrySchemas()) {
    return Status::Invalid(
        "value_schema: only format=json, avro and protobuf take a declared schema");
  }
  if (!protobuf_message.empty() && format != Format::kProtobuf) {
    return Status::Invalid("protobuf_message: only format=protobuf takes a message name");
  }
  if (format == Format::kAvro && !UsesConfluentFraming() && schema.empty()) {
    return Status::Invalid(
        "format=avro with confluent_framing=false reads raw datums, which needs value_schema "
        "(the Avro schema they were written with)");
  }
  if (format == Format::kAvro && UsesConfluentFraming() && schema_registry.url.empty()) {
    return Status::Invalid(
        "format=avro reads the Confluent wire format, whose writer schemas come from a schema "
        "registry: set schema_registry.url (or confluent_framing=false with value_schema to "
        "read raw datums)");
  }
  if (format == Format::kProtobuf && !UsesConfluentFraming() && schema.empty()) {
    return Status::Invalid(
        "format=protobuf with confluent_framing=false reads bare messages, which needs "
        "value_schema (the .proto text or descriptor set of their message)");
  }
  if (format == Format::kProtobuf && UsesConfluentFraming() && schema_registry.url.empty()) {
    return Status::Invalid(
        "format=protobuf reads the Confluent wire format, whose writer schemas come from a "
        "schema registry: set schema_registry.url (or confluent_framing=false with value_schema "
        "to read bare messages)");
  }
  return Status::OK();
}

Result<bool> FormatOptions::SetProperty(const std::string& key, const std::string& value) {
  if (key == "format") {
    KARROW_ASSIGN_OR_RAISE(format, ParseEnumProperty<Format>(key, value,
                                                             {{"raw_string", Format::kRawString},
                                                              {"raw_bytes", Format::kRawBytes},
                                                              {"json", Format::kJson},
                                                              {"avro", Format::kAvro},
                                                              {"protobuf", Format::kProtobuf}}));
  } else if (key == "value_schema") {
    schema = value;
  } else if (key == "framing") {
    KARROW_ASSIGN_OR_RAISE(
        framing, ParseEnumProperty<Framing>(
                     key, value, {{"none", Framing::kNone}, {"newline", Framing::kNewline}}));
  } else if (key == "max_line_length") {
    KARROW_ASSIGN_OR_RAISE(max_line_length, ParseIntProperty(key, value));
  } else if (key == "json_epoch_unit") {
    KARROW_ASSIGN_OR_RAISE(json_epoch_unit, ParseEnumProperty<TimeUnit>(key, value,
                                                                        {{"s", TimeUnit::kSecond},
                                                                         {"ms", TimeUnit::kMilli},
                                                                         {"us", TimeUnit::kMicro},
                                                                         {"ns", TimeUnit::kNano}}));
  } else if (key == "confluent_framing") {
    KARROW_ASSIGN_OR_RAISE(confluent_framing, ParseBoolProperty(key, value));
  } else if (key == "protobuf_message") {
    protobuf_message = value;
  } else if (key == "value_subject") {
    subject = value;
  } else if (HasPrefix(key, kSchemaRegistryPrefix)) {
    KARROW_RETURN_NOT_OK(SetSchemaRegistryProperty(&schema_registry, key, value));
  } else {
    return false;
  }
  return true;
}

}  // namespace karrow
