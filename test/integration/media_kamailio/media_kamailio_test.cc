// media_kamailio: SIP/TLS via Kamailio + rtpengine module -> ccsec media; sipp caller (through
// stunnel) offers RTP/SAVP+SDES, sipp callee answers RTP/AVP; this test plays both media
// endpoints and checks every received packet with the libsrtp oracle. See README.md.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "ccsec/paths.h"
#include "common/process.h"
#include "libsrtp_oracle.h"
#include "media/bencode.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "net/datagram_io.h"

namespace ccsec::media {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint16_t kTlsPort = 5061;
constexpr std::uint16_t kKamUdpPort = 25070;
constexpr std::uint16_t kCalleeSipPort = 25080;
constexpr std::uint16_t kStunnelPort = 25062;
constexpr std::uint16_t kNgPort = 25223;
constexpr std::uint16_t kCallerRtp = 25100;
constexpr std::uint16_t kCalleeRtp = 25110;

using testing::Process;
using testing::readFile;
using testing::waitFor;

void writeFile(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::string fill(std::string s, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [k, v] : vars)
    for (std::size_t pos; (pos = s.find(k)) != std::string::npos;) s.replace(pos, k.size(), v);
  return s;
}

bool tcpListening(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class Udp {
 public:
  explicit Udp(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Udp() { ::close(fd_); }
  bool ok() const { return ok_; }
  void sendTo(std::uint16_t port, const void* data, std::size_t len) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::sendto(fd_, data, len, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  std::vector<std::uint8_t> recv(int ms = 1000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return {};
    std::vector<std::uint8_t> b(4096);
    const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
    b.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return b;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

std::vector<std::uint8_t> rtp(std::uint32_t ssrc, std::uint16_t seq, std::uint8_t fill) {
  std::vector<std::uint8_t> p(172 + 64, 0);
  p[0] = 0x80;
  storeBe16(p.data() + 2, seq);
  storeBe32(p.data() + 4, seq * 160U);
  storeBe32(p.data() + 8, ssrc);
  for (std::size_t i = 12; i < 172; ++i) p[i] = static_cast<std::uint8_t>(fill + i);
  return p;
}

/// SDP bodies of the `n`-th "SIP/2.0 200 OK" (caller log) or INVITE (callee log) in a sipp
/// -message_file, or "" if not there yet.
std::string nthBody(const std::string& log, const std::string& startLine, int n) {
  std::size_t pos = 0;
  for (int i = 0; i <= n; ++i) {
    pos = log.find("\n" + startLine, pos + 1);
    if (pos == std::string::npos) return {};
  }
  const auto body = log.find("\nv=0", pos);
  if (body == std::string::npos) return {};
  const auto end = log.find("\n----", body);
  return log.substr(body + 1, end == std::string::npos ? std::string::npos : end - body - 1);
}

int countOf(const std::string& log, const std::string& startLine) {
  int n = 0;
  for (std::size_t pos = 0; (pos = log.find("\n" + startLine, pos)) != std::string::npos; ++pos)
    ++n;
  return n;
}

class Oracle {
 public:
  Oracle(const CryptoAttr& callerKey, const CryptoAttr& anchorKey)
      : tx_(callerKey.suite, true, keySalt(callerKey)),
        rx_(anchorKey.suite, false, keySalt(anchorKey)) {}
  static std::vector<std::uint8_t> keySalt(const CryptoAttr& c) {
    std::vector<std::uint8_t> v = c.key;
    v.insert(v.end(), c.salt.begin(), c.salt.end());
    return v;
  }
  Libsrtp& tx() { return tx_; }
  Libsrtp& rx() { return rx_; }

 private:
  Libsrtp tx_, rx_;
};

BValue ngCommand(const BValue& req) {
  Udp c(0);
  const std::string msg = "k" + std::to_string(::getpid()) + std::to_string(std::rand()) + " ";
  const std::string data = msg + bencode(req);
  c.sendTo(kNgPort, data.data(), data.size());
  auto r = c.recv(3000);
  std::string s(r.begin(), r.end());
  auto v = bdecode(s.substr(std::min(s.size(), msg.size())));
  return v.ok() ? *v : BValue();
}

// Every packet path of the relay (io_uring only where this kernel allows it).
std::vector<std::string> packetPaths() {
  std::vector<std::string> p{"epoll"};
  if (net::choosePacketPath(net::PacketPath::kUring).ok()) p.push_back("io_uring");
  return p;
}

class MediaKamailio : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Paths, MediaKamailio, ::testing::ValuesIn(packetPaths()),
                         [](const auto& pinfo) {
                           return pinfo.param == "epoll" ? "epoll" : "uring";
                         });

TEST_P(MediaKamailio, SrtpCallerPlainCalleeThroughKamailioTls) {
  for (const char* tool : {"kamailio", "sipp", "stunnel", "openssl"})
    if (std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) != 0)
      GTEST_SKIP() << tool << " not installed (scripts/setup installs it)";
  if (tcpListening(kTlsPort)) GTEST_SKIP() << "port " << kTlsPort << " already in use";

  char tmpl[] = "/tmp/ccsec-media-kam-XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  const std::string d = dir.string();
  // Scenario CA and Kamailio's certificate (SAN sip.test), made with the openssl CLI.
  const std::string pki =
      "cd " + d +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout ca.key -out ca.pem -days 2 -subj /CN=ccsec-test-ca >/dev/null 2>&1 && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout kamailio.key "
      "-out kamailio.csr -subj /CN=sip.test >/dev/null 2>&1 && "
      "printf 'subjectAltName=DNS:sip.test,IP:127.0.0.1\\n' > san.ext && "
      "openssl x509 -req -in kamailio.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile san.ext -out kamailio.pem >/dev/null 2>&1 && openssl verify -CAfile ca.pem "
      "kamailio.pem";
  ASSERT_EQ(std::system((pki + " >/dev/null").c_str()), 0) << "certificate setup failed";

  auto callerKey = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 1);
  ASSERT_TRUE(callerKey.ok());
  const std::string callerInline =
      formatCrypto(*callerKey).substr(formatCrypto(*callerKey).find("inline:") + 7);
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"@DIR@", d},
      {"@TLS_PORT@", std::to_string(kTlsPort)},
      {"@UDP_PORT@", std::to_string(kKamUdpPort)},
      {"@CALLEE_PORT@", std::to_string(kCalleeSipPort)},
      {"@STUNNEL_PORT@", std::to_string(kStunnelPort)},
      {"@NG_PORT@", std::to_string(kNgPort)},
      {"@CALLER_RTP@", std::to_string(kCallerRtp)},
      {"@CALLEE_RTP@", std::to_string(kCalleeRtp)},
      {"@SUITE@", "AES_CM_128_HMAC_SHA1_80"},
      {"@CALLER_KEY@", callerInline},
      {"@TALK_MS@", "5000"},
      {"@HOLD_MS@", "1500"},
  };
  for (const char* f : {"kamailio.cfg", "tls.cfg", "stunnel.conf", "caller.xml", "callee.xml"})
    writeFile(dir / f, fill(readFile(fs::path(SCENARIO_DIR) / (std::string(f) + ".in")), vars));

  Udp callerRtp(kCallerRtp), callerRtcp(kCallerRtp + 1), calleeRtp(kCalleeRtp),
      calleeRtcp(kCalleeRtp + 1);
  ASSERT_TRUE(callerRtp.ok() && callerRtcp.ok() && calleeRtp.ok() && calleeRtcp.ok());

  Process anchor({CCSEC_BIN, "media", "--interface", "127.0.0.1", "--listen-ng",
                  "127.0.0.1:" + std::to_string(kNgPort), "--port-min", "37000", "--port-max",
                  "37999", "--packet-path", GetParam()},
                 dir / "anchor.log");
  ASSERT_TRUE(
      waitFor([&] { return readFile(dir / "anchor.log").find("ready") != std::string::npos; }, 10s))
      << readFile(dir / "anchor.log");
  EXPECT_NE(readFile(dir / "anchor.log").find("packet-path " + GetParam()), std::string::npos)
      << readFile(dir / "anchor.log");
  Process kamailio(
      {"kamailio", "-DD", "-E", "-f", d + "/kamailio.cfg", "-Y", d, "-m", "64", "-M", "8"},
      dir / "kamailio.log");
  ASSERT_TRUE(waitFor([&] { return tcpListening(kTlsPort); }, 15s))
      << readFile(dir / "kamailio.log");
  Process stunnel({"stunnel", d + "/stunnel.conf"}, dir / "stunnel.log");
  ASSERT_TRUE(waitFor([&] { return tcpListening(kStunnelPort); }, 10s))
      << readFile(dir / "stunnel.log");
  Process callee(
      {"sipp", "-sf", d + "/callee.xml", "-i", "127.0.0.1", "-p", std::to_string(kCalleeSipPort),
       "-m", "1", "-trace_msg", "-message_file", d + "/callee_msgs.log", "-trace_err",
       "-error_file", d + "/callee_err.log", "-timeout", "60", "-nostdin"},
      dir / "callee.log");
  std::this_thread::sleep_for(300ms);
  Process caller({"sipp",
                  "127.0.0.1:" + std::to_string(kStunnelPort),
                  "-t",
                  "t1",
                  "-sf",
                  d + "/caller.xml",
                  "-i",
                  "127.0.0.1",
                  "-p",
                  "25090",
                  "-m",
                  "1",
                  "-trace_msg",
                  "-message_file",
                  d + "/caller_msgs.log",
                  "-trace_err",
                  "-error_file",
                  d + "/caller_err.log",
                  "-timeout",
                  "60",
                  "-nostdin"},
                 dir / "caller.log");

  // 1. call established: the caller got a 200 OK with our SRTP key, the callee an RTP/AVP offer
  std::string toCaller, toCallee;
  ASSERT_TRUE(waitFor(
      [&] {
        toCaller = nthBody(readFile(dir / "caller_msgs.log"), "SIP/2.0 200 OK", 0);
        toCallee = nthBody(readFile(dir / "callee_msgs.log"), "INVITE sip:", 0);
        return !toCaller.empty() && !toCallee.empty();
      },
      15s))
      << readFile(dir / "kamailio.log") << readFile(dir / "caller_err.log")
      << readFile(dir / "stunnel.log");
  auto sdpCaller = parseSdp(toCaller);
  auto sdpCallee = parseSdp(toCallee);
  ASSERT_TRUE(sdpCaller.ok() && sdpCallee.ok());
  ASSERT_EQ(sdpCaller->media[0].proto, "RTP/SAVP") << toCaller;
  ASSERT_EQ(sdpCallee->media[0].proto, "RTP/AVP") << toCallee;
  EXPECT_EQ(toCallee.find("a=crypto"), std::string::npos);
  auto anchorCrypto = supportedCrypto(sdpCaller->media[0]);
  ASSERT_EQ(anchorCrypto.size(), 1U);
  const std::uint16_t anchorForCaller = sdpCaller->media[0].port;
  const std::uint16_t anchorForCallee = sdpCallee->media[0].port;
  Oracle oracle(*callerKey, anchorCrypto[0]);

  std::uint16_t callerSeq = 65500;  // crosses the 16-bit wrap during the call
  std::uint16_t calleeSeq = 100;
  auto talk = [&](int packets, const char* phase) {
    for (int i = 0; i < packets; ++i) {
      auto p = rtp(0xCA11E200, callerSeq++, static_cast<std::uint8_t>(i));
      const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
      std::size_t len = 172;
      ASSERT_EQ(oracle.tx().protect(p, len), srtp_err_status_ok);
      callerRtp.sendTo(anchorForCaller, p.data(), len);
      EXPECT_EQ(calleeRtp.recv(), plain)
          << phase << ": caller->callee packet " << i << " not plain/intact";
      auto q = rtp(0xCA11EE00, calleeSeq++, static_cast<std::uint8_t>(2 * i));
      const std::vector<std::uint8_t> qplain(q.begin(), q.begin() + 172);
      calleeRtp.sendTo(anchorForCallee, q.data(), 172);
      auto got = callerRtp.recv();
      ASSERT_EQ(got.size(), 182U) << phase << ": callee->caller packet " << i << " missing";
      std::size_t glen = got.size();
      got.resize(glen + 64);
      ASSERT_EQ(oracle.rx().unprotect(got, glen), srtp_err_status_ok) << phase << " packet " << i;
      got.resize(glen);
      EXPECT_EQ(got, qplain);
    }
  };
  talk(50, "talk");

  // 2. replay and tamper from the SRTP side never reach the callee
  auto r = rtp(0xCA11E200, callerSeq++, 1);
  std::size_t rlen = 172;
  ASSERT_EQ(oracle.tx().protect(r, rlen), srtp_err_status_ok);
  callerRtp.sendTo(anchorForCaller, r.data(), rlen);
  ASSERT_FALSE(calleeRtp.recv().empty());
  callerRtp.sendTo(anchorForCaller, r.data(), rlen);  // replay
  auto t = rtp(0xCA11E200, callerSeq++, 2);
  std::size_t tlen = 172;
  ASSERT_EQ(oracle.tx().protect(t, tlen), srtp_err_status_ok);
  t[60] ^= 0x01;
  callerRtp.sendTo(anchorForCaller, t.data(), tlen);  // tampered
  EXPECT_TRUE(calleeRtp.recv(500).empty()) << "a replayed or tampered packet was forwarded";

  const std::string callerLog = readFile(dir / "caller_msgs.log");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(callerLog, m, std::regex("Call-ID: ([^\\r\\n]+)")));
  const std::string callId = m[1];
  BValue q = ngCommand(BValue(BValue::Dict{{"command", "query"}, {"call-id", callId}}));
  ASSERT_EQ(q.getString("result"), "ok") << q.getString("error-reason");
  std::int64_t replays = 0, authFailures = 0;
  for (const auto& [tag, s] : q.find("tags")->dict()) {
    if (const BValue* v = s.find("replays")) replays += v->integer();
    if (const BValue* v = s.find("auth-failures")) authFailures += v->integer();
  }
  EXPECT_EQ(replays, 1);
  EXPECT_EQ(authFailures, 1);

