#pragma once
// Shared pieces of the media_kamailio tests (see README.md): the scenario directory with its CA
// and filled templates, Kamailio + stunnel + `ccsec media` started as child processes, sipp's
// message log read back per call, and the two media endpoints of a call played by the test
// (caller SRTP through the libsrtp oracle, callee plain RTP), all on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ccsec/paths.h"
#include "common/process.h"
#include "common/udp_peer.h"
#include "libsrtp_oracle.h"
#include "media/bencode.h"
#include "media/rtp.h"
#include "media/sdp.h"

namespace ccsec::media::kamailio {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Process;
using testing::readFile;
using testing::waitFor;

// Fixed by the templates' users; every test of this directory runs serially (RUN_SERIAL).
constexpr std::uint16_t kTlsPort = 5061;
constexpr std::uint16_t kKamUdpPort = 25070;
constexpr std::uint16_t kCalleeSipPort = 25080;
constexpr std::uint16_t kStunnelPort = 25062;

using Vars = std::vector<std::pair<std::string, std::string>>;

inline void writeFile(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

/// `s` with every occurrence of each key replaced by its value.
inline std::string fill(std::string s, const Vars& vars) {
  for (const auto& [k, v] : vars)
    for (std::size_t pos; (pos = s.find(k)) != std::string::npos;) s.replace(pos, k.size(), v);
  return s;
}

inline bool tcpListening(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// The first of the scenario's tools not on PATH, or "" when all are there.
inline std::string missingTool() {
  for (const char* tool : {"kamailio", "kamcmd", "sipp", "stunnel", "openssl"})
    if (std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) != 0) return tool;
  return {};
}

/// A UDP socket bound on 127.0.0.1 (port 0: any).
using Udp = ccsec::testing::UdpPeer;

/// A 172-byte G.711 RTP packet (20 ms), with 64 spare bytes for the SRTP trailer.
inline std::vector<std::uint8_t> rtp(std::uint32_t ssrc, std::uint16_t seq, std::uint8_t fill) {
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
inline std::string nthBody(const std::string& log, const std::string& startLine, int n) {
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

inline int countOf(const std::string& log, const std::string& startLine) {
  int n = 0;
  for (std::size_t pos = 0; (pos = log.find("\n" + startLine, pos)) != std::string::npos; ++pos)
    ++n;
  return n;
}

/// One SIP message of a sipp -trace_msg log.
struct SipMessage {
  double at = 0;  // sipp's time stamp, seconds since midnight
  bool sent = false;
  std::string startLine, callId, cseq, body;  // body: the SDP, "" if none
};

/// Every complete message of a sipp -message_file, in log order (one still being written is
/// left out).
inline std::vector<SipMessage> sipMessages(const std::string& log) {
  static const std::string kSep = "----------------------------------------------- ";
  std::vector<SipMessage> out;
  for (std::size_t pos = log.find(kSep); pos != std::string::npos;) {
    const std::size_t next = log.find("\n" + kSep, pos + kSep.size());
    const std::string chunk = log.substr(pos, next == std::string::npos ? next : next - pos);
    pos = next == std::string::npos ? next : next + 1;
    // sipp ends each message with an extra "\n" after its CRLF; without it the last message is
    // still being written
    if (next == std::string::npos && !chunk.ends_with("\r\n\n")) break;
    std::vector<std::string> lines;
    for (std::size_t b = 0, e; b < chunk.size(); b = e + 1) {
      e = chunk.find('\n', b);
      if (e == std::string::npos) e = chunk.size();
      std::string l = chunk.substr(b, e - b);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      lines.push_back(std::move(l));
    }
    if (lines.size() < 4) continue;
    SipMessage m;
    // "----- 2026-12-03 06:59:30.449299": seconds since midnight are enough for durations
    int hh = 0, mm = 0;
    double ss = 0;
    const auto stamp = lines[0].find(':');
    if (stamp != std::string::npos && stamp >= 2 &&
        std::sscanf(lines[0].c_str() + stamp - 2, "%d:%d:%lf", &hh, &mm, &ss) == 3)
      m.at = hh * 3600.0 + mm * 60.0 + ss;
    m.sent = lines[1].find(" sent") != std::string::npos;
    std::size_t i = 2;
    while (i < lines.size() && lines[i].empty()) ++i;
    if (i == lines.size()) continue;
    m.startLine = lines[i];
    for (++i; i < lines.size() && !lines[i].empty(); ++i) {
      if (lines[i].rfind("Call-ID: ", 0) == 0) m.callId = lines[i].substr(9);
      if (lines[i].rfind("CSeq: ", 0) == 0) m.cseq = lines[i].substr(6);
    }
    for (; i < lines.size(); ++i)
      if (!lines[i].empty()) m.body += lines[i] + "\n";
    if (m.callId.empty()) continue;
    out.push_back(std::move(m));
  }
  return out;
}

/// From sipp's final screen (the `<name>.log` of startSipp): the `column`-th number (from 0)
/// after `what` on the last line containing it ("Successful call" column 1 is the cumulative
/// count; "503 <----------" column 0 is how many arrived); -1 when it is not there.
inline int sippCount(const std::string& screen, const std::string& what, int column) {
  const auto at = screen.rfind(what);
  if (at == std::string::npos) return -1;
  const std::string line =
      screen.substr(at + what.size(), screen.find('\n', at) - at - what.size());
  std::size_t i = 0;
  for (int n = 0;; ++n) {
    while (i < line.size() && !std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (i == line.size()) return -1;
    if (n == column) return std::atoi(line.c_str() + i);
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  }
}

/// An ng command to the anchor at 127.0.0.1:`ngPort`; an empty value when nothing came back.
inline BValue ngCommand(std::uint16_t ngPort, const BValue& req) {
  Udp c(0);
  const std::string msg = "k" + std::to_string(::getpid()) + std::to_string(std::rand()) + " ";
  const std::string data = msg + bencode(req);
  c.sendTo(ngPort, data.data(), data.size());
  auto r = c.recv(3000);
  std::string s(r.begin(), r.end());
  auto v = bdecode(s.substr(std::min(s.size(), msg.size())));
  return v.ok() ? *v : BValue();
}

/// The two media endpoints of one call as the test plays them: the caller speaks SRTP with its
/// own key to the anchor's caller-side port (its anchor key from the 200 OK), the callee plain
/// RTP to the anchor's callee-side port; the libsrtp oracle checks every packet.
class CallMedia {
 public:
  CallMedia(std::uint16_t callerPort, std::uint16_t calleePort)
      : callerRtp(callerPort), calleeRtp(calleePort) {}
  bool ok() const { return callerRtp.ok() && calleeRtp.ok(); }

  /// Reads the anchor's side of the call from the SDP the caller got back (`toCaller`) and the
  /// one the callee was offered (`toCallee`); "" on success, else what is wrong.
  std::string attach(const CryptoAttr& callerKey, const std::string& toCaller,
                     const std::string& toCallee) {
    auto sdpCaller = parseSdp(toCaller);
    auto sdpCallee = parseSdp(toCallee);
    if (!sdpCaller.ok() || !sdpCallee.ok() || sdpCaller->media.empty() || sdpCallee->media.empty())
      return "unparsable SDP:\n" + toCaller + "\n" + toCallee;
    if (sdpCaller->media[0].proto != "RTP/SAVP") return "caller not offered SRTP:\n" + toCaller;
    if (sdpCallee->media[0].proto != "RTP/AVP") return "callee not offered RTP:\n" + toCallee;
    if (toCallee.find("a=crypto") != std::string::npos) return "key leaked to RTP leg";
    auto crypto = supportedCrypto(sdpCaller->media[0]);
    if (crypto.size() != 1U) return "no single anchor key:\n" + toCaller;
    anchorKey = crypto[0];
    anchorForCaller = sdpCaller->media[0].port;
    anchorForCallee = sdpCallee->media[0].port;
    anchorAddr = connectionAddress(*sdpCaller, sdpCaller->media[0]);
    anchorAddrCallee = connectionAddress(*sdpCallee, sdpCallee->media[0]);
    tx_ = std::make_unique<Libsrtp>(callerKey.suite, true, keySalt(callerKey));
    rx_ = std::make_unique<Libsrtp>(anchorKey.suite, false, keySalt(anchorKey));
    return {};
  }

  /// Sends `packets` packets each way, one round trip at a time, waiting up to `ms` for each;
  /// returns how many of the 2 × `packets` arrived intact (plain towards the callee, SRTP that
  /// the oracle authenticates and decrypts towards the caller). `why` gets the first defect.
  int talk(int packets, int ms = 2000, std::string* why = nullptr) {
    int good = 0;
    auto bad = [&](const std::string& w) {
      if (why != nullptr && why->empty()) *why = w;
    };
    for (int i = 0; i < packets; ++i) {
      auto p = rtp(0xCA11E200, callerSeq++, static_cast<std::uint8_t>(i));
      const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
      std::size_t len = 172;
      if (tx_->protect(p, len) != srtp_err_status_ok) return good;
      callerRtp.sendTo(anchorForCaller, p.data(), len, anchorAddr);
      const auto got = calleeRtp.recv(ms);
      if (got == plain)
        ++good;
      else
        bad(got.empty() ? "caller->callee packet lost" : "caller->callee packet not plain/intact");
      auto q = rtp(0xCA11EE00, calleeSeq++, static_cast<std::uint8_t>(2 * i));
      const std::vector<std::uint8_t> qplain(q.begin(), q.begin() + 172);
      calleeRtp.sendTo(anchorForCallee, q.data(), 172, anchorAddrCallee);
      auto back = callerRtp.recv(ms);
      std::size_t blen = back.size();
      const bool arrived = blen != 0;
      back.resize(blen + 64);
      const bool authentic = blen == 182U && rx_->unprotect(back, blen) == srtp_err_status_ok;
      back.resize(blen);
      if (authentic && back == qplain)
        ++good;
      else
        bad(arrived ? "callee->caller packet not SRTP/intact" : "callee->caller packet lost");
    }
    return good;
  }

  Udp callerRtp, calleeRtp;
  CryptoAttr anchorKey;
  std::string anchorAddr, anchorAddrCallee;
  std::uint16_t anchorForCaller = 0, anchorForCallee = 0;
  std::uint16_t callerSeq = 65500;  // crosses the 16-bit wrap during a call
  std::uint16_t calleeSeq = 100;
  Libsrtp& tx() { return *tx_; }

 private:
  static std::vector<std::uint8_t> keySalt(const CryptoAttr& c) {
    std::vector<std::uint8_t> v = c.key;
    v.insert(v.end(), c.salt.begin(), c.salt.end());
    return v;
  }
  std::unique_ptr<Libsrtp> tx_, rx_;
};

/// The inline key material of an a=crypto attribute (what follows "inline:").
inline std::string inlineKey(const CryptoAttr& c) {
  const std::string f = formatCrypto(c);
  return f.substr(f.find("inline:") + 7);
}

/// A scenario directory under /tmp with the scenario CA and Kamailio's certificate (SAN
/// sip.test, made with the openssl CLI); removed at the end unless the test failed or
/// CCSEC_KEEP_LOGS is set.
class ScenarioDir {
 public:
  ScenarioDir() {
    char tmpl[] = "/tmp/ccsec-media-kam-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~ScenarioDir() {
    if (!::testing::Test::HasFailure() && std::getenv("CCSEC_KEEP_LOGS") == nullptr)
      fs::remove_all(dir_);
    else
      std::cerr << "logs kept in " << dir_.string() << "\n";
  }
  ScenarioDir(const ScenarioDir&) = delete;
  ScenarioDir& operator=(const ScenarioDir&) = delete;
  const fs::path& path() const { return dir_; }
  std::string str() const { return dir_.string(); }
  fs::path operator/(const std::string& f) const { return dir_ / f; }
  std::string log(const std::string& f) const { return readFile(dir_ / f); }

  bool makePki() const {
    const std::string pki =
        "cd " + str() +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj /CN=ccsec-test-ca >/dev/null 2>&1 && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout kamailio.key "
        "-out kamailio.csr -subj /CN=sip.test >/dev/null 2>&1 && "
        "printf 'subjectAltName=DNS:sip.test,IP:127.0.0.1\\n' > san.ext && "
        "openssl x509 -req -in kamailio.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.ext -out kamailio.pem >/dev/null 2>&1 && openssl verify -CAfile ca.pem "
        "kamailio.pem >/dev/null";
    return std::system(pki.c_str()) == 0;
  }

  /// Writes `out` from the template `in` (default: `out` + ".in") of the scenario directory.
  void render(const std::string& out, const Vars& vars, std::string in = {}) const {
    if (in.empty()) in = out + ".in";
    writeFile(dir_ / out, fill(readFile(fs::path(SCENARIO_DIR) / in), vars));
  }

  /// The variables every template shares (ports of the SIP side, the directory).
  Vars baseVars() const {
    return {{"@DIR@", str()},
            {"@TLS_PORT@", std::to_string(kTlsPort)},
            {"@UDP_PORT@", std::to_string(kKamUdpPort)},
            {"@CALLEE_PORT@", std::to_string(kCalleeSipPort)},
            {"@STUNNEL_PORT@", std::to_string(kStunnelPort)}};
  }

 private:
  fs::path dir_;
};

/// `ccsec media` on `iface` with ng on 127.0.0.1:`ngPort` (and /metrics on 127.0.0.1:`httpPort`
/// unless 0), media ports [`portMin`, `portMax`], log in `log`. Check ready() before use.
inline std::unique_ptr<Process> startAnchor(const fs::path& log, const std::string& iface,
                                            std::uint16_t ngPort, std::uint16_t httpPort,
                                            int portMin, int portMax,
                                            const std::string& packetPath = "auto") {
  std::vector<std::string> argv{CCSEC_BIN,       "media",
                                "--interface",   iface,
                                "--listen-ng",   "127.0.0.1:" + std::to_string(ngPort),
                                "--port-min",    std::to_string(portMin),
                                "--port-max",    std::to_string(portMax),
                                "--packet-path", packetPath};
  if (httpPort != 0) {
    argv.push_back("--listen-http");
    argv.push_back("127.0.0.1:" + std::to_string(httpPort));
  }
  return std::make_unique<Process>(argv, log);
}

inline bool anchorReady(const fs::path& log) {
  return waitFor([&] { return readFile(log).find("ready") != std::string::npos; }, 15s);
}

/// Kamailio (config `kamailio.cfg` of `dir`, in the foreground so it dies with the test).
inline std::unique_ptr<Process> startKamailio(const ScenarioDir& dir) {
  return std::make_unique<Process>(
      std::vector<std::string>{"kamailio", "-DD", "-E", "-f", dir.str() + "/kamailio.cfg", "-Y",
                               dir.str(), "-m", "64", "-M", "8"},
      dir / "kamailio.log");
}

/// stunnel carrying sipp's TCP to Kamailio's TLS port (Debian's sipp has no TLS).
inline std::unique_ptr<Process> startStunnel(const ScenarioDir& dir) {
  return std::make_unique<Process>(std::vector<std::string>{"stunnel", dir.str() + "/stunnel.conf"},
                                   dir / "stunnel.log");
}

/// A sipp instance: `scenario` of `dir`, logs `<name>_msgs.log`, `<name>_err.log`, `<name>.log`;
/// `target` is "" for a UAS. `extra` is appended (-m, -inf, -r, ...).
inline std::unique_ptr<Process> startSipp(const ScenarioDir& dir, const std::string& name,
                                          const std::string& scenario, std::uint16_t localPort,
                                          const std::string& target,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> argv{"sipp"};
  if (!target.empty()) argv.insert(argv.end(), {target, "-t", "t1"});
  argv.insert(argv.end(), {"-sf", dir.str() + "/" + scenario, "-i", "127.0.0.1", "-p",
                           std::to_string(localPort), "-trace_msg", "-message_file",
                           dir.str() + "/" + name + "_msgs.log", "-trace_err", "-error_file",
                           dir.str() + "/" + name + "_err.log", "-timeout", "90", "-nostdin"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(argv, dir / (name + ".log"));
}

}  // namespace ccsec::media::kamailio
