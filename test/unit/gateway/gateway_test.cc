// In-process gateway tests: a client-mode listener chained to a server-mode listener in front of
// a plaintext echo backend, all on loopback with ports chosen by the kernel.
#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ged188_builder.h"
#include "test_peers.h"

namespace ccsec::gateway {
namespace {

using namespace std::chrono_literals;
namespace tt = ccsec::testing;

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new std::string(tt::makeTempDir("gwpki"));
    ASSERT_TRUE(tt::makeTestPki(*pki_));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
  }

  ListenerConfig listener(const std::string& name, Mode mode, std::uint16_t forward_port,
                          const std::string& cert, std::vector<std::string> allowed,
                          Protocol proto) {
    ListenerConfig l;
    l.name = name;
    l.mode = mode;
    l.listen = *net::Endpoint::parse("127.0.0.1:0");
    l.forward = *net::Endpoint::parse("127.0.0.1:" + std::to_string(forward_port));
    l.protocol = proto;
    l.tls.role = mode == Mode::kServer ? tls::Role::kServer : tls::Role::kClient;
    l.tls.cert_file = *pki_ + "/hosts/" + cert + ".pem";
    l.tls.key_file = *pki_ + "/hosts/" + cert + ".key";
    l.tls.ca_file = *pki_ + "/ca.pem";
    l.tls.crl_file = *pki_ + "/crl.pem";
    l.tls.allowed_peers = std::move(allowed);
    return l;
  }

