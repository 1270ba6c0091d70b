// media_loadgen: sets up N calls on an rtpengine-compatible relay through the ng protocol
// (caller RTP/SAVP + SDES, callee RTP/AVP, exactly as Kamailio would), then sends paced 172-byte
// G.711 packets with sendmmsg and counts what comes out, measuring the relay's CPU time from
// /proc/<pid>/stat. The same binary drives ccsec media and rtpengine.
//
//   media_loadgen --ng 127.0.0.1:2223 --pid PID --calls 1000 --mode srtp2rtp|rtp2srtp|both
//                 --rate PPS --seconds S [--replay] [--suite AES_CM_128_HMAC_SHA1_80]
//
// One line of key=value results on stdout. --rate is per direction (aggregate over all calls);
// transit_* is a packet's time from the generator's send to its kernel receive timestamp
// (SO_TIMESTAMPNS), jitter_* the change in transit between consecutive arrivals of one stream
// (RFC 3550's D), both over the measured phase, from histograms of 1 us resolution: the delay
// and jitter the relay adds, plus the harness's own (veth, the generator's scheduling).
// --rate 0 means 50 pps per call and direction (real G.711 pacing).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/bencode.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/srtp.h"

using namespace ccsec::media;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string ngHost = "127.0.0.1";
  std::uint16_t ngPort = 2223;
  int pid = 0;
  int relayCpu = -1;  // the CPU the relay is pinned to: its softirq time is reported
  int calls = 1000;
  std::string mode = "srtp2rtp";
  double rate = 100000;
  double seconds = 5;
  bool replay = false;
  std::string suite = "AES_CM_128_HMAC_SHA1_80";
};

// The generator's own address (its sockets and SDP) and the relay's media address: both
// 127.0.0.1 unless --local / --relay-ip (e.g. across two network namespaces joined by a veth).
std::string gLocalIp = "127.0.0.1";
in_addr gLocal{htonl(INADDR_LOOPBACK)};
in_addr gRelay{htonl(INADDR_LOOPBACK)};

int udpSocket(std::uint16_t port = 0) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  int big = 32 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr = gLocal;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  return fd;
}

std::uint16_t portOf(int fd) {
  sockaddr_in a{};
  socklen_t l = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
  return ntohs(a.sin_port);
}

sockaddr_in addr(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr = gRelay;
  return a;
}

struct Cpu {
  double user = 0, sys = 0;
  double total() const { return user + sys; }
};

// Softirq and busy (non-idle) seconds of one CPU from /proc/stat (tick-sampled, like the
// process times). Without CONFIG_IRQ_TIME_ACCOUNTING, softirq work that runs while a task is
// current (e.g. loopback delivery at the end of a send) is also in that task's stime.
// `idle` is the CPU's cpuidle residency (exact, not tick-sampled; -1 without cpuidle) and `at`
// when it was read: wall time minus idle time is the CPU's exact active time. On this VM the
// tick-sampled busy time can miss ~40 % of short wake-ups (a relay that sleeps between batches).
struct CpuTimes {
  double softirq = 0, busy = 0, idle = -1;
  Clock::time_point at;
};

double cpuIdleSeconds(int cpu) {
  double total = 0;
  bool any = false;
  for (int state = 0; state < 16; ++state) {
    std::ifstream in("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpuidle/state" +
                     std::to_string(state) + "/time");
    unsigned long long us = 0;
    if (!(in >> us)) break;
    total += static_cast<double>(us) / 1e6;
    any = true;
  }
  return any ? total : -1;
}

CpuTimes cpuTimesFromStat(int cpu);

CpuTimes cpuTimes(int cpu) {
  if (cpu < 0) return {};
  CpuTimes t = cpuTimesFromStat(cpu);
  t.idle = cpuIdleSeconds(cpu);
  t.at = Clock::now();
  return t;
}

CpuTimes cpuTimesFromStat(int cpu) {
  std::ifstream in("/proc/stat");
  const std::string want = "cpu" + std::to_string(cpu);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name;
    f >> name;
    if (name != want) continue;
    unsigned long long v[8] = {};  // user nice system idle iowait irq softirq steal
    for (auto& x : v) f >> x;
    const auto tck = static_cast<double>(::sysconf(_SC_CLK_TCK));
    CpuTimes t;
    t.softirq = static_cast<double>(v[6]) / tck;
    t.busy = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) / tck;
    return t;
  }
  return {};
}