  // 3. hold (sendonly) and resume: same ports, same anchor key, audio flows again
  ASSERT_TRUE(waitFor(
      [&] { return countOf(readFile(dir / "caller_msgs.log"), "SIP/2.0 200 OK") >= 3; }, 20s))
      << readFile(dir / "caller_err.log");
  const std::string resumed = nthBody(readFile(dir / "caller_msgs.log"), "SIP/2.0 200 OK", 2);
  auto sdpResumed = parseSdp(resumed);
  ASSERT_TRUE(sdpResumed.ok()) << resumed;
  EXPECT_EQ(sdpResumed->media[0].port, anchorForCaller);
  auto resumedCrypto = supportedCrypto(sdpResumed->media[0]);
  ASSERT_EQ(resumedCrypto.size(), 1U);
  EXPECT_TRUE(resumedCrypto[0].sameKey(anchorCrypto[0])) << "anchor re-keyed on hold/resume";
  const std::string heldOffer = nthBody(readFile(dir / "callee_msgs.log"), "INVITE sip:", 1);
  EXPECT_NE(heldOffer.find("a=sendonly"), std::string::npos) << heldOffer;
  talk(20, "after resume");

  // 4. BYE: sipp both exit cleanly and Kamailio deleted the call in the anchor
  EXPECT_EQ(caller.wait(30s), 0) << readFile(dir / "caller_err.log");
  EXPECT_EQ(callee.wait(10s), 0) << readFile(dir / "callee_err.log");
  BValue gone = ngCommand(BValue(BValue::Dict{{"command", "query"}, {"call-id", callId}}));
  EXPECT_EQ(gone.getString("result"), "error");
  EXPECT_NE(readFile(dir / "stunnel.log").find("Certificate accepted at depth=0: CN=sip.test"),
            std::string::npos)
      << "the caller's SIP did not go over TLS";
  stunnel.stop();
  kamailio.stop();
  EXPECT_EQ(anchor.terminate(), 0) << "ccsec media did not stop cleanly on SIGTERM";
  EXPECT_NE(readFile(dir / "anchor.log").find("ccsec media stopped"), std::string::npos);
  if (!HasFailure() && std::getenv("CCSEC_KEEP_LOGS") == nullptr)
    fs::remove_all(dir);
  else
    std::cerr << "logs kept in " << d << "\n";
}

}  // namespace
}  // namespace ccsec::media
