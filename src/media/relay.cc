#include "media/relay.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "core/unique_fd.h"
#include "media/rtp.h"
#include "media/srtp.h"
#include "net/datagram_io.h"
#include "net/event_loop.h"
#include "net/prometheus.h"
#include "net/socket.h"

namespace ccsec::media {

using core::makeError;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBufSize = net::DatagramIo::kBufferSize;
constexpr int kSocketBuffer = 1 << 20;  // absorbs scheduling hiccups of a worker

using core::UniqueFd;

}  // namespace

// ---- ports
// ----------------------------------------------------------------------------------------

class PortAllocator {
 public:
  PortAllocator(std::uint16_t min, std::uint16_t max)
      : min_(static_cast<std::uint16_t>(min + (min & 1U))),
        max_(max),
        used_(static_cast<std::size_t>(max) + 2, false),
        next_(min_) {}

  /// Binds an even RTP port and the following RTCP port on `host`.
  core::Result<std::uint16_t> allocate(const std::string& host, UniqueFd& rtp, UniqueFd& rtcp) {
    std::lock_guard lock(mu_);
    const unsigned span = (max_ >= min_ + 1U) ? (max_ - min_ + 1U) / 2U : 0U;
    for (unsigned tries = 0; tries < span; ++tries) {
      const std::uint16_t p = next_;
      next_ = static_cast<std::uint16_t>(p + 2U > max_ - 1U ? min_ : p + 2U);
      if (used_[p]) continue;
      UniqueFd a = bindUdp(host, p), b = bindUdp(host, static_cast<std::uint16_t>(p + 1U));
      if (!a || !b) continue;
      used_[p] = true;
      rtp = std::move(a);
      rtcp = std::move(b);
      return p;
    }
    return makeError("no free port pair in " + std::to_string(min_) + "-" + std::to_string(max_));
  }

  void release(std::uint16_t p) {
    std::lock_guard lock(mu_);
    if (p < used_.size()) used_[p] = false;
  }

 private:
  static UniqueFd bindUdp(const std::string& host, std::uint16_t port) {
    auto at = net::Endpoint::of(host, port);
    if (!at) return {};
    auto fd = net::bindUdp(*at);
    if (!fd) return {};
    net::setSocketBuffers(fd->get(), kSocketBuffer);
    return std::move(*fd);
  }

  std::mutex mu_;
  std::uint16_t min_, max_;
  std::vector<bool> used_;
  std::uint16_t next_;
};

// ---- calls
// ----------------------------------------------------------------------------------------

namespace {

struct Call;

// The tag a leg's socket is registered with: which call, which leg, RTP or RTCP.
struct SocketTag {
  Call* call = nullptr;
  std::uint8_t leg = 0;
  bool rtcp = false;
};

struct Leg {
  std::string tag, label;
  std::uint16_t localPort = 0;
  UniqueFd rtpFd, rtcpFd;
  SocketTag rtpTag, rtcpTag;
  net::Endpoint remoteRtp, remoteRtcp;
  bool haveRemote = false;
  bool latched = false;
  bool connected = false;  // rtpFd connect()ed to the latched source (see latchRtp)
  bool mux = false;
  std::string proto;                     // protocol of this leg's own SDP
  std::optional<CryptoAttr> peerCrypto;  // key the peer protects with (inbound)
  std::optional<CryptoAttr> ourCrypto;   // our key towards the peer (outbound)
  std::vector<CryptoAttr> ourOffer;      // what we offered to this leg (one per suite)
  std::unique_ptr<SrtpContext> inbound, outbound;
  LegStats stats;
  bool seqStarted = false;
  std::uint16_t lastSeq = 0;
};

struct Call {
  std::string callId;
  Leg legs[2];
  std::chrono::system_clock::time_point created;
  Clock::time_point lastActivity;
  bool answered = false;
};

std::string directionName(const Leg& l) { return l.inbound ? "SRTP" : "RTP"; }

}  // namespace

// A relay worker: one thread driving a net::EventLoop, whose DatagramIo (epoll or io_uring)
// carries the packets of the worker's own calls. Signalling is posted to the loop.
class Worker final : public net::DatagramHandler {
 public:
  Worker(const RelayConfig& config, RelayTotals& totals, PortAllocator& ports)
      : config_(config), totals_(totals), ports_(ports) {}

