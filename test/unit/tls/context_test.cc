#include "tls/context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "seam_fixture.h"
#include "test_peers.h"
#include "tls/session.h"

namespace ccsec::tls {
namespace {

TEST(TlsPolicy, VersionsAndLegacyOptIn) {
  EXPECT_EQ(*parseVersion("1.2"), Version::kTls12);
  EXPECT_EQ(*parseVersion("TLSv1.3"), Version::kTls13);
  EXPECT_FALSE(parseVersion("1.4").ok());
  EXPECT_FALSE(validatePolicy({false, Version::kTls11}).ok());
  EXPECT_TRUE(validatePolicy({true, Version::kTls11}).ok());
  EXPECT_TRUE(validatePolicy({false, Version::kTls13}).ok());
}

TEST(TlsPolicy, DefaultSuitesAreAeadOnly) {
  std::string list = cipherList({}) + ":";
  for (std::size_t pos = 0, next = 0; (next = list.find(':', pos)) != std::string::npos;
       pos = next + 1) {
    std::string suite = list.substr(pos, next - pos);
    EXPECT_TRUE(suite.starts_with("ECDHE-") &&
                (suite.find("-GCM-") != std::string::npos || suite.ends_with("CHACHA20-POLY1305")))
        << suite;
  }
}

class TlsContextTest : public SeamTest {
 protected:
  // The certificates a server session sends, as a plain OpenSSL client counts them (whatever
  // the backend): the client presents hosts/<name> of `dir` and does not verify.
  static int chainSentBy(const Context& server, const std::string& dir, const std::string& name) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto s = server.newSession(sv[0]);
    EXPECT_TRUE(s.ok());
    int chain = -1;
    std::thread t([&] {
      SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
      SSL_CTX_use_certificate_chain_file(ctx, (dir + "/" + name + ".pem").c_str());
      SSL_CTX_use_PrivateKey_file(ctx, (dir + "/" + name + ".key").c_str(), SSL_FILETYPE_PEM);
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, sv[1]);
      if (SSL_connect(ssl) == 1)
        if (STACK_OF(X509)* peer_chain = SSL_get_peer_cert_chain(ssl); peer_chain != nullptr)
          chain = sk_X509_num(peer_chain);
      SSL_free(ssl);
      SSL_CTX_free(ctx);
      ::shutdown(sv[1], SHUT_RDWR);
    });
    (void)(*s)->handshake();
    ::shutdown(sv[0], SHUT_RDWR);
    t.join();
    ::close(sv[0]);
    ::close(sv[1]);
    return chain;
  }
};

TEST_F(TlsContextTest, MutualHandshakeWithAllowedNames) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_TRUE((o.server == Io::kOk)) << o.server_reason;
  EXPECT_TRUE((o.client == Io::kOk));
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");
  EXPECT_EQ(o.server_peer.fingerprint_sha256.rfind("sha256:", 0), 0U);
}

TEST_F(TlsContextTest, PeerNotAllowedFailsTheHandshake) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-b"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_FALSE((o.server == Io::kOk));
  EXPECT_EQ(o.server_reason, "peer name not allowed");
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");
}

TEST_F(TlsContextTest, RevokedAndExpiredPeersAreRefused) {
  auto s = Context::build(config(Role::kServer, "gw", {"revoked", "expired"}));
  ASSERT_TRUE(s.ok());
  auto revoked = Context::build(config(Role::kClient, "revoked", {"gw"}));
  ASSERT_TRUE(revoked.ok());
  auto o = handshake(**s, **revoked);
  EXPECT_FALSE((o.server == Io::kOk));
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate revoked");
  auto expired = Context::build(config(Role::kClient, "expired", {"gw"}));
  ASSERT_TRUE(expired.ok());
  o = handshake(**s, **expired);
  EXPECT_FALSE((o.server == Io::kOk));
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate has expired");
}

