#pragma once
// The per-source-address connection limit (`limits.per_peer_rate`), one for the whole process.
//
// A token bucket per source address: it holds at most `burst` tokens (= per_peer_rate, one
// second's worth), refills at `rate` tokens per second, and each new connection takes one; a
// connection that finds the bucket empty is refused. So an address gets at most
// burst + rate × t connections in any window of t seconds, whatever the number of workers (the
// workers share this table) and whatever other addresses do.
//
// Memory is bounded: at most `capacity` addresses are tracked (16 shards, each a hash map with an
// LRU list). When a shard is full, the address seen least recently is forgotten (it starts again
// with a full bucket if it comes back); nothing else is ever reset, so flooding the table from
// many addresses costs the flooding addresses their own history, not anyone's limit at once.
// Addresses are keyed by their bytes (IPv4 or IPv6), not by text.
//
// Threading: allow() is thread-safe; one mutex per shard, held for one hash lookup.

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

#include "net/socket.h"

namespace ccsec::gateway {

class PeerLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kDefaultCapacity = 65536;

  /// rate = 0: unlimited (allow() always true, nothing tracked).
  explicit PeerLimiter(std::uint32_t rate, std::size_t capacity = kDefaultCapacity);

  /// Takes a token for `peer`'s address; false when its bucket is empty.
  bool allow(const net::Endpoint& peer, Clock::time_point now);
  /// Addresses tracked now (for tests and metrics).
  std::size_t size() const;

 private:
  struct Key {
    std::array<std::uint8_t, 16> addr{};
    std::uint8_t family = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Bucket {
    double tokens;
    Clock::time_point last;
    std::list<Key>::iterator lru;  // position in the shard's recency list (front = newest)
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Key, Bucket, KeyHash> map;
    std::list<Key> lru;
  };

  double rate_;
  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ccsec::gateway
