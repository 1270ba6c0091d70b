#pragma once
// rtpengine "ng" control protocol: each UDP datagram is `<cookie> <bencoded dictionary>` and the
// reply is `<cookie> <bencoded dictionary>` (https://rtpengine.readthedocs.io, "ng control
// protocol"). Commands: ping, offer, answer, delete, query, list, statistics. Errors are replied
// as {"result": "error", "error-reason": "..."}. Replies to a retransmitted cookie are served
// from a bounded cache, so a retransmitted offer does not allocate a second call.
// Threading: one NgProcessor is used by the single control thread.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

#include "media/bencode.h"
#include "media/relay.h"

namespace ccsec::media {

inline constexpr std::size_t kNgCookieCache = 4096;

/// Decodes the ng dictionary of an offer/answer into a SignalRequest (flags Kamailio's rtpengine
/// module sends: transport-protocol, ICE, replace, rtcp-mux, SDES, direction, flags, tags, ...).
core::Result<SignalRequest> signalRequestFrom(const BValue& dict);

class NgProcessor {
 public:
  explicit NgProcessor(Relay& relay) : relay_(relay) {}
  /// One datagram in, one reply datagram out ("" when the datagram has no cookie at all).
  std::string handleDatagram(std::string_view datagram);
  /// Executes one decoded command dictionary and returns the reply dictionary.
  BValue handle(const BValue& request);

 private:
  Relay& relay_;
  std::unordered_map<std::string, std::string> replies_;
  std::deque<std::string> order_;
};

}  // namespace ccsec::media