Cpu cpuSplit(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(s.substr(close + 2));
  std::string f;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    rest >> f;
    if (i == 14) utime = std::stoul(f);
    if (i == 15) stime = std::stoul(f);
  }
  const auto tck = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {static_cast<double>(utime) / tck, static_cast<double>(stime) / tck};
}

class Ng {
 public:
  Ng(const std::string& host, std::uint16_t port) : fd_(udpSocket()), dst_(addr(port)) {
    inet_pton(AF_INET, host.c_str(), &dst_.sin_addr);
  }
  ~Ng() { ::close(fd_); }
  BValue call(const BValue& req) {
    const std::string cookie = std::to_string(::getpid()) + "_" + std::to_string(++n_);
    const std::string msg = cookie + " " + bencode(req);
    for (int attempt = 0; attempt < 5; ++attempt) {
      ::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&dst_), sizeof dst_);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) continue;
      std::string buf(65536, '\0');
      const ssize_t got = ::recv(fd_, buf.data(), buf.size(), 0);
      if (got <= 0) continue;
      buf.resize(static_cast<std::size_t>(got));
      if (buf.rfind(cookie + " ", 0) != 0) continue;
      auto v = bdecode(std::string_view(buf).substr(cookie.size() + 1));
      if (v.ok()) return *v;
    }
    return BValue();
  }

 private:
  int fd_;
  sockaddr_in dst_;
  int n_ = 0;
};

struct CallState {
  std::uint16_t anchorForCaller = 0, anchorForCallee = 0;
  std::unique_ptr<SrtpContext> callerTx;  // caller's key: SRTP the caller sends
  std::uint16_t seqA = 0, seqB = 0;
  std::uint32_t ssrcA = 0, ssrcB = 0;
};

// Microseconds of the CLOCK_REALTIME time `t` (the clock of SO_TIMESTAMPNS) since `baseNs`.
std::uint32_t usSince(const timespec& t, std::int64_t baseNs) {
  return static_cast<std::uint32_t>((t.tv_sec * 1000000000LL + t.tv_nsec - baseNs) / 1000);
}
std::uint32_t nowUs(std::int64_t baseNs) {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return usSince(t, baseNs);
}

// Send times of the last kRing packets of every stream (call x direction), written by the sender,
// read by the sink threads: transit and jitter per received packet, found by its SSRC and seq
// (both in clear in RTP and SRTP).
class Transit {
 public:
  static constexpr unsigned kRing = 512;           // packets per stream (>= 2.5 s at 200 pps)
  static constexpr std::uint32_t kMaxUs = 999999;  // histogram range: 1 us buckets up to 1 s

