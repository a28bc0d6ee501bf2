// The schema registry client over HTTP against the test registry: fetching and
// caching schemas, auth and secret masking, retries, timeouts, bad answers, TLS.
#include "formats/schema_registry_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "support/expect_error.h"
#include "support/schema_registry_server.h"

namespace karrow {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A fresh random secret per run, so a leak cannot hide behind a fixed string.
std::string RandomSecret(const char* prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s = prefix;
  for (int i = 0; i < 16; ++i) s += kChars[rng() % 36];
  return s;
}

const std::string kOrderSchema =
    R"({"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string"}]})";
const std::string kPrefix = "/registry/v1";

// One registry (under a path prefix) for the suite; each test resets its
// faults, counters and auth, and registers under subjects of its own.
class SchemaRegistryClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { registry_ = new RegistryProcess({"--prefix", kPrefix}); }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(registry_->started());
    registry_->Reset();
  }

  static SchemaRegistryConfig Config() {
    SchemaRegistryConfig c;
    c.url = registry_->url();
    c.timeout_ms = 5000;
    c.retry_backoff_ms = 1;
    return c;
  }
  static std::unique_ptr<SchemaRegistryClient> MakeClient(const SchemaRegistryConfig& config) {
    auto client = SchemaRegistryClient::Make(config);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }
  static std::string IdPath(int32_t id) { return "/schemas/ids/" + std::to_string(id); }

  static RegistryProcess* registry_;
};
RegistryProcess* SchemaRegistryClientTest::registry_ = nullptr;

TEST_F(SchemaRegistryClientTest, GetByIdReturnsTheRegisteredSchema) {
  int32_t avro = registry_->Register("get-by-id-value", kOrderSchema);
  const std::string json_schema = R"({"type":"object","properties":{"n":{"type":"integer"}}})";
  int32_t json = registry_->Register("get-by-id-json-value", json_schema, "JSON");
  ASSERT_NE(avro, json);
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);

  auto a = client->GetById(avro);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->id, avro);
  EXPECT_EQ((*a)->schema_type, "AVRO");  // the server leaves it out, as Confluent's does
  EXPECT_EQ((*a)->schema, kOrderSchema);
  EXPECT_EQ((*a)->subject, "");
  EXPECT_EQ((*a)->version, -1);
  auto j = client->GetById(json);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)->id, json);
  EXPECT_EQ((*j)->schema_type, "JSON");
  EXPECT_EQ((*j)->schema, json_schema);
  // The path prefix of the url is kept.
  EXPECT_EQ(registry_->Count(IdPath(avro)), 1);
}

TEST_F(SchemaRegistryClientTest, GetByIdIsCachedAcrossCallsAndThreads) {
  int32_t id = registry_->Register("cache-value", kOrderSchema);
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);
  std::vector<const RegisteredSchema*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto s = client->GetById(id);
      if (s.ok()) seen[i] = s->get();
    });
  }
  for (auto& t : threads) t.join();
  auto again = client->GetById(id);
  ASSERT_TRUE(again.ok());
  for (const RegisteredSchema* s : seen) EXPECT_EQ(s, again->get());
  EXPECT_EQ((*again)->schema, kOrderSchema);
  EXPECT_EQ(registry_->Count(IdPath(id)), 1);

  // A failure is not cached: the next call asks again.
  auto missing = client->GetById(987654);
  ASSERT_FALSE(missing.ok());
  ASSERT_FALSE(client->GetById(987654).ok());
  EXPECT_EQ(registry_->Count(IdPath(987654)), 2);
}

TEST_F(SchemaRegistryClientTest, GetLatestFollowsNewVersionsAndEncodesTheSubject) {
  const std::string subject = "team a/orders?-value%";
  const std::string v2 =
      R"({"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]})";
  int32_t first = registry_->Register(subject, kOrderSchema);
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);
  auto latest = client->GetLatest(subject);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ((*latest)->id, first);
  EXPECT_EQ((*latest)->version, 1);
  EXPECT_EQ((*latest)->subject, subject);
  EXPECT_EQ((*latest)->schema, kOrderSchema);
  EXPECT_EQ((*latest)->schema_type, "AVRO");

  int32_t second = registry_->Register(subject, v2);
  latest = client->GetLatest(subject);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ((*latest)->id, second);
  EXPECT_EQ((*latest)->version, 2);
  EXPECT_EQ((*latest)->schema, v2);
  // Not cached; the server decoded the subject back to one path segment.
  EXPECT_EQ(registry_->Count("/subjects/" + subject + "/versions/latest"), 2);
}

