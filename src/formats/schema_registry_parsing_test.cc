// The schema registry client without a server: parsing the registry's answers,
// and the schema_registry.* settings (validation, reading them from properties).
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/avro_schema.h"
#include "formats/schema_registry_client.h"
#include "karrow/format_options.h"
#include "support/expect_error.h"
#include "support/small_stack.h"

namespace karrow {
namespace {

TEST(ParseSchemaResponse, ReadsTheFields) {
  auto by_id = ParseSchemaResponse(R"({"schema": "{\"type\": \"string\"}"})");
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->id, -1);
  EXPECT_EQ(by_id->schema_type, "AVRO");
  EXPECT_EQ(by_id->schema, R"({"type": "string"})");
  EXPECT_EQ(by_id->subject, "");
  EXPECT_EQ(by_id->version, -1);

  auto latest = ParseSchemaResponse(
      R"({"subject":"s-value","version":3,"id":2147483647,"schemaType":"PROTOBUF","schema":"syntax = \"proto3\";",)"
      R"("references":[],"metadata":{"properties":{"a":"b"}},"ruleSet":null,"guid":"x"})");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->id, 2147483647);
  EXPECT_EQ(latest->version, 3);
  EXPECT_EQ(latest->subject, "s-value");
  EXPECT_EQ(latest->schema_type, "PROTOBUF");
  EXPECT_EQ(latest->schema, "syntax = \"proto3\";");

  auto refs = ParseSchemaResponse(
      R"({"schema": "x", "references": [{"name": "a/b.proto", "subject": "b", "version": 2,)"
      R"( "extra": 1}, {"subject": "c", "name": "c.proto", "version": 1}]})");
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  ASSERT_EQ(refs->references.size(), 2u);
  EXPECT_EQ(refs->references[0].name, "a/b.proto");
  EXPECT_EQ(refs->references[0].subject, "b");
  EXPECT_EQ(refs->references[0].version, 2);
  EXPECT_EQ(refs->references[1].name, "c.proto");
  EXPECT_EQ(refs->references[1].subject, "c");
  EXPECT_EQ(refs->references[1].version, 1);

  auto zero = ParseSchemaResponse(R"({"id": 0, "schema": "", "references": null})");
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(zero->id, 0);
  EXPECT_EQ(zero->schema, "");
}

TEST(ParseSchemaResponse, MalformedBodiesAreErrors) {
  struct Case {
    const char* body;
    const char* fragment;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not JSON"},
           {"not json", "not JSON"},
           {R"({"schema": "x")", "not JSON"},
           {R"({"schema": "x"} trailing)", "not JSON"},
           {R"(["schema"])", "not a JSON object"},
           {R"("schema")", "not a JSON object"},
           {"{}", "no \"schema\" field"},
           {R"({"id": 1})", "no \"schema\" field"},
           {R"({"schema": null})", "\"schema\" must be a string"},
           {R"({"schema": {"type": "int"}})", "\"schema\" must be a string"},
           {R"({"schema": "x", "schemaType": 1})", "\"schemaType\" must be a string"},
           {R"({"schema": "x", "schemaType": ""})", "\"schemaType\" is empty"},
           {R"({"schema": "x", "id": "1"})", "\"id\" must be a whole number from 0 to 2147483647"},
           {R"({"schema": "x", "id": 1.5})", "\"id\" must be a whole number"},
           {R"({"schema": "x", "id": -1})", "\"id\" must be a whole number"},
           {R"({"schema": "x", "id": 2147483648})", "\"id\" must be a whole number"},
           {R"({"schema": "x", "id": 18446744073709551615})", "\"id\" must be a whole number"},
           {R"({"schema": "x", "id": 1e3})", "\"id\" must be a whole number"},
           {R"({"schema": "x", "version": 0})", "\"version\" must be a whole number from 1"},
           {R"({"schema": "x", "subject": ["a"]})", "\"subject\" must be a string"},
           {R"({"schema": "x", "references": {}})", "\"references\" must be a list"},
           {R"({"schema": "x", "references": [{"name": "b"}]})", "needs a name, a subject"},
           {R"({"schema": "x", "references": [7]})", "must be an object"},
           {R"({"schema": "x", "references": [{"name": "b", "subject": "s", "version": 0}]})",
            "\"references[].version\" must be a whole number from 1"},
           {R"({"schema": "x", "schema": "y"})", "\"schema\" appears twice"},
           {R"({"schema": "\ud800"})", "not JSON"},
       }) {
    auto r = ParseSchemaResponse(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_NE(r.status().message().find(c.fragment), std::string::npos)
        << c.body << ": " << r.status().message();
  }
}

