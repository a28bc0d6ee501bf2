#include "cli/metrics_server.h"

#include <httplib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace karrow::cli {

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& address,
                                                            Render render) {
  const std::string flag = "--metrics-address " + address;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return Status::Invalid(flag + ": expected HOST:PORT, e.g. 127.0.0.1:9464 or 0.0.0.0:9464");
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  const std::string port_text = address.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return Status::Invalid(flag + ": the port must be a number from 0 to 65535 (0: any free port)");
  }
  std::unique_ptr<MetricsServer> s(new MetricsServer());
  s->server_ = std::make_unique<httplib::Server>();
  // Scrapes are rare and quick: two threads, not httplib's default of eight.
  s->server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  s->server_->Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  errno = 0;
  int bound =
      port == 0
          ? s->server_->bind_to_any_port(host)
          : (s->server_->bind_to_port(host, static_cast<int>(port)) ? static_cast<int>(port) : -1);
  if (bound < 0) {
    const int error = errno;
    return Status::Invalid(flag + ": cannot listen there" +
                           (error != 0 ? std::string(" (") + std::strerror(error) + ")" : "") +
                           "; choose a free port, or an address of this machine");
  }
  s->host_ = host;
  s->port_ = bound;
  // A port picked by the system must be told; a chosen one the user knows.
  const std::string url = "http://" + host + ":" + std::to_string(bound) + "/metrics";
  if (port == 0) {
    std::fprintf(stderr, "karrow: serving metrics at %s\n", url.c_str());
  } else {
    Log(LogLevel::kInfo, "serving metrics at " + url);
  }
  s->thread_ = std::thread([server = s->server_.get()] { server->listen_after_bind(); });
  return s;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace karrow::cli
