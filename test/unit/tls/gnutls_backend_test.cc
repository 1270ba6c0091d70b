// What the GnuTLS backend enforces that GnuTLS 3.7 does not by itself (tls/gnutls_backend.cc):
// a loaded and current CRL, CRLs of intermediates, the clientAuth usage, no renegotiation; and
// interop with OpenSSL peers (the CLI and libssl). Built only with -DCCSEC_TLS_DATA_PATH=gnutls.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/x509_info.h"
#include "seam_fixture.h"
#include "test_peers.h"
#include "tls/context.h"
#include "tls/session.h"

namespace ccsec::tls {
namespace {

bool run(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

class GnutlsBackendTest : public SeamTest {
 protected:
  // A CRL of the test CA (make_certs.sh: ca.cnf) valid for `seconds` from now (negative: in the
  // past), written to `name` in the PKI directory.
  static std::string crlValidFor(const std::string& name, long seconds) {
    const std::string path = pki() + "/" + name;
    std::string cmd = "cd " + pki() + " && openssl ca -batch -config ca.cnf -gencrl -out " + name;
    if (seconds > 0) {
      cmd += " -crlsec " + std::to_string(seconds);
    } else {
      cmd += " -crl_lastupdate " + stamp(-7200) + " -crl_nextupdate " + stamp(seconds);
    }
    EXPECT_TRUE(run(cmd + " 2>/dev/null")) << cmd;
    return path;
  }
  static std::string stamp(long offset_s) {
    std::time_t t = std::time(nullptr) + offset_s;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
    return buf;
  }
};

TEST_F(GnutlsBackendTest, NamesGnutlsAndMatchesTheOpensslIdentityFormats) {
  EXPECT_EQ(libraryVersion().rfind("GnuTLS 3.", 0), 0U) << libraryVersion();
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto o = handshake(**s, **c);
  ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
  ASSERT_EQ(o.client, Io::kOk) << o.client_reason;
  EXPECT_EQ(o.describe.rfind("TLSv1.3 TLS_", 0), 0U) << o.describe;
  auto info = core::readCertificateFile(pki() + "/hosts/finesse-a.pem");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(o.server_peer.common_name, info->common_name);
  EXPECT_EQ(o.server_peer.dns_names, info->dns_names);
  EXPECT_EQ(o.server_peer.serial_hex, info->serial_hex);
  EXPECT_EQ(o.server_peer.fingerprint_sha256, info->fingerprint_sha256);
  auto own = core::readCertificateFile(pki() + "/hosts/gw.pem");
  EXPECT_EQ((*s)->ownFingerprint(), own->fingerprint_sha256);
}

TEST_F(GnutlsBackendTest, MissingOrExpiredCrlIsRefusedAtBuild) {
  auto c = config(Role::kServer, "gw", {"finesse-a"});
  c.crl_file = pki() + "/ca.pem";  // no CRL in it
  auto r = Context::build(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no PEM CRL in " + c.crl_file), std::string::npos)
      << r.error().message;
  c.crl_file = crlValidFor("crl-expired.pem", -3600);
  r = Context::build(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("crl-expired.pem"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("expired"), std::string::npos) << r.error().message;
}

TEST_F(GnutlsBackendTest, CrlExpiringWhileRunningRefusesEveryHandshake) {
  auto sc = config(Role::kServer, "gw", {"finesse-a"});
  sc.crl_file = crlValidFor("crl-short.pem", 3);
  const auto built = std::chrono::steady_clock::now();
  auto s = Context::build(sc);
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto o = handshake(**s, **c);
  ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
  std::this_thread::sleep_until(built + std::chrono::seconds(5));
  // The client holds a ticket now: neither a resumption nor a full handshake gets through.
  o = handshake(**s, **c);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: CRL has expired");
  auto fresh = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  o = handshake(**s, **fresh);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: CRL has expired");
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");  // recorded although refused
}

TEST_F(GnutlsBackendTest, ClientAuthUsageIsEnforced) {
  // A certificate of the right CA and an allowed name, but serverAuth only.
  ASSERT_TRUE(run("cd " + pki() +
                  " && printf '[srv]\\nbasicConstraints=critical,CA:false\\n"
                  "keyUsage=critical,digitalSignature\\nextendedKeyUsage=serverAuth\\n' > srv.ext"
                  " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                  " -subj /CN=srvonly -addext subjectAltName=DNS:srvonly -keyout hosts/srvonly.key"
                  " -out hosts/srvonly.csr 2>/dev/null && chmod 600 hosts/srvonly.key"
                  " && openssl ca -batch -config ca.cnf -extfile srv.ext -extensions srv"
                  " -in hosts/srvonly.csr -out hosts/srvonly.pem -notext 2>/dev/null"));
  auto s = Context::build(config(Role::kServer, "gw", {"srvonly"}));
  auto c = Context::build(config(Role::kClient, "srvonly", {"gw"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto o = handshake(**s, **c);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: unsupported certificate purpose");
  EXPECT_EQ(o.server_peer.common_name, "srvonly");
  // The same certificate serves as a server: the client asks for serverAuth only.
  auto s2 = Context::build(config(Role::kServer, "srvonly", {"finesse-a"}));
  auto c2 = Context::build(config(Role::kClient, "finesse-a", {"srvonly"}));
  ASSERT_TRUE(s2.ok() && c2.ok());
  o = handshake(**s2, **c2);
  EXPECT_EQ(o.client, Io::kOk) << o.client_reason;
}

// The server remembers chains it has verified (so a reconnect storm does not verify the same
// client certificates again): a remembered chain still expires with its certificate, and a chain
// that failed is never remembered.
TEST_F(GnutlsBackendTest, RememberedChainsExpireWithTheirCertificate) {
  const std::string end = stamp(4);
  ASSERT_TRUE(run("cd " + pki() +
                  " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                  " -subj /CN=shortlived -addext subjectAltName=DNS:shortlived"
                  " -keyout hosts/shortlived.key -out hosts/shortlived.csr 2>/dev/null"
                  " && chmod 600 hosts/shortlived.key"
                  " && openssl ca -batch -config ca.cnf -enddate " +
                  end.substr(2) +
                  " -in hosts/shortlived.csr -out hosts/shortlived.pem -notext 2>/dev/null"))
      << "cannot issue a certificate ending " << end;
  const auto issued = std::chrono::steady_clock::now();
  auto s = Context::build(config(Role::kServer, "gw", {"shortlived"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  for (int i = 0; i < 2; ++i) {  // full handshakes: a fresh client context each time
    auto c = Context::build(config(Role::kClient, "shortlived", {"gw"}));
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto o = handshake(**s, **c);
    ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
    EXPECT_FALSE(o.server_resumed);
    EXPECT_EQ(o.server_peer.common_name, "shortlived");
  }
  std::this_thread::sleep_until(issued + std::chrono::seconds(6));
  auto c = Context::build(config(Role::kClient, "shortlived", {"gw"}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto o = handshake(**s, **c);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate has expired");
  EXPECT_EQ(o.server_peer.common_name, "shortlived");
  // A refused chain is refused again: nothing of it was remembered.
  o = handshake(**s, **c);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate has expired");
}

// A client certificate of a foreign CA is sent anyway (GNUTLS_FORCE_CLIENT_CERT, as OpenSSL
// does) and refused by the server for its issuer, not as a missing certificate.
TEST_F(GnutlsBackendTest, ForeignCaClientIsRefusedForItsIssuer) {
  ASSERT_TRUE(run("cd " + pki() + " && cat ca.pem other/ca.pem > both-ca.pem"));
  auto cc = config(Role::kClient, "finesse-a", {"gw"});
  cc.cert_file = pki() + "/other/finesse-a.pem";
  cc.key_file = pki() + "/other/finesse-a.key";
  cc.ca_file = pki() + "/both-ca.pem";
  auto c = Context::build(cc);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto o = handshake(**s, **c);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: unable to get local issuer certificate");
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");
}

TEST_F(GnutlsBackendTest, IntermediatesAreCheckedAgainstTheirCrls) {
  auto s = Context::build(chainConfig(Role::kServer, "gw", {"finesse-a", "finesse-r"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto good = Context::build(chainConfig(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(good.ok()) << good.error().message;
  auto o = handshake(**s, **good);
  EXPECT_EQ(o.server, Io::kOk) << o.server_reason;
  EXPECT_EQ(o.client, Io::kOk) << o.client_reason;
  // GnuTLS alone accepts this one: the revoked intermediate is in the CA bundle (an anchor).
  auto bad = Context::build(chainConfig(Role::kClient, "finesse-r", {"gw"}));
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  o = handshake(**s, **bad);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate revoked");
  EXPECT_EQ(o.server_peer.common_name, "finesse-r");
  // Without the CRL of "int", a chain through it fails closed.
  ASSERT_TRUE(
      run("cd " + pki() + "/chain && cat root-crl.pem int-revoked-crl.pem > crl-no-int.pem"));
  auto nc = chainConfig(Role::kServer, "gw", {"finesse-a"});
  nc.crl_file = pki() + "/chain/crl-no-int.pem";
  auto s2 = Context::build(nc);
  ASSERT_TRUE(s2.ok()) << s2.error().message;
  o = handshake(**s2, **good);
  EXPECT_EQ(o.server, Io::kFailed);
  EXPECT_EQ(o.server_reason, "certificate verify failed: unable to get certificate CRL");
}

TEST_F(GnutlsBackendTest, ResumesWithOneTicketAndNotAfterAReload) {
  auto sc = config(Role::kServer, "gw", {"finesse-a"});
  auto s = Context::build(sc);
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
  EXPECT_FALSE(o.server_resumed);
  o = handshake(**s, **c);
  ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
  EXPECT_TRUE(o.server_resumed);
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");  // from the ticket
  auto reloaded = Context::build(sc);                 // a reload: a new ticket key
  ASSERT_TRUE(reloaded.ok());
  o = handshake(**reloaded, **c);
  ASSERT_EQ(o.server, Io::kOk) << o.server_reason;
  EXPECT_FALSE(o.server_resumed);
}

// A ticket followed by data in the socket: one read returns the data (GnuTLS alone answers
// GNUTLS_E_AGAIN after handling the ticket, although the socket holds the next record).
TEST_F(GnutlsBackendTest, ReadAfterTheTicketReturnsTheData) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  setNonBlocking(sv[0]);
  setNonBlocking(sv[1]);
  auto ss = (*s)->newSession(sv[0]);
  auto cs = (*c)->newSession(sv[1]);
  ASSERT_TRUE(ss.ok() && cs.ok());
  Io ci = Io::kWantRead;
  std::thread t([&] { ci = drive(**cs, sv[1]); });
  ASSERT_EQ(drive(**ss, sv[0]), Io::kOk) << (*ss)->failureReason();
  t.join();
  ASSERT_EQ(ci, Io::kOk);
  const std::uint8_t x = 'x';
  ASSERT_EQ((*ss)->write(&x, 1).status, Io::kOk);  // after the ticket handshake() sent
  pollfd p{sv[1], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::uint8_t b = 0;
  auto r = (*cs)->read(&b, 1);
  EXPECT_EQ(r.status, Io::kOk);
  EXPECT_EQ(b, 'x');
  ss->reset();
  cs->reset();
  ::close(sv[0]);
  ::close(sv[1]);
}

// Contexts are shared by worker threads: the server's credentials and ticket key, the client's
// remembered session (under its mutex) are used from several threads at once.
TEST_F(GnutlsBackendTest, ContextsAreSharedAcrossThreads) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  std::atomic<int> ok{0};
  std::atomic<int> resumed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto o = handshake(**s, **c);
        if (o.server == Io::kOk && o.client == Io::kOk) ++ok;
        if (o.server_resumed) ++resumed;
      }
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_GT(resumed.load(), 0);
}

// An OpenSSL client over TLS 1.2 (GnuTLS 3.7 has no switch to refuse renegotiation).
TEST_F(GnutlsBackendTest, RenegotiationFailsTheSession) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::uint16_t port = 0;
  int lfd = testing::listenLoopback(4, &port);
  std::thread peer([&] {
    testing::TlsClient client(pki(), "finesse-a", port, TLS1_2_VERSION);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE(client.write("ping"));
    SSL_renegotiate(client.ssl());
    SSL_do_handshake(client.ssl());
    std::string got;
    testing::waitClosed(client.fd(), &got);
  });
  int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  ASSERT_GE(fd, 0);
  auto sess = (*s)->newSession(fd);
  ASSERT_TRUE(sess.ok());
  ASSERT_EQ(drive(**sess, fd), Io::kOk) << (*sess)->failureReason();
  EXPECT_EQ((*sess)->describe().rfind("TLSv1.2 TLS_ECDHE_ECDSA_WITH_", 0), 0U)
      << (*sess)->describe();
  std::string got;
  auto r = readSome(**sess, fd, &got, 100);
  EXPECT_EQ(got, "ping");
  EXPECT_EQ(r.status, Io::kFailed);
  EXPECT_EQ((*sess)->failureReason(), "TLS error: renegotiation attempt");
  sess->reset();
  ::close(fd);
  peer.join();
  ::close(lfd);
}

// `openssl s_client` as the peer of the server role: handshake, payload, clean close; TLS 1.1
// is refused with the contract's reason.
TEST_F(GnutlsBackendTest, OpensslSClientInterop) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::uint16_t port = 0;
  int lfd = testing::listenLoopback(4, &port);
  const std::string common = " -connect 127.0.0.1:" + std::to_string(port) + " -cert " + pki() +
                             "/hosts/finesse-a.pem -key " + pki() + "/hosts/finesse-a.key" +
                             " -CAfile " + pki() + "/ca.pem -verify_return_error -quiet";
  std::thread peer([&] {
    run("printf 'hello\\n' | timeout 10 openssl s_client -msg -brief" + common + " >" + pki() +
        "/s_client.msg 2>&1");
  });
  int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  ASSERT_GE(fd, 0);
  {
    auto sess = (*s)->newSession(fd);
    ASSERT_TRUE(sess.ok());
    ASSERT_EQ(drive(**sess, fd), Io::kOk) << (*sess)->failureReason();
    EXPECT_EQ((*sess)->peer().common_name, "finesse-a");
    std::string got;
    auto r = readSome(**sess, fd, &got, 100);
    EXPECT_EQ(got, "hello\n");
    EXPECT_TRUE(r.status == Io::kClosed || r.status == Io::kLost);
  }
  ::close(fd);
  peer.join();
  // One TLS 1.3 ticket per handshake (GnuTLS would send two).
  std::ifstream msg(pki() + "/s_client.msg");
  std::string line;
  int tickets = 0;
  while (std::getline(msg, line))
    if (line.find("<<< TLS 1.3, Handshake [length") != std::string::npos &&
        line.find("NewSessionTicket") != std::string::npos)
      ++tickets;
  EXPECT_EQ(tickets, 1);
  // The key exchange takes X25519 as OpenSSL peers offer it first (no P-256, no retry).
  std::ifstream brief(pki() + "/s_client.msg");
  const std::string all((std::istreambuf_iterator<char>(brief)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("Server Temp Key: X25519"), std::string::npos);
  EXPECT_EQ(all.find("HelloRetryRequest"), std::string::npos);
  std::thread old([&] {
    run("timeout 10 openssl s_client -tls1_1 -cipher DEFAULT@SECLEVEL=0" + common +
        " </dev/null >/dev/null 2>&1");
  });
  fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  ASSERT_GE(fd, 0);
  {
    auto sess = (*s)->newSession(fd);
    ASSERT_TRUE(sess.ok());
    EXPECT_EQ(drive(**sess, fd), Io::kFailed);
    EXPECT_EQ((*sess)->failureReason(), "unsupported protocol");
  }
  ::close(fd);
  old.join();
  ::close(lfd);
}

TEST_F(GnutlsBackendTest, BytesThatAreNotTlsAreNamed) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::pair<std::string, std::string> cases[] = {
      {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "http request"},
      {"SSH-2.0-OpenSSH_9.2\r\n", "not a TLS handshake"},
      {std::string("\x16\x09\x09\x00\x10", 5) + std::string(16, 'a'), "wrong version number"}};
  for (const auto& [bytes, reason] : cases) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    setNonBlocking(sv[0]);
    ASSERT_TRUE(testing::sendAll(sv[1], bytes.data(), bytes.size()));
    auto sess = (*s)->newSession(sv[0]);
    ASSERT_TRUE(sess.ok());
    EXPECT_EQ(drive(**sess, sv[0]), Io::kFailed);
    EXPECT_EQ((*sess)->failureReason(), reason);
    ::close(sv[0]);
    ::close(sv[1]);
  }
}

// The client role against `openssl s_server` (mutual TLS, serverAuth checked by the client).
TEST_F(GnutlsBackendTest, OpensslSServerInterop) {
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::uint16_t port = 0;
  int probe = testing::listenLoopback(1, &port);  // a free port for s_server
  ::close(probe);
  const std::string cmd =
      "timeout 10 openssl s_server -accept 127.0.0.1:" + std::to_string(port) + " -cert " + pki() +
      "/hosts/gw.pem -key " + pki() + "/hosts/gw.key -CAfile " + pki() +
      "/ca.pem -Verify 2 -verify_return_error -naccept 1 -rev" + " </dev/null >/dev/null 2>&1 &";
  ASSERT_TRUE(run(cmd));
  int fd = -1;
  for (int i = 0; i < 50 && fd < 0; ++i) {
    fd = testing::connectTo(port);
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(fd, 0);
  setNonBlocking(fd);
  auto sess = (*c)->newSession(fd);
  ASSERT_TRUE(sess.ok());
  ASSERT_EQ(drive(**sess, fd), Io::kOk) << (*sess)->failureReason();
  EXPECT_EQ((*sess)->peer().common_name, "gw");
  const std::string line = "abc\n";
  auto w = (*sess)->write(reinterpret_cast<const std::uint8_t*>(line.data()), line.size());
  EXPECT_EQ(w.status, Io::kOk);
  std::string got;
  readSome(**sess, fd, &got, 4);
  EXPECT_EQ(got, "cba\n");  // s_server -rev answers each line reversed
  (*sess)->close();
  sess->reset();
  ::close(fd);
}

}  // namespace
}  // namespace ccsec::tls