TEST_F(SchemaRegistryClientTest, PathPrefixAndTrailingSlash) {
  int32_t id = registry_->Register("prefix-value", kOrderSchema);
  SchemaRegistryConfig with_slash = Config();
  with_slash.url += "/";
  auto client = MakeClient(with_slash);
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->GetById(id).ok());

  SchemaRegistryConfig no_prefix = Config();
  no_prefix.url = no_prefix.url.substr(0, no_prefix.url.size() - kPrefix.size());
  client = MakeClient(no_prefix);
  ASSERT_NE(client, nullptr);
  auto r = client->GetById(id);
  ExpectError(
      r.status(), StatusCode::kInvalidArgument,
      {"GET " + no_prefix.url + IdPath(id), "HTTP 404", "HTTP 404 Not Found", "path prefix"});
}

TEST_F(SchemaRegistryClientTest, NotFoundNamesTheIdOrSubjectAndTheUrl) {
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);
  auto r = client->GetById(424242);
  ExpectError(r.status(), StatusCode::kNotFound,
              {"schema id 424242 not found", "GET " + registry_->url() + "/schemas/ids/424242",
               "HTTP 404", "error_code 40403", "Schema 424242 not found"});
  EXPECT_EQ(registry_->Count(IdPath(424242)), 1);  // not retried

  auto s = client->GetLatest("nobody-value");
  ExpectError(s.status(), StatusCode::kNotFound,
              {"subject 'nobody-value' not found",
               registry_->url() + "/subjects/nobody-value/versions/latest", "error_code 40401",
               "Subject 'nobody-value' not found."});
  EXPECT_EQ(registry_->Count("/subjects/nobody-value/versions/latest"), 1);

  ExpectError(client->GetById(-1).status(), StatusCode::kInvalidArgument, {"schema id -1"});
  ExpectError(client->GetLatest("").status(), StatusCode::kInvalidArgument,
              {"subject name is empty"});
}

TEST_F(SchemaRegistryClientTest, BasicAuth) {
  int32_t id = registry_->Register("basic-value", kOrderSchema);
  const std::string password = RandomSecret("pw-");
  const std::string wrong = RandomSecret("wrong-");
  registry_->Auth("{\"basic\": " + JsonQuote("alice:" + password) + "}");

  SchemaRegistryConfig config = Config();
  config.basic_auth_user_info = "alice:" + password;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  auto ok = client->GetById(id);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->schema, kOrderSchema);

  config.basic_auth_user_info = "alice:" + wrong;
  client = MakeClient(config);
  auto denied = client->GetById(id);
  ExpectError(denied.status(), StatusCode::kInvalidArgument,
              {"not authenticated", "HTTP 401", "error_code 40101", "Unauthorized",
               "basic auth credentials were rejected", "schema_registry.basic_auth_user_info"});
  EXPECT_EQ(denied.status().message().find(wrong), std::string::npos);
  EXPECT_EQ(denied.status().message().find(password), std::string::npos);

  client = MakeClient(Config());
  ExpectError(client->GetById(id).status(), StatusCode::kInvalidArgument,
              {"no credentials are configured"});
  // 401 is not retried: 1 good + 1 wrong + 1 none.
  EXPECT_EQ(registry_->Count(IdPath(id)), 3);
}

TEST_F(SchemaRegistryClientTest, BearerToken) {
  int32_t id = registry_->Register("bearer-value", kOrderSchema);
  const std::string token = RandomSecret("tok-");
  const std::string wrong = RandomSecret("bad-");
  registry_->Auth("{\"bearer\": " + JsonQuote(token) + "}");

  SchemaRegistryConfig config = Config();
  config.bearer_token = token;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  auto ok = client->GetLatest("bearer-value");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->id, id);

  config.bearer_token = wrong;
  client = MakeClient(config);
  auto denied = client->GetById(id);
  ExpectError(denied.status(), StatusCode::kInvalidArgument,
              {"HTTP 401", "bearer token was rejected"});
  EXPECT_EQ(denied.status().message().find(wrong), std::string::npos);
  EXPECT_EQ(denied.status().message().find(token), std::string::npos);

  registry_->Fault(IdPath(id),
                   "\"status\": 403, \"message\": \"User cannot access the resource.\"");
  config.bearer_token = token;
  client = MakeClient(config);
  ExpectError(
      client->GetById(id).status(), StatusCode::kInvalidArgument,
      {"access denied", "HTTP 403", "error_code 40301", "User cannot access the resource."});
  EXPECT_EQ(registry_->Count(IdPath(id)), 2);  // 401 and 403: not retried
}

