// Targets of `ccsec probe` from examples/lab.yaml: declared listeners with their expectations,
// the plaintext CTI variant, undeclared catalog ports, directory ports, --resolve and refusals.
#include "probe/targets.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ccsec/paths.h"
#include "inventory/graph.h"
#include "inventory/loader.h"

namespace ccsec::probe {
namespace {

struct Lab {
  inventory::Model model;
  inventory::ChannelGraph graph;
};

const Lab& lab() {
  static const Lab l = [] {
    auto r = inventory::loadFile(std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml");
    EXPECT_TRUE(r.ok());
    Lab x{std::move(*r.model), {}};
    x.graph = inventory::deriveGraph(x.model, inventory::Catalog::builtin());
    return x;
  }();
  return l;
}

const Target* find(const std::vector<Target>& ts, std::string_view id) {
  for (const auto& t : ts)
    if (t.id() == id) return &t;
  return nullptr;
}

TEST(ProbeTargets, ParseResolve) {
  auto a = parseResolve("pg-a=127.0.0.11:20000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "pg-a");
  EXPECT_EQ(a->second.address, "127.0.0.11");
  EXPECT_EQ(a->second.port_offset, 20000);
  auto b = parseResolve("pg-b=[::1]:-5");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->second.address, "::1");
  EXPECT_EQ(b->second.port_offset, -5);
  auto c = parseResolve("pg-b=::1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->second.port_offset, 0);
  EXPECT_FALSE(parseResolve("pg-a"));
  EXPECT_FALSE(parseResolve("pg-a=example.com"));
  EXPECT_FALSE(parseResolve("pg-a=127.0.0.1:x"));
}

TEST(ProbeTargets, ListenersCarryTheirExpectations) {
  TargetOptions o;
  o.hosts = {"pg-a", "dc1"};
  auto ts = deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, o);
  ASSERT_TRUE(ts) << ts.error().message;
  const Target* cti = find(*ts, "pg-a:42030");
  ASSERT_NE(cti, nullptr);
  EXPECT_EQ(cti->purpose, Purpose::kListener);
  EXPECT_TRUE(cti->tls);
  EXPECT_TRUE(cti->mutual_tls);
  EXPECT_EQ(cti->dns_name, "pg-a.lab.example.com");
  EXPECT_EQ(cti->address, "10.1.2.10");
  const Target* plain = find(*ts, "pg-a:42027");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->purpose, Purpose::kPlainClosed);
  EXPECT_TRUE(plain->personal_data);
  const Target* sql = find(*ts, "pg-a:1433");  // a logger/aw/hds port: not pg-a's
  ASSERT_NE(sql, nullptr);
  EXPECT_EQ(sql->purpose, Purpose::kUndeclared);
  const Target* ldaps = find(*ts, "dc1:636");
  ASSERT_NE(ldaps, nullptr);
  EXPECT_TRUE(ldaps->tls && ldaps->ldap);
  EXPECT_EQ(ldaps->ldap_base, "dc=lab,dc=example,dc=com");
  ASSERT_NE(find(*ts, "dc1:3269"), nullptr);  // global_catalog: true
  for (const auto& t : *ts) EXPECT_TRUE(t.host == "pg-a" || t.host == "dc1") << t.id();
}

TEST(ProbeTargets, ResolveMapsAddressAndPortsOnly) {
  TargetOptions o;
  o.hosts = {"pg-a"};
  o.resolve["pg-a"] = Resolve{"127.0.0.11", 20000};
  auto ts = deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, o);
  ASSERT_TRUE(ts);
  const Target* cti = find(*ts, "pg-a:42030");
  ASSERT_NE(cti, nullptr);
  EXPECT_EQ(cti->connect_address, "127.0.0.11");
  EXPECT_EQ(cti->connect_port, 62030);
  EXPECT_EQ(cti->address, "10.1.2.10");  // the inventory's, for the name/IP check
}

TEST(ProbeTargets, RefusesWhatTheInventoryDoesNotDeclare) {
  TargetOptions o;
  o.hosts = {"intruder"};
  EXPECT_FALSE(deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, o));
  TargetOptions r;
  r.resolve["intruder"] = Resolve{"127.0.0.1", 0};
  EXPECT_FALSE(deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, r));
  TargetOptions f;
  f.from = "mars";
  EXPECT_FALSE(deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, f));
  TargetOptions big;
  big.hosts = {"pg-a"};
  big.resolve["pg-a"] = Resolve{"127.0.0.1", 30000};  // 42030 + 30000 > 65535
  EXPECT_FALSE(deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, big));
}

TEST(ProbeTargets, PerimeterPortsFromAnExternalZone) {
  TargetOptions o;
  o.hosts = {"rgr-a"};
  o.from = "internet";
  auto ts = deriveTargets(lab().model, inventory::Catalog::builtin(), lab().graph, o);
  ASSERT_TRUE(ts);
  for (std::string_view id :
       {"rgr-a:135", "rgr-a:139", "rgr-a:445", "rgr-a:593", "rgr-a:137/udp", "rgr-a:445/udp"}) {
    const Target* t = find(*ts, id);
    ASSERT_NE(t, nullptr) << id;
    EXPECT_EQ(t->purpose, Purpose::kPerimeter) << id;
  }
}

}  // namespace
}  // namespace ccsec::probe
