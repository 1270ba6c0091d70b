#include "tls/context.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "test_peers.h"

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

class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::signal(SIGPIPE, SIG_IGN);  // peers below close abruptly on purpose
    pki_ = new std::string(testing::makeTempDir("tlspki"));
    ASSERT_TRUE(testing::makeTestPki(*pki_));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
  }
  static ContextConfig config(Role role, const std::string& name,
                              std::vector<std::string> allowed) {
    ContextConfig c;
    c.role = role;
    c.cert_file = *pki_ + "/hosts/" + name + ".pem";
    c.key_file = *pki_ + "/hosts/" + name + ".key";
    c.ca_file = *pki_ + "/ca.pem";
    c.crl_file = *pki_ + "/crl.pem";
    c.allowed_peers = std::move(allowed);
    return c;
  }
  // Blocking handshake over a socketpair; returns {server ok, client ok, server info}.
  // Certificates of the intermediate PKI (make_certs.sh: chain/).
  static ContextConfig chainConfig(Role role, const std::string& name,
                                   std::vector<std::string> allowed) {
    ContextConfig c = config(role, name, std::move(allowed));
    c.cert_file = *pki_ + "/chain/" + name + ".pem";
    c.key_file = *pki_ + "/chain/" + name + ".key";
    c.ca_file = *pki_ + "/chain/ca.pem";
    c.crl_file = *pki_ + "/chain/crl.pem";
    return c;
  }
  struct Outcome {
    bool server_ok;
    bool client_ok;
    HandshakeInfo server_info;
    std::string reason;
    bool server_resumed = false;
    int chain_seen_by_client = 0;  // certificates the server sent
  };
  static Outcome handshake(const Context& server, const Context& client) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    Outcome o{};
    HandshakeInfo cinfo;
    auto s = server.newSsl(sv[0], &o.server_info);
    auto c = client.newSsl(sv[1], &cinfo);
    std::thread t([&] {
      o.client_ok = SSL_do_handshake(c->get()) == 1;
      if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(c->get()); chain != nullptr)
        o.chain_seen_by_client = sk_X509_num(chain);
      if (o.client_ok) {
        char b;
        SSL_read(c->get(), &b, 1);
        SSL_shutdown(c->get());
      }
      ::shutdown(sv[1], SHUT_RDWR);
    });
    int r = SSL_do_handshake(s->get());
    o.server_ok = r == 1;
    o.server_resumed = o.server_ok && SSL_session_reused(s->get()) == 1;
    if (!o.server_ok)
      o.reason = handshakeFailureReason(SSL_get_error(s->get(), r), o.server_info);
    else {
      SSL_write(s->get(), "x", 1);
      SSL_shutdown(s->get());  // as the gateway does: OpenSSL drops sessions freed without it
    }
    ::shutdown(sv[0], SHUT_RDWR);
    t.join();
    ::close(sv[0]);
    ::close(sv[1]);
    return o;
  }
  static inline std::string* pki_ = nullptr;
};

TEST_F(TlsContextTest, MutualHandshakeWithAllowedNames) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_TRUE(o.server_ok) << o.reason;
  EXPECT_TRUE(o.client_ok);
  EXPECT_EQ(o.server_info.peer.common_name, "finesse-a");
}

TEST_F(TlsContextTest, PeerNotAllowedFailsTheHandshake) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-b"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_FALSE(o.server_ok);
  EXPECT_TRUE(o.server_info.name_rejected);
  EXPECT_EQ(o.reason, "peer name not allowed");
}

TEST_F(TlsContextTest, RevokedAndExpiredPeersAreRefused) {
  auto s = Context::build(config(Role::kServer, "gw", {"revoked", "expired"}));
  ASSERT_TRUE(s.ok());
  auto revoked = Context::build(config(Role::kClient, "revoked", {"gw"}));
  ASSERT_TRUE(revoked.ok());
  auto o = handshake(**s, **revoked);
  EXPECT_FALSE(o.server_ok);
  EXPECT_NE(o.reason.find("revoked"), std::string::npos) << o.reason;
  auto expired = Context::build(config(Role::kClient, "expired", {"gw"}));
  ASSERT_TRUE(expired.ok());
  o = handshake(**s, **expired);
  EXPECT_FALSE(o.server_ok);
  EXPECT_NE(o.reason.find("expired"), std::string::npos) << o.reason;
}

TEST_F(TlsContextTest, BuildErrorsNameTheFile) {
  auto c = config(Role::kServer, "gw", {"x"});
  c.key_file = *pki_ + "/hosts/finesse-a.key";
  auto r = Context::build(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("finesse-a.key"), std::string::npos) << r.error().message;
  c = config(Role::kServer, "gw", {"x"});
  c.crl_file = *pki_ + "/ca.pem";
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
  ASSERT_TRUE(handshake(**s, **c).server_ok);
  // The ticket arrived with the first read; the second handshake resumes.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  HandshakeInfo si, ci;
  auto ss = (*s)->newSsl(sv[0], &si);
  auto cs = (*c)->newSsl(sv[1], &ci);
  bool client_resumed = false;
  std::thread t([&] {
    if (SSL_do_handshake(cs->get()) == 1) client_resumed = SSL_session_reused(cs->get()) == 1;
  });
  ASSERT_EQ(SSL_do_handshake(ss->get()), 1);
  t.join();
  EXPECT_TRUE(client_resumed);
  ::close(sv[0]);
  ::close(sv[1]);
}

