#include "probe/pacing.h"

namespace ccsec::probe {

HostPacer::HostPacer(double per_second) {
  if (per_second > 0)
    // Rounded up: a truncated interval would let rate + 1 starts into one second (1/3 s).
    interval_ = std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(1.0 / per_second));
}

HostPacer::Clock::time_point HostPacer::earliest(std::string_view host,
                                                 Clock::time_point now) const {
  if (!limited()) return now;
  auto it = last_.find(host);
  if (it == last_.end()) return now;
  auto next = it->second + interval_;
  return next > now ? next : now;
}

void HostPacer::started(std::string_view host, Clock::time_point now) {
  if (!limited()) return;
  auto it = last_.find(host);
  if (it == last_.end())
    last_.emplace(std::string(host), now);
  else
    it->second = now;
}

}  // namespace ccsec::probe
