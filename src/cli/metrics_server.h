// MetricsServer: `--metrics-address HOST:PORT`, an HTTP endpoint that serves
// the metrics in the Prometheus text format at /metrics while a command runs.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "karrow/status.h"

namespace httplib {
class Server;
}

namespace karrow::cli {

class MetricsServer {
 public:
  /// Called on a server thread for each scrape; must be thread-safe.
  using Render = std::function<std::string()>;

  /// Listens on `address` (HOST:PORT; port 0 picks a free port; [v6]:PORT
  /// for IPv6) and serves `render`'s text at /metrics on a thread of its
  /// own. Fails (kInvalidArgument) when the address is malformed or cannot
  /// be bound, e.g. the port is in use.
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& address, Render render);
  /// Stops serving and waits for a scrape in progress.
  ~MetricsServer();

  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

}  // namespace karrow::cli