  // Server-mode "in" (cert gw, allows finesse-a) in front of the echo backend; optionally a
  // client-mode "out" (cert finesse-a, allows gw) forwarding to "in".
  void startPair(Protocol proto, Limits limits = {}, bool with_client = true) {
    GatewayConfig cfg;
    cfg.limits = limits;
    cfg.metrics_listen = *net::Endpoint::parse("127.0.0.1:0");
    cfg.listeners.push_back(
        listener("in", Mode::kServer, echo_.port(), "gw", {"finesse-a"}, proto));
    auto store = store::openSqliteStore(dir_ + "/audit.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    // The client listener needs the server's port: start the server gateway first.
    auto gw = Gateway::create(cfg, 2, std::move(*store));
    ASSERT_TRUE(gw.ok()) << gw.error().message;
    server_ = std::move(*gw);
    ASSERT_TRUE(server_->start().ok());
    in_port_ = server_->listenEndpoints()[0].port();
    if (!with_client) return;
    GatewayConfig ccfg;
    ccfg.limits = limits;
    ccfg.listeners.push_back(listener("out", Mode::kClient, in_port_, "finesse-a", {"gw"}, proto));
    auto cstore = store::openSqliteStore(dir_ + "/audit-client.db");
    ASSERT_TRUE(cstore.ok());
    auto cgw = Gateway::create(ccfg, 1, std::move(*cstore));
    ASSERT_TRUE(cgw.ok()) << cgw.error().message;
    client_ = std::move(*cgw);
    ASSERT_TRUE(client_->start().ok());
    out_port_ = client_->listenEndpoints()[0].port();
  }

  void SetUp() override { dir_ = tt::makeTempDir("gwtest"); }
  void TearDown() override {
    if (client_) client_->stop();
    if (server_) server_->stop();
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<store::AuditEvent> events() {
    server_->audit().flush();
    auto l = server_->audit().store().list();
    EXPECT_TRUE(l.ok());
    return l.ok() ? *l : std::vector<store::AuditEvent>{};
  }
  int count(const std::string& kind, const std::string& reason_part = {}) {
    int n = 0;
    for (const auto& e : events())
      if (e.kind == kind && e.reason.find(reason_part) != std::string::npos) ++n;
    return n;
  }

  static std::string* pki_;
  std::string dir_;
  tt::EchoServer echo_;
  std::unique_ptr<Gateway> server_;
  std::unique_ptr<Gateway> client_;
  std::uint16_t in_port_ = 0;
  std::uint16_t out_port_ = 0;
};
std::string* GatewayTest::pki_ = nullptr;

TEST_F(GatewayTest, RelaysThroughClientAndServerModes) {
  startPair(Protocol::kRaw);
  int fd = tt::connectTo(out_port_);
  ASSERT_GE(fd, 0);
  std::string msg(100000, 'x');
  for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>('a' + i % 26);
  std::thread writer([&] { tt::sendAll(fd, msg.data(), msg.size()); });
  std::string back = tt::recvExactly(fd, msg.size());
  writer.join();
  EXPECT_EQ(back, msg);
  ::close(fd);
  EXPECT_EQ(echo_.received(), msg);
  auto& m = server_->metrics().listener(0);
  EXPECT_EQ(m.handshakes_ok.load(), 1u);
  EXPECT_GE(m.bytes_from_tls.load(), msg.size());
}

TEST_F(GatewayTest, HandshakeTimeoutClosesAndAudits) {
  Limits lim;
  lim.handshake_timeout_ms = 200;
  startPair(Protocol::kRaw, lim, false);
  int fd = tt::connectTo(in_port_);
  ASSERT_GE(fd, 0);
  std::string got;
  EXPECT_TRUE(tt::waitClosed(fd, &got, 3000));
  EXPECT_TRUE(got.empty());
  ::close(fd);
  EXPECT_EQ(count("handshake_failed", "handshake timeout"), 1);
  EXPECT_EQ(echo_.accepted(), 0);
}

// idle_timeout_ms: traffic keeps a session open past the timeout; a silent one is closed once
// the timeout has passed since its last byte (not since it opened), and the close is audited.
TEST_F(GatewayTest, IdleTimeoutClosesOnlySilentSessions) {
  Limits lim;
  lim.idle_timeout_ms = 600;
  startPair(Protocol::kRaw, lim);
  int fd = tt::connectTo(out_port_);
  ASSERT_GE(fd, 0);
  const auto opened = std::chrono::steady_clock::now();
  auto lastByte = opened;
  for (int i = 0; i < 13; ++i) {  // a byte each 100 ms for 1.2 s: two idle periods with traffic
    if (i > 0) std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(tt::sendAll(fd, "k", 1));
    ASSERT_EQ(tt::recvExactly(fd, 1), "k") << "closed while active, round " << i;
    lastByte = std::chrono::steady_clock::now();
  }
  EXPECT_GE(lastByte - opened, 1200ms);
  EXPECT_TRUE(tt::waitClosed(fd, nullptr, 5000)) << "a silent session stayed open";
  const auto closedAfter = std::chrono::steady_clock::now() - lastByte;
  ::close(fd);
  // The gateways stamp their last activity just before the echo reaches this thread; 100 ms of
  // slack for that delay on a loaded host (sanitizers, parallel builds).
  EXPECT_GE(closedAfter, 500ms) << "closed before the idle timeout";
  client_->audit().flush();
  auto cl = client_->audit().store().list();
  ASSERT_TRUE(cl.ok());
  int idle = count("session_close", "idle timeout");
  for (const auto& e : *cl) idle += e.kind == "session_close" && e.reason == "idle timeout";
  EXPECT_GE(idle, 1) << "no idle-timeout close was audited";
}

TEST_F(GatewayTest, MalformedGed188FrameClosesAndAudits) {
  startPair(Protocol::kGed188);
  int fd = tt::connectTo(out_port_);
  ASSERT_GE(fd, 0);
  auto open = testing::openReq("crm-1", "pw");
  ASSERT_TRUE(tt::sendAll(fd, open.data(), open.size()));
  EXPECT_EQ(tt::recvExactly(fd, open.size()).size(), open.size());
  std::vector<std::uint8_t> bad{0, 0, 0x40, 0, 0, 0, 0, 9};  // 16 KiB body: over 12,500
  ASSERT_TRUE(tt::sendAll(fd, bad.data(), bad.size()));
  EXPECT_TRUE(tt::waitClosed(fd, nullptr, 3000));
  ::close(fd);
  client_->audit().flush();
  auto l = client_->audit().store().list();
  ASSERT_TRUE(l.ok());
  int malformed = 0;
  for (const auto& e : *l) malformed += e.kind == "malformed_frame";
  EXPECT_EQ(malformed, 1);
  EXPECT_EQ(client_->metrics().listener(0).malformed_frames.load(), 1u);
  EXPECT_EQ(echo_.received().size(), open.size()) << "the malformed frame never reached the server";
}

TEST_F(GatewayTest, ReloadKeepsLiveConnectionsAndServesTheNewCertificate) {
  startPair(Protocol::kRaw, {}, false);
  tt::TlsClient before(*pki_, "finesse-a", in_port_);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before.serverCertSubjectCn(), "gw");
  ASSERT_TRUE(before.write("ping"));
  EXPECT_EQ(before.read(4), "ping");
  std::filesystem::copy_file(*pki_ + "/hosts/gw.pem", dir_ + "/gw.pem.bak");
  // Rotate: point the files at gw2 (same paths in a copy of the config would be typical; here
  // we overwrite the files the running config names).
  std::string cert = *pki_ + "/hosts/gw.pem", key = *pki_ + "/hosts/gw.key";
  std::filesystem::copy_file(*pki_ + "/hosts/gw.key", dir_ + "/gw.key.bak");
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.pem", cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.key", key,
                             std::filesystem::copy_options::overwrite_existing);
  auto r = server_->reload();
  std::filesystem::copy_file(dir_ + "/gw.pem.bak", cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(dir_ + "/gw.key.bak", key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(r.ok()) << r.error().message;
  tt::TlsClient after(*pki_, "finesse-a", in_port_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.serverCertSubjectCn(), "gw2");
  ASSERT_TRUE(before.write("still"));
  EXPECT_EQ(before.read(5), "still");
  EXPECT_EQ(server_->metrics().reloads_ok.load(), 1u);
  EXPECT_EQ(count("reload"), 1);
}

TEST_F(GatewayTest, FailedReloadKeepsTheRunningContext) {
  startPair(Protocol::kRaw, {}, false);
  std::string crl = *pki_ + "/crl.pem";
  std::filesystem::copy_file(crl, dir_ + "/crl.bak");
  { std::ofstream(crl, std::ios::trunc) << "garbage"; }
  auto r = server_->reload();
  std::filesystem::copy_file(dir_ + "/crl.bak", crl,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(r.ok());
  tt::TlsClient c(*pki_, "finesse-a", in_port_);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(server_->metrics().reloads_failed.load(), 1u);
  EXPECT_EQ(count("reload_failed"), 1);
}

TEST_F(GatewayTest, MaxConnectionsRejectsWithoutAnyByte) {
  Limits lim;
  lim.max_connections = 2;
  startPair(Protocol::kRaw, lim, false);
  tt::TlsClient a(*pki_, "finesse-a", in_port_);
  tt::TlsClient b(*pki_, "finesse-a", in_port_);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a.write("x") && b.write("y"));
  ASSERT_EQ(a.read(1) + b.read(1), "xy");
  int fd = tt::connectTo(in_port_);
  std::string got;
  EXPECT_TRUE(tt::waitClosed(fd, &got, 3000));
  EXPECT_TRUE(got.empty());
  ::close(fd);
  EXPECT_GE(count("rejected", "max_connections"), 1);
}

TEST_F(GatewayTest, MetricsEndpointServesPrometheusText) {
  startPair(Protocol::kRaw, {}, false);
  {
    tt::TlsClient a(*pki_, "finesse-a", in_port_);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a.write("x"));
    ASSERT_EQ(a.read(1), "x");  // TLS 1.3: the server has processed the client's Finished
  }
  int fd = tt::connectTo(server_->metricsEndpoint()->port());
  std::string req = "GET /metrics HTTP/1.0\r\n\r\n";
  ASSERT_TRUE(tt::sendAll(fd, req.data(), req.size()));
  std::string body;
  EXPECT_TRUE(tt::waitClosed(fd, &body));
  ::close(fd);
  // Served by net::HttpServer (libmicrohttpd answers an HTTP/1.0 request with an HTTP/1.1 status
  // line).
  EXPECT_TRUE(body.starts_with("HTTP/1.1 200 OK") || body.starts_with("HTTP/1.0 200 OK")) << body;
  EXPECT_NE(body.find("text/plain; version=0.0.4"), std::string::npos) << body;
  EXPECT_NE(body.find("ccsec_gateway_handshakes_total{listener=\"in\",result=\"ok\"} 1"),
            std::string::npos)
      << body;
}

}  // namespace
}  // namespace ccsec::gateway