  Transit(std::size_t calls, std::int64_t baseNs)
      : calls_(calls), baseNs_(baseNs), sent_(calls * 2 * kRing) {}
  std::int64_t baseNs() const { return baseNs_; }
  static std::size_t stream(std::uint32_t ssrc) {  // ssrcA = 1<<28 | i, ssrcB = 2<<28 | i
    return (ssrc >> 28) == 2 ? 1 : 0;
  }
  void sent(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t us) {
    const std::size_t call = ssrc & 0x0fffffffU;
    if (call >= calls_) return;
    sent_[(stream(ssrc) * calls_ + call) * kRing + (seq & (kRing - 1))].store(
        us + 1, std::memory_order_relaxed);  // 0 = no record
  }
  // One sink's view: per-stream last transit and the two histograms.
  struct Sink {
    std::vector<std::int64_t> lastTransit;  // INT64_MIN: none yet
    std::vector<std::uint32_t> transitHist = std::vector<std::uint32_t>(kMaxUs + 1, 0);
    std::vector<std::uint32_t> jitterHist = std::vector<std::uint32_t>(kMaxUs + 1, 0);
  };
  Sink sink() const {
    Sink k;
    k.lastTransit.assign(calls_ * 2, INT64_MIN);
    return k;
  }
  void received(Sink& k, const std::uint8_t* p, std::size_t len, std::uint32_t recvUs) const {
    if (looksLikeRtcp(p, len)) return;
    const auto h = parseRtpHeader(p, len);
    if (!h) return;
    const std::uint32_t ssrc = h->ssrc;
    const std::uint16_t seq = h->sequence;
    const std::size_t call = ssrc & 0x0fffffffU;
    if (call >= calls_) return;
    const std::size_t st = stream(ssrc) * calls_ + call;
    const std::uint32_t at =
        sent_[st * kRing + (seq & (kRing - 1))].load(std::memory_order_relaxed);
    if (at == 0) return;
    const std::int64_t transit = static_cast<std::int64_t>(recvUs) - (at - 1);
    k.transitHist[static_cast<std::size_t>(std::clamp<std::int64_t>(transit, 0, kMaxUs))]++;
    if (k.lastTransit[st] != INT64_MIN) {
      const std::int64_t d = transit - k.lastTransit[st];
      k.jitterHist[static_cast<std::size_t>(std::min<std::int64_t>(d < 0 ? -d : d, kMaxUs))]++;
    }
    k.lastTransit[st] = transit;
  }
  // Percentile q (0..1) of the merged histograms of `sinks`; -1 when empty.
  static long percentile(const std::vector<const std::vector<std::uint32_t>*>& hs, double q) {
    std::uint64_t total = 0;
    for (const auto* h : hs)
      for (const auto v : *h) total += v;
    if (total == 0) return -1;
    const auto want = static_cast<std::uint64_t>(q * static_cast<double>(total - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i <= kMaxUs; ++i) {
      for (const auto* h : hs) seen += (*h)[i];
      if (seen >= want) return static_cast<long>(i);
    }
    return static_cast<long>(kMaxUs);
  }

 private:
  std::size_t calls_;
  std::int64_t baseNs_;
  std::vector<std::atomic<std::uint32_t>> sent_;
};

std::uint16_t mPort(const std::string& sdp) {
  std::smatch m;
  if (!std::regex_search(sdp, m, std::regex("m=audio (\\d+) "))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc || (i < argc && std::string(argv[i]) == "--replay"); ++i) {
    const std::string k = argv[i];
    if (k == "--replay") {
      a.replay = true;
      continue;
    }
    const std::string v = argv[++i];
    if (k == "--ng") {
      a.ngHost = v.substr(0, v.rfind(':'));
      a.ngPort = static_cast<std::uint16_t>(std::stoi(v.substr(v.rfind(':') + 1)));
    } else if (k == "--pid")
      a.pid = std::stoi(v);
    else if (k == "--relay-cpu")
      a.relayCpu = std::stoi(v);
    else if (k == "--local") {
      gLocalIp = v;
      if (inet_pton(AF_INET, v.c_str(), &gLocal) != 1) return 2;
    } else if (k == "--relay-ip") {
      if (inet_pton(AF_INET, v.c_str(), &gRelay) != 1) return 2;
    } else if (k == "--calls")
      a.calls = std::stoi(v);
    else if (k == "--mode")
      a.mode = v;
    else if (k == "--rate")
      a.rate = std::stod(v);
    else if (k == "--seconds")
      a.seconds = std::stod(v);
    else if (k == "--suite")
      a.suite = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  auto suite = suiteFromName(a.suite);
  if (!suite || a.pid <= 0) {
    std::cerr << "usage: media_loadgen --ng HOST:PORT --pid RELAY_PID [--calls N] [--mode "
                 "srtp2rtp|rtp2srtp|both] [--rate PPS] [--seconds S] [--replay] [--relay-cpu N] "
                 "[--local IP] [--relay-ip IP]\n";
    return 2;
  }
  // One socket plays every caller, one every callee (the relays latch per call, not per address).
  const int callerFd = udpSocket(), calleeFd = udpSocket();
  const std::uint16_t callerPort = portOf(callerFd), calleePort = portOf(calleeFd);
  Ng ng(a.ngHost, a.ngPort);
  std::vector<CallState> calls(static_cast<std::size_t>(a.calls));
  const std::string tag = std::to_string(::getpid());
  for (int i = 0; i < a.calls; ++i) {
    CallState& c = calls[static_cast<std::size_t>(i)];
    auto key = generateCrypto(*suite, 1);
    const std::string callId = "lg-" + tag + "-" + std::to_string(i);
    const std::string offer = "v=0\r\no=lg 1 1 IN IP4 " + gLocalIp + "\r\ns=-\r\nc=IN IP4 " +
                              gLocalIp +
                              "\r\nt=0 0\r\n"
                              "m=audio " +
                              std::to_string(callerPort) +
                              " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                              "a=" +
                              formatCrypto(*key) + "\r\na=sendrecv\r\n";
    BValue::Dict o;
    o["command"] = "offer";
    o["call-id"] = callId;
    o["from-tag"] = "a" + std::to_string(i);
    o["sdp"] = offer;
    o["transport-protocol"] = "RTP/AVP";
    o["ICE"] = "remove";
    o["replace"] = BValue(BValue::List{"origin", "session-connection"});
    BValue r = ng.call(BValue(std::move(o)));
    if (r.getString("result") != "ok") {
      std::cerr << "offer " << i << " failed: " << r.getString("error-reason") << "\n";
      return 3;
    }
    c.anchorForCallee = mPort(std::string(r.getString("sdp")));
    const std::string answer =
        "v=0\r\no=lg 2 2 IN IP4 " + gLocalIp + "\r\ns=-\r\nc=IN IP4 " + gLocalIp +
        "\r\nt=0 0\r\n"
        "m=audio " +
        std::to_string(calleePort) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    BValue::Dict an;
    an["command"] = "answer";
    an["call-id"] = callId;
    an["from-tag"] = "a" + std::to_string(i);
    an["to-tag"] = "b" + std::to_string(i);
    an["sdp"] = answer;
    an["ICE"] = "remove";
    an["replace"] = BValue(BValue::List{"origin", "session-connection"});
    BValue ar = ng.call(BValue(std::move(an)));
    if (ar.getString("result") != "ok") {
      std::cerr << "answer " << i << " failed: " << ar.getString("error-reason") << "\n";
      return 3;
    }
    c.anchorForCaller = mPort(std::string(ar.getString("sdp")));
    c.callerTx = SrtpContext::create(*suite, key->key, key->salt).value();
    c.ssrcA = 0x10000000U + static_cast<std::uint32_t>(i);
    c.ssrcB = 0x20000000U + static_cast<std::uint32_t>(i);
    c.seqA = static_cast<std::uint16_t>(i * 7);
    c.seqB = static_cast<std::uint16_t>(i * 13);
  }

  const bool fwd = a.mode == "srtp2rtp" || a.mode == "both";
  const bool rev = a.mode == "rtp2srtp" || a.mode == "both";
  const double rate = a.rate > 0 ? a.rate : 50.0 * a.calls;  // per direction
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> recvCaller{0}, recvCallee{0};
  timespec base{};
  ::clock_gettime(CLOCK_REALTIME, &base);
  Transit transit(calls.size(), base.tv_sec * 1000000000LL + base.tv_nsec);
  std::atomic<bool> timing{false};  // the measured phase: transit and jitter are recorded
  Transit::Sink sinkCaller = transit.sink(), sinkCallee = transit.sink();
  const int on = 1;
  for (const int fd : {callerFd, calleeFd})
    (void)::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  auto sink = [&stop, &timing, &transit](int fd, std::atomic<std::uint64_t>& count,
                                         Transit::Sink& k) {
    constexpr unsigned kB = 64;
    constexpr std::size_t kCtlWords = (CMSG_SPACE(sizeof(timespec)) + 7) / 8;
    std::vector<std::uint8_t> bufs(kB * 2048);
    std::vector<std::uint64_t> ctl(kB * kCtlWords);  // 8-byte aligned control buffers
    mmsghdr m[kB]{};
    iovec io[kB]{};
    for (unsigned i = 0; i < kB; ++i) {
      io[i] = {bufs.data() + i * 2048, 2048};
      m[i].msg_hdr.msg_iov = &io[i];
      m[i].msg_hdr.msg_iovlen = 1;
      m[i].msg_hdr.msg_control = ctl.data() + i * kCtlWords;
    }
    while (!stop.load(std::memory_order_relaxed)) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      for (unsigned i = 0; i < kB; ++i) m[i].msg_hdr.msg_controllen = kCtlWords * 8;
      const int n = ::recvmmsg(fd, m, kB, MSG_DONTWAIT, nullptr);
      if (n <= 0) continue;
      count.fetch_add(static_cast<unsigned>(n), std::memory_order_relaxed);
      if (!timing.load(std::memory_order_relaxed)) continue;
      for (int j = 0; j < n; ++j) {
        msghdr& h = m[j].msg_hdr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
          if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          const std::uint32_t us = usSince(ts, transit.baseNs());
          transit.received(k, static_cast<const std::uint8_t*>(io[j].iov_base), m[j].msg_len, us);
        }
      }
    }
  };
  std::thread s1(sink, callerFd, std::ref(recvCaller), std::ref(sinkCaller)),
      s2(sink, calleeFd, std::ref(recvCallee), std::ref(sinkCallee));

