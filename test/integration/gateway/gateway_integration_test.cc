// The real binary against real peers on loopback. Each test starts its own `ccsec gateway`
// process (ports chosen by the kernel, read from the ready line) and stops it by pid.
#include <sys/un.h>

#include "common/process.h"
#include "gateway_binary.h"

namespace ccsec {
namespace {

TEST_F(GatewayBinary, ValidPeerIsRelayed) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::string out = sClient(gw.ports["cti"], certArgs("finesse-a"));
  EXPECT_NE(out.find("PING-PLAINTEXT"), std::string::npos) << out;
  EXPECT_TRUE(waitAudit("session_open", "handshake ok", "CN=finesse-a"));
}

// #17.1: the chain is built once at load (SSL_MODE_NO_AUTO_CHAIN) and still sent in full: a
// leaf-only certificate file under an intermediate goes out as leaf + intermediate + root; a
// client under a revoked intermediate is refused (X509_V_FLAG_CRL_CHECK_ALL).
TEST_F(GatewayBinary, SendsTheFullChainAndRefusesARevokedIntermediate) {
  const std::string c = *pki_ + "/chain/";
  std::ofstream(dir_ + "/chain.yaml")
      << "listeners:\n  - name: cti\n    mode: server\n    listen: 127.0.0.1:0\n"
      << "    forward: 127.0.0.1:" << echo_.port() << "\n    tls: {cert: " << c
      << "gw.pem, key: " << c << "gw.key, ca: " << c << "ca.pem, crl: " << c
      << "crl.pem, allowed_peers: [finesse-a, finesse-r]}\n"
      << "audit: {store: \"sqlite:audit.db\"}\n";
  auto gw = startGateway(dir_ + "/chain.yaml", "gw.log");
  const std::string port = std::to_string(gw.ports["cti"]);
  auto [rc, out] =
      run("echo | timeout 10 openssl s_client -showcerts -connect 127.0.0.1:" + port + " -CAfile " +
          *pki_ + "/ca.pem -cert " + c + "finesse-a.pem -key " + c + "finesse-a.key");
  std::size_t certs = 0;
  for (auto p = out.find("BEGIN CERTIFICATE"); p != std::string::npos;
       p = out.find("BEGIN CERTIFICATE", p + 1))
    ++certs;
  EXPECT_EQ(certs, 3U) << out;
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << out;
  EXPECT_NE(out.find("CN = ccsec test int"), std::string::npos) << out;
  std::string refused =
      sClient(gw.ports["cti"], "-cert " + c + "finesse-r.pem -key " + c + "finesse-r.key");
  EXPECT_EQ(refused.find("PING-PLAINTEXT"), std::string::npos) << refused;
  EXPECT_TRUE(waitAudit("handshake_failed", "certificate revoked", "CN=finesse-r"));
}

TEST_F(GatewayBinary, RefusesEveryBadPeerWithAnAuditReason) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  std::uint16_t port = gw.ports["cti"];
  struct Case {
    const char* what;
    std::string args;
    const char* reason;
    const char* identity;
  };
  std::vector<Case> cases{
      {"TLS 1.0", "-tls1 -cipher DEFAULT@SECLEVEL=0 " + certArgs("finesse-a"),
       "unsupported protocol", ""},
      {"TLS 1.1", "-tls1_1 -cipher DEFAULT@SECLEVEL=0 " + certArgs("finesse-a"),
       "unsupported protocol", ""},
      {"no client certificate", "", "peer did not return a certificate", "no certificate"},
      {"another CA", certArgs("finesse-a", "other"), "unable to get local issuer certificate",
       "CN=finesse-a"},
      {"revoked", certArgs("revoked"), "certificate revoked", "CN=revoked"},
      {"expired", certArgs("expired"), "certificate has expired", "CN=expired"},
      {"host not allowed", certArgs("intruder"), "peer name not allowed", "CN=intruder"},
  };
  for (const auto& c : cases) {
    std::string out = sClient(port, c.args);
    EXPECT_EQ(out.find("PING-PLAINTEXT"), std::string::npos) << c.what << ": plaintext came back\n"
                                                             << out;
    EXPECT_TRUE(waitAudit("handshake_failed", c.reason, c.identity)) << c.what;
  }
  EXPECT_EQ(echo_.accepted(), 0) << "no refused peer may reach the plaintext side";
}

