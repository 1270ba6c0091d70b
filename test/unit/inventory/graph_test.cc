// Channel graph derivation: ports (side and instance offsets), TLS defaults by security model,
// channels: overrides and added edges, IPsec, endpoint groups, directory edges, ordering.
#include "inventory/graph.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"

namespace ccsec::inventory {
namespace {

using testing::diags;
using testing::kMinimal;
using testing::load;

Model mustLoad(const std::string& yaml) {
  auto r = load(yaml);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  return r.ok() ? std::move(*r.model) : Model{};
}

ChannelGraph graphOf(const std::string& yaml) {
  Model m = mustLoad(yaml);
  return deriveGraph(m, Catalog::builtin());
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// Two sites; CVP, VVB, Finesse and CUCM in east, a second Finesse in west; phones in both.
const char* kTwoSites = R"(version: 1
deployment: {name: g, security_model: signaling}
sites:
  - name: east
    zones:
      - {name: e-dc, kind: datacenter, cidr: 10.10.0.0/16}
      - {name: e-ag, kind: agent, cidr: 10.30.0.0/16}
  - name: west
    zones:
      - {name: w-dc, kind: datacenter, cidr: 10.110.0.0/16}
      - {name: w-ag, kind: agent, cidr: 10.130.0.0/16}
  - name: north
    zones:
      - {name: n-ag, kind: agent, cidr: 10.230.0.0/16}
site_links:
  - {a: east, b: west, protection: ipsec}
directory:
  forests: [{name: ex.com, domains: [{name: ex.com}]}]
  controllers:
    - {name: dc-e, address: 10.10.0.5, domain: ex.com, site: east}
    - {name: dc-w, address: 10.110.0.5, domain: ex.com, site: west}
hosts:
  - {name: rgr-a, site: east, zone: e-dc, address: 10.10.1.1, side: a, roles: [router, logger], domain: ex.com, protection: {ipsec: isolation}}
  - {name: rgr-b, site: west, zone: w-dc, address: 10.110.1.1, side: b, roles: [router, logger], domain: ex.com, protection: {ipsec: isolation}}
  - {name: pg-a, site: east, zone: e-dc, address: 10.10.2.1, side: a, roles: [pg, vru-pg, cti-server], protection: {ipsec: isolation}}
  - {name: pg-b, site: west, zone: w-dc, address: 10.110.2.1, side: b, roles: [pg, vru-pg, cti-server], protection: {ipsec: peer}}
  - {name: aw-e, site: east, zone: e-dc, address: 10.10.3.1, roles: [aw], protection: {ipsec: peer}}
  - {name: cvp-e, site: east, zone: e-dc, address: 10.10.4.1, roles: [call-server, vxml-server]}
  - {name: vvb-e, site: east, zone: e-dc, address: 10.10.4.2, roles: [vvb]}
  - {name: cucm-e, site: east, zone: e-dc, address: 10.10.5.1, roles: [cucm]}
  - {name: fin-e, site: east, zone: e-dc, address: 10.10.5.2, roles: [finesse]}
  - {name: fin-w, site: west, zone: w-dc, address: 10.110.5.2, roles: [finesse]}
  - {name: gw-e, site: east, zone: e-dc, address: 10.10.6.1, roles: [ingress-gateway]}
endpoints:
  - {name: ph-e, kind: ip-phone, site: east, zone: e-ag, count: 100}
  - {name: ph-w, kind: softphone, site: west, zone: w-ag, count: 100}
  - {name: mob-n, kind: mobile-agent, site: north, zone: n-ag, count: 10}
)";

TEST(Graph, DmpPortsBySideAndPlaintextDefault) {
  auto g = graphOf(kMinimal);
  const Edge* a = g.find("dmp", "rgr-a", "pg-a");
  const Edge* b = g.find("dmp", "rgr-b", "pg-a");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->port, 40002);
  EXPECT_EQ(b->port, 41002);
  EXPECT_FALSE(a->tls);
  EXPECT_FALSE(a->ipsec);
  EXPECT_FALSE(a->personal_data);
  EXPECT_FALSE(a->added);
  EXPECT_EQ(a->proto, Transport::kTcp);
  EXPECT_EQ(a->id(), "dmp:rgr-a<-pg-a");
  EXPECT_EQ(a->loc.line, 18);  // the server host
}

TEST(Graph, InstanceOffsetShiftsCcePortsOnly) {
  auto g = graphOf(replaced(kTwoSites, "name: g,", "name: g, instance: 2,"));
  EXPECT_EQ(g.find("dmp", "rgr-a", "pg-a")->port, 40002 + 80);
  EXPECT_EQ(g.find("dmp", "rgr-b", "pg-a")->port, 41002 + 80);
  EXPECT_EQ(g.find("ged-188", "pg-b", "fin-e")->port, 43030 + 80);  // side b, TLS variant
  EXPECT_EQ(g.find("ged-125", "cvp-e", "pg-a")->port, 5000);        // not instance-shifted
  EXPECT_EQ(g.find("replication", "rgr-b", "aw-e")->port, 41026 + 80);
}

TEST(Graph, PersonalDataChannelsUseTlsPorts) {
  auto g = graphOf(kTwoSites);
  const Edge* e = g.find("ged-188", "pg-a", "fin-e");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->personal_data);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, 42030);
  EXPECT_EQ(e->min_version, "1.2");
  EXPECT_EQ(g.find("ged-188", "pg-b", "fin-w")->port, 43030);
  EXPECT_TRUE(g.find("ged-125", "cvp-e", "pg-b")->tls);
}

