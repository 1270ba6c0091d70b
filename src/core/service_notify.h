#pragma once
// Service-manager notification (systemd's sd_notify protocol, through libsystemd): readiness,
// reload, stop and the watchdog keep-alive of a `Type=notify` unit.
//
// Contract: when the process was not started by a service manager (NOTIFY_SOCKET unset) every
// call is a no-op, so daemons call these unconditionally. Messages are state transitions only;
// no configuration value, address or personal datum is ever put in a STATUS= line beyond what the
// caller passes. Thread-safe. The watchdog is kept alive only by watchdogTick(), which a daemon
// calls from the loop whose liveness it proves (never from a free-running timer thread), so a
// stuck loop stops the pings and the manager restarts the service.

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace ccsec::core {

class ServiceNotifier {
 public:
  /// Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID from the environment.
  ServiceNotifier();

  /// True when a service manager listens (NOTIFY_SOCKET set).
  bool enabled() const { return enabled_; }
  /// The watchdog interval the manager expects pings within (zero when none).
  std::chrono::microseconds watchdogInterval() const { return watchdog_; }

  /// READY=1 with a one-line status.
  void ready(std::string_view status);
  /// RELOADING=1 (configuration or certificates being reloaded); follow with ready().
  void reloading();
  /// STOPPING=1 (draining before exit).
  void stopping();
  /// STATUS=… only.
  void status(std::string_view status);
  /// WATCHDOG=1 when at least half the interval has passed since the last ping; cheap otherwise.
  void watchdogTick();

 private:
  void send(const std::string& message);

  bool enabled_ = false;
  std::chrono::microseconds watchdog_{0};
  std::atomic<std::int64_t> lastPingUs_{0};
};

}  // namespace ccsec::core
