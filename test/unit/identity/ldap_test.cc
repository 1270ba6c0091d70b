#include "identity/ldap.h"

#include <ccsec/paths.h>
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "identity/authorizer.h"
#include "slapd_lab.h"

namespace ccsec::identity {
namespace {

using testing::SlapdLab;

class IdentityLdap : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // libldap writes to sockets the server may have closed
    if (!SlapdLab::available()) return;
    lab_ = new SlapdLab(CCSEC_BIN);
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    if (!SlapdLab::available()) GTEST_SKIP() << "slapd not installed (scripts/setup installs it)";
    ASSERT_TRUE(lab_->ok()) << "slapd lab did not start; see " << lab_->dir() << "/slapd.log";
  }
  TlsOptions tls() const {
    TlsOptions t;
    t.ca_file = lab_->caFile();
    t.timeout = std::chrono::milliseconds(2000);
    return t;
  }
  DirectoryConfig dirConfig(std::vector<Server> servers) const {
    DirectoryConfig c;
    c.servers = std::move(servers);
    c.tls = tls();
    c.bind_template = "uid={user},ou=people,dc=lab,dc=example,dc=com";
    c.group_base = "ou=groups,dc=lab,dc=example,dc=com";
    c.pool.retry_after = std::chrono::milliseconds(200);
    return c;
  }
  static SlapdLab* lab_;
};
SlapdLab* IdentityLdap::lab_ = nullptr;

TEST(IdentityUrl, PlaintextRefusedUnlessStartTls) {
  EXPECT_FALSE(parseServer("ldap://dc1.corp.example.com", false));
  auto st = parseServer("ldap://dc1.corp.example.com:389", true);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->transport, Transport::kStartTls);
  auto s = parseServer("ldaps://dc1.corp.example.com:636/", false);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->transport, Transport::kLdaps);
  EXPECT_EQ(s->url, "ldaps://dc1.corp.example.com:636");
  EXPECT_FALSE(parseServer("ldapi://%2Ftmp%2Fx", true));
  EXPECT_FALSE(parseServer("ldaps://dc1/dc=x?uid", false));
  EXPECT_FALSE(parseServer("http://dc1", true));
}

TEST(IdentityUrl, OwnSiteFirst) {
  std::vector<Server> s = {{"ldaps://a", "east", Transport::kLdaps},
                           {"ldaps://b", "west", Transport::kLdaps},
                           {"ldaps://c", "east", Transport::kLdaps},
                           {"ldaps://d", "west", Transport::kLdaps}};
  auto o = orderBySite(s, "west");
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].url, "ldaps://b");
  EXPECT_EQ(o[1].url, "ldaps://d");
  EXPECT_EQ(o[2].url, "ldaps://a");
  EXPECT_EQ(o[3].url, "ldaps://c");
}

TEST(IdentityUrl, EscapingAndNames) {
  EXPECT_EQ(escapeFilterValue("a*(b)\\"), "a\\2a\\28b\\29\\5c");
  EXPECT_EQ(escapeDnValue("a,b=c"), "a\\,b\\=c");
  EXPECT_EQ(normalizeDn("CN=CC Agents, OU=Groups,DC=Corp"), "cn=cc agents,ou=groups,dc=corp");
  EXPECT_TRUE(validUserName("alice.smith@corp.example.com"));
  EXPECT_FALSE(validUserName("*"));
  EXPECT_FALSE(validUserName("a)(uid=*"));
  EXPECT_FALSE(validUserName(""));
  EXPECT_FALSE(validUserName(std::string(129, 'a')));
}