TEST_F(SchemaRegistryClientTest, CredentialsEchoedByTheServerAreMaskedInErrorsAndLogs) {
  int32_t id = registry_->Register("echo-value", kOrderSchema);
  const std::string password = RandomSecret("pw-");
  registry_->Auth("{\"basic\": " + JsonQuote("bob:" + password) + "}");
  // A badly behaved registry that quotes the credentials it was sent.
  registry_->Fault(IdPath(id), "\"times\": 1, \"status\": 500, \"message\": " +
                                   JsonQuote("backend failed for bob:" + password));
  SchemaRegistryConfig config = Config();
  config.basic_auth_user_info = "bob:" + password;
  config.max_retries = 1;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);

  ::testing::internal::CaptureStderr();
  auto ok = client->GetById(id);  // 500 (logged, retried), then the schema
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(log.find(password), std::string::npos) << log;
  if (MinLogLevel() <= LogLevel::kWarn) {
    EXPECT_NE(log.find("backend failed for <redacted>"), std::string::npos) << log;
    EXPECT_NE(log.find("retry 1 of 1"), std::string::npos) << log;
  }

  registry_->Fault(IdPath(id + 1000),
                   "\"status\": 500, \"message\": " + JsonQuote("no luck, " + password));
  ::testing::internal::CaptureStderr();
  auto failed = client->GetById(id + 1000);
  log = ::testing::internal::GetCapturedStderr();
  ExpectError(failed.status(), StatusCode::kIoError, {"no luck, <redacted>", "(after 2 attempts)"});
  EXPECT_EQ(failed.status().message().find(password), std::string::npos);
  EXPECT_EQ(log.find(password), std::string::npos) << log;
}

TEST_F(SchemaRegistryClientTest, TransientErrorsAreRetriedWithExponentialBackoff) {
  int32_t id = registry_->Register("retry-value", kOrderSchema);
  registry_->Fault(IdPath(id), "\"times\": 2, \"status\": 500");
  SchemaRegistryConfig config = Config();
  config.max_retries = 3;
  config.retry_backoff_ms = 100;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  auto start = steady_clock::now();
  auto ok = client->GetById(id);
  auto elapsed = steady_clock::now() - start;
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->schema, kOrderSchema);
  EXPECT_EQ(registry_->Count(IdPath(id)), 3);
  EXPECT_GE(elapsed, milliseconds(100 + 200));  // the backoff doubled
  EXPECT_LT(elapsed, milliseconds(3000));       // generous: the machine may be busy

  // 429 (too many requests) is transient too.
  registry_->Fault("/subjects/retry-value/versions/latest", "\"times\": 1, \"status\": 429");
  config.retry_backoff_ms = 1;
  client = MakeClient(config);
  EXPECT_TRUE(client->GetLatest("retry-value").ok());
  EXPECT_EQ(registry_->Count("/subjects/retry-value/versions/latest"), 2);
}

TEST_F(SchemaRegistryClientTest, PersistentServerErrorsFailAfterMaxRetries) {
  int32_t id = registry_->Register("down-value", kOrderSchema);
  registry_->Fault(IdPath(id), "\"status\": 503, \"message\": \"down for maintenance\"");
  SchemaRegistryConfig config = Config();
  config.max_retries = 2;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  ::testing::internal::CaptureStderr();
  auto r = client->GetById(id);
  ::testing::internal::GetCapturedStderr();
  ExpectError(r.status(), StatusCode::kIoError,
              {"GET " + registry_->url() + IdPath(id),
               "HTTP 503, error_code 50301: down for maintenance", "(after 3 attempts)"});
  EXPECT_EQ(registry_->Count(IdPath(id)), 3);

  // Other client errors are final.
  registry_->Fault(IdPath(id), "\"status\": 400, \"message\": \"bad request\"");
  ExpectError(client->GetById(id).status(), StatusCode::kIoError,
              {"HTTP 400, error_code 40001: bad request"});
  EXPECT_EQ(registry_->Count(IdPath(id)), 4);
}