TEST(Graph, SipTlsFollowsTheSecurityModel) {
  auto signaling = graphOf(kTwoSites);
  const Edge* e = signaling.find("sip", "cucm-e", "ph-e");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, 5061);
  EXPECT_TRUE(signaling.find("sip", "cvp-e", "gw-e")->tls);
  auto unsecured =
      graphOf(replaced(kTwoSites, "security_model: signaling", "security_model: unsecured"));
  EXPECT_FALSE(unsecured.find("sip", "cucm-e", "ph-e")->tls);
  EXPECT_EQ(unsecured.find("sip", "cucm-e", "ph-e")->port, 5060);
  // Other defaults do not depend on the model.
  EXPECT_TRUE(unsecured.find("ged-188", "pg-a", "fin-e")->tls);
  EXPECT_FALSE(unsecured.find("jtapi", "cucm-e", "pg-a")->tls);
  EXPECT_EQ(unsecured.find("jtapi", "cucm-e", "pg-a")->port, 2748);
}

TEST(Graph, PrivateLinksAcrossSides) {
  auto g = graphOf(kTwoSites);
  ASSERT_NE(g.find("private", "rgr-a", "rgr-b"), nullptr);
  ASSERT_NE(g.find("private", "rgr-b", "rgr-a"), nullptr);
  EXPECT_EQ(g.find("private", "rgr-a", "rgr-b")->port, 41004);
  EXPECT_EQ(g.find("private", "pg-b", "pg-a")->port, 43004);
  EXPECT_EQ(g.find("private", "rgr-a", "pg-b"), nullptr);
  // kMinimal has one PG: no PG private link.
  auto m = graphOf(kMinimal);
  EXPECT_EQ(m.find("private", "pg-a", "pg-a"), nullptr);
}

TEST(Graph, RolePairsLimitSqlClients) {
  auto g = graphOf(kTwoSites);
  EXPECT_NE(g.find("sql", "rgr-a", "aw-e"), nullptr);
  EXPECT_EQ(g.find("sql", "aw-e", "rgr-a"), nullptr);
  EXPECT_EQ(g.find("sql", "rgr-a", "rgr-b"), nullptr);
  EXPECT_NE(g.find("vxml-http", "cvp-e", "vvb-e"), nullptr);
  EXPECT_EQ(g.find("vxml-http", "cvp-e", "vvb-e")->port, 7000);
  EXPECT_NE(g.find("sip", "vvb-e", "cvp-e"), nullptr);
  EXPECT_EQ(g.find("sip", "vvb-e", "cucm-e"), nullptr);
}

TEST(Graph, EndpointGroupsUseTheirSiteOrAllServers) {
  auto g = graphOf(kTwoSites);
  const Edge* e = g.find("desktop-https", "fin-e", "ph-e");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->client_is_endpoint);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, 8445);
  EXPECT_EQ(g.find("desktop-https", "fin-w", "ph-e"), nullptr);  // west Finesse serves west
  EXPECT_NE(g.find("desktop-https", "fin-w", "ph-w"), nullptr);
  // north has no Finesse: its mobile agents use every one.
  EXPECT_NE(g.find("desktop-https", "fin-e", "mob-n"), nullptr);
  EXPECT_NE(g.find("desktop-https", "fin-w", "mob-n"), nullptr);
  // SIP: phones and softphones register with CUCM; mobile agents do not.
  EXPECT_NE(g.find("sip", "cucm-e", "ph-w"), nullptr);
  EXPECT_EQ(g.find("sip", "cucm-e", "mob-n"), nullptr);
  // RTP to the ingress gateway, UDP range.
  const Edge* rtp = g.find("rtp", "gw-e", "mob-n");
  ASSERT_NE(rtp, nullptr);
  EXPECT_EQ(rtp->proto, Transport::kUdp);
  EXPECT_EQ(rtp->port, 16384);
  EXPECT_EQ(rtp->port_end, 32767);
  EXPECT_EQ(g.find("rtp", "vvb-e", "gw-e")->port, 24576);
}