// A session must not outlive the revocation of its peer: the session cache (and the ticket keys)
// belong to the SSL_CTX, and a CRL reload builds a new one. Stateful cache and stateless tickets.
TEST_F(TlsContextTest, RevokedPeerDoesNotResumeAfterCrlReload) {
  for (std::uint32_t cache : {20000u, 0u}) {
    SCOPED_TRACE("session_cache " + std::to_string(cache));
    auto sc = config(Role::kServer, "gw", {"revoked"});
    sc.crl_file = *pki_ + "/crl-none.pem";  // "revoked" is not revoked yet
    sc.session_cache = cache;
    auto s = Context::build(sc);
    auto c = Context::build(config(Role::kClient, "revoked", {"gw"}));
    ASSERT_TRUE(s.ok() && c.ok());
    auto o = handshake(**s, **c);
    ASSERT_TRUE(o.server_ok) << o.reason;
    EXPECT_FALSE(o.server_resumed);
    for (int i = 0; i < 2; ++i) {  // each resumption brings the next ticket
      o = handshake(**s, **c);
      ASSERT_TRUE(o.server_ok) << o.reason;
      EXPECT_TRUE(o.server_resumed) << "resumption " << i;
    }
    if (cache > 0) {
      EXPECT_EQ(SSL_CTX_sess_hits((*s)->raw()), 2);  // found in the server's own cache
      EXPECT_EQ(SSL_CTX_sess_get_cache_size((*s)->raw()), 20000);
      EXPECT_EQ(SSL_CTX_get_timeout((*s)->raw()), 7200);
    }
    sc.crl_file = *pki_ + "/crl.pem";  // reload: the CRL now revokes the client
    auto reloaded = Context::build(sc);
    ASSERT_TRUE(reloaded.ok());
    o = handshake(**reloaded, **c);
    EXPECT_FALSE(o.server_ok);
    EXPECT_FALSE(o.server_resumed);
    EXPECT_NE(o.reason.find("revoked"), std::string::npos) << o.reason;
  }
}

// The session cache is bounded: past session_cache sessions the oldest are evicted.
TEST_F(TlsContextTest, SessionCacheIsBounded) {
  auto sc = config(Role::kServer, "gw", {"finesse-a"});
  sc.session_cache = 3;
  auto s = Context::build(sc);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 6; ++i) {
    auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));  // a new client each
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(handshake(**s, **c).server_ok);
  }
  EXPECT_GE(SSL_CTX_sess_number((*s)->raw()), 1);
  EXPECT_LE(SSL_CTX_sess_number((*s)->raw()), 3);
  EXPECT_GE(SSL_CTX_sess_cache_full((*s)->raw()), 3);
}

// With intermediates, every certificate of the chain is checked against its CRL
// (X509_V_FLAG_CRL_CHECK_ALL): a leaf under a revoked intermediate is refused; and the server
// sends its full chain (leaf, intermediate, root) although its file holds the leaf only
// (built once at load, SSL_MODE_NO_AUTO_CHAIN).
TEST_F(TlsContextTest, ChainIsSentAndRevokedIntermediateIsRefused) {
  auto s = Context::build(chainConfig(Role::kServer, "gw", {"finesse-a", "finesse-r"}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_NE(SSL_CTX_get_mode((*s)->raw()) & SSL_MODE_NO_AUTO_CHAIN, 0U);
  auto good = Context::build(chainConfig(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(good.ok()) << good.error().message;
  auto o = handshake(**s, **good);
  EXPECT_TRUE(o.server_ok) << o.reason;
  EXPECT_TRUE(o.client_ok);
  EXPECT_EQ(o.chain_seen_by_client, 3);
  auto bad = Context::build(chainConfig(Role::kClient, "finesse-r", {"gw"}));
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  o = handshake(**s, **bad);
  EXPECT_FALSE(o.server_ok);
  EXPECT_NE(o.reason.find("revoked"), std::string::npos) << o.reason;
  EXPECT_EQ(o.server_info.peer.common_name, "finesse-r");
}

// A lone root: the leaf only is checked against the CRL, the chain sent is leaf + root.
TEST_F(TlsContextTest, LoneRootSendsLeafAndRoot) {
  auto s = Context::build(config(Role::kServer, "gw", {"finesse-a"}));
  auto c = Context::build(config(Role::kClient, "finesse-a", {"gw"}));
  ASSERT_TRUE(s.ok() && c.ok());
  auto o = handshake(**s, **c);
  EXPECT_TRUE(o.server_ok) << o.reason;
  EXPECT_EQ(o.chain_seen_by_client, 2);
  const X509_VERIFY_PARAM* p = X509_STORE_get0_param(SSL_CTX_get_cert_store((*s)->raw()));
  EXPECT_NE(X509_VERIFY_PARAM_get_flags(p) & X509_V_FLAG_CRL_CHECK, 0UL);
  EXPECT_EQ(X509_VERIFY_PARAM_get_flags(p) & X509_V_FLAG_CRL_CHECK_ALL, 0UL);
}

}  // namespace
}  // namespace ccsec::tls