TEST_F(SchemaRegistryClientTest, SlowAnswersTimeOut) {
  int32_t id = registry_->Register("slow-value", kOrderSchema);
  // The registry would answer only after 30 s: far more than the client
  // waits, even on a machine too busy to run the test on time.
  registry_->Fault(IdPath(id), "\"delay\": 30.0");
  SchemaRegistryConfig config = Config();
  config.timeout_ms = 200;
  config.max_retries = 1;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  auto start = steady_clock::now();
  ::testing::internal::CaptureStderr();
  auto r = client->GetById(id);
  ::testing::internal::GetCapturedStderr();
  auto elapsed = steady_clock::now() - start;
  ExpectError(r.status(), StatusCode::kTimeout,
              {"GET " + registry_->url() + IdPath(id), "schema_registry.timeout_ms=200",
               "(after 2 attempts)"});
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(20000));  // the client gave up; it did not wait
  EXPECT_EQ(registry_->Count(IdPath(id)), 2);

  // Once the registry is quick again, so is the client.
  registry_->Fault(IdPath(id), "\"times\": 1, \"delay\": 1.0");
  config.max_retries = 2;
  client = MakeClient(config);
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(client->GetById(id).ok());
  ::testing::internal::GetCapturedStderr();
}

TEST_F(SchemaRegistryClientTest, OversizedAnswersAreCutOff) {
  int32_t id = registry_->Register("big-value", kOrderSchema);
  const int64_t huge = int64_t{256} << 20;
  SchemaRegistryConfig config = Config();
  config.max_response_bytes = 4096;
  for (const char* declare : {"true", "false"}) {
    SCOPED_TRACE(std::string("declare_length=") + declare);
    registry_->Reset();
    registry_->Fault(IdPath(id),
                     "\"oversize\": " + std::to_string(huge) + ", \"declare_length\": " + declare);
    auto client = MakeClient(config);
    ASSERT_NE(client, nullptr);
    auto start = steady_clock::now();
    auto r = client->GetById(id);
    EXPECT_LT(steady_clock::now() - start, milliseconds(3000));
    ExpectError(r.status(), StatusCode::kIoError,
                {"GET " + registry_->url() + IdPath(id),
                 "larger than schema_registry.max_response_bytes=4096; reading stopped"});
    EXPECT_EQ(registry_->Count(IdPath(id)), 1);  // not retried
    EXPECT_LT(registry_->BytesSent(IdPath(id)), huge);
  }

  // The limit is inclusive.
  const std::string body = R"({"schema":"\"int\""})";
  registry_->Fault(IdPath(id), "\"body\": " + JsonQuote(body));
  config.max_response_bytes = static_cast<int64_t>(body.size());
  auto client = MakeClient(config);
  auto fits = client->GetById(id);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ((*fits)->schema, "\"int\"");
  config.max_response_bytes -= 1;
  client = MakeClient(config);
  ExpectError(client->GetById(id).status(), StatusCode::kIoError, {"max_response_bytes=19"});
}

TEST_F(SchemaRegistryClientTest, MalformedAnswersAreErrors) {
  int32_t id = registry_->Register("malformed-value", kOrderSchema);
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);
  struct Case {
    std::string body;
    std::string fragment;
  };
  for (const Case& c : std::vector<Case>{
           {"<html>gateway</html>", "not JSON: "},
           {"<html>gateway</html>", "the answer was: <html>gateway</html>"},
           {R"({"schema": 7})", "\"schema\" must be a string"},
           {R"({"id": 99999, "schema": "\"int\""})", "the answer is schema id 99999"},
           {R"({"schema": "\"int\"", "references": [{"name": "a"}]})",
            "a schema reference needs a name, a subject and a version"},
       }) {
    SCOPED_TRACE(c.body);
    registry_->Fault(IdPath(id), "\"times\": 1, \"body\": " + JsonQuote(c.body));
    ExpectError(client->GetById(id).status(), StatusCode::kInvalidArgument,
                {"schema id " + std::to_string(id), registry_->url() + IdPath(id), c.fragment});
  }
  // Nothing bad was cached: the real answer comes through now.
  auto ok = client->GetById(id);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)->schema, kOrderSchema);
  EXPECT_EQ(registry_->Count(IdPath(id)), 6);
}

