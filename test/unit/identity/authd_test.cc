#include "identity/authd.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ccsec::identity {
namespace {

TEST(AuthdUri, Normalizes) {
  EXPECT_EQ(normalizeUriPath("/ccp/index.html?x=1#f"), "/ccp/index.html");
  EXPECT_EQ(normalizeUriPath(""), "/");
  EXPECT_EQ(normalizeUriPath("/ccp/%61dmin/"), "/ccp/admin/");
  EXPECT_EQ(normalizeUriPath("/CCP//Admin;jsessionid=1/x"), "/ccp/admin/x");
  EXPECT_EQ(normalizeUriPath("/ccp/./a/../admin"), "/ccp/admin");
  EXPECT_EQ(normalizeUriPath("/ccp/admin/."), "/ccp/admin/");
  EXPECT_EQ(normalizeUriPath("/ccp\\admin\\x"), "/ccp/admin/x");
  EXPECT_EQ(normalizeUriPath("/ccp/%2e%2e/x"), "/x");
  EXPECT_FALSE(normalizeUriPath("/../etc"));
  EXPECT_FALSE(normalizeUriPath("/a%2"));
  EXPECT_FALSE(normalizeUriPath("/a%zz"));
  EXPECT_FALSE(normalizeUriPath("/a%00b"));
  EXPECT_FALSE(normalizeUriPath("relative"));
  EXPECT_FALSE(normalizeUriPath(std::string(5000, '/')));
}

TEST(AuthdUri, Patterns) {
  EXPECT_TRUE(urlPatternMatches("/admin/*", "/admin/"));
  EXPECT_TRUE(urlPatternMatches("/admin/*", "/admin"));
  EXPECT_TRUE(urlPatternMatches("/admin/*", "/admin/x/y"));
  EXPECT_FALSE(urlPatternMatches("/admin/*", "/administrator"));
  EXPECT_FALSE(urlPatternMatches("/admin/*", "/ccp/admin/"));
  EXPECT_TRUE(urlPatternMatches("*/admin/*", "/ccp/admin/x"));
  EXPECT_TRUE(urlPatternMatches("/exact", "/exact"));
  EXPECT_FALSE(urlPatternMatches("/exact", "/exact/"));
  // Linear-ish on hostile input: many stars against a long path finishes at once.
  EXPECT_FALSE(urlPatternMatches("*a*a*a*a*a*a*b", std::string(4000, 'a')));
}

class AuthdConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("authd-cfg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ca.pem") << "x";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  core::Result<AuthdConfig> parse(const std::string& servers, const std::string& extra = {}) {
    return parseAuthdConfig(
        "listen: 127.0.0.1:0\n"
        "directory:\n"
        "  servers: " +
            servers +
            "\n"
            "  site: east\n"
            "  ca_file: ca.pem\n"
            "  bind: \"{user}@corp.example.com\"\n"
            "  user_base: \"DC=corp,DC=example,DC=com\"\n"
            "  user_filter: \"(userPrincipalName={user}@corp.example.com)\"\n"
            "  nested: in-chain\n" +
            extra + "allowed_group: \"CN=Agents,DC=corp,DC=example,DC=com\"\n",
        "authd.yaml", dir_.string());
  }
  std::filesystem::path dir_;
};

TEST_F(AuthdConfigTest, OwnSiteFirstAndDefaults) {
  auto c =
      parse("[{url: \"ldaps://dc-w:636\", site: west}, {url: \"ldaps://dc-e:636\", site: east}]");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->directory.servers[0].url, "ldaps://dc-e:636");
  EXPECT_EQ(c->directory.tls.ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(c->audit_store, "sqlite:authd-audit.db");
  EXPECT_EQ(c->directory.nested, NestedMode::kInChain);
  ASSERT_EQ(c->trusted_proxies.size(), 2u);
}

// Each directory worker holds one pooled connection while it binds: the pool keeps at least one
// idle connection per worker, so that no bind pays a fresh TLS handshake (bench/authd: with 16
// workers and 8 kept, every bind beyond the 8th opened and closed a TLS connection).
TEST_F(AuthdConfigTest, PoolKeepsAConnectionPerWorker) {
  auto c = parse("[\"ldaps://dc-e:636\"]", "");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_GE(c->directory.pool.max_idle, c->workers);
  auto many = parse("[\"ldaps://dc-e:636\"]", "workers: 24\n");
  ASSERT_TRUE(many) << many.error().message;
  EXPECT_EQ(many->workers, 24u);
  EXPECT_GE(many->directory.pool.max_idle, 24u);
}

// A required key that is absent is an error, not an exception out of the parser.
TEST(AuthdConfig, MissingRequiredKeyIsAnErrorNotAThrow) {
  auto c = parseAuthdConfig(
      "listen: 127.0.0.1:0\ndirectory:\n  servers: [\"ldaps://dc:636\"]\n  ca_file: /dev/null\n"
      "  bind: \"uid={user},ou=people,dc=corp,dc=example,dc=com\"\n  nested: memberof\n"
      "allowed_group: \"cn=agents,dc=corp,dc=example,dc=com\"\n",
      "authd.yaml", "");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("group_base"), std::string::npos) << c.error().message;
}

TEST_F(AuthdConfigTest, PlaintextRefused) {
  auto c = parse("[\"ldap://dc-e:389\"]");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("refusing plaintext"), std::string::npos) << c.error().message;
  EXPECT_TRUE(parse("[\"ldap://dc-e:389\"]", "  starttls: true\n"));
  EXPECT_FALSE(parse("[\"ldapi://%2Ftmp%2Fs\"]", "  starttls: true\n"));
}

TEST_F(AuthdConfigTest, UnknownKeysAndMissingCa) {
  auto c = parse("[\"ldaps://dc-e\"]", "  tls_verify: false\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("unknown key"), std::string::npos);
  std::filesystem::remove(dir_ / "ca.pem");
  EXPECT_FALSE(parse("[\"ldaps://dc-e\"]"));
}

// The strict YAML reader (yaml/walker.h), as the inventory has it. Before: no column in any
// error, no "did you mean", a repeated key silently kept the first value, and a client_cert
// or server site given as a list was read as "" (client_cert then named the config directory).
TEST_F(AuthdConfigTest, StrictReaderNamesLineColumnPathAndHint) {
  auto c = parse("[\"ldaps://dc-e\"]", "  tls_verify: false\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "authd.yaml:10:3: directory.tls_verify: expected one of "
            "servers|site|starttls|ca_file|client_cert|client_key|timeout_ms|retry_after_ms|bind|"
            "user_base|user_filter|nested|group_base|group_ttl_s, found unknown key "
            "\"tls_verify\"");
  c = parse("[\"ldaps://dc-e\"]", "  nestd: memberof\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("(did you mean \"nested\"?)"), std::string::npos)
      << c.error().message;
  c = parse("[\"ldaps://dc-e\"]", "  client_cert: [a.pem]\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "authd.yaml:10:16: directory.client_cert: expected a string, found a sequence");
  c = parse("[{url: \"ldaps://dc-e\", site: [east]}]");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "authd.yaml:3:41: directory.servers[0].site: expected a string, found a sequence");
  c = parse("[\"ldaps://dc-e\"]", "  site: west\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "authd.yaml:10:3: directory.site: expected each key once, found \"site\" again "
            "(first at line 4)");
  c = parse("[\"ldaps://dc-e\"]", "  timeout_ms: 5\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "authd.yaml:10:15: directory.timeout_ms: expected an integer 100..60000, found \"5\"");
}

}  // namespace
}  // namespace ccsec::identity
