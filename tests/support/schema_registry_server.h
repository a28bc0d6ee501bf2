// The test schema registry (tests/python/schema_registry_server.py) run in a
// child process and driven through its control API, for the registry client's tests.
// The including test defines KARROW_PYTHON and KARROW_SCHEMA_REGISTRY_SERVER.
#pragma once

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace karrow {

inline std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

inline std::string UrlEncode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

inline size_t AppendTo(char* ptr, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * count);
  return size * count;
}

// The test registry's control API: plain HTTP, no auth. Returns the body; an
// answer other than 200 fails the test.
inline std::string Control(const std::string& url, const std::string* post_body = nullptr) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendTo);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10000L);
  if (post_body != nullptr) curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post_body->c_str());
  CURLcode rc = curl_easy_perform(curl.get());
  long http = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http);
  EXPECT_EQ(rc, CURLE_OK) << url << ": " << curl_easy_strerror(rc);
  EXPECT_EQ(http, 200) << url << ": " << body;
  return body;
}

inline int64_t JsonInt(const std::string& body, const char* key) {
  simdjson::dom::parser parser;
  int64_t v = -1;
  EXPECT_EQ(parser.parse(simdjson::padded_string(body))[key].get_int64().get(v), simdjson::SUCCESS)
      << body;
  return v;
}

// tests/python/schema_registry_server.py in a child process, killed when
// this goes away.
class RegistryProcess {
 public:
  explicit RegistryProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {KARROW_PYTHON, KARROW_SCHEMA_REGISTRY_SERVER});
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // no server left behind if the test crashes
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    // The server prints one JSON line once it listens.
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      char buf[512];
      ssize_t n = read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view url, control;
    if (parser.parse(simdjson::padded_string(line)).get(doc) || doc["url"].get_string().get(url) ||
        doc["control_url"].get_string().get(control)) {
      ADD_FAILURE() << "the test registry did not start; it printed: " << line;
      return;
    }
    url_ = std::string(url);
    control_url_ = std::string(control);
  }
  ~RegistryProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  bool started() const { return !url_.empty(); }
  const std::string& url() const { return url_; }

  int32_t Register(const std::string& subject, const std::string& schema,
                   const std::string& type = "AVRO", const std::string& references_json = "[]") {
    std::string body =
        "{\"subject\": " + JsonQuote(subject) + ", \"schema\": " + JsonQuote(schema) +
        ", \"schemaType\": " + JsonQuote(type) + ", \"references\": " + references_json + "}";
    return static_cast<int32_t>(JsonInt(Control(control_url_ + "/register", &body), "id"));
  }
  /// `fields_json`: the Fault fields of the server, e.g. "\"times\": 2, \"status\": 500".
  void Fault(const std::string& path, const std::string& fields_json) {
    std::string body = "{\"path\": " + JsonQuote(path) + ", " + fields_json + "}";
    Control(control_url_ + "/fault", &body);
  }
  void Auth(const std::string& json) { Control(control_url_ + "/auth", &json); }
  void Reset() {
    std::string empty = "{}";
    Control(control_url_ + "/reset", &empty);
    Auth("{}");
  }
  int64_t Count(const std::string& path, const std::string& method = "GET") {
    return JsonInt(Control(control_url_ + "/count?method=" + method + "&path=" + UrlEncode(path)),
                   "count");
  }
  int64_t BytesSent(const std::string& path) {
    return JsonInt(Control(control_url_ + "/count?path=" + UrlEncode(path)), "bytes_sent");
  }

 private:
  pid_t pid_ = -1;
  std::string url_;
  std::string control_url_;
};

}  // namespace karrow