TEST_F(SchemaRegistryClientTest, SchemaReferencesAreReadAndVersionsFetchedOnce) {
  int32_t base = registry_->Register("ref-base-value", R"({"type":"fixed","name":"Id","size":16})");
  int32_t id = registry_->Register(
      "ref-value", R"({"type":"record","name":"R","fields":[{"name":"i","type":"Id"}]})", "AVRO",
      R"([{"name": "Id", "subject": "ref-base-value", "version": 1}])");
  auto client = MakeClient(Config());
  ASSERT_NE(client, nullptr);
  auto by_id = client->GetById(id);
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  ASSERT_EQ((*by_id)->references.size(), 1u);
  EXPECT_EQ((*by_id)->references[0].name, "Id");
  EXPECT_EQ((*by_id)->references[0].subject, "ref-base-value");
  EXPECT_EQ((*by_id)->references[0].version, 1);
  for (int k = 0; k < 2; ++k) {
    auto version = client->GetVersion("ref-base-value", 1);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    EXPECT_EQ((*version)->id, base);
    EXPECT_EQ((*version)->version, 1);
    EXPECT_EQ((*version)->schema, R"({"type":"fixed","name":"Id","size":16})");
  }
  EXPECT_EQ(registry_->Count("/subjects/ref-base-value/versions/1"), 1);
  ExpectError(client->GetVersion("ref-base-value", 2).status(), StatusCode::kNotFound,
              {"subject 'ref-base-value' version 2"});
}

TEST_F(SchemaRegistryClientTest, ConnectionRefusedIsRetriedThenReported) {
  // A port that was free a moment ago: nothing listens there.
  SchemaRegistryConfig config = Config();
  RegistryProcess* gone = new RegistryProcess({});
  ASSERT_TRUE(gone->started());
  config.url = gone->url();
  delete gone;
  config.max_retries = 2;
  auto client = MakeClient(config);
  ASSERT_NE(client, nullptr);
  ::testing::internal::CaptureStderr();
  auto r = client->GetById(1);
  ::testing::internal::GetCapturedStderr();
  ExpectError(r.status(), StatusCode::kIoError,
              {"GET " + config.url + "/schemas/ids/1", "Couldn't connect", "(after 3 attempts)"});
}

TEST(SchemaRegistryTls, ServerVerifiedWithCaFileAndClientCertificate) {
  std::string dir =
      (std::filesystem::temp_directory_path() / RandomSecret("karrow-registry-tls-")).string();
  const std::string key_password = RandomSecret("keypw-");
  {
    RegistryProcess registry(
        {"--tls-dir", dir, "--require-client-cert", "--client-key-password", key_password});
    ASSERT_TRUE(registry.started());
    ASSERT_EQ(registry.url().rfind("https://127.0.0.1:", 0), 0u) << registry.url();
    int32_t id = registry.Register("tls-value", kOrderSchema);

    SchemaRegistryConfig config;
    config.url = registry.url();
    config.retry_backoff_ms = 1;
    config.max_retries = 0;
    config.ssl_ca_location = dir + "/ca.pem";
    config.ssl_certificate_location = dir + "/client.pem";
    config.ssl_key_location = dir + "/client.key";
    config.ssl_key_password = key_password;
    auto client = SchemaRegistryClient::Make(config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    auto ok = (*client)->GetById(id);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ((*ok)->schema, kOrderSchema);
    EXPECT_EQ(registry.Count("/schemas/ids/" + std::to_string(id)), 1);

    // The server's certificate is not trusted without the CA file.
    SchemaRegistryConfig no_ca = config;
    no_ca.ssl_ca_location.clear();
    auto untrusted = (*SchemaRegistryClient::Make(no_ca))->GetById(id);
    ExpectError(untrusted.status(), StatusCode::kIoError, {"GET " + registry.url(), "certificate"});

    // A wrong key password fails without showing either password.
    SchemaRegistryConfig bad_key = config;
    bad_key.ssl_key_password = RandomSecret("notit-");
    auto locked = (*SchemaRegistryClient::Make(bad_key))->GetById(id);
    ExpectError(locked.status(), StatusCode::kIoError, {"GET " + registry.url()});
    EXPECT_EQ(locked.status().message().find(bad_key.ssl_key_password), std::string::npos);
    EXPECT_EQ(locked.status().message().find(key_password), std::string::npos);

    // The server requires a client certificate.
    SchemaRegistryConfig no_cert = config;
    no_cert.ssl_certificate_location.clear();
    no_cert.ssl_key_location.clear();
    no_cert.ssl_key_password.clear();
    auto refused = (*SchemaRegistryClient::Make(no_cert))->GetById(id);
    ExpectError(refused.status(), StatusCode::kIoError, {"GET " + registry.url()});
    EXPECT_EQ(registry.Count("/schemas/ids/" + std::to_string(id)), 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace karrow
