#include "gateway/peer_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace ccsec::gateway {
namespace {

using namespace std::chrono_literals;

net::Endpoint addr(const std::string& text) { return *net::Endpoint::parse(text); }

TEST(PeerLimiter, BurstThenRate) {
  PeerLimiter l(10);
  const auto t0 = PeerLimiter::Clock::now();
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += l.allow(addr("10.0.0.1:1000"), t0) ? 1 : 0;
  EXPECT_EQ(admitted, 10) << "a burst of at most per_peer_rate";
  EXPECT_TRUE(l.allow(addr("10.0.0.2:1000"), t0)) << "another address has its own bucket";
  EXPECT_FALSE(l.allow(addr("10.0.0.1:2000"), t0 + 50ms)) << "the port does not matter";
  EXPECT_TRUE(l.allow(addr("10.0.0.1:2000"), t0 + 110ms)) << "one token per 100 ms at rate 10";
  EXPECT_FALSE(l.allow(addr("10.0.0.1:2000"), t0 + 120ms));
  EXPECT_TRUE(l.allow(addr("[::1]:1"), t0));
}

TEST(PeerLimiter, ZeroRateIsUnlimitedAndTracksNothing) {
  PeerLimiter l(0);
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(l.allow(addr("10.0.0.1:1"), PeerLimiter::Clock::now()));
  EXPECT_EQ(l.size(), 0u);
}

TEST(PeerLimiter, MemoryIsBoundedAndAFloodDoesNotResetARecentPeer) {
  constexpr std::size_t kCapacity = 16 * 8;
  PeerLimiter l(5, kCapacity);
  const auto t0 = PeerLimiter::Clock::now();
  const auto victim = addr("192.0.2.7:1");
  while (l.allow(victim, t0)) {
  }
  // 8,000 other addresses, the victim seen again between each batch: the table never grows past
  // its capacity, and the victim's empty bucket is never reset.
  for (int batch = 0; batch < 200; ++batch) {
    for (int i = 0; i < 40; ++i) {
      int n = batch * 40 + i;
      l.allow(addr("10." + std::to_string(n / 65536) + "." + std::to_string((n / 256) % 256) + "." +
                   std::to_string(n % 256) + ":1"),
              t0);
    }
    EXPECT_FALSE(l.allow(victim, t0)) << "batch " << batch;
    EXPECT_LE(l.size(), kCapacity);
  }
}

}  // namespace
}  // namespace ccsec::gateway
