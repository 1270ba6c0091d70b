#pragma once
// The probe's per-host pacing of new connections: "never more than the declared rate of new
// connections per target". Each host's connection starts are spaced at least 1/rate apart, so
// any one-second window [t, t + 1 s) holds at most `rate` starts to that host, whatever the
// concurrency (no bursts: the first start is free, every later one waits its interval).
//
// Contract: single-threaded (the scanner's loop thread). rate <= 0 means unlimited.

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace ccsec::probe {

class HostPacer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HostPacer(double per_second);

  /// The earliest time a new connection to `host` may start (`now` when it may start at once).
  Clock::time_point earliest(std::string_view host, Clock::time_point now) const;
  /// Records that a connection to `host` started at `now` (not before earliest(host, now)).
  void started(std::string_view host, Clock::time_point now);
  bool limited() const { return interval_.count() > 0; }

 private:
  Clock::duration interval_{0};
  std::map<std::string, Clock::time_point, std::less<>> last_;
};

}  // namespace ccsec::probe
