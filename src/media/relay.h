#pragma once
// The media relay: calls with two legs, UDP sockets from a port range, RTP/RTCP forwarding with
// SRTP<->RTP bridging, per-call statistics, silent-call timeouts.
//
// Threads: `threads` workers, each a thread driving its own net::EventLoop with a net::DatagramIo
// (the shared packet path: epoll + recvmmsg/sendmmsg, or io_uring) over its own sockets and
// calls (a new call is assigned at its first offer to the worker with the fewest calls and
// stays there; the ng control thread never touches a packet). Signalling
// (offer/answer/delete/query) is posted to the owning worker's loop and the caller waits for the
// result, so call state is only ever touched by its worker: no locks on the packet path. Buffers
// are preallocated per worker; nothing is allocated per packet.
//
// Leg model: leg 0 faces the party that sent the first offer (from-tag), leg 1 the other party.
// A leg speaks SRTP when its own SDP says RTP/SAVP(F); the anchor decrypts what arrives from an
// SRTP leg and encrypts what it sends to one, with its own fresh keys (RAND_bytes) per leg.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "media/bencode.h"
#include "media/sdp.h"
#include "net/datagram_io.h"

namespace ccsec::net {
class PromWriter;
}

namespace ccsec::media {

struct RelayConfig {
  std::string interface = "127.0.0.1";  // address the anchor binds and advertises
  std::uint16_t portMin = 30000;
  std::uint16_t portMax = 39999;
  unsigned threads = 1;  // relay workers; 0: one per core
  std::chrono::seconds silentTimeout{60};
  std::vector<std::string> srtpFor;  // leg labels (endpoint kinds) whose SRTP the anchor terminates
  /// Packet path of the workers: kAuto picks io_uring when the kernel allows it, else epoll.
  net::PacketPath packetPath = net::PacketPath::kAuto;
};

/// One signalling request (offer or answer), already decoded from the ng dictionary.
struct SignalRequest {
  std::string callId, fromTag, toTag, viaBranch, label;
  std::string sdp;
  std::optional<std::string> transportProtocol;  // "RTP/AVP", "RTP/SAVP", ...
  bool replaceOrigin = false;
  bool replaceSessionConnection = false;
  RtcpMuxMode rtcpMux = RtcpMuxMode::kKeep;
  std::vector<std::string> sdes;  // "off", "no-<suite>", "only-<suite>"
};

struct LegStats {
  std::uint64_t packetsIn = 0, bytesIn = 0, packetsOut = 0, bytesOut = 0;
  std::uint64_t authFailures = 0, replays = 0, losses = 0, dropped = 0;
};

/// Process-wide counters (relaxed atomics; read by /metrics from any thread).
struct RelayTotals {
  std::atomic<std::uint64_t> packets{0}, bytes{0}, authFailures{0}, replays{0}, dropped{0},
      losses{0}, callsCreated{0}, callsTimedOut{0};
  std::atomic<std::int64_t> calls{0};  // anchored now
};

class Worker;
class PortAllocator;

class Relay {
 public:
  static core::Result<std::unique_ptr<Relay>> create(const RelayConfig& config);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  /// Returns the SDP to forward to the recipient of the offer / answer.
  core::Result<std::string> offer(const SignalRequest& req);
  core::Result<std::string> answer(const SignalRequest& req);
  /// Deletes a call (or fails if unknown). Keys are wiped when the contexts are destroyed.
  core::Result<void> remove(const std::string& callId);
  /// Per-call statistics in the ng `query` reply layout (without "result").
  core::Result<BValue> query(const std::string& callId);
  std::vector<std::string> listCalls(std::size_t limit);
  std::size_t callCount();
  /// Appends the totals and call count to a Prometheus exposition (reads atomics only: never
  /// waits on a worker).
  void metrics(net::PromWriter& out) const;
  const RelayTotals& totals() const { return *totals_; }
  const RelayConfig& config() const { return config_; }
  unsigned workerCount() const { return static_cast<unsigned>(workers_.size()); }
  /// Index of the worker that owns a call (assigned at its first offer), if the call exists.
  std::optional<unsigned> workerOf(const std::string& callId);
  /// The packet path the workers run (never kAuto) and why it was chosen.
  const net::PacketPathChoice& packetPath() const { return path_; }

 private:
  explicit Relay(const RelayConfig& config);
  Worker* ownerOf(const std::string& callId);
  void forget(const std::string& callId);

  RelayConfig config_;
  net::PacketPathChoice path_;
  std::unique_ptr<RelayTotals> totals_;
  std::unique_ptr<PortAllocator> ports_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex ownersMu_;  // control thread (offer, delete) vs workers (timeouts)
  std::unordered_map<std::string, unsigned> owners_;
};

}  // namespace ccsec::media
