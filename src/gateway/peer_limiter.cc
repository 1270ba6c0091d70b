#include "gateway/peer_limiter.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace ccsec::gateway {

std::size_t PeerLimiter::KeyHash::operator()(const Key& k) const noexcept {
  // FNV-1a over the address bytes; the shard is picked from the high bits, the map uses all.
  std::uint64_t h = 1469598103934665603ull ^ k.family;
  for (std::uint8_t b : k.addr) h = (h ^ b) * 1099511628211ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

PeerLimiter::PeerLimiter(std::uint32_t rate, std::size_t capacity)
    : rate_(rate), per_shard_(std::max<std::size_t>(1, capacity / kShards)) {}

bool PeerLimiter::allow(const net::Endpoint& peer, Clock::time_point now) {
  if (rate_ <= 0) return true;
  Key key;
  const sockaddr* sa = peer.addr();
  key.family = static_cast<std::uint8_t>(sa->sa_family);
  if (sa->sa_family == AF_INET6)
    std::memcpy(key.addr.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
  else
    std::memcpy(key.addr.data(), &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
  const std::size_t h = KeyHash{}(key);
  Shard& s = shards_[(h >> 7) % kShards];
  std::lock_guard lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    if (s.map.size() >= per_shard_) {  // forget the address seen least recently in this shard
      s.map.erase(s.lru.back());
      s.lru.pop_back();
    }
    s.lru.push_front(key);
    it = s.map.emplace(key, Bucket{rate_, now, s.lru.begin()}).first;
  } else {
    s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
  }
  Bucket& b = it->second;
  if (now > b.last) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(rate_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  return false;
}

std::size_t PeerLimiter::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

}  // namespace ccsec::gateway
