#pragma once
// `ccsec media`: the ng control socket, the Prometheus /metrics endpoint and the relay workers.
// The control thread (the caller of run()) owns the ng UDP socket and the HTTP listener; the
// relay's workers own the media sockets. run() returns when `stop` becomes true (SIGTERM), after
// which destruction stops the workers, closes every socket and wipes every SRTP key.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "media/ng.h"
#include "media/relay.h"

namespace ccsec::media {

struct ServerConfig {
  RelayConfig relay;
  std::string ngHost = "127.0.0.1";
  std::uint16_t ngPort = 2223;      // 0: pick a free port (tests)
  std::string httpHost;             // empty: no /metrics listener
  std::uint16_t httpPort = 0;
};

/// Parses "host:port" or "[v6]:port" (the --listen-ng / --listen-http syntax).
core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& s);

class MediaServer {
 public:
  static core::Result<std::unique_ptr<MediaServer>> create(const ServerConfig& config);
  ~MediaServer();
  void run(const std::atomic<bool>& stop);
  std::uint16_t ngPort() const { return ngPort_; }
  std::uint16_t httpPort() const { return httpPort_; }
  Relay& relay() { return *relay_; }

 private:
  MediaServer() = default;
  void serveHttp();

  std::unique_ptr<Relay> relay_;
  std::unique_ptr<NgProcessor> ng_;
  int ngFd_ = -1;
  int httpFd_ = -1;
  std::uint16_t ngPort_ = 0, httpPort_ = 0;
};

}  // namespace ccsec::media

namespace ccsec::media {
/// Reads a YAML config file with the same settings as the flags: interface, listen-ng,
/// listen-http, port-min, port-max, num-threads, timeout (seconds), srtp-for (list of leg kinds).
/// Unknown keys are an error.
core::Result<void> loadServerConfig(const std::string& path, ServerConfig& config);
}  // namespace ccsec::media
