#include <gtest/gtest.h>

#include "inventory/loader.h"
#include "fixtures.h"

namespace ccsec::inventory {
namespace {

using testing::diags;
using testing::kMinimal;
using testing::load;
using testing::one;

TEST(Loader, MinimalLoads) {
  auto r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  const Model& m = *r.model;
  EXPECT_EQ(m.deployment.name, "t");
  EXPECT_EQ(m.deployment.security_model, SecurityModel::kEndToEnd);
  EXPECT_EQ(m.deployment.tls_min_version, "1.2");
  ASSERT_EQ(m.hosts.size(), 3u);
  EXPECT_EQ(m.hosts[1].side, 'b');
  EXPECT_TRUE(m.hosts[0].hasRole("logger"));
  ASSERT_NE(m.findHost("pg-a"), nullptr);
  EXPECT_EQ(m.findHost("pg-a")->loc.line, 20);
  EXPECT_EQ(m.findZone("agents")->site, "s1");
  EXPECT_EQ(m.findDomain("ex.com")->forest, "ex.com");
  EXPECT_EQ(m.findController("dc1")->address.str(), "10.0.0.5");
  EXPECT_EQ(m.findHost("nope"), nullptr);
  EXPECT_EQ(m.source_file, "t.yaml");
}

TEST(Loader, UnknownKeyWithDidYouMean) {
  auto r = load(std::string(kMinimal) + "    protection: {ipsek: isolation}\n");
  EXPECT_EQ(one(r),
            "26:18: hosts[2].protection.ipsek: expected one of "
            "host_firewall|ipsec|ipsec_boundary|antivirus|last_patched|sql_hardened, found unknown key "
            "\"ipsek\" (did you mean \"ipsec\"?)");
}

TEST(Loader, BadEnumListsAllowedValues) {
  auto r = load(std::string(kMinimal) + "    protection: {ipsec: isolaton}\n");
  EXPECT_EQ(one(r),
            "26:25: hosts[2].protection.ipsec: expected one of none|isolation|peer, found "
            "\"isolaton\" (did you mean \"isolation\"?)");
}

TEST(Loader, WrongType) {
  auto r = load(std::string(kMinimal) + "    protection: {host_firewall: [yes]}\n");
  EXPECT_EQ(one(r),
            "26:33: hosts[2].protection.host_firewall: expected a boolean (true|false), found a sequence");
  auto r2 = load(std::string(kMinimal) + "    protection: [1, 2]\n");
  EXPECT_EQ(one(r2), "26:17: hosts[2].protection: expected a mapping, found a sequence");
}
}  // namespace
}  // namespace ccsec::inventory
