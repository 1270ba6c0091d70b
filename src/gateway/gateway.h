#pragma once
// The mutual-TLS channel gateway (docs/design.md §4).
//
// Each listener runs in `server` mode (TLS in, plaintext to `forward`) or `client` mode
// (plaintext in, TLS out to `forward`). Mutual TLS always; the plaintext side is opened (server
// mode) or read (client mode) only after the handshake and the peer-name check succeeded, so a
// failed handshake can never reach a plaintext path; it is closed and audited with the reason and
// the peer certificate identity.
//
// Threads: N workers (worker.h), each with its own epoll loop and its own SO_REUSEPORT socket per
// listener (the kernel spreads connections); one control thread serves /metrics (net::HttpServer);
// one audit writer thread. Per connection (connection.h): non-blocking OpenSSL on the socket
// (kTLS when the kernel offers it), a per-worker 64 KiB scratch buffer for the hot path and a
// pooled 64 KiB buffer per direction only while the receiver is slower than the sender
// (back-pressure: the sender is not read meanwhile); no allocation per message. GED-188 listeners
// check framing in both directions and forward complete, valid frames only.
//
// Lifecycle: create() → start() → (reload()…) → drain() (graceful) or stop(). reload() and
// drain() are thread-safe; run() wires them to SIGHUP and SIGTERM/SIGINT for the CLI.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/service_notify.h"
#include "gateway/config.h"
#include "gateway/metrics.h"
#include "net/socket.h"
#include "store/audit_log.h"

namespace ccsec::gateway {

class Gateway {
 public:
  /// Builds every TLS context (errors name the file) but binds nothing yet.
  static core::Result<std::unique_ptr<Gateway>> create(GatewayConfig config, unsigned workers,
                                                       std::unique_ptr<store::AuditStore> store);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  /// Binds listeners (port 0 → a free port shared by all workers) and metrics; starts threads.
  core::Result<void> start();
  /// Rebuilds every listener's context from its files; all-or-nothing. Live connections keep
  /// the context they started with. Audited (reload / reload_failed) and counted.
  core::Result<void> reload();
  /// Stops accepting, lets open connections finish (up to limits.drain_timeout_ms), then stops.
  void drain();
  /// Closes everything now.
  void stop();
  /// For the CLI: start(), call on_ready, then handle SIGHUP (reload) and SIGTERM/SIGINT (drain)
  /// until terminated. Blocks those signals in every thread it creates.
  /// With a service notifier (systemd Type=notify): READY after on_ready, RELOADING/READY around
  /// each reload, STOPPING before the drain, and the watchdog kept alive from the control loop.
  core::Result<void> run(const std::function<void()>& on_ready,
                         core::ServiceNotifier* notifier = nullptr);

  /// Actual listening endpoints, in config order (valid after start()).
  std::vector<net::Endpoint> listenEndpoints() const;
  std::optional<net::Endpoint> metricsEndpoint() const;
  Metrics& metrics();
  store::AuditLog& audit();
  const GatewayConfig& config() const;
  unsigned workers() const;

  struct Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccsec::gateway
