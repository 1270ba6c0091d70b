#pragma once
// Shared by the gateway integration suites (gateway_integration_test.cc, the adversarial suite):
// helpers for running the real `ccsec gateway` binary on loopback, a GED-188 CTI server
// simulator and the GatewayBinary fixture (test PKI, a temp dir, gateways started and stopped by
// pid, audit store reads, /metrics).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
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

#include "ccsec/paths.h"
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

[[maybe_unused]] std::uint16_t freePort() {
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
    return "{cert: " + cert + ", key: " + cert.substr(0, cert.size() - 4) + ".key, ca: " + *pki_ +
           "/ca.pem, crl: " + *pki_ + "/crl.pem, allowed_peers: [" + peers + "]}";
  }

  void writeConfig(std::uint16_t cti_forward) {
    std::ofstream(dir_ + "/gw.yaml")
        << "listeners:\n"
        << "  - name: cti\n    mode: server\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:"
        << echo_.port()
        << "\n    tls: " << tlsBlock(dir_ + "/gw-live.pem", "finesse-a, revoked, expired") << "\n"
        << "  - name: ged-in\n    mode: server\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:"
        << cti_forward
        << "\n    protocol: ged-188\n    tls: " << tlsBlock(*pki_ + "/hosts/cg-a.pem", "finesse-a")
        << "\n"
        << "audit: {store: \"sqlite:audit.db\"}\n"
        << "metrics: {listen: 127.0.0.1:0}\n"
        << "limits: {drain_timeout_ms: 3000, per_peer_rate: 0, accept_rate: 0}\n";
  }

  // Adds a client-mode listener "ged-out" (cert finesse-a, expects cg-a) forwarding to `to`.
  void writeClientConfig(std::uint16_t to) {
    std::ofstream(dir_ + "/client.yaml")
        << "listeners:\n"
        << "  - name: ged-out\n    mode: client\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:"
        << to
        << "\n    protocol: ged-188\n    tls: " << tlsBlock(*pki_ + "/hosts/finesse-a.pem", "cg-a")
        << "\n"
        << "audit: {store: \"sqlite:client-audit.db\"}\n"
        << "metrics: {listen: 127.0.0.1:0}\n";
  }

  struct Proc {
    pid_t pid = -1;
    std::map<std::string, std::uint16_t> ports;
    std::string log;
  };

  Proc startGateway(const std::string& config, const std::string& log_name, unsigned workers = 2) {
    Proc p;
    p.log = dir_ + "/" + log_name;
    const std::string workers_arg = std::to_string(workers);
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    p.pid = ::fork();
    if (p.pid == 0) {
      ::dup2(out[1], 1);
      int err = ::open(p.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::close(out[0]);
      ::execl(CCSEC_BIN, CCSEC_BIN, "gateway", "--config", config.c_str(), "--workers",
              workers_arg.c_str(), "--verbose", static_cast<char*>(nullptr));
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
  bool waitAudit(const std::string& kind, const std::string& reason,
                 const std::string& identity_part = {}, const std::string& db = "audit.db") {
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
    auto [rc, out] =
        run("(echo PING-PLAINTEXT; sleep 0.3) | timeout 10 openssl s_client -connect 127.0.0.1:" +
            std::to_string(port) + " -CAfile " + *pki_ + "/ca.pem -quiet -no_ign_eof " + args);
    return out;
  }
  std::string certArgs(const std::string& name, const std::string& dir = "hosts") {
    return "-cert " + *pki_ + "/" + dir + "/" + name + ".pem -key " + *pki_ + "/" + dir + "/" +
           name + ".key";
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

  static inline std::string* pki_ = nullptr;
  std::string dir_;
  tt::EchoServer echo_;
  std::vector<pid_t> procs_;
};

}  // namespace
}  // namespace ccsec