  ~Worker() override { stop(); }

  /// Starts the thread; the packet I/O is created on it (an io_uring ring is single-issuer).
  core::Result<void> start(net::PacketPath path) {
    std::promise<core::Result<void>> ready;
    auto started = ready.get_future();
    thread_ = std::thread([this, path, &ready] {
      auto io = net::DatagramIo::create(loop_, path, *this);
      if (!io) {
        ready.set_value(io.error());
        return;
      }
      io_ = std::move(*io);
      loop_.runEvery(std::chrono::milliseconds(100), [this] {
        now_ = Clock::now();
        publish();
      });
      loop_.runEvery(std::chrono::seconds(1), [this] { sweep(Clock::now()); });
      ready.set_value(core::Result<void>{});
      (void)loop_.run();
      // Stopped: the calls (sockets, keys) go with the worker's thread, before the I/O.
      publish();
      for (auto& [id, call] : calls_) releaseCall(*call);
      calls_.clear();
      io_.reset();
    });
    auto r = started.get();
    if (!r) {
      thread_.join();
      return r.error();
    }
    return {};
  }

  void stop() {
    if (!thread_.joinable()) return;
    loop_.stop();
    thread_.join();
  }

  template <class F>
  auto run(F f) -> decltype(f()) {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    auto fut = task->get_future();
    loop_.post([task] { (*task)(); });
    return fut.get();
  }

  core::Result<std::string> offer(const SignalRequest& req);
  core::Result<std::string> offerImpl(const SignalRequest& req);
  core::Result<std::string> answer(const SignalRequest& req);
  core::Result<void> remove(const std::string& callId);
  core::Result<BValue> query(const std::string& callId);
  void list(std::vector<std::string>& out, std::size_t limit) {
    for (const auto& [id, c] : calls_) {
      if (out.size() >= limit) return;
      out.push_back(id);
    }
  }
  std::size_t count() const { return calls_.size(); }
  /// Calls on this worker (any thread; for assigning new calls to the least loaded worker).
  std::size_t load() const { return load_.load(std::memory_order_relaxed); }
  /// Called on the worker's thread when a call times out (the relay forgets its owner).
  std::function<void(const std::string&)> onTimedOut;

  void onDatagram(void* tag, net::Datagram& d) override;
  void onSendFailed(unsigned n) override {
    totals_.dropped.fetch_add(n, std::memory_order_relaxed);
  }
  void onReceiveFailed(void* tag, int error) override;

 private:
  void sweep(Clock::time_point now);
  void releaseCall(Call& c) {
    totals_.calls.fetch_sub(1, std::memory_order_relaxed);
    load_.fetch_sub(1, std::memory_order_relaxed);
    for (auto& l : c.legs) {
      if (l.rtpFd) io_->remove(l.rtpFd.get());
      if (l.rtcpFd) io_->remove(l.rtcpFd.get());
      if (l.localPort) ports_.release(l.localPort);
    }
  }
  core::Result<void> ensurePorts(Call& c, std::uint8_t leg);
  void publish() {
    totals_.packets.fetch_add(fwdPackets_, std::memory_order_relaxed);
    totals_.bytes.fetch_add(fwdBytes_, std::memory_order_relaxed);
    fwdPackets_ = fwdBytes_ = 0;
  }

  const RelayConfig& config_;
  RelayTotals& totals_;
  PortAllocator& ports_;
  net::EventLoop loop_;
  std::unique_ptr<net::DatagramIo> io_;
  std::thread thread_;
  std::unordered_map<std::string, std::unique_ptr<Call>> calls_;
  Clock::time_point now_ = Clock::now();
  std::uint64_t fwdPackets_ = 0, fwdBytes_ = 0;
  std::atomic<std::size_t> load_{0};
};

