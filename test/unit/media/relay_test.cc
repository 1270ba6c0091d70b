// ccsec media end to end on loopback: ng offer/answer over UDP as Kamailio sends them, real
// SRTP from a caller (protected by libsrtp) bridged to plain RTP towards a callee and back,
// replays and tampering dropped and counted, hold/resume and re-keying, RTCP, delete, timeout.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "common/port_block.h"
#include "common/udp_peer.h"
#include "libsrtp_oracle.h"
#include "media/bencode.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/server.h"

namespace ccsec::media {
namespace {

using Udp = testing::UdpPeer;

// Fixed ports are never shared with another test process that ctest runs at the same time (see
// port_block.h): the anchors take blocks of 35000-35999, this process's peers one of 36000-36999.
constexpr std::uint16_t kAnchorPorts = 35000, kPeerPorts = 36000;
constexpr unsigned kBlock = 100, kBlocks = 10;

const testing::PortBlock& peerPorts() {
  static const testing::PortBlock block(kPeerPorts, kBlock, kBlocks);
  return block;
}

/// An RTP endpoint with an even RTP port and the RTCP port above it.
struct Peer {
  std::unique_ptr<Udp> rtp, rtcp;
  Peer() {
    const testing::PortBlock& ports = peerPorts();
    EXPECT_TRUE(ports.ok()) << "no block of peer ports free";
    for (std::uint16_t p = ports.first(); ports.ok() && p < ports.last();
         p = static_cast<std::uint16_t>(p + 2)) {
      rtp = std::make_unique<Udp>(p);
      rtcp = std::make_unique<Udp>(static_cast<std::uint16_t>(p + 1));
      if (rtp->ok() && rtcp->ok()) return;
    }
    ADD_FAILURE() << "no free port pair for a test peer";
  }
};

/// The packet paths every relay test runs on; io_uring only where this kernel allows it (the
/// epoll fallback is tested everywhere).
std::vector<net::PacketPath> packetPaths() {
  std::vector<net::PacketPath> paths{net::PacketPath::kEpoll};
  if (net::choosePacketPath(net::PacketPath::kUring).ok()) paths.push_back(net::PacketPath::kUring);
  return paths;
}

std::string pathName(net::PacketPath p) { return p == net::PacketPath::kUring ? "uring" : "epoll"; }

class Anchor {
 public:
  explicit Anchor(net::PacketPath path, std::chrono::seconds timeout = std::chrono::seconds(60),
                  unsigned threads = 2)
      : ports_(kAnchorPorts, kBlock, kBlocks) {
    EXPECT_TRUE(ports_.ok()) << "no block of anchor ports free";
    ServerConfig cfg;
    cfg.relay.packetPath = path;
    cfg.ngPort = 0;
    cfg.relay.portMin = ports_.first();
    cfg.relay.portMax = ports_.last();
    cfg.relay.threads = threads;
    cfg.relay.silentTimeout = timeout;
    cfg.relay.srtpFor = {"mobile-agent"};
    auto s = MediaServer::create(cfg);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    server_ = std::move(*s);
    EXPECT_EQ(server_->relay().packetPath().path, path);
    thread_ = std::thread([this] { server_->run(stop_); });
  }
  ~Anchor() {
    stop_.store(true);
    thread_.join();
  }
  BValue ng(const BValue& req) { return ng(req, "c" + std::to_string(++seq_)); }
  BValue ng(const BValue& req, const std::string& cookie) {
    client_.sendTo(server_->ngPort(), cookie + " " + bencode(req));
    auto r = client_.recv(3000);
    std::string s(r.begin(), r.end());
    EXPECT_EQ(s.rfind(cookie + " ", 0), 0U) << s;
    auto v = bdecode(s.substr(cookie.size() + 1));
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : BValue();
  }
  MediaServer& server() { return *server_; }
  /// The anchor's media port range (its own: no other anchor, here or in another process, binds
  /// these while this one lives).
  const testing::PortBlock& ports() const { return ports_; }

