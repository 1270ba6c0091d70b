#pragma once
// `ccsec media`: the ng control socket, the Prometheus /metrics endpoint and the relay workers.
//
// Threads: the control thread (the caller of run()) drives a net::EventLoop that owns only the ng
// UDP socket, so call control never waits on anything but the relay workers; /metrics is served
// by net::HttpServer on a loop thread of its own (whole-request deadline, connection caps), so a
// slow or hostile scraper cannot delay an offer; the relay's workers own the media sockets.
// run() returns when `stop` becomes true (SIGTERM), after which destruction stops the HTTP
// thread and the workers, closes every socket and wipes every SRTP key.
//
// Trust model of the control channel (rtpengine has none: whoever reaches its ng port drives
// it): ng datagrams are accepted only from sources inside `ngAllow` (default: loopback only);
// others are dropped unanswered and counted, as are datagrams without a cookie or with one longer
// than kNgMaxCookie. The ng protocol itself has no authentication: the allow list plus a
// dedicated signalling network is the boundary.

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "media/ng.h"
#include "media/relay.h"

namespace ccsec::net {
class EventLoop;
class HttpServer;
}  // namespace ccsec::net

namespace ccsec::media {

struct ServerConfig {
  RelayConfig relay;
  std::string ngHost = "127.0.0.1";
  std::uint16_t ngPort = 2223;  // 0: pick a free port (tests)
  std::string httpHost;         // empty: no /metrics listener
  std::uint16_t httpPort = 0;
  /// Sources allowed to send ng datagrams; empty: loopback only (127.0.0.0/8, ::1).
  std::vector<core::Cidr> ngAllow;
};

/// Parses "host:port" or "[v6]:port" (the --listen-ng / --listen-http syntax; net::Endpoint).
core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& s);

/// True when `host` is a loopback address (127.0.0.0/8, ::1).
bool isLoopbackHost(const std::string& host);

/// Counters of the control channel (relaxed atomics, read by /metrics).
struct NgCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> droppedSource{0};  // source outside the allow list
  std::atomic<std::uint64_t> droppedCookie{0};  // no cookie, or longer than kNgMaxCookie
};

class MediaServer {
 public:
  static core::Result<std::unique_ptr<MediaServer>> create(const ServerConfig& config);
  ~MediaServer();
  /// Runs the control loop until `stop` is true. `tick`, when set, is called on the control
  /// loop every 100 ms (the service watchdog's proof that call control is alive).
  void run(const std::atomic<bool>& stop, const std::function<void()>& tick = {});
  std::uint16_t ngPort() const { return ngPort_; }
  std::uint16_t httpPort() const { return httpPort_; }
  Relay& relay() { return *relay_; }
  const NgCounters& ngCounters() const { return counters_; }
  /// The /metrics text (Prometheus 0.0.4): relay totals, control channel, HTTP endpoint.
  std::string metrics() const;

 private:
  class NgSocket;
  MediaServer() = default;
  bool allowed(const sockaddr_storage& from) const;
  void onNgReadable();

  std::unique_ptr<Relay> relay_;
  std::unique_ptr<NgProcessor> ng_;
  std::vector<core::Cidr> allow_;
  NgCounters counters_;
  core::UniqueFd ngFd_;
  std::uint16_t ngPort_ = 0, httpPort_ = 0;
  std::unique_ptr<net::EventLoop> control_;
  std::unique_ptr<NgSocket> ngHandler_;
  std::unique_ptr<net::EventLoop> httpLoop_;
  std::unique_ptr<net::HttpServer> http_;
  std::thread httpThread_;
  std::vector<char> buf_;
};

}  // namespace ccsec::media

namespace ccsec::media {
/// Reads a YAML config file with the same settings as the flags: interface, listen-ng,
/// listen-http, ng-allow (list of CIDRs), port-min, port-max, num-threads, packet-path (auto,
/// epoll, io_uring), timeout (seconds),
/// srtp-for (list of leg kinds). Unknown keys are an error.
core::Result<void> loadServerConfig(const std::string& path, ServerConfig& config);
}  // namespace ccsec::media
