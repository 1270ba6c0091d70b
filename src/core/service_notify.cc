#include "core/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

namespace ccsec::core {

namespace {
std::int64_t nowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// STATUS= is one line: newlines would start a new assignment.
std::string oneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}
}  // namespace

ServiceNotifier::ServiceNotifier() {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  enabled_ = sock != nullptr && *sock != '\0';
  std::uint64_t usec = 0;
  // 0 = do not unset the environment: child processes are not ours to notify for.
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::send(const std::string& message) {
  if (!enabled_) return;
  (void)sd_notify(0, message.c_str());
}

void ServiceNotifier::ready(std::string_view status) {
  send("READY=1\nSTATUS=" + oneLine(status));
  lastPingUs_.store(nowUs());
}

void ServiceNotifier::reloading() { send("RELOADING=1\nSTATUS=reloading"); }

void ServiceNotifier::stopping() { send("STOPPING=1\nSTATUS=draining"); }

void ServiceNotifier::status(std::string_view status) { send("STATUS=" + oneLine(status)); }

void ServiceNotifier::watchdogTick() {
  if (!enabled_ || watchdog_.count() == 0) return;
  const std::int64_t now = nowUs();
  std::int64_t last = lastPingUs_.load();
  if (now - last < watchdog_.count() / 2) return;
  if (lastPingUs_.compare_exchange_strong(last, now)) send("WATCHDOG=1");
}

}  // namespace ccsec::core
