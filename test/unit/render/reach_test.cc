#include "render/reach.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "render/registry.h"

namespace ccsec::render {
namespace {

using testing::kMini;
using testing::kNetnsInventory;
using testing::loadPath;
using testing::loadText;

ReachResult ask(const testing::Loaded& l, const std::string& from, const std::string& to) {
  auto f = makeFlow(l.model, from, to);
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message);
  return reach(l.model, l.policy, *f);
}

TEST(Reach, EdgeIsAllowedByItsRule) {
  auto l = loadPath(kNetnsInventory);
  auto r = ask(l, "fin", "cg:42030/tcp");
  EXPECT_TRUE(r.allowed);
  ASSERT_EQ(r.layers.size(), 1u);  // same site: no perimeter on the path
  ASSERT_NE(r.layers[0].rule, nullptr);
  EXPECT_EQ(r.layers[0].rule->origin, "ged-188:cg<-fin");
  EXPECT_EQ(r.layers[0].file, "hosts/cg.nft");
  EXPECT_NE(describe(r.layers[0]).find("hosts/cg.nft r4 accept (ged-188:cg<-fin, inventory line"),
            std::string::npos)
      << describe(r.layers[0]);
}

TEST(Reach, NonEdgeMeetsTheDefaultDrop) {
  auto l = loadPath(kNetnsInventory);
  auto r = ask(l, "aw", "cg:42030");
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.layers[r.deciding].rule, nullptr);
  EXPECT_EQ(r.layers[r.deciding].why, "default policy drop");
}

TEST(Reach, IsolationNeedsIpsecOnBothEnds) {
  auto l = loadPath(kNetnsInventory);
  auto ok = ask(l, "pg", "rgr:40002/tcp");
  EXPECT_TRUE(ok.allowed);
  EXPECT_TRUE(ok.ipsec);
  auto refused = ask(l, "aw", "rgr:1433/tcp");
  EXPECT_FALSE(refused.allowed);
  EXPECT_FALSE(refused.ipsec);
}

TEST(Reach, ZonesAndEndpointGroupsAsSources) {
  auto l = loadPath(kNetnsInventory);
  EXPECT_TRUE(ask(l, "east-desktops", "fin:8445").allowed);
  EXPECT_TRUE(ask(l, "east-agents", "fin:8445").allowed);  // the zone itself
  EXPECT_FALSE(ask(l, "east-agents", "rgr:40002").allowed);
  // vos appliance: no host layer; from inside the site nothing stops it.
  auto cube = ask(l, "east-desktops", "cube:16384/udp");
  EXPECT_TRUE(cube.allowed);
  EXPECT_FALSE(cube.layers.back().enforced);
}

TEST(Reach, OutsideMeetsThePerimeterFirst) {
  auto l = loadPath(kNetnsInventory);
  auto sip = ask(l, "internet", "cube:5061/tcp");
  EXPECT_TRUE(sip.allowed);
  ASSERT_EQ(sip.layers.size(), 2u);
  EXPECT_EQ(sip.layers[0].file, "sites/east.perimeter.nft");
  EXPECT_EQ(sip.layers[0].rule->origin, "perimeter.allow");
  auto smb = ask(l, "internet", "cube:445/udp");
  EXPECT_FALSE(smb.allowed);
  EXPECT_EQ(smb.deciding, 0u);
  EXPECT_EQ(smb.layers[0].rule->origin, "perimeter.blocked");
  auto other = ask(l, "internet", "cube:8080/tcp");
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.layers[0].rule, nullptr);  // default drop of the perimeter
}

TEST(Reach, BadQueriesAreInputErrors) {
  auto l = loadPath(kNetnsInventory);
  EXPECT_FALSE(makeFlow(l.model, "nobody", "rgr:1").ok());
  EXPECT_FALSE(makeFlow(l.model, "pg", "rgr").ok());
  EXPECT_FALSE(makeFlow(l.model, "pg", "rgr:0").ok());
  EXPECT_FALSE(makeFlow(l.model, "pg", "rgr:70000").ok());
  EXPECT_FALSE(makeFlow(l.model, "pg", "rgr:22/sctp").ok());
  EXPECT_FALSE(makeFlow(l.model, "pg", "ghost:22").ok());
  auto f = makeFlow(l.model, "pg", "rgr:500/udp");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->proto, Proto::kUdp);
  EXPECT_EQ(f->port, 500);
}

TEST(Shadowed, ExceptionOnABlockedPortCanNeverMatch) {
  auto l = loadText(kMini, "mini.yaml");
  auto sh = shadowedRules(l.policy);
  ASSERT_EQ(sh.size(), 1u);
  EXPECT_EQ(renderedFile(*sh[0].table), "sites/s1.asa.cfg");
  EXPECT_EQ(sh[0].rule->origin, "perimeter.allow");
  EXPECT_EQ(sh[0].rule->port_lo, 445);
  EXPECT_EQ(sh[0].by->origin, "perimeter.blocked");
}

TEST(Shadowed, CleanInventoryHasNone) {
  auto l = loadPath(kNetnsInventory);
  EXPECT_TRUE(shadowedRules(l.policy).empty());
}

TEST(Shadowed, DuplicateRuleIsShadowedByTheFirst) {
  Table t;
  Rule a;
  a.label = "r1";
  a.proto = Proto::kTcp;
  a.src = {*core::Cidr::parse("10.0.0.0/8")};
  a.port_lo = 1000;
  a.port_hi = 2000;
  Rule b = a;
  b.label = "r2";
  b.src = {*core::Cidr::parse("10.1.2.3")};
  b.port_lo = b.port_hi = 1500;
  Rule c = a;
  c.label = "r3";
  c.port_lo = c.port_hi = 2500;  // outside r1's range: not shadowed
  t.rules = {a, b, c};
  PolicyModel pm;
  pm.hosts.push_back(t);
  auto sh = shadowedRules(pm);
  ASSERT_EQ(sh.size(), 1u);
  EXPECT_EQ(sh[0].rule->label, "r2");
  EXPECT_EQ(sh[0].by->label, "r1");
}

}  // namespace
}  // namespace ccsec::render
