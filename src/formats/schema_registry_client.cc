#include "formats/schema_registry_client.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/secrets.h"

namespace karrow {
namespace {

using simdjson::dom::element;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Confluent's error codes that mean "the thing asked for does not exist".
constexpr int64_t kSubjectNotFound = 40401;
constexpr int64_t kVersionNotFound = 40402;
constexpr int64_t kSchemaNotFound = 40403;

// The part of `url` between "scheme://" and the path: where userinfo would be.
std::string_view Authority(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Result<int64_t> IntegerField(element value, const char* key, int64_t min, int64_t max) {
  int64_t v = 0;
  if (value.get_int64().get(v) || v < min || v > max) {
    return Status::Invalid(std::string("schema registry response: \"") + key +
                           "\" must be a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  return v;
}

Result<std::string> StringField(element value, const char* key) {
  std::string_view s;
  if (value.get_string().get(s)) {
    return Status::Invalid(std::string("schema registry response: \"") + key +
                           "\" must be a string");
  }
  return std::string(s);
}

// The start of a text from the server (a message, or a body that is not
// what the API promises, like a proxy's HTML page), printable and short, for
// error messages.
std::string Quote(std::string_view body) {
  constexpr size_t kMaxQuoted = 300;
  std::string out;
  for (char c : body.substr(0, kMaxQuoted)) {
    out +=
        (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) ? ' ' : c;
  }
  if (body.size() > kMaxQuoted) out += "...";
  return out;
}

// The registry's {"error_code": N, "message": "..."} from an error body;
// anything else is quoted.
struct RegistryError {
  int64_t error_code = -1;
  std::string message;
};

RegistryError ParseErrorBody(const std::string& body) {
  RegistryError out;
  simdjson::dom::parser parser;
  element doc;
  simdjson::dom::object obj;
  if (!parser.parse(simdjson::padded_string(body)).get(doc) && !doc.get_object().get(obj)) {
    int64_t code = 0;
    std::string_view message;
    if (!obj["error_code"].get_int64().get(code)) out.error_code = code;
    if (!obj["message"].get_string().get(message)) out.message = Quote(message);
    if (out.error_code != -1 || !out.message.empty()) return out;
  }
  out.message = Quote(body);
  return out;
}

// Percent-encodes everything but RFC 3986's unreserved characters, so a
// subject with '/', '?', '%' or spaces stays one path segment.
std::string EncodePathSegment(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool TransientCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Collects a response body, refusing to grow past the configured limit:
// returning less than it was given makes libcurl abort the transfer.
struct BodySink {
  std::string data;
  size_t limit = 0;
  bool too_large = false;

  static size_t Write(char* ptr, size_t size, size_t count, void* user) {
    auto* sink = static_cast<BodySink*>(user);
    size_t n = size * count;
    if (n > sink->limit - sink->data.size()) {
      sink->too_large = true;
      return 0;
    }
    sink->data.append(ptr, n);
    return n;
  }
};

template <typename T>
Status SetOption(CURL* curl, CURLoption option, T value, const char* name) {
  CURLcode rc = curl_easy_setopt(curl, option, value);
  if (rc != CURLE_OK) {
    return Status::Internal(std::string("schema registry: libcurl refused ") + name + ": " +
                            curl_easy_strerror(rc));
  }
  return Status::OK();
}

}  // namespace

Status SchemaRegistryConfig::Validate() const {
  if (url.empty()) {
    if (!basic_auth_user_info.empty() || !bearer_token.empty() || !ssl_ca_location.empty() ||
        !ssl_certificate_location.empty() || !ssl_key_location.empty() ||
        !ssl_key_password.empty()) {
      return Status::Invalid(
          "schema_registry.url: required when other schema_registry.* properties are set");
    }
  } else {
    // The url is quoted in errors and logs, so it must not hold credentials;
    // it is not echoed here for the same reason.
    const bool https = StartsWith(url, "https://");
    if (!https && !StartsWith(url, "http://")) {
      return Status::Invalid("schema_registry.url: must start with http:// or https://");
    }
    std::string_view authority = Authority(url);
    if (authority.find('@') != std::string_view::npos) {
      return Status::Invalid(
          "schema_registry.url: must not contain credentials; set "
          "schema_registry.basic_auth_user_info instead");
    }
    if (authority.empty()) return Status::Invalid("schema_registry.url: has no host");
    if (url.find_first_of("?#") != std::string::npos || HasControlCharacter(url) ||
        url.find(' ') != std::string::npos) {
      return Status::Invalid(
          "schema_registry.url: must be a base URL without spaces, query or fragment");
    }
    if (!https && (!ssl_ca_location.empty() || !ssl_certificate_location.empty() ||
                   !ssl_key_location.empty())) {
      return Status::Invalid("schema_registry.ssl_*: set, but schema_registry.url is not https://");
    }
  }
  if (!basic_auth_user_info.empty() && !bearer_token.empty()) {
    return Status::Invalid(
        "schema_registry.basic_auth_user_info and schema_registry.bearer_token: set one kind of "
        "authentication, not both");
  }
  if (!basic_auth_user_info.empty() && (basic_auth_user_info.find(':') == std::string::npos ||
                                        HasControlCharacter(basic_auth_user_info))) {
    return Status::Invalid("schema_registry.basic_auth_user_info: expected user:password");
  }
  if (HasControlCharacter(bearer_token) || bearer_token.find(' ') != std::string::npos) {
    return Status::Invalid(
        "schema_registry.bearer_token: must not contain spaces or control characters");
  }
  if (!ssl_key_location.empty() && ssl_certificate_location.empty()) {
    return Status::Invalid(
        "schema_registry.ssl_key_location: needs schema_registry.ssl_certificate_location");
  }
  if (timeout_ms < 1) return Status::Invalid("schema_registry.timeout_ms: must be at least 1");
  if (max_response_bytes < 1)
    return Status::Invalid("schema_registry.max_response_bytes: must be at least 1");
  if (max_retries < 0 || max_retries > 100)
    return Status::Invalid("schema_registry.max_retries: must be 0 to 100");
  if (retry_backoff_ms < 0 || retry_backoff_ms > 3600000) {
    return Status::Invalid("schema_registry.retry_backoff_ms: must be 0 to 3600000");
  }
  return Status::OK();
}

Result<RegisteredSchema> ParseSchemaResponse(std::string_view body) {
  simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(simdjson::padded_string(body)).get(doc)) {
    return Status::Invalid(std::string("schema registry response: not JSON: ") +
                           simdjson::error_message(error));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj))
    return Status::Invalid("schema registry response: not a JSON object");
  RegisteredSchema out;
  out.schema_type = "AVRO";
  bool has_schema = false;
  std::set<std::string_view> seen;
  for (auto [key, value] : obj) {
    if (!seen.insert(key).second) {
      return Status::Invalid("schema registry response: \"" + std::string(key) +
                             "\" appears twice");
    }
    if (key == "schema") {
      KARROW_ASSIGN_OR_RAISE(out.schema, StringField(value, "schema"));
      has_schema = true;
    } else if (key == "schemaType") {
      KARROW_ASSIGN_OR_RAISE(out.schema_type, StringField(value, "schemaType"));
      if (out.schema_type.empty())
        return Status::Invalid("schema registry response: \"schemaType\" is empty");
    } else if (key == "id") {
      KARROW_ASSIGN_OR_RAISE(int64_t id, IntegerField(value, "id", 0, INT32_MAX));
      out.id = static_cast<int32_t>(id);
    } else if (key == "version") {
      KARROW_ASSIGN_OR_RAISE(int64_t version, IntegerField(value, "version", 1, INT32_MAX));
      out.version = static_cast<int32_t>(version);
    } else if (key == "subject") {
      KARROW_ASSIGN_OR_RAISE(out.subject, StringField(value, "subject"));
    } else if (key == "references") {
      simdjson::dom::array references;
      if (value.is_null()) continue;
      if (value.get_array().get(references)) {
        return Status::Invalid("schema registry response: \"references\" must be a list");
      }
      for (element ref : references) {
        simdjson::dom::object fields;
        if (ref.get_object().get(fields)) {
          return Status::Invalid(
              "schema registry response: each of \"references\" must be an object");
        }
        SchemaReference r;
        for (auto [rkey, rvalue] : fields) {
          if (rkey == "name") {
            KARROW_ASSIGN_OR_RAISE(r.name, StringField(rvalue, "references[].name"));
          } else if (rkey == "subject") {
            KARROW_ASSIGN_OR_RAISE(r.subject, StringField(rvalue, "references[].subject"));
          } else if (rkey == "version") {
            KARROW_ASSIGN_OR_RAISE(int64_t v,
                                   IntegerField(rvalue, "references[].version", 1, INT32_MAX));
            r.version = static_cast<int32_t>(v);
          }
        }
        if (r.name.empty() || r.subject.empty() || r.version == -1) {
          return Status::Invalid(
              "schema registry response: a schema reference needs a name, a subject and a "
              "version");
        }
        out.references.push_back(std::move(r));
      }
    }
    // Anything else (metadata, ruleSet, guid, ...) says nothing karrow uses.
  }
  if (!has_schema) return Status::Invalid("schema registry response: no \"schema\" field");
  return out;
}

struct SchemaRegistryClient::Impl {
  SchemaRegistryConfig config;
  std::string base_url;  // config.url without trailing slashes

  // A curl handle serves one request at a time; it keeps the connection.
  std::mutex request_mu;
  std::unique_ptr<CURL, CurlDeleter> curl;
  std::unique_ptr<curl_slist, HeaderListDeleter> headers;
  char curl_error[CURL_ERROR_SIZE] = {};

  std::mutex cache_mu;
  std::unordered_map<int32_t, std::shared_ptr<const RegisteredSchema>> by_id;
  std::map<std::pair<std::string, int32_t>, std::shared_ptr<const RegisteredSchema>> by_version;

  // Messages are built without credentials; this is the second line of
  // defence, for whatever a server or libcurl might echo back, plain or in
  // base64 (a server that echoes the Authorization header). Every Status is
  // scrubbed by the process's redactor as well; this one needs no
  // registration and so also covers a client made on its own.
  std::string Redact(std::string text) const {
    Redactor redactor;
    redactor.AddUserInfo(config.basic_auth_user_info);
    redactor.Add(config.bearer_token);
    redactor.Add(config.ssl_key_password);
    redactor.AddProperty("url", config.url);
    return redactor.Scrub(std::move(text));
  }

  Status Fail(StatusCode code, const std::string& message) const {
    return Status(code, Redact(message));
  }

  Status Configure() {
    CURL* c = curl.get();
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_NOSIGNAL, 1L, "NOSIGNAL"));
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_ERRORBUFFER, curl_error, "ERRORBUFFER"));
    KARROW_RETURN_NOT_OK(
        SetOption(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_ms), "TIMEOUT_MS"));
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_CONNECTTIMEOUT_MS,
                                   static_cast<long>(config.timeout_ms), "CONNECTTIMEOUT_MS"));
    // Lets libcurl refuse a declared Content-Length before reading; the body
    // sink enforces the limit when there is none.
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_MAXFILESIZE_LARGE,
                                   static_cast<curl_off_t>(config.max_response_bytes),
                                   "MAXFILESIZE_LARGE"));
