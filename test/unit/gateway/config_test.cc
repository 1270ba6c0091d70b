#include "gateway/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ccsec::gateway {
namespace {

class GatewayConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ccsec-gwcfg-XXXXXX";
    dir_ = mkdtemp(tmpl);
    for (const char* f : {"gw.pem", "gw.key", "ca.pem", "crl.pem"})
      std::ofstream(dir_ + "/" + f) << "x";
    std::filesystem::permissions(
        dir_ + "/gw.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  core::Result<GatewayConfig> parse(const std::string& text) {
    return parseGatewayConfig(text, "gw.yaml", dir_);
  }
  std::string dir_;
};

constexpr const char* kValid = R"(listeners:
  - name: cti
    mode: server
    listen: 127.0.0.1:42030
    forward: 127.0.0.1:42027
    protocol: ged-188
    tls: {cert: gw.pem, key: gw.key, ca: ca.pem, crl: crl.pem, allowed_peers: [finesse-a], legacy_tls: false}
audit: {store: "sqlite:audit.db"}
metrics: {listen: 127.0.0.1:9464}
limits: {max_connections: 50, idle_timeout_ms: 1000}
)";

TEST_F(GatewayConfigTest, ParsesTheIssueExample) {
  auto c = parse(kValid);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->listeners.size(), 1u);
  const auto& l = c->listeners[0];
  EXPECT_EQ(l.name, "cti");
  EXPECT_EQ(l.mode, Mode::kServer);
  EXPECT_EQ(l.protocol, Protocol::kGed188);
  EXPECT_EQ(l.listen.str(), "127.0.0.1:42030");
  EXPECT_EQ(l.tls.cert_file, dir_ + "/gw.pem");
  EXPECT_EQ(l.tls.allowed_peers, std::vector<std::string>{"finesse-a"});
  EXPECT_EQ(l.tls.role, tls::Role::kServer);
  EXPECT_EQ(c->audit_store, "sqlite:" + dir_ + "/audit.db");
  ASSERT_TRUE(c->metrics_listen.has_value());
  EXPECT_EQ(c->limits.max_connections, 50u);
  EXPECT_EQ(c->limits.idle_timeout_ms, 1000u);
}

TEST_F(GatewayConfigTest, UnknownKeyNamesFileLineAndHint) {
  std::string text = kValid;
  text.replace(text.find("    protocol:"), 4, "    protocl: raw\n    ");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("gw.yaml:6:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("listeners[0].protocl: expected one of "
                                   "name|mode|listen|forward|protocol|tls|ktls, found unknown key "
                                   "\"protocl\" (did you mean \"protocol\"?)"),
            std::string::npos)
      << c.error().message;
}

// The strict reader (yaml/walker.h), as the inventory has it: a repeated key used to be
// silently accepted (yaml-cpp kept the first), and reading stopped at the first mistake.
TEST_F(GatewayConfigTest, DuplicateKeysAreRejected) {
  std::string text = kValid;
  text.replace(text.find("    protocol:"), 4, "    mode: client\n    ");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "gw.yaml:6:5: listeners[0].mode: expected each key once, found \"mode\" again (first "
            "at line 3)");
}

TEST_F(GatewayConfigTest, EveryMistakeIsReportedAtOnceWithLineAndColumn) {
  std::string text = kValid;
  text.replace(text.find("mode: server"), 12, "mode: bridge");
  text.replace(text.find("max_connections: 50"), 19, "max_connections: -1");
  text.replace(text.find("legacy_tls: false"), 17, "legacy_tls: maybe");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  const std::string& d = c.error().detail;
  EXPECT_NE(d.find("gw.yaml:3:11: listeners[0].mode: expected one of server|client, found "
                   "\"bridge\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("listeners[0].tls.legacy_tls: expected a boolean (true|false), found "
                   "\"maybe\""),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("gw.yaml:10:27: limits.max_connections: expected an integer 1..4294967295, "
                   "found \"-1\""),
            std::string::npos)
      << d;
}