core::Result<void> Worker::ensurePorts(Call& c, std::uint8_t leg) {
  Leg& l = c.legs[leg];
  if (l.localPort) return {};
  auto p = ports_.allocate(config_.interface, l.rtpFd, l.rtcpFd);
  if (!p) return p.error();
  l.localPort = *p;
  l.rtpTag = {&c, leg, false};
  l.rtcpTag = {&c, leg, true};
  if (auto r = io_->add(l.rtpFd.get(), &l.rtpTag); !r) return r.error();
  if (auto r = io_->add(l.rtcpFd.get(), &l.rtcpTag); !r) return r.error();
  return {};
}

namespace {

bool suiteAllowed(SrtpSuite s, const std::vector<std::string>& sdes) {
  const std::string name(suiteName(s));
  bool anyOnly = false, inOnly = false;
  for (const auto& o : sdes) {
    if (o == "no-" + name) return false;
    if (o.rfind("only-", 0) == 0) {
      anyOnly = true;
      if (o == "only-" + name) inOnly = true;
    }
  }
  return !anyOnly || inOnly;
}

// Media-level facts of the first active audio section.
struct PeerMedia {
  std::size_t index = 0;
  std::string address;
  std::uint16_t port = 0;
  std::uint16_t rtcpPort = 0;
  bool mux = false;
  std::string proto;
  std::vector<CryptoAttr> crypto;
};

core::Result<PeerMedia> peerMedia(const Sdp& sdp) {
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    const SdpMedia& m = sdp.media[i];
    if (m.type != "audio" || m.port == 0) continue;
    PeerMedia pm;
    pm.index = i;
    pm.address = connectionAddress(sdp, m);
    pm.port = m.port;
    pm.rtcpPort = static_cast<std::uint16_t>(m.port + 1U);
    for (const auto& v : attributes(m, "rtcp")) {
      unsigned p = 0;
      if (std::sscanf(v.c_str(), "%u", &p) == 1 && p > 0 && p < 65536)
        pm.rtcpPort = static_cast<std::uint16_t>(p);
    }
    pm.mux = hasAttribute(m, "rtcp-mux");
    pm.proto = m.proto;
    pm.crypto = supportedCrypto(m);
    if (pm.address.empty()) return makeError("SDP: no connection address for the audio stream");
    return pm;
  }
  return makeError("SDP: no active audio stream");
}

// Symmetric RTP, latched once: the RTP socket is connect()ed to the first authenticated source.
// The kernel then drops datagrams from any other source before they cost a wake-up, and sends
// on the socket use its cached route (no per-packet route lookup or IP-ID hashing).
void latchRtp(Leg& l, const sockaddr* from, socklen_t len) {
  l.remoteRtp = net::Endpoint::fromSockaddr(from, len);
  l.haveRemote = true;
  l.latched = true;
  l.connected = ::connect(l.rtpFd.get(), l.remoteRtp.addr(), l.remoteRtp.length()) == 0;
}

void unlatch(Leg& l) {
  l.latched = false;
  if (!l.connected) return;
  sockaddr any{};
  any.sa_family = AF_UNSPEC;
  (void)::connect(l.rtpFd.get(), &any, sizeof any);  // dissolve the association
  l.connected = false;
}

core::Result<void> setRemote(Leg& l, const PeerMedia& pm) {
  auto rtp = net::Endpoint::of(pm.address, pm.port);
  auto rtcp = net::Endpoint::of(pm.address, pm.mux ? pm.port : pm.rtcpPort);
  if (!rtp || !rtcp) return makeError("SDP: connection address '" + pm.address + "' is not an IP");
  if (!l.haveRemote || !(*rtp == l.remoteRtp)) unlatch(l);
  l.remoteRtp = *rtp;
  l.remoteRtcp = *rtcp;
  l.haveRemote = true;
  l.mux = pm.mux;
  return {};
}

core::Result<std::unique_ptr<SrtpContext>> contextFor(const CryptoAttr& c) {
  return SrtpContext::create(c.suite, c.key, c.salt);
}

}  // namespace

core::Result<std::string> Worker::offer(const SignalRequest& req) {
  const bool existed = calls_.count(req.callId) != 0;
  auto r = offerImpl(req);
  if (!r && !existed) {
    if (auto it = calls_.find(req.callId); it != calls_.end()) {
      releaseCall(*it->second);
      calls_.erase(it);
    }
  }
  return r;
}