TEST_F(IdentityLdap, LdapsBindAndSearch) {
  auto s = parseServer(lab_->ldapsUrl(), false);
  ASSERT_TRUE(s);
  auto c = Connection::open(*s, tls());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->simpleBind(lab_->dn("uid=alice,ou=people"), "pw-alice").ok());
  auto r =
      c->search(lab_->dn("uid=alice,ou=people"), Scope::kBase, "(objectClass=*)", {"memberOf"});
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(normalizeDn(r.entries[0].first("memberOf")), lab_->dn("cn=ccp-agents,ou=groups"));
  auto bad = c->simpleBind(lab_->dn("uid=alice,ou=people"), "wrong");
  EXPECT_EQ(bad.outcome, Outcome::kInvalidCredentials);
  EXPECT_EQ(c->simpleBind(lab_->dn("uid=alice,ou=people"), "").outcome,
            Outcome::kInvalidCredentials);
}

TEST_F(IdentityLdap, StartTlsBind) {
  auto s = parseServer(lab_->ldapUrl(), true);
  ASSERT_TRUE(s);
  auto c = Connection::open(*s, tls());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->simpleBind(lab_->dn("uid=bob,ou=people"), "pw-bob").ok());
}

TEST_F(IdentityLdap, SaslExternalWithClientCertificate) {
  const std::string pki = (lab_->dir() / "pki").string();
  ASSERT_EQ(
      testing::runQuiet(std::string(CCSEC_BIN) + " pki issue --dir " + pki + " --name svc-check"),
      0);
  TlsOptions t = tls();
  t.cert_file = pki + "/hosts/svc-check.pem";
  t.key_file = pki + "/hosts/svc-check.key";
  auto s = parseServer(lab_->ldapsUrl(), false);
  auto c = Connection::open(*s, t);
  ASSERT_TRUE(c) << c.error().message;
  auto ext = c->saslExternal();
  ASSERT_TRUE(ext.ok()) << ext.message << " rc " << ext.rc;
  berval* authzid = nullptr;
  ASSERT_EQ(ldap_whoami_s(c->raw(), &authzid, nullptr, nullptr), LDAP_SUCCESS);
  ASSERT_NE(authzid, nullptr);
  const std::string id(authzid->bv_val, authzid->bv_len);
  ber_bvfree(authzid);
  EXPECT_NE(id.find("cn=svc-check"), std::string::npos) << id;
  // Without a client certificate there is no external identity.
  auto anon = Connection::open(*s, tls());
  ASSERT_TRUE(anon);
  EXPECT_FALSE(anon->saslExternal().ok());
}

TEST_F(IdentityLdap, WrongCaRefused) {
  // The system CA bundle does not hold the lab CA: the handshake must fail.
  TlsOptions t = tls();
  t.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  auto s = parseServer(lab_->ldapsUrl(), false);
  auto c = Connection::open(*s, t);
  EXPECT_FALSE(c);
  auto st = parseServer(lab_->ldapUrl(), true);
  EXPECT_FALSE(Connection::open(*st, t));
}

TEST_F(IdentityLdap, PagedSearchReturnsEverything) {
  auto s = parseServer(lab_->ldapsUrl(), false);
  auto c = Connection::open(*s, tls());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->simpleBind(lab_->dn("uid=bob,ou=people"), "pw-bob").ok());
  auto r = c->search(lab_->dn("ou=people"), Scope::kOne, "(objectClass=inetOrgPerson)", {"uid"},
                     2);  // pages of two entries
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  EXPECT_EQ(r.entries.size(), 5u);
  auto capped =
      c->search(lab_->dn("ou=people"), Scope::kOne, "(objectClass=inetOrgPerson)", {"uid"}, 2, 3);
  EXPECT_EQ(capped.entries.size(), 3u);
}