TEST(Graph, DirectoryEdgesToEveryControllerOfTheDomain) {
  auto g = graphOf(kTwoSites);
  EXPECT_NE(g.find("directory", "dc-e", "rgr-a"), nullptr);
  EXPECT_NE(g.find("directory", "dc-w", "rgr-a"), nullptr);
  EXPECT_EQ(g.find("directory", "dc-e", "rgr-a")->port, 389);
  EXPECT_EQ(g.find("directory", "dc-e", "pg-a"), nullptr);  // pg-a has no domain
  std::size_t n = 0;
  for (const auto& e : g.edges) n += e.kind == "directory";
  EXPECT_EQ(n, 4u);
}

TEST(Graph, DomainControllerHostsServeTheirDomain) {
  auto g = graphOf(std::string(kMinimal) +
                   "  - {name: dc9, site: s1, zone: dc, address: 10.0.0.9, roles: "
                   "[domain-controller], domain: ex.com}\n");
  EXPECT_NE(g.find("directory", "dc9", "rgr-a"), nullptr);
  EXPECT_NE(g.find("directory", "dc1", "rgr-a"), nullptr);
  EXPECT_EQ(g.find("directory", "dc9", "dc9"), nullptr);
  EXPECT_NE(g.find("directory", "dc1", "dc9"), nullptr);
}

TEST(Graph, IpsecIsolationAndPeer) {
  std::string yaml =
      std::string(kTwoSites) + "channels:\n  - {kind: replication, server: rgr-b, client: aw-e}\n";
  auto g = graphOf(yaml);
  EXPECT_TRUE(g.find("dmp", "rgr-a", "pg-a")->ipsec);      // isolation <-> isolation
  EXPECT_FALSE(g.find("dmp", "rgr-a", "pg-b")->ipsec);     // isolation <-> peer
  EXPECT_FALSE(g.find("jtapi", "cucm-e", "pg-a")->ipsec);  // isolation <-> none
  EXPECT_FALSE(g.find("replication", "rgr-a", "aw-e")->ipsec);
  // peer <-> peer only when the edge is listed in channels:
  auto peer = graphOf(replaced(
      replaced(yaml,
               "side: b, roles: [router, logger], domain: ex.com, protection: {ipsec: isolation}",
               "side: b, roles: [router, logger], domain: ex.com, protection: {ipsec: peer}"),
      "{kind: replication, server: rgr-b, client: aw-e}",
      "{kind: replication, server: rgr-b, client: aw-e}\n  - {kind: dmp, server: rgr-b, client: "
      "pg-b}"));
  EXPECT_TRUE(peer.find("replication", "rgr-b", "aw-e")->ipsec);
  EXPECT_TRUE(peer.find("dmp", "rgr-b", "pg-b")->ipsec);
  EXPECT_FALSE(peer.find("sql", "rgr-b", "aw-e")->ipsec);  // peers, but not listed
  EXPECT_FALSE(peer.find("ged-188", "pg-b", "fin-w")->ipsec);
}

TEST(Graph, ChannelsOverrideDerivedEdges) {
  auto g = graphOf(
      std::string(kTwoSites) +
      "channels:\n"
      "  - {kind: ged-188, server: pg-a, client: fin-e, tls: false, fallback: true}\n"
      "  - {kind: ged-188, server: pg-b, client: fin-w, legacy_tls: true, min_version: \"1.1\"}\n"
      "  - {kind: jtapi, server: cucm-e, client: pg-a, tls: true}\n");
  const Edge* a = g.find("ged-188", "pg-a", "fin-e");
  EXPECT_FALSE(a->tls);
  EXPECT_TRUE(a->fallback);
  EXPECT_EQ(a->port, 42027);  // plaintext variant once TLS is off
  EXPECT_FALSE(a->added);
  EXPECT_EQ(a->loc.line, 39);  // the channels: entry
  const Edge* b = g.find("ged-188", "pg-b", "fin-w");
  EXPECT_TRUE(b->tls);
  EXPECT_TRUE(b->legacy_tls);
  EXPECT_EQ(b->min_version, "1.1");
  EXPECT_EQ(g.find("jtapi", "cucm-e", "pg-a")->port, 2749);
  EXPECT_TRUE(g.find("jtapi", "cucm-e", "pg-a")->tls);
}