TEST_F(GatewayBinary, PlaintextBytesToTheTlsPortGetNoPlaintextReply) {
  writeConfig(1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  for (std::string probe : {std::string("GET / HTTP/1.0\r\n\r\n"),
                            std::string("\x00\x00\x00\x10\x00\x00\x00\x03hello-cti-open!!", 24)}) {
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
  std::ofstream(dir_ + "/stunnel.conf")
      << "foreground = yes\npid =\n[cti]\nclient = yes\naccept = 127.0.0.1:" << sport
      << "\nconnect = 127.0.0.1:" << gw.ports["cti"] << "\ncert = " << *pki_
      << "/hosts/finesse-a.pem\nkey = " << *pki_ << "/hosts/finesse-a.key\nCAfile = " << *pki_
      << "/ca.pem\nverifyChain = yes\ncheckHost = gw\n";
  pid_t st = ::fork();
  if (st == 0) {
    int devnull = ::open((dir_ + "/stunnel.log").c_str(), O_WRONLY | O_CREAT, 0600);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl("/usr/bin/stunnel4", "stunnel4", (dir_ + "/stunnel.conf").c_str(),
            static_cast<char*>(nullptr));
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
        if (!conns[i]->write(m) || conns[i]->read(m.size()) != m)
          ++failures;
        else
          ++round_trips;
      }
    }
  });
  std::this_thread::sleep_for(200ms);
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.pem", dir_ + "/gw-live.pem",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(*pki_ + "/hosts/gw2.key", dir_ + "/gw-live.key",
                             std::filesystem::copy_options::overwrite_existing);
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
  EXPECT_NE(metrics.find("ccsec_gateway_reloads_total{result=\"ok\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ccsec_gateway_connections_active{listener=\"cti\"} 101"),
            std::string::npos)
      << metrics;
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
  EXPECT_EQ(tt::recvExactly(fd, expect.size()), expect)
      << "OPEN_CONF and call events delivered byte for byte";
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
  for (const char* f : {"audit.db", "audit.db-wal", "client-audit.db", "client-audit.db-wal",
                        "gw.log", "client.log"})
    if (std::filesystem::exists(dir_ + "/" + f)) at_rest += readFile(dir_ + "/" + f);
  ASSERT_FALSE(at_rest.empty());
  at_rest += metrics;
  for (const char* secret :
       {CtiServerSim::kAni, CtiServerSim::kCed, CtiServerSim::kCv1, CtiServerSim::kCv2,
        CtiServerSim::kEcc, CtiServerSim::kAccount, CtiServerSim::kPassword})
    EXPECT_EQ(at_rest.find(secret), std::string::npos) << secret << " leaked";

  // #16.4 `ccsec audit export`: JSON lines for a SIEM, still without any personal data.
  auto [rc, exported] =
      run(std::string(CCSEC_BIN) + " audit export --store sqlite:" + dir_ + "/audit.db");
  EXPECT_EQ(rc, 0) << exported;
  EXPECT_NE(exported.find(R"("kind":"session_close")"), std::string::npos) << exported;
  EXPECT_NE(exported.find(R"("client_id":"crm-connector-7")"), std::string::npos) << exported;
  EXPECT_EQ(exported.rfind("{\"id\":", 0), 0U) << exported;
  for (const char* secret :
       {CtiServerSim::kAni, CtiServerSim::kCed, CtiServerSim::kCv1, CtiServerSim::kCv2,
        CtiServerSim::kEcc, CtiServerSim::kAccount, CtiServerSim::kPassword})
    EXPECT_EQ(exported.find(secret), std::string::npos) << secret << " leaked by the export";
  // Bounds: nothing after the end of time; bad input is a usage error (exit 2).
  auto [rc_future, none] = run(std::string(CCSEC_BIN) + " audit export --store sqlite:" + dir_ +
                               "/audit.db --since 2999-01-01");
  EXPECT_EQ(rc_future, 0);
  EXPECT_EQ(none, "");
  auto [rc_bad, bad] = run(std::string(CCSEC_BIN) + " audit export --store sqlite:" + dir_ +
                           "/audit.db --until yesterday");
  EXPECT_EQ(rc_bad, 2);
  EXPECT_NE(bad.find("invalid time 'yesterday'"), std::string::npos) << bad;
  auto [rc_missing, missing] =
      run(std::string(CCSEC_BIN) + " audit export --store sqlite:" + dir_ + "/nope.db");
  EXPECT_EQ(rc_missing, 2);
  EXPECT_NE(missing.find("no audit store at"), std::string::npos) << missing;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/nope.db"));
}