core::Result<std::string> Worker::offerImpl(const SignalRequest& req) {
  auto sdp = parseSdp(req.sdp);
  if (!sdp) return sdp.error();
  auto pm = peerMedia(*sdp);
  if (!pm) return pm.error();

  auto it = calls_.find(req.callId);
  Call* call = nullptr;
  if (it == calls_.end()) {
    auto c = std::make_unique<Call>();
    c->callId = req.callId;
    c->created = std::chrono::system_clock::now();
    c->legs[0].tag = req.fromTag;
    call = c.get();
    calls_.emplace(req.callId, std::move(c));
    load_.fetch_add(1, std::memory_order_relaxed);
    totals_.calls.fetch_add(1, std::memory_order_relaxed);
    totals_.callsCreated.fetch_add(1, std::memory_order_relaxed);
  } else {
    call = it->second.get();
  }
  std::uint8_t o = 0;
  if (call->legs[0].tag == req.fromTag)
    o = 0;
  else if (call->legs[1].tag == req.fromTag)
    o = 1;
  else
    return makeError("offer: from-tag does not belong to call " + req.callId);
  const auto r = static_cast<std::uint8_t>(1 - o);
  Leg& off = call->legs[o];
  Leg& rec = call->legs[r];
  if (!req.label.empty()) off.label = req.label;
  call->lastActivity = Clock::now();

  for (std::uint8_t l : {o, r})
    if (auto p = ensurePorts(*call, l); !p) return p.error();
  if (auto s = setRemote(off, *pm); !s) return s.error();
  off.proto = pm->proto;

  // Offerer's side: which of its crypto lines the anchor accepts, and its own answer key.
  if (isSecureProto(pm->proto)) {
    const CryptoAttr* chosen = nullptr;
    for (const auto& c : pm->crypto)
      if (suiteAllowed(c.suite, req.sdes)) {
        chosen = &c;
        break;
      }
    if (chosen == nullptr) return makeError("offer: no supported SDES crypto suite offered");
    if (!off.peerCrypto || !off.peerCrypto->sameKey(*chosen) ||
        off.peerCrypto->tag != chosen->tag) {
      auto ctx = contextFor(*chosen);
      if (!ctx) return ctx.error();
      off.inbound = std::move(*ctx);
      off.peerCrypto = *chosen;
    }
    if (!off.ourCrypto || off.ourCrypto->suite != chosen->suite) {
      auto mine = generateCrypto(chosen->suite, chosen->tag);
      if (!mine) return mine.error();
      auto ctx = contextFor(*mine);
      if (!ctx) return ctx.error();
      off.outbound = std::move(*ctx);
      off.ourCrypto = std::move(*mine);
    }
    off.ourCrypto->tag = chosen->tag;
  } else {
    off.inbound.reset();
    off.outbound.reset();
    off.peerCrypto.reset();
    off.ourCrypto.reset();
  }

  // Recipient's side: protocol and our offered keys.
  std::string proto = pm->proto;
  if (req.transportProtocol) {
    proto = *req.transportProtocol;
  } else if (!isSecureProto(proto) && std::find(config_.srtpFor.begin(), config_.srtpFor.end(),
                                                off.label) != config_.srtpFor.end()) {
    proto = "RTP/SAVP";  // anchor SRTP for a leg kind that cannot do it
  }
  const bool sdesOff = std::find(req.sdes.begin(), req.sdes.end(), "off") != req.sdes.end();
  if (sdesOff && isSecureProto(proto)) return makeError("offer: SDES=off with a secure protocol");
  std::vector<CryptoAttr> offerCrypto;
  if (isSecureProto(proto)) {
    if (rec.ourOffer.empty()) {
      std::uint32_t tag = 1;
      for (auto s : {SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAesCm128HmacSha1_80,
                     SrtpSuite::kAesCm128HmacSha1_32}) {
        if (!suiteAllowed(s, req.sdes)) continue;
        auto c = generateCrypto(s, tag++);
        if (!c) return c.error();
        rec.ourOffer.push_back(std::move(*c));
      }
      if (rec.ourOffer.empty()) return makeError("offer: SDES options exclude every suite");
    }
    offerCrypto = rec.ourOffer;
  }
  // Sections other than the relayed audio stream are disabled (port 0) towards the recipient.
  SdpRewrite rw;
  rw.address = config_.interface;
  rw.replaceOrigin = true;
  rw.media.resize(sdp->media.size());
  MediaRewrite& mr = rw.media[pm->index];
  mr.port = rec.localPort;
  mr.proto = proto;
  mr.crypto = std::move(offerCrypto);
  mr.rtcpMux = req.rtcpMux;
  Sdp out = *sdp;
  for (std::size_t i = 0; i < out.media.size(); ++i)
    if (i != pm->index) out.media[i].port = 0;
  return rewriteSdp(out, rw);
}