#if LIBCURL_VERSION_NUM >= 0x075500
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR"));
#endif
    // Redirects are not followed: one could carry the credentials elsewhere.
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_FOLLOWLOCATION, 0L, "FOLLOWLOCATION"));
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_USERAGENT, "karrow", "USERAGENT"));
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_WRITEFUNCTION, &BodySink::Write, "WRITEFUNCTION"));

    std::vector<std::string> lines = {
        "Accept: application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
        "application/json"};
    if (!config.bearer_token.empty())
      lines.push_back("Authorization: Bearer " + config.bearer_token);
    curl_slist* list = nullptr;
    for (const std::string& line : lines) {
      curl_slist* grown = curl_slist_append(list, line.c_str());
      if (grown == nullptr) {
        curl_slist_free_all(list);
        return Status::Internal("schema registry: out of memory for request headers");
      }
      list = grown;
    }
    headers.reset(list);
    KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_HTTPHEADER, headers.get(), "HTTPHEADER"));
    if (!config.basic_auth_user_info.empty()) {
      KARROW_RETURN_NOT_OK(
          SetOption(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC), "HTTPAUTH"));
      KARROW_RETURN_NOT_OK(
          SetOption(c, CURLOPT_USERPWD, config.basic_auth_user_info.c_str(), "USERPWD"));
    }
    if (!config.ssl_ca_location.empty()) {
      KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_CAINFO, config.ssl_ca_location.c_str(), "CAINFO"));
    }
    if (!config.ssl_certificate_location.empty()) {
      KARROW_RETURN_NOT_OK(
          SetOption(c, CURLOPT_SSLCERT, config.ssl_certificate_location.c_str(), "SSLCERT"));
      KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_SSLCERTTYPE, "PEM", "SSLCERTTYPE"));
    }
    if (!config.ssl_key_location.empty()) {
      KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_SSLKEY, config.ssl_key_location.c_str(), "SSLKEY"));
      KARROW_RETURN_NOT_OK(SetOption(c, CURLOPT_SSLKEYTYPE, "PEM", "SSLKEYTYPE"));
    }
    if (!config.ssl_key_password.empty()) {
      KARROW_RETURN_NOT_OK(
          SetOption(c, CURLOPT_KEYPASSWD, config.ssl_key_password.c_str(), "KEYPASSWD"));
    }
    return Status::OK();
  }

  // One attempt's outcome: the body on a 2xx answer, else the error and
  // whether trying again could help.
  struct Attempt {
    Status status;
    bool transient = false;
    std::string body;
  };

  // GET base_url + path, once; `what` names the thing asked for ("schema id
  // 7") in not-found errors. Caller holds request_mu.
  Attempt GetOnce(const std::string& url, const std::string& what) {
    Attempt out;
    BodySink sink;
    sink.limit = static_cast<size_t>(config.max_response_bytes);
    curl_error[0] = '\0';
    CURL* c = curl.get();
    CURLcode rc = curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (rc == CURLE_OK) rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    if (rc == CURLE_OK) rc = curl_easy_perform(c);
    const std::string where = "schema registry: GET " + url;
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      const std::string limit = std::to_string(config.max_response_bytes);
      out.status =
          Fail(StatusCode::kIoError,
               where + ": the response is larger than schema_registry.max_response_bytes=" + limit +
                   "; reading stopped there");
      return out;
    }
    if (rc != CURLE_OK) {
      out.transient = TransientCurlError(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        out.status = Fail(StatusCode::kTimeout,
                          where + ": no complete answer within schema_registry.timeout_ms=" +
                              std::to_string(config.timeout_ms));
      } else {
        std::string detail = curl_error[0] != '\0' ? std::string(": ") + curl_error : "";
        out.status = Fail(StatusCode::kIoError, where + ": " + curl_easy_strerror(rc) + detail);
      }
      return out;
    }
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    if (http >= 200 && http < 300) {
      out.body = std::move(sink.data);
      return out;
    }
    RegistryError e = ParseErrorBody(sink.data);
    std::string answer = "HTTP " + std::to_string(http);
    if (e.error_code != -1) answer += ", error_code " + std::to_string(e.error_code);
    if (!e.message.empty()) answer += ": " + e.message;
    if (http == 401) {
      std::string sent = !config.basic_auth_user_info.empty()
                             ? "the basic auth credentials were rejected"
                         : !config.bearer_token.empty() ? "the bearer token was rejected"
                                                        : "no credentials are configured";
      out.status =
          Fail(StatusCode::kInvalidArgument,
               where + ": not authenticated (" + answer + "); " + sent +
                   "; check schema_registry.basic_auth_user_info or schema_registry.bearer_token");
    } else if (http == 403) {
      out.status = Fail(StatusCode::kInvalidArgument, where + ": access denied (" + answer +
                                                          "); the credentials may not read this");
    } else if (http == 404 &&
               (e.error_code == kSchemaNotFound || e.error_code == kSubjectNotFound ||
                e.error_code == kVersionNotFound)) {
      // NotFound, distinct from every other failure: a schema id no registry
      // knows is the record's fault (bad data), the rest are the setup's.
      out.status = Fail(StatusCode::kNotFound, "schema registry: " + what + " not found (GET " +
                                                   url + ": " + answer + ")");
    } else if (http == 404) {
      out.status = Fail(
          StatusCode::kInvalidArgument,
          where + ": " + answer + "; is schema_registry.url right, including its path prefix?");
    } else {
      out.transient = http >= 500 || http == 429;
      out.status = Fail(StatusCode::kIoError, where + ": " + answer);
    }
    return out;
  }

  // ParseSchemaResponse, with where the answer came from in its errors.
  Result<RegisteredSchema> Parse(const std::string& body, const std::string& path,
                                 const std::string& what) const {
    Result<RegisteredSchema> parsed = ParseSchemaResponse(body);
    if (parsed.ok()) return parsed;
    return Fail(parsed.status().code(), "schema registry: " + what + " (GET " + base_url + path +
                                            "): " + parsed.status().message() +
                                            "; the answer was: " + Quote(body));
  }

  // GET with retries; returns the body of the first 2xx answer.
  Result<std::string> Get(const std::string& path, const std::string& what) {
    const std::string url = base_url + path;
    int64_t backoff_ms = config.retry_backoff_ms;
    for (int attempt = 0;; ++attempt) {
      Attempt a = GetOnce(url, what);
      if (a.status.ok()) return std::move(a.body);
      if (!a.transient || attempt == config.max_retries) {
        if (attempt == 0) return a.status;
        return Status(a.status.code(),
                      a.status.message() + " (after " + std::to_string(attempt + 1) + " attempts)");
      }
      Log(LogLevel::kWarn, a.status.message() + "; retry " + std::to_string(attempt + 1) + " of " +
                               std::to_string(config.max_retries) + " in " +
                               std::to_string(backoff_ms) + " ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min<int64_t>(backoff_ms * 2, 60000);
    }
  }

  // GET /subjects/{subject}/versions/{version}; `version` is "latest" or a number.
  Result<std::shared_ptr<const RegisteredSchema>> GetSubjectVersion(const std::string& subject,
                                                                    const std::string& version);
};

