#pragma once
// rtpengine "ng" control protocol: each UDP datagram is `<cookie> <bencoded dictionary>` and the
// reply is `<cookie> <bencoded dictionary>` (https://rtpengine.readthedocs.io, "ng control
// protocol"). Commands: ping, offer, answer, delete, query, list, statistics. Errors are replied
// as {"result": "error", "error-reason": "..."}. Replies to a retransmitted cookie are served
// from a bounded cache (kNgCookieCache entries, kNgCookieLifetime), so a retransmitted offer
// does not allocate a second call; evicted replies are wiped (they contain SDES keys).
// Threading: one NgProcessor is used by the single control thread.

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "media/bencode.h"
#include "media/relay.h"

namespace ccsec::media {

inline constexpr std::size_t kNgCookieCache = 4096;
/// Longest cookie accepted; a datagram with a longer one (or none) is dropped unanswered.
inline constexpr std::size_t kNgMaxCookie = 256;
/// Cached replies (which carry SDES keys) are wiped and dropped after this long.
inline constexpr std::chrono::seconds kNgCookieLifetime{30};

/// Decodes the ng dictionary of an offer/answer into a SignalRequest (flags Kamailio's rtpengine
/// module sends: transport-protocol, ICE, replace, rtcp-mux, SDES, direction, flags, tags, ...).
core::Result<SignalRequest> signalRequestFrom(const BValue& dict);

class NgProcessor {
 public:
  explicit NgProcessor(Relay& relay) : relay_(relay) {}
  /// One datagram in, one reply datagram out ("" when the datagram has no usable cookie: none,
  /// or longer than kNgMaxCookie).
  std::string handleDatagram(std::string_view datagram);
  /// Executes one decoded command dictionary and returns the reply dictionary.
  BValue handle(const BValue& request);

 private:
  void expire(std::chrono::steady_clock::time_point now);

  Relay& relay_;
  std::unordered_map<std::string, std::string> replies_;
  std::deque<std::pair<std::string, std::chrono::steady_clock::time_point>> order_;
};

}  // namespace ccsec::media