TEST_F(TlsContextTest, BuildErrorsNameTheFile) {
  auto c = config(Role::kServer, "gw", {"x"});
  c.key_file = pki() + "/hosts/finesse-a.key";
  auto r = Context::build(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("finesse-a.key"), std::string::npos) << r.error().message;
  c = config(Role::kServer, "gw", {"x"});
  c.crl_file = pki() + "/ca.pem";
  r = Context::build(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("CRL"), std::string::npos);
  c = config(Role::kServer, "gw", {});
  EXPECT_FALSE(Context::build(c).ok());
}

TEST_F(TlsContextTest, ClientResumesWithTickets) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  ASSERT_TRUE((handshake(**s, **c).server == Io::kOk));
  // The ticket arrived with the first read; the second handshake resumes on both sides, and the
  // resumed session still knows its peer.
  auto o = handshake(**s, **c);
  ASSERT_TRUE((o.server == Io::kOk)) << o.server_reason;
  EXPECT_TRUE(o.server_resumed);
  EXPECT_TRUE(o.client_resumed);
  EXPECT_EQ(o.server_peer.common_name, "finesse-a");
}

// A session must not outlive the revocation of its peer: the session cache (and the ticket keys)
// belong to the SSL_CTX, and a CRL reload builds a new one. Stateful cache and stateless tickets.
TEST_F(TlsContextTest, RevokedPeerDoesNotResumeAfterCrlReload) {
  for (std::uint32_t cache : {20000u, 0u}) {
    SCOPED_TRACE("session_cache " + std::to_string(cache));
    auto sc = config(Role::kServer, "gw", {"revoked"});
    sc.crl_file = pki() + "/crl-none.pem";  // "revoked" is not revoked yet
    sc.session_cache = cache;
    auto s = Context::build(sc);
    auto c = Context::build(config(Role::kClient, "revoked", {"gw"}));
    ASSERT_TRUE(s.ok() && c.ok());
    auto o = handshake(**s, **c);
    ASSERT_TRUE((o.server == Io::kOk)) << o.server_reason;
    EXPECT_FALSE(o.server_resumed);
    for (int i = 0; i < 2; ++i) {  // each resumption brings the next ticket
      o = handshake(**s, **c);
      ASSERT_TRUE((o.server == Io::kOk)) << o.server_reason;
      EXPECT_TRUE(o.server_resumed) << "resumption " << i;
    }
#if CCSEC_TLS_OPENSSL
    if (cache > 0) {
      EXPECT_EQ(SSL_CTX_sess_hits((*s)->raw()), 2);  // found in the server's own cache
      EXPECT_EQ(SSL_CTX_sess_get_cache_size((*s)->raw()), 20000);
      EXPECT_EQ(SSL_CTX_get_timeout((*s)->raw()), 7200);
    }
#endif
    sc.crl_file = pki() + "/crl.pem";  // reload: the CRL now revokes the client
    auto reloaded = Context::build(sc);
    ASSERT_TRUE(reloaded.ok());
    o = handshake(**reloaded, **c);
    EXPECT_FALSE((o.server == Io::kOk));
    EXPECT_FALSE(o.server_resumed);
    EXPECT_NE(o.server_reason.find("revoked"), std::string::npos) << o.server_reason;
  }
}

#if CCSEC_TLS_OPENSSL
// The session cache is bounded: past session_cache sessions the oldest are evicted.
TEST_F(TlsContextTest, SessionCacheIsBounded) {
  auto sc = config(Role::kServer, "gw", {"finesse-a"});
  sc.session_cache = 3;
  auto s = Context::build(sc);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 6; ++i) {
    auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));  // a new client each
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((handshake(**s, **c).server == Io::kOk));
  }
  EXPECT_GE(SSL_CTX_sess_number((*s)->raw()), 1);
  EXPECT_LE(SSL_CTX_sess_number((*s)->raw()), 3);
  EXPECT_GE(SSL_CTX_sess_cache_full((*s)->raw()), 3);
}
#endif

