// media_adversarial: attacks on the running `ccsec media` binary over loopback (issue: the media
// anchor under attack). A slow /metrics client must not delay call control; the ng control
// channel answers only allowed sources and counts what it drops. Bounded in time; every port is
// kernel-chosen except the relay's range, which is derived from the test's PID.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include "ccsec/paths.h"
#include "common/metrics.h"
#include "common/port_block.h"
#include "common/process.h"
#include "common/udp_peer.h"
#include "media/bencode.h"

namespace ccsec::media {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::Process;
using testing::readFile;
using testing::waitFor;

using Udp = testing::UdpPeer;

/// One `ccsec media` process; ports read from its ready line.
class Anchor {
 public:
  explicit Anchor(std::vector<std::string> extra, std::string ng = "127.0.0.1:0") {
    dir_ = fs::temp_directory_path() /
           ("ccsec-media-adv-" + std::to_string(::getpid()) + "-" + std::to_string(++serial_));
    fs::create_directories(dir_);
    // A 20-port media range no concurrent test process uses (20000-27999 in blocks of 20).
    const unsigned base = ports_.first();
    std::vector<std::string> argv = {
        CCSEC_BIN, "media",      "--interface",        "127.0.0.1",  "--listen-ng",
        ng,        "--port-min", std::to_string(base), "--port-max", std::to_string(base + 19)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Process>(argv, dir_ / "anchor.log");
    ready_ = waitFor([this] { return log().find("ready") != std::string::npos; }, 10s);
    std::smatch m;
    const std::string l = log();
    if (std::regex_search(l, m, std::regex(R"(ng \S+:(\d+))")))
      ngPort_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    if (std::regex_search(l, m, std::regex(R"(metrics \S+:(\d+))")))
      httpPort_ = static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  ~Anchor() {
    proc_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool ready() const { return ready_; }
  std::string log() const { return readFile(dir_ / "anchor.log"); }
  std::uint16_t ngPort() const { return ngPort_; }
  std::uint16_t httpPort() const { return httpPort_; }
  Process& process() { return *proc_; }

  /// One ng command from `from`; the decoded reply (or empty when none within `ms`).
  BValue ng(const BValue& req, int ms = 1000, const char* from = "127.0.0.1") {
    Udp c(0, from);
    const std::string cookie = "c" + std::to_string(++cookie_);
    c.sendTo(ngPort_, cookie + " " + bencode(req));
    const std::string r = c.recvText(ms);
    if (r.rfind(cookie + " ", 0) != 0) return BValue();
    auto v = bdecode(std::string_view(r).substr(cookie.size() + 1));
    return v.ok() ? *v : BValue();
  }

  std::string metrics() { return testing::scrapeMetrics(httpPort_); }

 private:
  static inline int serial_ = 0;
  ccsec::testing::PortBlock ports_{20000, 20, 400};  // outlives proc_ (declared first)
  fs::path dir_;
  std::unique_ptr<Process> proc_;
  bool ready_ = false;
  std::uint16_t ngPort_ = 0, httpPort_ = 0;
  int cookie_ = 0;
};

BValue ping() { return BValue(BValue::Dict{{"command", "ping"}}); }

std::string sdp(const char* who, std::uint16_t port) {
  return std::string("v=0\r\no=") + who +
         " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " +
         std::to_string(port) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
}

BValue signal(const char* command, const std::string& callId, const std::string& body) {
  BValue::Dict d;
  d["command"] = command;
  d["call-id"] = callId;
  d["from-tag"] = "caller-tag";
  if (std::string(command) == "answer") d["to-tag"] = "callee-tag";
  d["sdp"] = body;
  return BValue(std::move(d));
}

TEST(MediaAdversarial, SlowMetricsClientDoesNotDelayCallControl) {
  Anchor a({"--listen-http", "127.0.0.1:0"});
  ASSERT_TRUE(a.ready()) << a.log();
  ASSERT_NE(a.httpPort(), 0) << a.log();

  // The attacker: one byte of a /metrics request every 100 ms, never finishing.
  std::atomic<bool> done{false};
  std::atomic<bool> cut{false};
  std::thread slow([&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(a.httpPort());
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
      const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
      for (std::size_t i = 0; !done.load() && i < 60; ++i) {
        const char ch = i < req.size() ? req[i] : 'a';
        if (::send(fd, &ch, 1, MSG_NOSIGNAL) != 1) {
          cut.store(true);
          break;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
          char b[256];
          if (::recv(fd, b, sizeof b, MSG_DONTWAIT) <= 0) {
            cut.store(true);
            break;
          }
        }
      }
    }
    ::close(fd);
  });
  std::this_thread::sleep_for(300ms);  // the trickle is under way

  auto timed = [&](const BValue& req, std::string_view want) {
    const auto t0 = Clock::now();
    BValue r = a.ng(req, 1500);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    EXPECT_EQ(r.getString("result"), want);
    return ms;
  };
  for (int round = 0; round < 3; ++round) {
    const std::string id = "slow-" + std::to_string(round);
    EXPECT_LT(timed(ping(), "pong"), 50) << "ping while /metrics trickles";
    EXPECT_LT(timed(signal("offer", id, sdp("caller", 40000)), "ok"), 50) << "offer";
    EXPECT_LT(timed(signal("answer", id, sdp("callee", 40002)), "ok"), 50) << "answer";
    EXPECT_LT(timed(BValue(BValue::Dict{{"command", "delete"}, {"call-id", id}}), "ok"), 50)
        << "delete";
    std::this_thread::sleep_for(200ms);
  }
  // The whole-request deadline (2 s) cuts the trickling client.
  EXPECT_TRUE(waitFor([&] { return cut.load(); }, 4s)) << "slow /metrics client never cut";
  done.store(true);
  slow.join();
  const std::string m = a.metrics();
  EXPECT_NE(m.find("ccsec_media_http_deadline_expired_total 1"), std::string::npos) << m;
  EXPECT_NE(m.find("ccsec_media_calls 0"), std::string::npos) << m;
}

TEST(MediaAdversarial, NgAnswersOnlyAllowedSourcesAndCountsDrops) {
  Anchor a({"--listen-http", "127.0.0.1:0", "--ng-allow", "127.0.0.2/32"});
  ASSERT_TRUE(a.ready()) << a.log();
  EXPECT_EQ(a.ng(ping(), 300, "127.0.0.2").getString("result"), "pong");
  EXPECT_FALSE(a.ng(ping(), 300, "127.0.0.1").isDict()) << "answered a source outside --ng-allow";
  EXPECT_FALSE(a.ng(signal("offer", "x", sdp("caller", 40000)), 300, "127.0.0.3").isDict());
  const std::string m = a.metrics();
  EXPECT_NE(m.find("ccsec_media_ng_dropped_total{reason=\"source\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("ccsec_media_calls 0"), std::string::npos) << m;
}

TEST(MediaAdversarial, DefaultIsLoopbackOnlyAndCookieDropsAreCounted) {
  Anchor a({"--listen-http", "127.0.0.1:0"});
  ASSERT_TRUE(a.ready()) << a.log();
  EXPECT_EQ(a.ng(ping(), 300, "127.0.0.5").getString("result"), "pong");
  Udp c;
  c.sendTo(a.ngPort(), "d7:command4:pinge");                           // no cookie
  c.sendTo(a.ngPort(), std::string(300, 'k') + " d7:command4:pinge");  // oversized cookie
  EXPECT_EQ(c.recvText(300), "");
  const std::string m = a.metrics();
  EXPECT_NE(m.find("ccsec_media_ng_dropped_total{reason=\"cookie\"} 2"), std::string::npos) << m;
}

TEST(MediaAdversarial, NonLoopbackNgWithoutAllowListWarns) {
  {
    Anchor a({}, "0.0.0.0:0");
    ASSERT_TRUE(a.ready()) << a.log();
    EXPECT_NE(a.log().find("without --ng-allow"), std::string::npos) << a.log();
  }
  {
    Anchor a({"--ng-allow", "127.0.0.0/8"}, "0.0.0.0:0");
    ASSERT_TRUE(a.ready()) << a.log();
    EXPECT_EQ(a.log().find("without --ng-allow"), std::string::npos) << a.log();
  }
  const fs::path log =
      fs::temp_directory_path() / ("ccsec-media-adv-bad-" + std::to_string(::getpid()));
  Process bad({CCSEC_BIN, "media", "--listen-ng", "127.0.0.1:0", "--ng-allow", "10.1.2.3/8"}, log);
  EXPECT_EQ(bad.wait(5s), 2) << readFile(log);
  EXPECT_NE(readFile(log).find("--ng-allow"), std::string::npos) << readFile(log);
  fs::remove(log);
}

}  // namespace
}  // namespace ccsec::media