core::Result<std::string> Worker::answer(const SignalRequest& req) {
  auto it = calls_.find(req.callId);
  if (it == calls_.end()) return makeError("Unknown call-id");
  Call& call = *it->second;
  std::uint8_t o = 0;
  if (call.legs[0].tag == req.fromTag)
    o = 0;
  else if (call.legs[1].tag == req.fromTag)
    o = 1;
  else
    return makeError("answer: unknown from-tag for call " + req.callId);
  const auto r = static_cast<std::uint8_t>(1 - o);
  Leg& off = call.legs[o];
  Leg& ans = call.legs[r];
  if (ans.tag.empty())
    ans.tag = req.toTag;
  else if (!req.toTag.empty() && ans.tag != req.toTag)
    return makeError("answer: to-tag does not match the call's other party");
  if (!req.label.empty()) ans.label = req.label;
  auto sdp = parseSdp(req.sdp);
  if (!sdp) return sdp.error();
  auto pm = peerMedia(*sdp);
  if (!pm) return pm.error();
  if (auto s = setRemote(ans, *pm); !s) return s.error();
  ans.proto = pm->proto;
  call.lastActivity = Clock::now();
  call.answered = true;

  if (isSecureProto(pm->proto)) {
    if (pm->crypto.empty()) return makeError("answer: secure profile without a supported a=crypto");
    const CryptoAttr& theirs = pm->crypto.front();
    const CryptoAttr* ours = nullptr;
    for (const auto& c : ans.ourOffer)
      if (c.tag == theirs.tag && c.suite == theirs.suite) ours = &c;
    if (ours == nullptr) return makeError("answer: a=crypto tag/suite was not offered");
    if (!ans.peerCrypto || !ans.peerCrypto->sameKey(theirs)) {
      auto ctx = contextFor(theirs);
      if (!ctx) return ctx.error();
      ans.inbound = std::move(*ctx);
      ans.peerCrypto = theirs;
    }
    if (!ans.ourCrypto || !ans.ourCrypto->sameKey(*ours)) {
      auto ctx = contextFor(*ours);
      if (!ctx) return ctx.error();
      ans.outbound = std::move(*ctx);
      ans.ourCrypto = *ours;
    }
  } else {
    ans.inbound.reset();
    ans.outbound.reset();
    ans.peerCrypto.reset();
    ans.ourCrypto.reset();
  }

  SdpRewrite rw;
  rw.address = config_.interface;
  rw.replaceOrigin = true;
  for (std::size_t i = 0; i < sdp->media.size(); ++i) {
    if (i != pm->index) {
      rw.media.push_back(MediaRewrite{});
      continue;
    }
    MediaRewrite mr;
    mr.port = off.localPort;
    mr.proto = off.proto.empty() ? pm->proto : off.proto;
    if (isSecureProto(mr.proto) && off.ourCrypto) mr.crypto.push_back(*off.ourCrypto);
    mr.rtcpMux = off.mux ? RtcpMuxMode::kOffer : RtcpMuxMode::kRemove;
    rw.media.push_back(std::move(mr));
  }
  Sdp out = *sdp;
  for (std::size_t i = 0; i < out.media.size(); ++i)
    if (i != pm->index) out.media[i].port = 0;
  return rewriteSdp(out, rw);
}