TEST_F(GatewayConfigTest, EmptyListsAndWrongTypesAreErrors) {
  auto c = parse("listeners: []\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "gw.yaml:1:12: listeners: expected a non-empty list of listeners, found an empty "
            "sequence");
  c = parse("listeners: {name: x}\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "gw.yaml:1:12: listeners: expected a sequence, found a mapping");
  std::string text = kValid;
  text.replace(text.find("allowed_peers: [finesse-a]"), 26, "allowed_peers: []");
  c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("listeners[0].tls.allowed_peers: expected a non-empty list of "
                                   "host names, found an empty sequence"),
            std::string::npos)
      << c.error().message;
}

TEST_F(GatewayConfigTest, BadValuesAreErrorsWithLine) {
  std::string text = kValid;
  text.replace(text.find("mode: server"), 12, "mode: bridge");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("gw.yaml:3:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("expected one of server|client, found \"bridge\""),
            std::string::npos)
      << c.error().message;
}

TEST_F(GatewayConfigTest, OldTlsNeedsLegacyOptIn) {
  std::string text = kValid;
  text.replace(text.find("legacy_tls: false"), 17, "min_version: \"1.1\"");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("legacy_tls"), std::string::npos) << c.error().message;
  text = kValid;
  text.replace(text.find("legacy_tls: false"), 17, "legacy_tls: true, min_version: \"1.1\"");
  auto ok = parse(text);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->listeners[0].tls.policy.min_version, tls::Version::kTls11);
}

TEST_F(GatewayConfigTest, MissingFileIsNamed) {
  std::string text = kValid;
  text.replace(text.find("crl: crl.pem"), 12, "crl: nope.pem");
  auto c = parse(text);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("nope.pem"), std::string::npos);
}

TEST_F(GatewayConfigTest, RejectsBadEndpointAndDuplicateNames) {
  std::string text = kValid;
  text.replace(text.find("127.0.0.1:42027"), 15, "localhost:42027");
  EXPECT_FALSE(parse(text).ok());
  std::string two = kValid;
  auto at = two.find("audit:");
  std::string listener = two.substr(two.find("  - name"), at - two.find("  - name"));
  two.insert(at, listener);
  auto c = parse(two);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("duplicate"), std::string::npos);
}

TEST_F(GatewayConfigTest, OneListenerPerAddress) {
  std::string two = kValid;
  auto at = two.find("audit:");
  std::string listener = two.substr(two.find("  - name"), at - two.find("  - name"));
  listener.replace(listener.find("name: cti"), 9, "name: lax");
  two.insert(at, listener);
  auto c = parse(two);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "gw.yaml:10:13: listeners[1].listen: 127.0.0.1:42030 is already the address of "
            "listener 'cti'");
  std::string wildcard = two;
  wildcard.replace(wildcard.rfind("127.0.0.1:42030"), 15, "0.0.0.0:42030");
  c = parse(wildcard);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find(
                "0.0.0.0:42030 is already the address of listener 'cti' (127.0.0.1:42030)"),
            std::string::npos)
      << c.error().message;
  std::string other_port = two;
  other_port.replace(other_port.rfind("127.0.0.1:42030"), 15, "127.0.0.1:42031");
  EXPECT_TRUE(parse(other_port).ok());
}

TEST_F(GatewayConfigTest, KeyReadableByOthersIsRefusedUnlessAllowed) {
  std::filesystem::permissions(dir_ + "/gw.key", std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto c = parse(kValid);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("gw.yaml:7:"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("listeners[0].tls.key: " + dir_ +
                                   "/gw.key is accessible by group or others (mode 0604)"),
            std::string::npos)
      << c.error().message;
  std::string allowed = kValid;
  allowed.replace(allowed.find("legacy_tls: false}"), 18,
                  "legacy_tls: false, allow_insecure_key_permissions: true}");
  auto a = parse(allowed);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->listeners[0].tls.allow_insecure_key_permissions);
}

}  // namespace
}  // namespace ccsec::gateway