SchemaRegistryClient::SchemaRegistryClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaRegistryClient::~SchemaRegistryClient() = default;

Result<std::unique_ptr<SchemaRegistryClient>> SchemaRegistryClient::Make(
    SchemaRegistryConfig config) {
  if (config.url.empty())
    return Status::Invalid("schema_registry.url: required; give the registry's base URL");
  KARROW_RETURN_NOT_OK(config.Validate());
  // Once per process, before any handle: curl_global_init is not thread-safe
  // on every platform.
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) {
    return Status::Internal(std::string("schema registry: libcurl failed to start: ") +
                            curl_easy_strerror(global_init));
  }
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->base_url = impl->config.url;
  while (!impl->base_url.empty() && impl->base_url.back() == '/') impl->base_url.pop_back();
  impl->curl.reset(curl_easy_init());
  if (impl->curl == nullptr)
    return Status::Internal("schema registry: libcurl could not create a handle");
  KARROW_RETURN_NOT_OK(impl->Configure());
  return std::unique_ptr<SchemaRegistryClient>(new SchemaRegistryClient(std::move(impl)));
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::GetById(int32_t id) {
  if (id < 0)
    return Status::Invalid("schema registry: schema id " + std::to_string(id) + " is negative");
  {
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (auto it = impl_->by_id.find(id); it != impl_->by_id.end()) return it->second;
  }
  std::lock_guard<std::mutex> request_lock(impl_->request_mu);
  {
    // Another thread may have fetched it while this one waited.
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (auto it = impl_->by_id.find(id); it != impl_->by_id.end()) return it->second;
  }
  const std::string what = "schema id " + std::to_string(id);
  const std::string path = "/schemas/ids/" + std::to_string(id);
  KARROW_ASSIGN_OR_RAISE(std::string body, impl_->Get(path, what));
  KARROW_ASSIGN_OR_RAISE(RegisteredSchema parsed, impl_->Parse(body, path, what));
  if (parsed.id != -1 && parsed.id != id) {
    return impl_->Fail(StatusCode::kInvalidArgument,
                       "schema registry: " + what + " (GET " + impl_->base_url + path +
                           "): the answer is schema id " + std::to_string(parsed.id));
  }
  auto schema = std::make_shared<RegisteredSchema>(std::move(parsed));
  schema->id = id;
  schema->subject.clear();
  schema->version = -1;
  std::lock_guard<std::mutex> lock(impl_->cache_mu);
  impl_->by_id.emplace(id, schema);
  return std::shared_ptr<const RegisteredSchema>(std::move(schema));
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::Impl::GetSubjectVersion(
    const std::string& subject, const std::string& version) {
  if (subject.empty()) return Status::Invalid("schema registry: the subject name is empty");
  const std::string what =
      "subject '" + subject + "'" + (version == "latest" ? "" : " version " + version);
  const std::string path = "/subjects/" + EncodePathSegment(subject) + "/versions/" + version;
  std::lock_guard<std::mutex> request_lock(request_mu);
  KARROW_ASSIGN_OR_RAISE(std::string body, Get(path, what));
  KARROW_ASSIGN_OR_RAISE(RegisteredSchema parsed, Parse(body, path, what));
  if (parsed.id == -1 || parsed.version == -1) {
    return Fail(StatusCode::kInvalidArgument, "schema registry: " + what + " (GET " + base_url +
                                                  path + "): the answer has no id or no version");
  }
  if (version != "latest" && std::to_string(parsed.version) != version) {
    return Fail(StatusCode::kInvalidArgument, "schema registry: " + what + " (GET " + base_url +
                                                  path + "): the answer is version " +
                                                  std::to_string(parsed.version));
  }
  if (parsed.subject.empty()) parsed.subject = subject;
  return std::shared_ptr<const RegisteredSchema>(
      std::make_shared<RegisteredSchema>(std::move(parsed)));
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::GetLatest(
    const std::string& subject) {
  return impl_->GetSubjectVersion(subject, "latest");
}

Result<std::shared_ptr<const RegisteredSchema>> SchemaRegistryClient::GetVersion(
    const std::string& subject, int32_t version) {
  if (version < 1) {
    return Status::Invalid("schema registry: version " + std::to_string(version) + " of subject '" +
                           subject + "' is not a version number");
  }
  auto key = std::make_pair(subject, version);
  {
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (auto it = impl_->by_version.find(key); it != impl_->by_version.end()) return it->second;
  }
  KARROW_ASSIGN_OR_RAISE(auto schema, impl_->GetSubjectVersion(subject, std::to_string(version)));
  std::lock_guard<std::mutex> lock(impl_->cache_mu);
  impl_->by_version.emplace(key, schema);
  return schema;
}

}  // namespace karrow