core::Result<void> Worker::remove(const std::string& callId) {
  auto it = calls_.find(callId);
  if (it == calls_.end()) return makeError("Unknown call-id");
  releaseCall(*it->second);
  calls_.erase(it);  // closes sockets (epoll forgets them), wipes SRTP keys
  return {};
}

core::Result<BValue> Worker::query(const std::string& callId) {
  auto it = calls_.find(callId);
  if (it == calls_.end()) return makeError("Unknown call-id");
  const Call& c = *it->second;
  BValue::Dict tags;
  BValue::Dict totalsRtp;
  std::uint64_t packets = 0, bytes = 0, errors = 0;
  for (const Leg& l : c.legs) {
    BValue::Dict s;
    s["packets"] = static_cast<std::int64_t>(l.stats.packetsIn);
    s["bytes"] = static_cast<std::int64_t>(l.stats.bytesIn);
    s["packets-out"] = static_cast<std::int64_t>(l.stats.packetsOut);
    s["bytes-out"] = static_cast<std::int64_t>(l.stats.bytesOut);
    s["auth-failures"] = static_cast<std::int64_t>(l.stats.authFailures);
    s["replays"] = static_cast<std::int64_t>(l.stats.replays);
    s["losses"] = static_cast<std::int64_t>(l.stats.losses);
    s["dropped"] = static_cast<std::int64_t>(l.stats.dropped);
    s["protocol"] = directionName(l);
    s["local-port"] = static_cast<std::int64_t>(l.localPort);
    if (!l.label.empty()) s["label"] = l.label;
    tags[l.tag.empty() ? std::string("(pending)") : l.tag] = BValue(std::move(s));
    packets += l.stats.packetsIn;
    bytes += l.stats.bytesIn;
    errors += l.stats.authFailures + l.stats.replays + l.stats.dropped;
  }
  totalsRtp["packets"] = static_cast<std::int64_t>(packets);
  totalsRtp["bytes"] = static_cast<std::int64_t>(bytes);
  totalsRtp["errors"] = static_cast<std::int64_t>(errors);
  BValue::Dict totals;
  totals["RTP"] = BValue(std::move(totalsRtp));
  BValue::Dict out;
  out["created"] = static_cast<std::int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(c.created.time_since_epoch()).count());
  out["tags"] = BValue(std::move(tags));
  out["totals"] = BValue(std::move(totals));
  return BValue(std::move(out));
}

void Worker::sweep(Clock::time_point now) {
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (now - it->second->lastActivity > config_.silentTimeout) {
      releaseCall(*it->second);
      if (onTimedOut) onTimedOut(it->first);
      it = calls_.erase(it);
      totals_.callsTimedOut.fetch_add(1, std::memory_order_relaxed);
    } else {
      ++it;
    }
  }
}