 private:
  testing::PortBlock ports_;
  std::unique_ptr<MediaServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Udp client_;
  int seq_ = 0;
};

std::string callerSdp(std::uint16_t port, const std::string& cryptoLine,
                      const char* dir = "sendrecv") {
  return "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " +
         std::to_string(port) +
         " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=ice-ufrag:x\r\na=candidate:1 1 udp 1 10.9.9.9 4 typ host\r\na=" +
         cryptoLine + "\r\na=" + dir + "\r\n";
}

std::string calleeSdp(std::uint16_t port, const char* dir = "sendrecv") {
  return "v=0\r\no=callee 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " +
         std::to_string(port) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + dir + "\r\n";
}

BValue offerReq(const std::string& callId, const std::string& sdp) {
  BValue::Dict d;
  d["command"] = "offer";
  d["call-id"] = callId;
  d["from-tag"] = "caller-tag";
  d["via-branch"] = "z9hG4bK1";
  d["sdp"] = sdp;
  d["transport-protocol"] = "RTP/AVP";
  d["ICE"] = "remove";
  d["replace"] = BValue(BValue::List{"origin", "session-connection"});
  d["flags"] = BValue(BValue::List{"trust-address"});
  return BValue(std::move(d));
}

BValue answerReq(const std::string& callId, const std::string& sdp) {
  BValue::Dict d;
  d["command"] = "answer";
  d["call-id"] = callId;
  d["from-tag"] = "caller-tag";
  d["to-tag"] = "callee-tag";
  d["sdp"] = sdp;
  d["ICE"] = "remove";
  d["replace"] = BValue(BValue::List{"origin", "session-connection"});
  return BValue(std::move(d));
}

std::vector<std::uint8_t> rtp(std::uint32_t ssrc, std::uint16_t seq, std::uint8_t fill) {
  std::vector<std::uint8_t> p(172 + 64, 0);
  p[0] = 0x80;
  storeBe16(p.data() + 2, seq);
  storeBe32(p.data() + 4, seq * 160U);
  storeBe32(p.data() + 8, ssrc);
  for (std::size_t i = 12; i < 172; ++i) p[i] = static_cast<std::uint8_t>(fill + i);
  return p;
}

std::uint16_t mediaPort(const std::string& sdp) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(sdp, m, std::regex("m=audio (\\d+) ")));
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

std::int64_t stat(const BValue& q, const std::string& tag, const std::string& key) {
  const BValue* tags = q.find("tags");
  const BValue* t = tags ? tags->find(tag) : nullptr;
  const BValue* v = t ? t->find(key) : nullptr;
  return v && v->isInteger() ? v->integer() : -1;
}

class RelayE2E : public ::testing::TestWithParam<std::tuple<SrtpSuite, net::PacketPath>> {};

TEST_P(RelayE2E, SrtpCallerPlainCalleeBothWays) {
  const SrtpSuite suite = std::get<0>(GetParam());
  Anchor anchor(std::get<1>(GetParam()));
  Peer caller, callee;
  auto callerKey = generateCrypto(suite, 1);
  ASSERT_TRUE(callerKey.ok());
  std::vector<std::uint8_t> callerKeySalt = callerKey->key;
  callerKeySalt.insert(callerKeySalt.end(), callerKey->salt.begin(), callerKey->salt.end());

  // offer: caller SRTP -> callee plain
  BValue off =
      anchor.ng(offerReq("call-1", callerSdp(caller.rtp->port(), formatCrypto(*callerKey))));
  ASSERT_EQ(off.getString("result"), "ok") << off.getString("error-reason");
  const std::string toCallee(off.getString("sdp"));
  EXPECT_NE(toCallee.find(" RTP/AVP 0"), std::string::npos) << toCallee;
  EXPECT_EQ(toCallee.find("a=crypto"), std::string::npos);
  EXPECT_EQ(toCallee.find("candidate"), std::string::npos);
  EXPECT_EQ(toCallee.find("ice-ufrag"), std::string::npos);
  const std::uint16_t anchorToCallee = mediaPort(toCallee);

  BValue ans = anchor.ng(answerReq("call-1", calleeSdp(callee.rtp->port())));
  ASSERT_EQ(ans.getString("result"), "ok") << ans.getString("error-reason");
  const std::string toCaller(ans.getString("sdp"));
  auto sdp = parseSdp(toCaller);
  ASSERT_TRUE(sdp.ok());
  ASSERT_EQ(sdp->media[0].proto, "RTP/SAVP");
  auto anchorCrypto = supportedCrypto(sdp->media[0]);
  ASSERT_EQ(anchorCrypto.size(), 1U);
  EXPECT_EQ(anchorCrypto[0].suite, suite);
  EXPECT_EQ(anchorCrypto[0].tag, 1U);
  const std::uint16_t anchorToCaller = sdp->media[0].port;
  std::vector<std::uint8_t> anchorKeySalt = anchorCrypto[0].key;
  anchorKeySalt.insert(anchorKeySalt.end(), anchorCrypto[0].salt.begin(),
                       anchorCrypto[0].salt.end());

  Libsrtp callerTx(suite, true, callerKeySalt);
  Libsrtp callerRx(suite, false, anchorKeySalt);

  // caller -> anchor (SRTP) -> callee (plain), starting just before a sequence wrap
  std::vector<std::uint8_t> replay;
  std::size_t replayLen = 0;
  for (int i = 0; i < 40; ++i) {
    const auto seq = static_cast<std::uint16_t>(65520 + i);
    auto p = rtp(0xAAAA0001, seq, static_cast<std::uint8_t>(i));
    const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
    std::size_t len = 172;
    ASSERT_EQ(callerTx.protect(p, len), srtp_err_status_ok);
    if (i == 5) {
      replay = p;
      replayLen = len;
    }
    caller.rtp->sendTo(anchorToCaller, p.data(), len);
    auto got = callee.rtp->recv();
    ASSERT_EQ(got, plain) << "packet " << i << " not delivered in clear to the callee";
  }
  // callee -> anchor (plain) -> caller (SRTP); the libsrtp oracle decrypts it
  for (int i = 0; i < 40; ++i) {
    auto p =
        rtp(0xBBBB0002, static_cast<std::uint16_t>(1000 + i), static_cast<std::uint8_t>(3 * i));
    const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
    callee.rtp->sendTo(anchorToCallee, p.data(), 172);
    auto got = caller.rtp->recv();
    ASSERT_EQ(got.size(), 172 + suiteParams(suite).rtpTagLength) << "packet " << i;
    EXPECT_NE(0, std::memcmp(got.data() + 12, plain.data() + 12, 160));  // encrypted on the wire
    std::size_t len = got.size();
    got.resize(len + 64);
    ASSERT_EQ(callerRx.unprotect(got, len), srtp_err_status_ok) << "packet " << i;
    got.resize(len);
    EXPECT_EQ(got, plain);
  }
  // latched and connected: plain RTP injected into the callee-facing port from another source
  // never reaches the caller (the kernel drops it before the relay sees it)
  {
    Udp injector;
    auto p = rtp(0xBBBB0002, 2000, 1);
    injector.sendTo(anchorToCallee, p.data(), 172);
    EXPECT_TRUE(caller.rtp->recv(300).empty()) << "injected packet relayed after latching";
  }
  // replayed and tampered SRTP from the caller side never reach the callee
  caller.rtp->sendTo(anchorToCaller, replay.data(), replayLen);
  auto tampered = rtp(0xAAAA0001, 30, 1);
  std::size_t tlen = 172;
  ASSERT_EQ(callerTx.protect(tampered, tlen), srtp_err_status_ok);
  tampered[50] ^= 0x20;
  caller.rtp->sendTo(anchorToCaller, tampered.data(), tlen);
  EXPECT_TRUE(callee.rtp->recv(300).empty());

  // SRTCP from the caller arrives as plain RTCP on the callee's RTCP port
  std::vector<std::uint8_t> sr(28 + 64, 0);
  sr[0] = 0x80;
  sr[1] = 200;
  storeBe16(sr.data() + 2, 6);
  storeBe32(sr.data() + 4, 0xAAAA0001);
  sr[20] = 0x5a;
  const std::vector<std::uint8_t> srPlain(sr.begin(), sr.begin() + 28);
  std::size_t srLen = 28;
  ASSERT_EQ(callerTx.protectRtcp(sr, srLen), srtp_err_status_ok);
  caller.rtcp->sendTo(static_cast<std::uint16_t>(anchorToCaller + 1), sr.data(), srLen);
  EXPECT_EQ(callee.rtcp->recv(), srPlain);

  BValue q = anchor.ng(BValue(BValue::Dict{{"command", "query"}, {"call-id", "call-1"}}));
  ASSERT_EQ(q.getString("result"), "ok");
  EXPECT_EQ(stat(q, "caller-tag", "replays"), 1);
  EXPECT_EQ(stat(q, "caller-tag", "auth-failures"), 1);
  EXPECT_EQ(stat(q, "caller-tag", "packets"), 43);
  EXPECT_EQ(stat(q, "callee-tag", "packets-out"), 41);
  EXPECT_EQ(stat(q, "callee-tag", "packets"), 40);
  EXPECT_EQ(stat(q, "caller-tag", "packets-out"), 40);
  const std::string metrics = anchor.server().metrics();
  EXPECT_NE(metrics.find("ccsec_media_srtp_replays_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ccsec_media_srtp_auth_failures_total 1\n"), std::string::npos);

  // hold (re-INVITE with sendonly, same crypto) and resume keep ports and keys; audio continues
  BValue hold = anchor.ng(
      offerReq("call-1", callerSdp(caller.rtp->port(), formatCrypto(*callerKey), "sendonly")));
  ASSERT_EQ(hold.getString("result"), "ok");
  EXPECT_EQ(mediaPort(std::string(hold.getString("sdp"))), anchorToCallee);
  EXPECT_NE(std::string(hold.getString("sdp")).find("a=sendonly"), std::string::npos);
  BValue holdAns = anchor.ng(answerReq("call-1", calleeSdp(callee.rtp->port(), "recvonly")));
  ASSERT_EQ(holdAns.getString("result"), "ok");
  BValue resume =
      anchor.ng(offerReq("call-1", callerSdp(caller.rtp->port(), formatCrypto(*callerKey))));
  ASSERT_EQ(resume.getString("result"), "ok");
  BValue resumeAns = anchor.ng(answerReq("call-1", calleeSdp(callee.rtp->port())));
  auto rsdp = parseSdp(std::string(resumeAns.getString("sdp")));
  ASSERT_TRUE(rsdp.ok());
  EXPECT_EQ(rsdp->media[0].port, anchorToCaller);
  auto rc = supportedCrypto(rsdp->media[0]);
  ASSERT_EQ(rc.size(), 1U);
  EXPECT_TRUE(rc[0].sameKey(anchorCrypto[0])) << "anchor re-keyed on an unchanged re-offer";
  for (int i = 40; i < 45; ++i) {
    auto p = rtp(0xAAAA0001, static_cast<std::uint16_t>(65520 + i), 9);
    const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
    std::size_t len = 172;
    ASSERT_EQ(callerTx.protect(p, len), srtp_err_status_ok);
    caller.rtp->sendTo(anchorToCaller, p.data(), len);
    EXPECT_EQ(callee.rtp->recv(), plain) << "audio lost after resume";
  }
  // the caller re-keys (new a=crypto): the anchor accepts the new key
  auto newKey = generateCrypto(suite, 1);
  std::vector<std::uint8_t> newKeySalt = newKey->key;
  newKeySalt.insert(newKeySalt.end(), newKey->salt.begin(), newKey->salt.end());
  BValue rekey =
      anchor.ng(offerReq("call-1", callerSdp(caller.rtp->port(), formatCrypto(*newKey))));
  ASSERT_EQ(rekey.getString("result"), "ok");
  Libsrtp callerTx2(suite, true, newKeySalt);
  auto p = rtp(0xAAAA0001, 100, 7);
  const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
  std::size_t len = 172;
  ASSERT_EQ(callerTx2.protect(p, len), srtp_err_status_ok);
  caller.rtp->sendTo(anchorToCaller, p.data(), len);
  EXPECT_EQ(callee.rtp->recv(), plain);

  BValue del = anchor.ng(BValue(BValue::Dict{{"command", "delete"}, {"call-id", "call-1"}}));
  EXPECT_EQ(del.getString("result"), "ok");
  BValue gone = anchor.ng(BValue(BValue::Dict{{"command", "query"}, {"call-id", "call-1"}}));
  EXPECT_EQ(gone.getString("result"), "error");
}

INSTANTIATE_TEST_SUITE_P(AllSuites, RelayE2E,
                         ::testing::Combine(::testing::Values(SrtpSuite::kAesCm128HmacSha1_80,
                                                              SrtpSuite::kAesCm128HmacSha1_32,
                                                              SrtpSuite::kAeadAes128Gcm),
                                            ::testing::ValuesIn(packetPaths())),
                         [](const auto& pinfo) {
                           std::string suite = "x";
                           switch (std::get<0>(pinfo.param)) {
                             case SrtpSuite::kAesCm128HmacSha1_80:
                               suite = "CM80";
                               break;
                             case SrtpSuite::kAesCm128HmacSha1_32:
                               suite = "CM32";
                               break;
                             case SrtpSuite::kAeadAes128Gcm:
                               suite = "GCM";
                               break;
                           }
                           return suite + "_" + pathName(std::get<1>(pinfo.param));
                         });

class RelayNg : public ::testing::TestWithParam<net::PacketPath> {};

INSTANTIATE_TEST_SUITE_P(Paths, RelayNg, ::testing::ValuesIn(packetPaths()),
                         [](const auto& pinfo) { return pathName(pinfo.param); });

TEST_P(RelayNg, PingListStatisticsAndErrors) {
  Anchor anchor(GetParam());
  EXPECT_EQ(anchor.ng(BValue(BValue::Dict{{"command", "ping"}})).getString("result"), "pong");
  BValue bad = anchor.ng(BValue(BValue::Dict{
      {"command", "answer"}, {"call-id", "nope"}, {"from-tag", "x"}, {"sdp", "v=0\r\n"}}));
  EXPECT_EQ(bad.getString("result"), "error");
  EXPECT_EQ(bad.getString("error-reason"), "Unknown call-id");
  BValue noCrypto =
      anchor.ng(offerReq("c2", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 0\r\n"));
  EXPECT_EQ(noCrypto.getString("result"), "error");
  Peer p;
  auto key = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 1);
  BValue ok = anchor.ng(offerReq("c3", callerSdp(p.rtp->port(), formatCrypto(*key))));
  EXPECT_EQ(ok.getString("result"), "ok");
  BValue list = anchor.ng(BValue(BValue::Dict{{"command", "list"}}));
  ASSERT_NE(list.find("calls"), nullptr);
  EXPECT_GE(list.find("calls")->list().size(), 1U);
  BValue st = anchor.ng(BValue(BValue::Dict{{"command", "statistics"}}));
  EXPECT_EQ(st.getString("result"), "ok");
  EXPECT_NE(st.find("statistics"), nullptr);
  // a plain offer from a leg kind in srtp_for is anchored as SRTP towards the other side
  BValue::Dict d;
  d["command"] = "offer";
  d["call-id"] = "c4";
  d["from-tag"] = "m1";
  d["label"] = "mobile-agent";
  d["sdp"] = calleeSdp(p.rtp->port());
  BValue mob = anchor.ng(BValue(std::move(d)));
  ASSERT_EQ(mob.getString("result"), "ok");
  const std::string s(mob.getString("sdp"));
  EXPECT_NE(s.find("RTP/SAVP"), std::string::npos);
  // offer order: GCM first, then CM-80, then CM-32
  const auto g = s.find("a=crypto:1 AEAD_AES_128_GCM");
  const auto c80 = s.find("a=crypto:2 AES_CM_128_HMAC_SHA1_80");
  const auto c32 = s.find("a=crypto:3 AES_CM_128_HMAC_SHA1_32");
  EXPECT_TRUE(g != std::string::npos && c80 != std::string::npos && c32 != std::string::npos &&
              g < c80 && c80 < c32)
      << s;
  // a retransmitted datagram (same cookie) gets the cached reply and no second call
  BValue first = anchor.ng(offerReq("c5", callerSdp(p.rtp->port(), formatCrypto(*key))), "retx");
  BValue again = anchor.ng(offerReq("c5", callerSdp(p.rtp->port(), formatCrypto(*key))), "retx");
  EXPECT_EQ(bencode(first), bencode(again));
  EXPECT_EQ(anchor.server().relay().callCount(), 3U);  // c3, c4, c5; the failed c2 left nothing
}

TEST_P(RelayNg, SilentCallsTimeOut) {
  Anchor anchor(GetParam(), std::chrono::seconds(1));
  Peer p;
  auto key = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 1);
  ASSERT_EQ(anchor.ng(offerReq("quiet", callerSdp(p.rtp->port(), formatCrypto(*key))))
                .getString("result"),
            "ok");
  EXPECT_EQ(anchor.server().relay().callCount(), 1U);
  for (int i = 0; i < 40 && anchor.server().relay().callCount() != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(anchor.server().relay().callCount(), 0U);
  EXPECT_EQ(anchor.server().relay().totals().callsTimedOut.load(), 1U);
}

// Calls are spread over the workers at offer time; each relays on its own worker, a delete from
// the control thread tears down exactly its call, and the relay's destruction stops every worker
// with calls still live.
TEST_P(RelayNg, CallsOnDifferentWorkersRelayAndTearDown) {
  constexpr int kCalls = 8;
  auto anchor = std::make_unique<Anchor>(GetParam(), std::chrono::seconds(60), 4);
  Relay& relay = anchor->server().relay();
  ASSERT_EQ(relay.workerCount(), 4U);
  struct C {
    std::string id;
    Peer a, b;
    std::uint16_t toA = 0, toB = 0;  // anchor ports facing a and b
  };
  std::vector<std::unique_ptr<C>> calls;
  std::set<unsigned> workers;
  for (int i = 0; i < kCalls; ++i) {
    auto c = std::make_unique<C>();
    c->id = "spread-" + std::to_string(i);
    BValue::Dict o;
    o["command"] = "offer";
    o["call-id"] = c->id;
    o["from-tag"] = "caller-tag";
    o["sdp"] = calleeSdp(c->a.rtp->port());
    BValue off = anchor->ng(BValue(std::move(o)));
    ASSERT_EQ(off.getString("result"), "ok") << off.getString("error-reason");
    c->toB = mediaPort(std::string(off.getString("sdp")));
    BValue ans = anchor->ng(answerReq(c->id, calleeSdp(c->b.rtp->port())));
    ASSERT_EQ(ans.getString("result"), "ok") << ans.getString("error-reason");
    c->toA = mediaPort(std::string(ans.getString("sdp")));
    auto w = relay.workerOf(c->id);
    ASSERT_TRUE(w.has_value());
    workers.insert(*w);
    calls.push_back(std::move(c));
  }
  EXPECT_EQ(workers.size(), 4U) << "8 calls on 4 workers should use every worker";
  auto relays = [](C& c, std::uint16_t seq) {
    auto p = rtp(0x1000U + seq, seq, 3);
    const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
    c.a.rtp->sendTo(c.toA, p.data(), 172);
    const bool ab = c.b.rtp->recv(1000) == plain;
    c.b.rtp->sendTo(c.toB, p.data(), 172);
    const bool ba = c.a.rtp->recv(1000) == plain;
    return ab && ba;
  };
  for (auto& c : calls) EXPECT_TRUE(relays(*c, 1)) << c->id;
  // delete every other call: those stop relaying (their ports are closed), the rest go on
  for (int i = 0; i < kCalls; i += 2) {
    BValue del = anchor->ng(BValue(
        BValue::Dict{{"command", "delete"}, {"call-id", calls[static_cast<std::size_t>(i)]->id}}));
    EXPECT_EQ(del.getString("result"), "ok");
    EXPECT_FALSE(relay.workerOf(calls[static_cast<std::size_t>(i)]->id).has_value());
  }
  for (int i = 0; i < kCalls; ++i) {
    C& c = *calls[static_cast<std::size_t>(i)];
    if (i % 2 == 0) {
      auto p = rtp(0x2000, 7, 1);
      c.a.rtp->sendTo(c.toA, p.data(), 172);
      EXPECT_TRUE(c.b.rtp->recv(200).empty()) << c.id << " relayed after delete";
      EXPECT_EQ(anchor->ng(BValue(BValue::Dict{{"command", "query"}, {"call-id", c.id}}))
                    .getString("result"),
                "error");
    } else {
      EXPECT_TRUE(relays(c, 2)) << c.id << " stopped after another call's delete";
    }
  }
  EXPECT_EQ(relay.callCount(), static_cast<std::size_t>(kCalls / 2));
  anchor.reset();  // four workers with live calls: every socket closed, every thread joined
  for (int i = 1; i < kCalls; i += 2) {
    Udp probe(calls[static_cast<std::size_t>(i)]->toA);
    EXPECT_TRUE(probe.ok()) << "anchor port still bound after shutdown";
  }
}

// Two anchors at once, as two test processes under ctest -j: one deletes a call and, as the test
// above does, sends a datagram to the released port to prove it closed; the other anchor's new
// call must not be handed that port, or its leg latches onto the foreign source for good (the
// caller's packets are then dropped by the connected socket, the callee's go to the stranger).
// With one shared range the second anchor's first call took exactly the released ports.
TEST_P(RelayNg, AnotherAnchorsReleasedPortsDoNotCaptureANewCall) {
  auto setUp = [](Anchor& anchor, const std::string& id, Peer& a, Peer& b, std::uint16_t& toA,
                  std::uint16_t& toB) {
    BValue off = anchor.ng(offerReq(id, calleeSdp(a.rtp->port())));
    ASSERT_EQ(off.getString("result"), "ok") << off.getString("error-reason");
    toB = mediaPort(std::string(off.getString("sdp")));
    BValue ans = anchor.ng(answerReq(id, calleeSdp(b.rtp->port())));
    ASSERT_EQ(ans.getString("result"), "ok") << ans.getString("error-reason");
    toA = mediaPort(std::string(ans.getString("sdp")));
  };
  Anchor other(GetParam());
  Peer oldA, oldB;
  std::uint16_t oldToA = 0, oldToB = 0;
  setUp(other, "gone", oldA, oldB, oldToA, oldToB);
  BValue del = other.ng(BValue(BValue::Dict{{"command", "delete"}, {"call-id", "gone"}}));
  ASSERT_EQ(del.getString("result"), "ok");

  Anchor anchor(GetParam());
  EXPECT_TRUE(anchor.ports().last() < other.ports().first() ||
              other.ports().last() < anchor.ports().first())
      << "two live anchors share media ports";
  Peer a, b;
  std::uint16_t toA = 0, toB = 0;
  setUp(anchor, "fresh", a, b, toA, toB);
  auto stray = rtp(0x2000, 7, 1);
  oldA.rtp->sendTo(oldToA, stray.data(), 172);  // to the released port
  // the new call relays both ways, between its own peers (a stray that reached it is relayed
  // first, so the callee would get that one instead)
  auto p = rtp(0x3000, 1, 5);
  const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
  a.rtp->sendTo(toA, p.data(), 172);
  EXPECT_EQ(b.rtp->recv(1000), plain) << "caller -> callee";
  b.rtp->sendTo(toB, p.data(), 172);
  EXPECT_EQ(a.rtp->recv(1000), plain) << "callee -> caller";
}

}  // namespace
}  // namespace ccsec::media