  // Warm-up: one packet each way per call so both relays have latched before the clock starts.
  std::uint64_t sentFwd = 0, sentRev = 0, sentDup = 0;
  constexpr unsigned kBatch = 64;
  std::vector<std::uint8_t> pkts(kBatch * 2048);
  mmsghdr msgs[kBatch]{};
  iovec iov[kBatch]{};
  std::vector<sockaddr_in> dsts(kBatch);
  auto build = [&](CallState& c, bool forward, std::uint8_t* p) -> std::size_t {
    std::memset(p, 0, 172);
    p[0] = 0x80;
    storeBe16(p + 2, forward ? c.seqA++ : c.seqB++);
    storeBe32(p + 4, 0);
    storeBe32(p + 8, forward ? c.ssrcA : c.ssrcB);
    std::memset(p + 12, 0xd5, 160);
    std::size_t len = 172;
    if (forward) (void)c.callerTx->protectRtp(p, len, 2048);
    return len;
  };
  auto flushBatch = [&](int fd, unsigned n) {
    unsigned done = 0;
    while (done < n) {
      const int s = ::sendmmsg(fd, msgs + done, n - done, 0);
      if (s <= 0) break;
      done += static_cast<unsigned>(s);
    }
  };
  for (int dir = 0; dir < 2; ++dir) {
    for (std::size_t i = 0; i < calls.size();) {
      unsigned n = 0;
      for (; n < kBatch && i < calls.size(); ++n, ++i) {
        std::uint8_t* p = pkts.data() + n * 2048;
        const std::size_t len = build(calls[i], dir == 0, p);
        dsts[n] = addr(dir == 0 ? calls[i].anchorForCaller : calls[i].anchorForCallee);
        iov[n] = {p, len};
        msgs[n].msg_hdr = {};
        msgs[n].msg_hdr.msg_name = &dsts[n];
        msgs[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      flushBatch(dir == 0 ? callerFd : calleeFd, n);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::uint64_t base1 = recvCaller.load(), base2 = recvCallee.load();

  struct Stored {
    std::vector<std::uint8_t> bytes;
    sockaddr_in dst;
  };
  constexpr std::size_t kReplayMax = 200000;
  std::vector<Stored> replayStore;
  if (a.replay) replayStore.reserve(kReplayMax);
  const Cpu cpu0 = cpuSplit(a.pid);
  const CpuTimes core0 = cpuTimes(a.relayCpu);
  const auto t0 = Clock::now();
  timing.store(true);
  std::size_t nextFwd = 0, nextRev = 0;
  while (true) {
    const double el = std::chrono::duration<double>(Clock::now() - t0).count();
    if (el >= a.seconds) break;
    const auto due = static_cast<std::uint64_t>(rate * el);
    for (int dir = 0; dir < 2; ++dir) {
      const bool forward = dir == 0;
      if ((forward && !fwd) || (!forward && !rev)) continue;
      std::uint64_t& sent = forward ? sentFwd : sentRev;
      std::size_t& next = forward ? nextFwd : nextRev;
      while (sent < due) {
        unsigned n = 0;
        for (; n < kBatch && sent < due; ++n, ++sent) {
          CallState& c = calls[next];
          next = (next + 1) % calls.size();
          std::uint8_t* p = pkts.data() + n * 2048;
          const std::size_t len = build(c, forward, p);
          dsts[n] = addr(forward ? c.anchorForCaller : c.anchorForCallee);
          iov[n] = {p, len};
          msgs[n].msg_hdr = {};
          msgs[n].msg_hdr.msg_name = &dsts[n];
          msgs[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
          msgs[n].msg_hdr.msg_iov = &iov[n];
          msgs[n].msg_hdr.msg_iovlen = 1;
        }
        const std::uint32_t sentAt = nowUs(transit.baseNs());
        for (unsigned j = 0; j < n; ++j) {
          const auto* p = static_cast<const std::uint8_t*>(iov[j].iov_base);
          transit.sent(loadBe32(p + 8), loadBe16(p + 2), sentAt);
        }
        flushBatch(forward ? callerFd : calleeFd, n);
        if (a.replay && forward) {  // keep copies: they are replayed after the clean phase
          for (unsigned j = 0; j < n && replayStore.size() < kReplayMax; ++j)
            replayStore.push_back(
                {std::vector<std::uint8_t>(
                     static_cast<std::uint8_t*>(iov[j].iov_base),
                     static_cast<std::uint8_t*>(iov[j].iov_base) + iov[j].iov_len),
                 dsts[j]});
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // drain in-flight packets
  timing.store(false);
  const Cpu cpu1 = cpuSplit(a.pid);
  const CpuTimes core1 = cpuTimes(a.relayCpu);
  const double cpu = cpu1.total() - cpu0.total();
  const double sysShare = cpu > 0 ? (cpu1.sys - cpu0.sys) / cpu : 0.0;
  std::uint64_t replaysForwarded = 0;
  if (a.replay) {
    // Replay phase: every SRTP packet of the clean phase is sent again (same bytes, same
    // destination); whatever reaches the callee now is a forwarded replay.
    const std::uint64_t before = recvCallee.load();
    for (std::size_t i = 0; i < replayStore.size();) {
      unsigned n = 0;
      for (; n < kBatch && i < replayStore.size(); ++n, ++i) {
        iov[n] = {replayStore[i].bytes.data(), replayStore[i].bytes.size()};
        msgs[n].msg_hdr = {};
        msgs[n].msg_hdr.msg_name = &replayStore[i].dst;
        msgs[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        msgs[n].msg_hdr.msg_iov = &iov[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      flushBatch(callerFd, n);
      sentDup += n;
      std::this_thread::sleep_for(std::chrono::microseconds(300));  // ~200k pps pacing
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    replaysForwarded = recvCallee.load() - before;
  }
  stop.store(true);
  s1.join();
  s2.join();
  const std::uint64_t gotFwd =
      recvCallee.load() - base2 - replaysForwarded;        // SRTP->RTP at the callee
  const std::uint64_t gotRev = recvCaller.load() - base1;  // RTP->SRTP arrives at the caller
  const std::uint64_t got = gotFwd + gotRev;
  const std::vector<const std::vector<std::uint32_t>*> transitHists{&sinkCaller.transitHist,
                                                                    &sinkCallee.transitHist};
  const std::vector<const std::vector<std::uint32_t>*> jitterHists{&sinkCaller.jitterHist,
                                                                   &sinkCallee.jitterHist};
  const std::uint64_t sent = sentFwd + sentRev;
  const std::uint64_t lost = sent > got ? sent - got : 0;
  std::printf(
      "mode=%s calls=%d rate=%.0f seconds=%.2f sent=%llu received=%llu lost=%llu "
      "replays_sent=%llu replays_forwarded=%llu relay_cpu_s=%.3f pps_per_cpu_s=%.0f "
      "kernel_share=%.2f relay_core_softirq_s=%.3f relay_core_busy_s=%.3f "
      "relay_core_active_s=%.3f transit_p50_us=%ld "
      "transit_p99_us=%ld jitter_p50_us=%ld jitter_p99_us=%ld\n",
      a.mode.c_str(), a.calls, rate, wall, static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(got), static_cast<unsigned long long>(lost),
      static_cast<unsigned long long>(sentDup), static_cast<unsigned long long>(replaysForwarded),
      cpu, cpu > 0 ? static_cast<double>(got) / cpu : 0.0, sysShare, core1.softirq - core0.softirq,
      core1.busy - core0.busy,
      core0.idle < 0 || core1.idle < 0
          ? -1.0
          : std::chrono::duration<double>(core1.at - core0.at).count() - (core1.idle - core0.idle),
      Transit::percentile(transitHists, 0.5), Transit::percentile(transitHists, 0.99),
      Transit::percentile(jitterHists, 0.5), Transit::percentile(jitterHists, 0.99));
  for (int i = 0; i < a.calls; ++i) {
    BValue::Dict d;
    d["command"] = "delete";
    d["call-id"] = "lg-" + tag + "-" + std::to_string(i);
    ng.call(BValue(std::move(d)));
  }
  ::close(callerFd);
  ::close(calleeFd);
  return 0;
}