void Worker::onDatagram(void* tag, net::Datagram& d) {
  const SocketTag& ep = *static_cast<const SocketTag*>(tag);
  Call& call = *ep.call;
  Leg& src = call.legs[ep.leg];
  Leg& dst = call.legs[1 - ep.leg];
  std::uint8_t* buf = d.data;
  std::size_t len = d.len;
  src.stats.packetsIn++;
  src.stats.bytesIn += len;
  const bool rtcp = ep.rtcp || looksLikeRtcp(buf, len);
  // 1. authenticate / decrypt what arrives from an SRTP leg
  if (src.inbound) {
    const SrtpStatus st =
        rtcp ? src.inbound->unprotectRtcp(buf, len) : src.inbound->unprotectRtp(buf, len);
    if (st != SrtpStatus::kOk) {
      if (st == SrtpStatus::kAuthFailed) {
        src.stats.authFailures++;
        totals_.authFailures.fetch_add(1, std::memory_order_relaxed);
      } else if (st == SrtpStatus::kReplayed) {
        src.stats.replays++;
        totals_.replays.fetch_add(1, std::memory_order_relaxed);
      } else {
        src.stats.dropped++;
        totals_.dropped.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
  } else if (!rtcp ? !parseRtpHeader(buf, len) : !parseRtcpHeader(buf, len)) {
    src.stats.dropped++;
    totals_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!rtcp) {
    const std::uint16_t seq = loadBe16(buf + 2);
    if (src.seqStarted) {
      const auto gap = static_cast<std::uint16_t>(seq - src.lastSeq);
      if (gap > 1 && gap < 0x8000) {
        src.stats.losses += gap - 1U;
        totals_.losses.fetch_add(gap - 1U, std::memory_order_relaxed);
      }
      if (gap != 0 && gap < 0x8000) src.lastSeq = seq;
    } else {
      src.seqStarted = true;
      src.lastSeq = seq;
    }
  }
  // 2. symmetric RTP: latch onto the authenticated source once
  if (!src.latched) {
    if (!rtcp) {
      latchRtp(src, d.from, d.fromLen);
    } else {
      const auto from = net::Endpoint::fromSockaddr(d.from, d.fromLen);
      if (!src.mux)
        src.remoteRtcp = from;
      else
        src.remoteRtp = from;
      src.haveRemote = true;
    }
  }
  call.lastActivity = now_;
  if (!dst.haveRemote) {
    src.stats.dropped++;
    totals_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // 3. encrypt towards an SRTP leg
  if (dst.outbound) {
    const SrtpStatus st = rtcp ? dst.outbound->protectRtcp(buf, len, d.capacity)
                               : dst.outbound->protectRtp(buf, len, d.capacity);
    if (st != SrtpStatus::kOk) {
      dst.stats.dropped++;
      totals_.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  d.len = len;
  const bool viaRtcpSocket = rtcp && !dst.mux;
  const int sendFd = viaRtcpSocket ? dst.rtcpFd.get() : dst.rtpFd.get();
  if (!viaRtcpSocket && dst.connected) {  // connected: the kernel knows the destination
    io_->send(d, sendFd, nullptr, 0);
  } else {
    const net::Endpoint& to = viaRtcpSocket ? dst.remoteRtcp : dst.remoteRtp;
    io_->send(d, sendFd, to.addr(), to.length());
  }
  dst.stats.packetsOut++;
  dst.stats.bytesOut += len;
  ++fwdPackets_;  // published every 100 ms: no shared cache line written per packet
  fwdBytes_ += len;
}

void Worker::onReceiveFailed(void* tag, int error) {
  const SocketTag& ep = *static_cast<const SocketTag*>(tag);
  core::logger("media")->error("call {}: the {} socket of leg {} can no longer receive: {}",
                               ep.call->callId, ep.rtcp ? "RTCP" : "RTP", ep.leg,
                               std::strerror(error));
}

// ---- Relay --------------------------------------------------------------------------------------

Relay::Relay(const RelayConfig& config)
    : config_(config), totals_(std::make_unique<RelayTotals>()) {}

Relay::~Relay() {
  for (auto& w : workers_) w->stop();
}

core::Result<std::unique_ptr<Relay>> Relay::create(const RelayConfig& config) {
  if (config.portMin == 0 || config.portMax <= config.portMin + 1)
    return makeError("media: port range must hold at least one even/odd pair");
  if (config.threads > 64) return makeError("media: num-threads must be 0 (one per core) .. 64");
  if (!net::Endpoint::of(config.interface, 0))
    return makeError("media: interface '" + config.interface + "' is not an IP address");
  auto path = net::choosePacketPath(config.packetPath);
  if (!path) return core::withContext("media: ", path.error());
  std::unique_ptr<Relay> r(new Relay(config));
  r->path_ = *path;
  core::logger("media")->info("packet path: {}", path->reason);
  r->ports_ = std::make_unique<PortAllocator>(config.portMin, config.portMax);
  if (r->config_.threads == 0)
    r->config_.threads = std::clamp(std::thread::hardware_concurrency(), 1U, 64U);
  for (unsigned i = 0; i < r->config_.threads; ++i) {
    auto w = std::make_unique<Worker>(r->config_, *r->totals_, *r->ports_);
    w->onTimedOut = [rp = r.get()](const std::string& id) { rp->forget(id); };
    if (auto s = w->start(r->path_.path); !s) return s.error();
    r->workers_.push_back(std::move(w));
  }
  return r;
}

Worker* Relay::ownerOf(const std::string& callId) {
  std::lock_guard lock(ownersMu_);
  auto it = owners_.find(callId);
  return it == owners_.end() ? nullptr : workers_[it->second].get();
}

void Relay::forget(const std::string& callId) {
  std::lock_guard lock(ownersMu_);
  owners_.erase(callId);
}

std::optional<unsigned> Relay::workerOf(const std::string& callId) {
  std::lock_guard lock(ownersMu_);
  auto it = owners_.find(callId);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

core::Result<std::string> Relay::offer(const SignalRequest& req) {
  if (req.callId.empty() || req.fromTag.empty())
    return makeError("offer: call-id and from-tag are required");
  // A new call goes to the worker with the fewest calls, decided here, once, at offer time.
  unsigned index = 0;
  bool fresh = false;
  {
    std::lock_guard lock(ownersMu_);
    if (auto it = owners_.find(req.callId); it != owners_.end()) {
      index = it->second;
    } else {
      for (unsigned i = 1; i < workers_.size(); ++i)
        if (workers_[i]->load() < workers_[index]->load()) index = i;
      owners_.emplace(req.callId, index);
      fresh = true;
    }
  }
  Worker& w = *workers_[index];
  auto r = w.run([&w, &req] { return w.offer(req); });
  if (!r && fresh) forget(req.callId);  // a failed first offer leaves no call behind
  return r;
}

core::Result<std::string> Relay::answer(const SignalRequest& req) {
  if (req.callId.empty() || req.fromTag.empty())
    return makeError("answer: call-id and from-tag are required");
  Worker* w = ownerOf(req.callId);
  if (w == nullptr) return makeError("Unknown call-id");
  return w->run([w, &req] { return w->answer(req); });
}

core::Result<void> Relay::remove(const std::string& callId) {
  Worker* w = ownerOf(callId);
  if (w == nullptr) return makeError("Unknown call-id");
  auto r = w->run([w, &callId] { return w->remove(callId); });
  forget(callId);
  return r;
}

core::Result<BValue> Relay::query(const std::string& callId) {
  Worker* w = ownerOf(callId);
  if (w == nullptr) return makeError("Unknown call-id");
  return w->run([w, &callId] { return w->query(callId); });
}

std::vector<std::string> Relay::listCalls(std::size_t limit) {
  std::vector<std::string> out;
  for (auto& w : workers_) {
    Worker& wk = *w;
    wk.run([&wk, &out, limit] { wk.list(out, limit); });
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t Relay::callCount() {
  std::size_t n = 0;
  for (auto& w : workers_) {
    Worker& wk = *w;
    n += wk.run([&wk] { return wk.count(); });
  }
  return n;
}

void Relay::metrics(net::PromWriter& w) const {
  const RelayTotals& t = *totals_;
  using net::MetricType;
  w.family("ccsec_media_calls", MetricType::kGauge, "Calls currently anchored.")
      .sample("ccsec_media_calls", {}, t.calls.load());
  w.single("ccsec_media_calls_created_total", MetricType::kCounter, "Calls created by offers.",
           t.callsCreated.load());
  w.single("ccsec_media_calls_timed_out_total", MetricType::kCounter,
           "Calls removed by the silence timeout.", t.callsTimedOut.load());
  w.single("ccsec_media_packets_forwarded_total", MetricType::kCounter,
           "RTP/RTCP packets forwarded.", t.packets.load());
  w.single("ccsec_media_bytes_forwarded_total", MetricType::kCounter, "Bytes forwarded (as sent).",
           t.bytes.load());
  w.single("ccsec_media_srtp_auth_failures_total", MetricType::kCounter,
           "SRTP/SRTCP packets dropped for a bad authentication tag.", t.authFailures.load());
  w.single("ccsec_media_srtp_replays_total", MetricType::kCounter, "SRTP/SRTCP replays dropped.",
           t.replays.load());
  w.single("ccsec_media_packets_dropped_total", MetricType::kCounter,
           "Packets dropped (malformed, no destination yet, send failure).", t.dropped.load());
  w.single("ccsec_media_rtp_losses_total", MetricType::kCounter, "RTP sequence gaps seen on input.",
           t.losses.load());
}

}  // namespace ccsec::media