// With intermediates, every certificate of the chain is checked against its CRL
// (X509_V_FLAG_CRL_CHECK_ALL): a leaf under a revoked intermediate is refused; and the server
// sends its full chain (leaf, intermediate, root) although its file holds the leaf only
// (built once at load, SSL_MODE_NO_AUTO_CHAIN).
TEST_F(TlsContextTest, ChainIsSentAndRevokedIntermediateIsRefused) {
  auto s = Context::build(chainConfig(Role::kServer, "gw", {"finesse-a", "finesse-r"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
#if CCSEC_TLS_OPENSSL
  EXPECT_NE(SSL_CTX_get_mode((*s)->raw()) & SSL_MODE_NO_AUTO_CHAIN, 0U);
#endif
  auto good = Context::build(chainConfig(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(good.ok()) << good.error().message;
  auto o = handshake(**s, **good);
  EXPECT_TRUE((o.server == Io::kOk)) << o.server_reason;
  EXPECT_TRUE((o.client == Io::kOk));
  EXPECT_EQ(chainSentBy(**s, pki() + "/chain", "finesse-a"), 3);
  auto bad = Context::build(chainConfig(Role::kClient, "finesse-r", {"gw"}));
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  o = handshake(**s, **bad);
  EXPECT_FALSE((o.server == Io::kOk));
  EXPECT_EQ(o.server_reason, "certificate verify failed: certificate revoked");
  EXPECT_EQ(o.server_peer.common_name, "finesse-r");
}

// A lone root: the leaf only is checked against the CRL, the chain sent is leaf + root.
TEST_F(TlsContextTest, LoneRootSendsLeafAndRoot) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_TRUE((o.server == Io::kOk)) << o.server_reason;
  EXPECT_EQ(chainSentBy(**s, pki() + "/hosts", "finesse-a"), 2);
#if CCSEC_TLS_OPENSSL
  const X509_VERIFY_PARAM* p = X509_STORE_get0_param(SSL_CTX_get_cert_store((*s)->raw()));
  EXPECT_NE(X509_VERIFY_PARAM_get_flags(p) & X509_V_FLAG_CRL_CHECK, 0UL);
  EXPECT_EQ(X509_VERIFY_PARAM_get_flags(p) & X509_V_FLAG_CRL_CHECK_ALL, 0UL);
#endif
}

// The end of a session as the gateway tells it apart: a close_notify is kClosed, a TCP close
// without one is kLost (the peer went away, possibly mid-frame); bytes before either still come.
TEST_F(TlsContextTest, ReadTellsCloseNotifyFromLoss) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  for (bool notify : {true, false}) {
    SCOPED_TRACE(notify ? "close_notify" : "TCP close");
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    auto ss = (*s)->newSession(sv[0]);
    auto cs = (*c)->newSession(sv[1]);
    ASSERT_TRUE(ss.ok() && cs.ok());
    std::thread t([&] {
      if ((*cs)->handshake() != Io::kOk) return;
      const std::uint8_t hello[] = {'h', 'i'};
      EXPECT_EQ((*cs)->write(hello, 2).bytes, 2U);
      if (notify) (*cs)->close();
      ::shutdown(sv[1], SHUT_RDWR);
    });
    ASSERT_EQ((*ss)->handshake(), Io::kOk) << (*ss)->failureReason();
    EXPECT_FALSE((*ss)->describe().empty());
    std::string got;
    IoResult r;
    do {
      std::uint8_t b[16];
      r = (*ss)->read(b, sizeof b);
      got.append(reinterpret_cast<const char*>(b), r.bytes);
    } while (r.status == Io::kOk);
    EXPECT_EQ(got, "hi");
    EXPECT_EQ(r.status, notify ? Io::kClosed : Io::kLost);
    t.join();
    ::close(sv[0]);
    ::close(sv[1]);
  }
}

}  // namespace
}  // namespace ccsec::tls