TEST_F(GatewayBinary, BadConfigExitsTwoWithFileAndLine) {
  std::ofstream(dir_ + "/bad.yaml") << "listeners:\n  - name: x\n    mod: server\n";
  auto [rc, out] = run(std::string(CCSEC_BIN) + " gateway --config " + dir_ + "/bad.yaml");
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("bad.yaml:3:5: listeners[0].mod: expected one of "
                     "name|mode|listen|forward|protocol|tls|ktls, found unknown key \"mod\" (did "
                     "you mean \"mode\"?)"),
            std::string::npos)
      << out;
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
  EXPECT_NE(srv.find("mode: server\n    listen: \"10.1.2.10:42030\"\n    forward: "
                     "\"127.0.0.1:42027\"\n    protocol: ged-188"),
            std::string::npos)
      << srv;
  EXPECT_NE(srv.find("allowed_peers: [finesse-1, finesse-1.lab.example.com]"), std::string::npos)
      << srv;
  auto [rc_cli, cli] = run(base + "finesse-1");
  ASSERT_EQ(rc_cli, 0) << cli;
  EXPECT_NE(
      cli.find("mode: client\n    listen: \"127.0.0.1:42027\"\n    forward: \"10.1.2.10:42030\""),
      std::string::npos)
      << cli;
  EXPECT_NE(cli.find("forward: \"10.1.2.11:43030\""), std::string::npos) << cli;  // side B
  EXPECT_NE(cli.find("allowed_peers: [pg-a, pg-a.lab.example.com]"), std::string::npos) << cli;
  auto [rc_none, none] = run(base + "cvp-1");
  EXPECT_EQ(rc_none, 2) << none;
  EXPECT_NE(none.find("skipped ged-125:cvp-1<-pg-a: listener has no separate TLS port"),
            std::string::npos)
      << none;
  auto [rc_bad, bad] = run(base + "no-such-host");
  EXPECT_EQ(rc_bad, 2);
  EXPECT_NE(bad.find("host 'no-such-host' is not in the inventory"), std::string::npos) << bad;
}

}  // namespace
}  // namespace ccsec

namespace ccsec {
namespace {

// systemd Type=notify: READY=1 once listening, RELOADING=1 then READY=1 around a SIGHUP reload,
// STOPPING=1 on SIGTERM, and the watchdog pinged from the control loop; read from a
// NOTIFY_SOCKET the test owns.
TEST_F(GatewayBinary, ServiceNotifyReadyReloadStoppingWatchdog) {
  const std::string sock_path = dir_ + "/notify.sock";
  const int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string log;
  auto drain = [&] {
    char buf[512];
    for (ssize_t n; (n = ::recv(sock, buf, sizeof buf, MSG_DONTWAIT)) > 0;)
      log.append(buf, static_cast<std::size_t>(n)).push_back('\n');
  };
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  writeConfig(1);
  ::setenv("NOTIFY_SOCKET", sock_path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "300000", 1);
  auto gw = startGateway(dir_ + "/gw.yaml", "gw.log");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_TRUE(ccsec::testing::waitFor(
      [&] {
        drain();
        return count("READY=1") >= 1 && count("WATCHDOG=1") >= 3;
      },
      std::chrono::seconds(5)))
      << log;
  ASSERT_EQ(::kill(gw.pid, SIGHUP), 0);
  EXPECT_TRUE(ccsec::testing::waitFor(
      [&] {
        drain();
        return count("RELOADING=1") == 1 && count("READY=1") == 2;
      },
      std::chrono::seconds(5)))
      << log;
  EXPECT_LT(log.find("RELOADING=1"), log.rfind("READY=1")) << log;
  stopGateway();
  drain();
  EXPECT_EQ(count("STOPPING=1"), 1) << log;
  ::close(sock);
}

}  // namespace
}  // namespace ccsec
