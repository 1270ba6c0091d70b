#include "inventory/catalog.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ccsec::inventory {
namespace {

TEST(Catalog, BuiltinHasEveryRoleAndChannelOfTheDesign) {
  const Catalog& c = Catalog::builtin();
  for (const char* r : {"router",
                        "logger",
                        "pg",
                        "vru-pg",
                        "mr-pg",
                        "cti-server",
                        "cti-os",
                        "aw",
                        "hds",
                        "admin-client",
                        "call-server",
                        "vxml-server",
                        "cvp-reporting",
                        "vvb",
                        "ios-vxml-gateway",
                        "ingress-gateway",
                        "cucm",
                        "finesse",
                        "cuic",
                        "dialer",
                        "ccp",
                        "media-anchor",
                        "ccsec-store",
                        "domain-controller",
                        "custom"})
    EXPECT_NE(c.role(r), nullptr) << r;
  for (const char* k :
       {"ged-188", "ged-125", "ged-145", "mr", "dmp", "private", "replication", "sql", "sip", "rtp",
        "ng", "store", "vxml-http", "jtapi", "desktop-https", "directory"})
    EXPECT_NE(c.channel(k), nullptr) << k;
  EXPECT_EQ(c.roles().size(), 25u);
  EXPECT_EQ(c.channels().size(), 16u);
}

TEST(Catalog, CoreRolesFollowTheDesign) {
  const Catalog& c = Catalog::builtin();
  for (const char* r : {"ingress-gateway", "ios-vxml-gateway", "admin-client", "ccp",
                        "domain-controller", "custom"})
    EXPECT_FALSE(c.role(r)->core) << r;
  for (const char* r : {"router", "logger", "pg", "cti-server", "finesse", "cucm", "vvb", "hds"})
    EXPECT_TRUE(c.role(r)->core) << r;
  EXPECT_TRUE(c.role("logger")->sql);
  EXPECT_TRUE(c.role("aw")->sql);
  EXPECT_TRUE(c.role("hds")->sql);
  EXPECT_FALSE(c.role("router")->sql);
}

TEST(Catalog, Ged188PortsWithSideAndInstanceOffsets) {
  const auto& l = Catalog::builtin().role("cti-server")->listeners.at(0);
  EXPECT_EQ(l.channel, "ged-188");
  EXPECT_EQ(l.portFor('a', 0, false), 42027);
  EXPECT_EQ(l.portFor('a', 0, true), 42030);
  EXPECT_EQ(l.portFor('b', 0, false), 43027);
  EXPECT_EQ(l.portFor('b', 0, true), 43030);
  EXPECT_EQ(l.portFor('b', 2, true), 43110);
  EXPECT_EQ(l.portFor(std::nullopt, 1, false), 42067);
}

TEST(Catalog, ChannelFlags) {
  const Catalog& c = Catalog::builtin();
  for (const char* k : {"ged-188", "ged-125", "ged-145", "mr"}) {
    EXPECT_TRUE(c.channel(k)->personal_data) << k;
    EXPECT_TRUE(c.channel(k)->default_tls) << k;
  }
  for (const char* k : {"dmp", "private", "replication", "sql", "jtapi", "vxml-http"}) {
    EXPECT_FALSE(c.channel(k)->default_tls) << k;
    EXPECT_TRUE(c.channel(k)->core_link) << k;
  }
  EXPECT_TRUE(c.channel("desktop-https")->default_tls);
  EXPECT_EQ(c.channel("private")->scope, ChannelScope::kCrossSide);
  EXPECT_EQ(c.channel("directory")->scope, ChannelScope::kDomain);
  const auto* sql = c.channel("sql");
  EXPECT_FALSE(sql->pairs.empty());
  EXPECT_NE(std::find(sql->server_roles.begin(), sql->server_roles.end(), "logger"),
            sql->server_roles.end());
}

TEST(Catalog, RangesAndUnshiftedPorts) {
  const Catalog& c = Catalog::builtin();
  const auto& rtp = c.role("vvb")->listeners.at(1);
  EXPECT_EQ(rtp.proto, Transport::kUdp);
  EXPECT_EQ(rtp.portFor('a', 3, false), 24576);
  EXPECT_EQ(rtp.portEndFor('a', 3, false), 32767);
  const auto& sql = c.role("logger")->listeners.at(2);
  EXPECT_EQ(sql.portFor('b', 2, false), 1433);
}

TEST(Catalog, BrokenCatalogFileNamesTheLine) {
  auto dir = std::filesystem::temp_directory_path() / "ccsec-catalog-test";
  std::filesystem::create_directories(dir);
  auto file = (dir / "components.yaml").string();
  {
    std::ofstream out(file);
    out << "version: 1\nroles:\n  - name: router\n    listeners:\n"
           "      - {name: x, channel: nope, proto: tcp, port: 1}\nchannels: []\n";
  }
  auto c = Catalog::loadFile(file);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, file +
                                   ":5:28: roles[0].listeners[0].channel: expected a channel kind "
                                   "of this catalog (), found \"nope\"");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccsec::inventory