TEST(ParseSchemaResponse, EveryTruncationAndByteFlipIsHandled) {
  const std::string body = R"({"subject":"s","version":2,"id":7,"schemaType":"JSON",)"
                           R"("schema":"{\"a\": [1, 2.5, \"\\u00e9\"]}","references":[]})";
  ASSERT_TRUE(ParseSchemaResponse(body).ok());
  for (size_t n = 0; n < body.size(); ++n) {
    EXPECT_FALSE(ParseSchemaResponse(std::string_view(body).substr(0, n)).ok()) << n;
  }
  // Any single byte changed: an error, or a result within the fields'
  // domains (some changes land inside the schema text and are fine).
  int accepted = 0, refused = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    for (int b : std::vector<int>{0, '"', '\\', '{', '}', '9', 0x80, 0xff}) {
      std::string mutated = body;
      mutated[i] = static_cast<char>(b);
      auto r = ParseSchemaResponse(mutated);
      if (!r.ok()) {
        ++refused;
        continue;
      }
      ++accepted;
      EXPECT_TRUE(r->id >= -1 && r->id <= INT32_MAX) << mutated;
      EXPECT_TRUE(r->version == -1 || r->version >= 1) << mutated;
      EXPECT_FALSE(r->schema_type.empty()) << mutated;
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, accepted);
}

// An answer is read from the network: however deep it nests, reading it
// (and the schema in it) is an error, never a crash, on a small stack too.
TEST(ParseSchemaResponse, DeepAnswersAreErrorsNotCrashes) {
  std::vector<Status> results;
  RunOnSmallStack([&] {
    std::string deep_metadata = R"({"id": 1, "schema": "\"int\"", "metadata": )" +
                                std::string(60000, '[') + std::string(60000, ']') + "}";
    results.push_back(ParseSchemaResponse(deep_metadata).status());
    // Nesting simdjson takes (the parser does not recurse) in parts karrow
    // does not read is fine.
    std::string some_metadata = R"({"id": 1, "schema": "\"int\"", "metadata": )" +
                                std::string(500, '[') + std::string(500, ']') + "}";
    EXPECT_TRUE(ParseSchemaResponse(some_metadata).ok());
    // A deep schema comes back as text; the Avro parser refuses it.
    std::string arrays;
    for (int i = 0; i < 200; ++i) arrays += R"({\"type\": \"array\", \"items\": )";
    arrays += R"(\"int\")" + std::string(200, '}');
    auto answer = ParseSchemaResponse(R"({"id": 1, "schema": ")" + arrays + "\"}");
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    results.push_back(AvroSchema::Parse(answer->schema).status());
  });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].code(), StatusCode::kInvalidArgument);
  EXPECT_NE(results[0].message().find("too deep"), std::string::npos) << results[0].message();
  EXPECT_EQ(results[1].code(), StatusCode::kInvalidArgument);
  EXPECT_NE(results[1].message().find("nesting deeper than 64 levels"), std::string::npos)
      << results[1].message();
}