TEST(Graph, ChannelsAddEdgesForCustomRoles) {
  auto g = graphOf(
      replaced(kTwoSites, "endpoints:\n",
               "  - name: ece\n    site: east\n    zone: e-dc\n    address: 10.10.7.1\n"
               "    roles: [custom]\n"
               "    listeners: [{channel: mr, port: 38001, tls_port: 38011}]\n"
               "  - {name: crm, site: east, zone: e-dc, address: 10.10.7.2, roles: [custom]}\n"
               "  - {name: mrpg, site: east, zone: e-dc, address: 10.10.7.3, roles: [mr-pg]}\n"
               "endpoints:\n") +
      "channels:\n"
      "  - {kind: ged-188, server: pg-a, client: crm}\n"
      "  - {kind: ged-145, server: crm, client: rgr-a, port: 9999}\n");
  // A custom host with a listener serves its channel to the catalog's clients.
  const Edge* mr = g.find("mr", "ece", "mrpg");
  ASSERT_NE(mr, nullptr);
  EXPECT_TRUE(mr->tls);
  EXPECT_EQ(mr->port, 38011);
  EXPECT_FALSE(mr->added);
  // channels: adds a CTI client the catalog cannot know about.
  const Edge* cti = g.find("ged-188", "pg-a", "crm");
  ASSERT_NE(cti, nullptr);
  EXPECT_TRUE(cti->added);
  EXPECT_TRUE(cti->tls);
  EXPECT_TRUE(cti->personal_data);
  EXPECT_EQ(cti->port, 42030);
  const Edge* agw = g.find("ged-145", "crm", "rgr-a");
  ASSERT_NE(agw, nullptr);
  EXPECT_TRUE(agw->added);
  EXPECT_EQ(agw->port, 9999);
}

TEST(Graph, CrossSiteEdgesDoNotDependOnSiteLinks) {
  // Issue #9 item 1: site_links only state a link's protection; the edges are the same.
  auto linked = graphOf(kTwoSites);
  auto unlinked =
      graphOf(replaced(kTwoSites, "site_links:\n  - {a: east, b: west, protection: ipsec}\n", ""));
  ASSERT_EQ(linked.edges.size(), unlinked.edges.size());
  for (std::size_t i = 0; i < linked.edges.size(); ++i)
    EXPECT_EQ(linked.edges[i].id(), unlinked.edges[i].id());
  EXPECT_NE(unlinked.find("dmp", "rgr-b", "pg-a"), nullptr);  // west router, east PG
  EXPECT_NE(unlinked.find("ged-188", "pg-b", "fin-e"), nullptr);
  EXPECT_NE(unlinked.find("private", "rgr-a", "rgr-b"), nullptr);
  EXPECT_NE(unlinked.find("jtapi", "cucm-e", "pg-b"), nullptr);  // west PG, the only CUCM
}

TEST(Graph, DirectoryFallsBackToEveryControllerOfTheDomain) {
  // A host in a site without a controller of its domain (nor a linked one) uses them all.
  auto g2 = graphOf(replaced(replaced(kTwoSites, "  - name: north\n    zones:\n",
                                      "  - name: north\n    zones:\n      - {name: n-dc, kind: "
                                      "datacenter, cidr: 10.210.0.0/16}\n"),
                             "endpoints:\n",
                             "  - {name: n-aw, site: north, zone: n-dc, address: 10.210.0.9, "
                             "roles: [admin-client], domain: ex.com}\nendpoints:\n"));
  EXPECT_NE(g2.find("directory", "dc-e", "n-aw"), nullptr);
  EXPECT_NE(g2.find("directory", "dc-w", "n-aw"), nullptr);
}

TEST(Graph, DeterministicOrderAndLookups) {
  auto g1 = graphOf(kTwoSites);
  auto g2 = graphOf(kTwoSites);
  ASSERT_EQ(g1.edges.size(), g2.edges.size());
  for (std::size_t i = 0; i < g1.edges.size(); ++i) EXPECT_EQ(g1.edges[i].id(), g2.edges[i].id());
  EXPECT_TRUE(std::is_sorted(g1.edges.begin(), g1.edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.kind, a.server, a.client, a.port) <
           std::tie(b.kind, b.server, b.client, b.port);
  }));
  for (const Edge* e : g1.into("cucm-e")) EXPECT_EQ(e->server, "cucm-e");
  for (const Edge* e : g1.from("ph-e")) EXPECT_EQ(e->client, "ph-e");
  EXPECT_EQ(g1.from("ph-e").size(), 3u);  // desktop-https, rtp, sip
  EXPECT_EQ(g1.find("dmp", "nobody", "pg-a"), nullptr);
}

}  // namespace
}  // namespace ccsec::inventory