TEST_F(IdentityLdap, AuthorizerNestedAndLocked) {
  auto s = parseServer(lab_->ldapsUrl(), false);
  Authorizer a(dirConfig({*s}), {});
  auto alice = a.authenticate("alice", "pw-alice");
  ASSERT_EQ(alice.outcome, Outcome::kOk) << alice.message;
  EXPECT_TRUE(alice.identity.groups.count(lab_->dn("cn=ccp-agents,ou=groups")));
  auto carol = a.authenticate("carol", "pw-carol");
  ASSERT_EQ(carol.outcome, Outcome::kOk) << carol.message;
  EXPECT_TRUE(carol.identity.groups.count(lab_->dn("cn=ccp-supervisors,ou=groups")));
  EXPECT_TRUE(carol.identity.groups.count(lab_->dn("cn=ccp-agents,ou=groups")))
      << "nested group not resolved";
  auto bob = a.authenticate("bob", "pw-bob");
  ASSERT_EQ(bob.outcome, Outcome::kOk);
  EXPECT_TRUE(bob.identity.groups.empty());
  EXPECT_EQ(a.authenticate("locked", "pw-locked").outcome, Outcome::kInvalidCredentials);
  EXPECT_EQ(a.authenticate("alice", "nope").outcome, Outcome::kInvalidCredentials);
  EXPECT_EQ(a.authenticate("al*", "pw-alice").outcome, Outcome::kInvalidCredentials);
}

TEST_F(IdentityLdap, GroupsReusedForGroupTtlPasswordCheckedEveryTime) {
  auto s = parseServer(lab_->ldapsUrl(), false);
  DirectoryConfig cfg = dirConfig({*s});
  cfg.group_ttl = std::chrono::seconds(1);
  Authorizer a(cfg, {});
  const std::string agents = lab_->dn("cn=ccp-agents,ou=groups");
  auto first = a.authenticate("alice", "pw-alice");
  ASSERT_EQ(first.outcome, Outcome::kOk);
  EXPECT_TRUE(first.identity.groups.count(agents));
  EXPECT_GE(first.ldap_ops, 2);
  // The second decision costs one bind; a wrong password is still refused.
  auto second = a.authenticate("alice", "pw-alice");
  EXPECT_EQ(second.ldap_ops, 1);
  EXPECT_TRUE(second.identity.groups.count(agents));
  EXPECT_EQ(a.authenticate("alice", "wrong").outcome, Outcome::kInvalidCredentials);
  // Removed from the group: visible once group_ttl has passed.
  ASSERT_TRUE(lab_->modify("dn: " + agents + "\nchangetype: modify\ndelete: member\nmember: " +
                           lab_->dn("uid=alice,ou=people") + "\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto later = a.authenticate("alice", "pw-alice");
  ASSERT_EQ(later.outcome, Outcome::kOk);
  EXPECT_FALSE(later.identity.groups.count(agents));
  ASSERT_TRUE(lab_->modify("dn: " + agents + "\nchangetype: modify\nadd: member\nmember: " +
                           lab_->dn("uid=alice,ou=people") + "\n"));
}

TEST_F(IdentityLdap, PoolFailsOverAndFailsClosed) {
  // First server: a closed loopback port in the caller's site; second: the lab.
  const int dead = testing::freeTcpPort();
  auto servers = serversFromUrls({"ldaps://127.0.0.1:" + std::to_string(dead), lab_->ldapsUrl()},
                                 {"west", "east"}, false, "west");
  ASSERT_TRUE(servers);
  EXPECT_EQ((*servers)[0].site, "west");
  Authorizer a(dirConfig(*servers), {});
  auto r = a.authenticate("alice", "pw-alice");
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.message;
  EXPECT_EQ(a.pool().serversUp(), 1u);

  auto only_dead = serversFromUrls({"ldaps://127.0.0.1:" + std::to_string(dead)}, {}, false, "");
  Authorizer d(dirConfig(*only_dead), {});
  EXPECT_EQ(d.authenticate("alice", "pw-alice").outcome, Outcome::kUnavailable);
}

TEST_F(IdentityLdap, RecoversAfterRestart) {
  auto s = parseServer(lab_->ldapsUrl(), false);
  Authorizer a(dirConfig({*s}), {});
  ASSERT_EQ(a.authenticate("alice", "pw-alice").outcome, Outcome::kOk);
  lab_->stop();
  EXPECT_EQ(a.authenticate("alice", "pw-alice").outcome, Outcome::kUnavailable);
  ASSERT_TRUE(lab_->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // the pool's retry_after
  auto r = a.authenticate("alice", "pw-alice");
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.message;
}

}  // namespace
}  // namespace ccsec::identity
