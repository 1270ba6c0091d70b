// The probe's per-host pacing of new connections: starts to one host are spaced 1/rate apart,
// so no one-second window holds more than `rate` of them; hosts are paced independently.
#include "probe/pacing.h"

#include <gtest/gtest.h>

#include <vector>

namespace ccsec::probe {
namespace {

using Clock = HostPacer::Clock;
using std::chrono::milliseconds;

/// Starts `n` connections to `host` as early as the pacer allows, from `t0`.
std::vector<Clock::time_point> startAll(HostPacer& p, const char* host, int n,
                                        Clock::time_point t0) {
  std::vector<Clock::time_point> out;
  Clock::time_point now = t0;
  for (int k = 0; k < n; ++k) {
    now = p.earliest(host, now);
    p.started(host, now);
    out.push_back(now);
  }
  return out;
}

int maxInOneSecond(const std::vector<Clock::time_point>& starts) {
  int best = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    int n = 0;
    for (std::size_t j = i; j < starts.size() && starts[j] < starts[i] + std::chrono::seconds(1);
         ++j)
      ++n;
    best = std::max(best, n);
  }
  return best;
}

TEST(HostPacer, NeverMoreThanTheRateInAnyOneSecondWindow) {
  for (double rate : {1.0, 3.0, 10.0, 100.0, 2.5}) {
    HostPacer p(rate);
    auto starts = startAll(p, "pg-a", 50, Clock::now());
    EXPECT_LE(maxInOneSecond(starts), static_cast<int>(rate) == rate ? rate : rate + 1) << rate;
    for (std::size_t k = 1; k < starts.size(); ++k)
      EXPECT_GE(starts[k] - starts[k - 1],
                std::chrono::duration<double>(1.0 / rate) - std::chrono::nanoseconds(1));
  }
}

TEST(HostPacer, TheFirstStartIsImmediateAndHostsArePacedIndependently) {
  HostPacer p(2);
  auto t0 = Clock::now();
  EXPECT_EQ(p.earliest("a", t0), t0);
  p.started("a", t0);
  EXPECT_EQ(p.earliest("b", t0), t0);  // another host: not held back by a's start
  EXPECT_EQ(p.earliest("a", t0), t0 + milliseconds(500));
  // After a pause the host may start at once again, with no credit for the idle time.
  auto later = t0 + std::chrono::seconds(5);
  EXPECT_EQ(p.earliest("a", later), later);
  p.started("a", later);
  EXPECT_EQ(p.earliest("a", later + milliseconds(1)), later + milliseconds(500));
}

TEST(HostPacer, ZeroRateIsUnlimited) {
  HostPacer p(0);
  EXPECT_FALSE(p.limited());
  auto t0 = Clock::now();
  p.started("a", t0);
  EXPECT_EQ(p.earliest("a", t0), t0);
}

}  // namespace
}  // namespace ccsec::probe