TEST(SchemaRegistryConfig, Validate) {
  SchemaRegistryConfig none;
  EXPECT_TRUE(none.Validate().ok());
  struct Case {
    void (*edit)(SchemaRegistryConfig*);
    const char* fragment;
  };
  for (const Case& c : std::vector<Case>{
           {[](SchemaRegistryConfig* r) { r->url = "ftp://h/"; },
            "schema_registry.url: must start with http://"},
           {[](SchemaRegistryConfig* r) { r->url = "http://"; },
            "schema_registry.url: has no host"},
           {[](SchemaRegistryConfig* r) { r->url = "http://h:1/x?y=1"; },
            "without spaces, query or fragment"},
           {[](SchemaRegistryConfig* r) { r->url.clear(), r->bearer_token = "t"; },
            "schema_registry.url: required"},
           {[](SchemaRegistryConfig* r) { r->basic_auth_user_info = "a:b", r->bearer_token = "t"; },
            "not both"},
           {[](SchemaRegistryConfig* r) { r->basic_auth_user_info = "nocolon"; },
            "expected user:password"},
           {[](SchemaRegistryConfig* r) { r->bearer_token = "a\r\nX-Evil: 1"; },
            "schema_registry.bearer_token"},
           {[](SchemaRegistryConfig* r) { r->ssl_ca_location = "/ca.pem"; }, "not https://"},
           {[](SchemaRegistryConfig* r) { r->url = "https://h", r->ssl_key_location = "/k"; },
            "needs schema_registry.ssl_certificate_location"},
           {[](SchemaRegistryConfig* r) { r->timeout_ms = 0; },
            "schema_registry.timeout_ms: must be at least 1"},
           {[](SchemaRegistryConfig* r) { r->max_response_bytes = 0; },
            "schema_registry.max_response_bytes"},
           {[](SchemaRegistryConfig* r) { r->max_retries = -1; }, "schema_registry.max_retries"},
           {[](SchemaRegistryConfig* r) { r->retry_backoff_ms = -1; },
            "schema_registry.retry_backoff_ms"},
       }) {
    SchemaRegistryConfig r;
    r.url = "http://127.0.0.1:8081";
    EXPECT_TRUE(r.Validate().ok());
    c.edit(&r);
    Status st = r.Validate();
    ASSERT_FALSE(st.ok()) << c.fragment;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find(c.fragment), std::string::npos) << st.message();
  }
  // Credentials in the url are refused without being repeated.
  SchemaRegistryConfig in_url;
  in_url.url = "https://alice:hunter2secret@registry:8081";
  Status st = in_url.Validate();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("must not contain credentials"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("hunter2secret"), std::string::npos);

  ExpectError(SchemaRegistryClient::Make(SchemaRegistryConfig{}).status(),
              StatusCode::kInvalidArgument, {"schema_registry.url: required"});
}

// Sets each property on fresh FormatOptions; the first failure is returned.
Result<FormatOptions> OptionsFrom(
    const std::vector<std::pair<std::string, std::string>>& properties) {
  FormatOptions options;
  for (const auto& [key, value] : properties) {
    KARROW_ASSIGN_OR_RAISE(bool known, options.SetProperty(key, value));
    if (!known) return Status::Invalid("not a format property: " + key);
  }
  return options;
}

TEST(SchemaRegistryConfig, FromProperties) {
  auto c = OptionsFrom({{"schema_registry.url", "https://r:8081/sr"},
                        {"schema_registry.basic_auth_user_info", "u:p"},
                        {"schema_registry.ssl_ca_location", "/ca.pem"},
                        {"schema_registry.ssl_certificate_location", "/c.pem"},
                        {"schema_registry.ssl_key_location", "/k.pem"},
                        {"schema_registry.ssl_key_password", "kp"},
                        {"schema_registry.timeout_ms", "2500"},
                        {"schema_registry.max_response_bytes", "65536"},
                        {"schema_registry.max_retries", "0"},
                        {"schema_registry.retry_backoff_ms", "50"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const SchemaRegistryConfig& r = c->schema_registry;
  EXPECT_EQ(r.url, "https://r:8081/sr");
  EXPECT_EQ(r.basic_auth_user_info, "u:p");
  EXPECT_EQ(r.bearer_token, "");
  EXPECT_EQ(r.ssl_ca_location, "/ca.pem");
  EXPECT_EQ(r.ssl_certificate_location, "/c.pem");
  EXPECT_EQ(r.ssl_key_location, "/k.pem");
  EXPECT_EQ(r.ssl_key_password, "kp");
  EXPECT_EQ(r.timeout_ms, 2500);
  EXPECT_EQ(r.max_response_bytes, 65536);
  EXPECT_EQ(r.max_retries, 0);
  EXPECT_EQ(r.retry_backoff_ms, 50);
  EXPECT_TRUE(c->Validate().ok()) << c->Validate().ToString();

  auto bearer = OptionsFrom({{"schema_registry.bearer_token", "tok"}});
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ(bearer->schema_registry.bearer_token, "tok");
  ExpectError(bearer->Validate(), StatusCode::kInvalidArgument, {"schema_registry.url: required"});

  ExpectError(OptionsFrom({{"schema_registry.timeout_ms", "soon"}}).status(),
              StatusCode::kInvalidArgument,
              {"schema_registry.timeout_ms=soon: expected a whole number"});
  ExpectError(OptionsFrom({{"schema_registry.max_retries", "-2"}}).status(),
              StatusCode::kInvalidArgument, {"schema_registry.max_retries=-2: must be 0 to 100"});
  ExpectError(OptionsFrom({{"schema_registry.uri", "http://x"}}).status(),
              StatusCode::kInvalidArgument, {"unknown property 'schema_registry.uri'"});
}

}  // namespace
}  // namespace karrow
