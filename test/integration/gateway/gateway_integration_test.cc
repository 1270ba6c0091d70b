// The real binary against real peers on loopback. Each test starts its own `ccsec gateway`
// process (ports chosen by the kernel, read from the ready line) and stops it by pid.
#include "ccsec/paths.h"
#include <fcntl.h>
#include <poll.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "ged188_builder.h"
#include "store/audit_store.h"
#include "test_peers.h"

namespace ccsec {
namespace {

using namespace std::chrono_literals;
namespace tt = ccsec::testing;
namespace g = ccsec::gateway::testing;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

/// Runs a shell command, returns {exit status, stdout+stderr}.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, {}};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

/// A GED-188 CTI server simulator behind the server-mode listener: answers OPEN_REQ with
/// OPEN_CONF, heartbeats with HEARTBEAT_CONF, then sends a CALL_DELIVERED_EVENT and a
/// CALL_DATA_UPDATE_EVENT, and answers CLOSE_REQ with CLOSE_CONF.
class CtiServerSim {
 public:
  CtiServerSim() {
    fd_ = tt::listenLoopback(16, &port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~CtiServerSim() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  std::vector<std::uint8_t> events() const {
    auto a = g::callDelivered(kAni, kCed, kCv1, kEcc);
    auto b = g::callDataUpdate(kCv2, kAccount);
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  std::atomic<int> frames_seen{0};
  std::atomic<bool> clean_close{false};

  static constexpr const char* kAni = "5559871234";
  static constexpr const char* kCed = "4929000011112222";
  static constexpr const char* kCv1 = "PIN-778899";
  static constexpr const char* kCv2 = "ACCT-CV2-31337";
  static constexpr const char* kEcc = "card-6011000990139424";
  static constexpr const char* kAccount = "CUST-ACCOUNT-42424242";
  static constexpr const char* kPassword = "cti-secret-pw";

 private:
  void serve() {
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    for (;;) {
      std::string hdr = tt::recvExactly(c, 8);
      if (hdr.size() < 8) break;
      auto be = [&](std::size_t i) {
        return (static_cast<std::uint32_t>(static_cast<std::uint8_t>(hdr[i])) << 24) |
               (static_cast<std::uint32_t>(static_cast<std::uint8_t>(hdr[i + 1])) << 16) |
               (static_cast<std::uint32_t>(static_cast<std::uint8_t>(hdr[i + 2])) << 8) |
               static_cast<std::uint32_t>(static_cast<std::uint8_t>(hdr[i + 3]));
      };
      std::uint32_t len = be(0), type = be(4);
      std::string body = tt::recvExactly(c, len);
      if (body.size() < len) break;
      ++frames_seen;
      std::vector<std::uint8_t> reply;
      if (type == 3) {
        reply = g::openConf();
        auto ev = events();
        reply.insert(reply.end(), ev.begin(), ev.end());
      } else if (type == 5) {
        reply = g::heartbeatConf(7);
      } else if (type == 7) {
        reply = g::closeConf();
        clean_close = true;
      }
      if (!reply.empty()) tt::sendAll(c, reply.data(), reply.size());
      if (type == 7) break;
    }
    ::close(c);
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

class GatewayBinary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::signal(SIGPIPE, SIG_IGN);
    pki_ = new std::string(tt::makeTempDir("gwint-pki"));
    ASSERT_TRUE(tt::makeTestPki(*pki_));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
  }
  void SetUp() override {
    dir_ = tt::makeTempDir("gwint");
    // Live copies of the gateway's certificate, so that rotation can overwrite them.
    std::filesystem::copy_file(*pki_ + "/hosts/gw.pem", dir_ + "/gw-live.pem");
    std::filesystem::copy_file(*pki_ + "/hosts/gw.key", dir_ + "/gw-live.key");
  }
  void TearDown() override {
    stopGateway();
    std::filesystem::remove_all(dir_);
  }

  std::string tlsBlock(const std::string& cert, const std::string& peers) {
    return "{cert: " + cert + ", key: " + cert.substr(0, cert.size() - 4) + ".key, ca: " + *pki_ + "/ca.pem, crl: " +
           *pki_ + "/crl.pem, allowed_peers: [" + peers + "]}";
  }

  void writeConfig(std::uint16_t cti_forward) {
    std::ofstream(dir_ + "/gw.yaml")
        << "listeners:\n"
        << "  - name: cti\n    mode: server\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:" << echo_.port()
        << "\n    tls: " << tlsBlock(dir_ + "/gw-live.pem", "finesse-a, revoked, expired") << "\n"
        << "  - name: ged-in\n    mode: server\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:" << cti_forward
        << "\n    protocol: ged-188\n    tls: " << tlsBlock(*pki_ + "/hosts/cg-a.pem", "finesse-a") << "\n"
        << "audit: {store: \"sqlite:audit.db\"}\n"
        << "metrics: {listen: 127.0.0.1:0}\n"
        << "limits: {drain_timeout_ms: 3000, per_peer_rate: 0, accept_rate: 0}\n";
  }

  // Adds a client-mode listener "ged-out" (cert finesse-a, expects cg-a) forwarding to `to`.
  void writeClientConfig(std::uint16_t to) {
    std::ofstream(dir_ + "/client.yaml")
        << "listeners:\n"
        << "  - name: ged-out\n    mode: client\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:" << to
        << "\n    protocol: ged-188\n    tls: " << tlsBlock(*pki_ + "/hosts/finesse-a.pem", "cg-a") << "\n"
        << "audit: {store: \"sqlite:client-audit.db\"}\n"
        << "metrics: {listen: 127.0.0.1:0}\n";
  }

  struct Proc {
    pid_t pid = -1;
    std::map<std::string, std::uint16_t> ports;
    std::string log;
  };

  Proc startGateway(const std::string& config, const std::string& log_name) {
    Proc p;
    p.log = dir_ + "/" + log_name;
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    p.pid = ::fork();
    if (p.pid == 0) {
      ::dup2(out[1], 1);
      int err = ::open(p.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::close(out[0]);
      ::execl(CCSEC_BIN, CCSEC_BIN, "gateway", "--config", config.c_str(), "--workers", "2", "--verbose",
              static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    std::string line;
    char ch;
    pollfd pf{out[0], POLLIN, 0};
    while (::poll(&pf, 1, 10000) > 0 && ::read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
    ::close(out[0]);
    EXPECT_NE(line.find("ccsec gateway ready:"), std::string::npos) << line << readFile(p.log);
    std::regex re(R"(([A-Za-z0-9_.-]+)=127\.0\.0\.1:(\d+))");
    for (std::sregex_iterator it(line.begin(), line.end(), re), end; it != end; ++it)
      p.ports[(*it)[1]] = static_cast<std::uint16_t>(std::stoi((*it)[2]));
    procs_.push_back(p.pid);
    return p;
  }

  void stopGateway() {
    for (pid_t pid : procs_) {
      ::kill(pid, SIGTERM);
      int st = 0;
      ::waitpid(pid, &st, 0);
    }
    procs_.clear();
  }

  std::vector<store::AuditEvent> audit(const std::string& db = "audit.db") {
    auto s = store::openSqliteStore(dir_ + "/" + db);
    if (!s) return {};
    auto l = (*s)->list();
    return l ? *l : std::vector<store::AuditEvent>{};
  }

  // Waits until an audit event of `kind` whose reason contains `reason` is committed.
  bool waitAudit(const std::string& kind, const std::string& reason, const std::string& identity_part = {},
                 const std::string& db = "audit.db") {
    for (int i = 0; i < 100; ++i) {
      for (const auto& e : audit(db))
        if (e.kind == kind && e.reason.find(reason) != std::string::npos &&
            e.peer_identity.find(identity_part) != std::string::npos)
          return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::string sClient(std::uint16_t port, const std::string& args) {
    auto [rc, out] = run("(echo PING-PLAINTEXT; sleep 0.3) | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                         " -CAfile " + *pki_ + "/ca.pem -quiet -no_ign_eof " + args);
    return out;
  }
  std::string certArgs(const std::string& name, const std::string& dir = "hosts") {
    return "-cert " + *pki_ + "/" + dir + "/" + name + ".pem -key " + *pki_ + "/" + dir + "/" + name + ".key";
  }

  std::string httpGet(std::uint16_t port) {
    int fd = tt::connectTo(port);
    std::string req = "GET /metrics HTTP/1.0\r\n\r\n";
    tt::sendAll(fd, req.data(), req.size());
    std::string body;
    tt::waitClosed(fd, &body);
    ::close(fd);
    return body;
  }

  static std::string* pki_;
  std::string dir_;
  tt::EchoServer echo_;
  std::vector<pid_t> procs_;
};
std::string* GatewayBinary::pki_ = nullptr;

TEST_F(GatewayBinary, ValidPeerIsRelayed) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::string out = sClient(gw.ports["cti"], certArgs("finesse-a"));
  EXPECT_NE(out.find("PING-PLAINTEXT"), std::string::npos) << out;
  EXPECT_TRUE(waitAudit("session_open", "handshake ok", "CN=finesse-a"));
}

TEST_F(GatewayBinary, RefusesEveryBadPeerWithAnAuditReason) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::uint16_t port = gw.ports["cti"];
  struct Case { const char* what; std::string args; const char* reason; const char* identity; };
  std::vector<Case> cases{
      {"TLS 1.0", "-tls1 -cipher DEFAULT@SECLEVEL=0 " + certArgs("finesse-a"), "unsupported protocol", ""},
      {"TLS 1.1", "-tls1_1 -cipher DEFAULT@SECLEVEL=0 " + certArgs("finesse-a"), "unsupported protocol", ""},
      {"no client certificate", "", "peer did not return a certificate", "no certificate"},
      {"another CA", certArgs("finesse-a", "other"), "unable to get local issuer certificate", "CN=finesse-a"},
      {"revoked", certArgs("revoked"), "certificate revoked", "CN=revoked"},
      {"expired", certArgs("expired"), "certificate has expired", "CN=expired"},
      {"host not allowed", certArgs("intruder"), "peer name not allowed", "CN=intruder"},
  };
  for (const auto& c : cases) {
    std::string out = sClient(port, c.args);
    EXPECT_EQ(out.find("PING-PLAINTEXT"), std::string::npos) << c.what << ": plaintext came back\n" << out;
    EXPECT_TRUE(waitAudit("handshake_failed", c.reason, c.identity)) << c.what;
  }
  EXPECT_EQ(echo_.accepted(), 0) << "no refused peer may reach the plaintext side";
}

TEST_F(GatewayBinary, PlaintextBytesToTheTlsPortGetNoPlaintextReply) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  for (std::string probe : {std::string("GET / HTTP/1.0\r\n\r\n"), std::string("\x00\x00\x00\x10\x00\x00\x00\x03hello-cti-open!!", 24)}) {
    int fd = tt::connectTo(gw.ports["cti"]);
    ASSERT_TRUE(tt::sendAll(fd, probe.data(), probe.size()));
    std::string got;
    EXPECT_TRUE(tt::waitClosed(fd, &got, 5000));
    ::close(fd);
    // Either nothing at all or a TLS alert record (content type 21): never plaintext.
    EXPECT_TRUE(got.empty() || static_cast<std::uint8_t>(got[0]) == 0x15) << got;
    EXPECT_EQ(got.find("hello"), std::string::npos);
    EXPECT_EQ(got.find("HTTP"), std::string::npos);
  }
  EXPECT_TRUE(waitAudit("handshake_failed", "", "no certificate"));
  EXPECT_EQ(echo_.accepted(), 0);
}

TEST_F(GatewayBinary, StunnelAsTlsClientInteroperates) {
  if (!std::filesystem::exists("/usr/bin/stunnel4")) GTEST_SKIP() << "stunnel4 not installed";
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::uint16_t sport = freePort();
  std::ofstream(dir_ + "/stunnel.conf") << "foreground = yes\npid =\n[cti]\nclient = yes\naccept = 127.0.0.1:" << sport
                                        << "\nconnect = 127.0.0.1:" << gw.ports["cti"] << "\ncert = " << *pki_
                                        << "/hosts/finesse-a.pem\nkey = " << *pki_ << "/hosts/finesse-a.key\nCAfile = "
                                        << *pki_ << "/ca.pem\nverifyChain = yes\ncheckHost = gw\n";
  pid_t st = ::fork();
  if (st == 0) {
    int devnull = ::open((dir_ + "/stunnel.log").c_str(), O_WRONLY | O_CREAT, 0600);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl("/usr/bin/stunnel4", "stunnel4", (dir_ + "/stunnel.conf").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int fd = -1;
  for (int i = 0; i < 100 && fd < 0; ++i) {
    fd = tt::connectTo(sport);
    if (fd < 0) std::this_thread::sleep_for(50ms);
  }
  ASSERT_GE(fd, 0) << readFile(dir_ + "/stunnel.log");
  std::string msg = "plaintext client through stunnel";
  ASSERT_TRUE(tt::sendAll(fd, msg.data(), msg.size()));
  EXPECT_EQ(tt::recvExactly(fd, msg.size()), msg) << readFile(dir_ + "/stunnel.log");
  ::close(fd);
  ::kill(st, SIGTERM);
  ::waitpid(st, nullptr, 0);
  EXPECT_TRUE(waitAudit("session_open", "handshake ok", "CN=finesse-a"));
}

TEST_F(GatewayBinary, SighupRotatesCertificatesWithoutDroppingStreams) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::uint16_t port = gw.ports["cti"];
  std::vector<std::unique_ptr<tt::TlsClient>> conns;
  for (int i = 0; i < 100; ++i) {
    conns.push_back(std::make_unique<tt::TlsClient>(*pki_, "finesse-a", port));
    ASSERT_TRUE(conns.back()->ok()) << i;
    ASSERT_EQ(conns.back()->serverCertSubjectCn(), "gw");
  }
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<long> round_trips{0};
  std::thread streamer([&] {
    for (int round = 0; !stop || round < 3; ++round) {
      for (std::size_t i = 0; i < conns.size(); ++i) {
        std::string m = "stream-" + std::to_string(i) + "-" + std::to_string(round) + "\n";
        if (!conns[i]->write(m) || conns[i]->read(m.size()) != m) ++failures;
        else ++round_trips;
      }
    }
  });
  std::this_thread::sleep_for(200ms);
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.pem", dir_ + "/gw-live.pem", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.key", dir_ + "/gw-live.key", std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(gw.pid, SIGHUP), 0);
  EXPECT_TRUE(waitAudit("reload", "reloaded"));
  tt::TlsClient fresh(*pki_, "finesse-a", port);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh.serverCertSubjectCn(), "gw2");
  std::this_thread::sleep_for(200ms);
  stop = true;
  streamer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(round_trips.load(), 300);
  std::string metrics = httpGet(gw.ports["metrics"]);
  EXPECT_NE(metrics.find("ccsec_gateway_reloads_total{result=\"ok\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ccsec_gateway_connections_active{listener=\"cti\"} 101"), std::string::npos) << metrics;
}

TEST_F(GatewayBinary, Ged188EndToEndKeepsPersonalDataOutOfAuditLogsAndMetrics) {
  CtiServerSim cti;
  writeConfig(cti.port());
  auto server = startGateway(dir_ + "/gw.yaml", "gw.log");
  writeClientConfig(server.ports["ged-in"]);
  auto client = startGateway(dir_ + "/client.yaml", "client.log");
  // The legacy plaintext CTI client (e.g. a CRM connector) talks to the client-mode listener.
  int fd = tt::connectTo(client.ports["ged-out"]);
  ASSERT_GE(fd, 0);
  auto open = g::openReq("crm-connector-7", CtiServerSim::kPassword);
  ASSERT_TRUE(tt::sendAll(fd, open.data(), open.size()));
  auto conf = g::openConf();
  auto events = cti.events();
  std::string expect(conf.begin(), conf.end());
  expect.append(events.begin(), events.end());
  EXPECT_EQ(tt::recvExactly(fd, expect.size()), expect) << "OPEN_CONF and call events delivered byte for byte";
  auto hb = g::heartbeatReq(7);
  ASSERT_TRUE(tt::sendAll(fd, hb.data(), hb.size()));
  auto hbc = g::heartbeatConf(7);
  EXPECT_EQ(tt::recvExactly(fd, hbc.size()), std::string(hbc.begin(), hbc.end()));
  auto close = g::closeReq();
  ASSERT_TRUE(tt::sendAll(fd, close.data(), close.size()));
  auto cc = g::closeConf();
  EXPECT_EQ(tt::recvExactly(fd, cc.size()), std::string(cc.begin(), cc.end()));
  EXPECT_TRUE(tt::waitClosed(fd));
  ::close(fd);
  EXPECT_TRUE(cti.clean_close.load());
  EXPECT_EQ(cti.frames_seen.load(), 3);

  EXPECT_TRUE(waitAudit("session_close", "", "CN=finesse-a"));
  std::string metrics = httpGet(server.ports["metrics"]) + httpGet(client.ports["metrics"]);
  EXPECT_NE(metrics.find("type=\"CALL_DELIVERED_EVENT\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("type=\"OPEN_REQ\"} 1"), std::string::npos);
  stopGateway();  // SIGTERM: drain, flush the audit log

  bool found_session = false;
  for (const auto& e : audit())
    if (e.kind == "session_close" && e.source == "ged-in") {
      found_session = true;
      EXPECT_NE(e.detail.find("\"client_id\":\"crm-connector-7\""), std::string::npos) << e.detail;
      EXPECT_NE(e.detail.find("\"CALL_DELIVERED_EVENT\":1"), std::string::npos) << e.detail;
      EXPECT_NE(e.detail.find("\"sensitive_fields\":"), std::string::npos) << e.detail;
    }
  EXPECT_TRUE(found_session);
  // No personal-data value or password anywhere at rest or in the logs/metrics.
  std::string at_rest;
  for (const char* f : {"audit.db", "audit.db-wal", "client-audit.db", "client-audit.db-wal", "gw.log", "client.log"})
    if (std::filesystem::exists(dir_ + "/" + f)) at_rest += readFile(dir_ + "/" + f);
  ASSERT_FALSE(at_rest.empty());
  at_rest += metrics;
  for (const char* secret : {CtiServerSim::kAni, CtiServerSim::kCed, CtiServerSim::kCv1, CtiServerSim::kCv2,
                             CtiServerSim::kEcc, CtiServerSim::kAccount, CtiServerSim::kPassword})
    EXPECT_EQ(at_rest.find(secret), std::string::npos) << secret << " leaked";
}

TEST_F(GatewayBinary, BadConfigExitsTwoWithFileAndLine) {
  std::ofstream(dir_ + "/bad.yaml") << "listeners:\n  - name: x\n    mod: server\n";
  auto [rc, out] = run(std::string(CCSEC_BIN) + " gateway --config " + dir_ + "/bad.yaml");
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("bad.yaml:3:5: listeners[0].mod: unknown key (did you mean 'mode'?)"), std::string::npos) << out;
}

}  // namespace
}  // namespace ccsec

namespace ccsec {
namespace {

// --inventory INV --host NAME derives listeners from the channel graph (examples/lab.yaml).
TEST(GatewayFromInventory, DerivesServerAndClientListenersFromTheChannelGraph) {
  std::string base = std::string(CCSEC_BIN) + " gateway --inventory " + CCSEC_SOURCE_DIR +
                     "/examples/lab.yaml --pki /nonexistent/pki --print-config --host ";
  auto [rc_srv, srv] = run(base + "pg-a");
  ASSERT_EQ(rc_srv, 0) << srv;
  EXPECT_NE(srv.find("mode: server\n    listen: \"10.1.2.10:42030\"\n    forward: \"127.0.0.1:42027\"\n    protocol: ged-188"),
            std::string::npos) << srv;
  EXPECT_NE(srv.find("allowed_peers: [finesse-1, finesse-1.lab.example.com]"), std::string::npos) << srv;
  auto [rc_cli, cli] = run(base + "finesse-1");
  ASSERT_EQ(rc_cli, 0) << cli;
  EXPECT_NE(cli.find("mode: client\n    listen: \"127.0.0.1:42027\"\n    forward: \"10.1.2.10:42030\""), std::string::npos) << cli;
  EXPECT_NE(cli.find("forward: \"10.1.2.11:43030\""), std::string::npos) << cli;  // side B
  EXPECT_NE(cli.find("allowed_peers: [pg-a, pg-a.lab.example.com]"), std::string::npos) << cli;
  auto [rc_none, none] = run(base + "cvp-1");
  EXPECT_EQ(rc_none, 2) << none;
  EXPECT_NE(none.find("skipped ged-125:cvp-1<-pg-a: listener has no separate TLS port"), std::string::npos) << none;
  auto [rc_bad, bad] = run(base + "no-such-host");
  EXPECT_EQ(rc_bad, 2);
  EXPECT_NE(bad.find("host 'no-such-host' is not in the inventory"), std::string::npos) << bad;
}

}  // namespace
}  // namespace ccsec
