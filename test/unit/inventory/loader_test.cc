// Loader: every class of error with its exact message, and the features of the schema.
#include "inventory/loader.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace ccsec::inventory {
namespace {

using testing::diags;
using testing::kMinimal;
using testing::load;
using testing::one;

// kMinimal with the first occurrence of `from` replaced by `to` (the test fails if absent).
std::string with(const std::string& from, const std::string& to) {
  std::string s = kMinimal;
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}
std::string plus(const std::string& tail) { return std::string(kMinimal) + tail; }

TEST(Loader, MinimalLoads) {
  auto r = load(kMinimal);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  const Model& m = *r.model;
  EXPECT_EQ(m.deployment.name, "t");
  EXPECT_EQ(m.deployment.security_model, SecurityModel::kEndToEnd);
  EXPECT_EQ(m.deployment.tls_min_version, "1.2");
  EXPECT_EQ(m.deployment.instance, 0);
  EXPECT_EQ(m.deployment.busy_hours, "06:00-22:00");  // the documented default
  ASSERT_EQ(m.hosts.size(), 3u);
  EXPECT_EQ(m.hosts[1].side, 'b');
  EXPECT_TRUE(m.hosts[0].hasRole("logger"));
  EXPECT_FALSE(m.hosts[0].hasRole("pg"));
  ASSERT_NE(m.findHost("pg-a"), nullptr);
  EXPECT_EQ(m.findHost("pg-a")->loc.line, 20);
  EXPECT_EQ(m.findHost("pg-a")->loc.column, 5);
  EXPECT_EQ(m.findZone("agents")->site, "s1");
  EXPECT_EQ(m.findZone("agents")->kind, ZoneKind::kAgent);
  EXPECT_EQ(m.findSite("s1")->physical_access, PhysicalAccess::kControlled);
  EXPECT_EQ(m.findDomain("ex.com")->forest, "ex.com");
  EXPECT_EQ(m.findController("dc1")->address.str(), "10.0.0.5");
  EXPECT_EQ(m.findHost("nope"), nullptr);
  EXPECT_EQ(m.source_file, "t.yaml");
  EXPECT_FALSE(m.hosts[2].protection.host_firewall.has_value());  // not stated
}

TEST(Loader, EnumSpellingsRoundTrip) {
  EXPECT_STREQ(toString(SecurityModel::kAgentMedia), "agent-media");
  EXPECT_STREQ(toString(EndpointKind::kMobileAgent), "mobile-agent");
  EXPECT_STREQ(toString(IvrPlatform::kIosVxmlGateway), "ios-vxml-gateway");
  EXPECT_STREQ(toString(CollabAuth::kActiveDirectory), "active-directory");
  EXPECT_STREQ(toString(Codec::kG711Alaw), "g711alaw");
  EXPECT_STREQ(toString(Transport::kUdp), "udp");
}

TEST(Loader, UnknownKeyWithDidYouMean) {
  EXPECT_EQ(
      one(load(plus("    protection: {ipsek: isolation}\n"))),
      "26:18: hosts[2].protection.ipsek: expected one of "
      "host_firewall|ipsec|ipsec_boundary|antivirus|last_patched|sql_hardened, found unknown key "
      "\"ipsek\" (did you mean \"ipsec\"?)");
  EXPECT_EQ(
      one(load(plus("colaboration: {host: pg-a}\n"))),
      "26:1: colaboration: expected one of version|deployment|sites|site_links|directory|hosts|"
      "channels|nat|endpoints|media|collaboration|accounts|waivers, found unknown key "
      "\"colaboration\" (did you mean \"collaboration\"?)");
}

TEST(Loader, BadEnumListsAllowedValues) {
  EXPECT_EQ(one(load(plus("    protection: {ipsec: isolaton}\n"))),
            "26:25: hosts[2].protection.ipsec: expected one of none|isolation|peer, found "
            "\"isolaton\" (did you mean \"isolation\"?)");
  EXPECT_EQ(one(load(with("security_model: end-to-end", "security_model: full"))),
            "4:19: deployment.security_model: expected one of "
            "unsecured|signaling|agent-media|end-to-end, found \"full\"");
  EXPECT_EQ(one(load(with("name: t", "name: t\n  tls_min_version: 1.1"))),
            "4:20: deployment.tls_min_version: expected one of 1.2|1.3, found \"1.1\" (did you "
            "mean \"1.2\"?)");
  EXPECT_EQ(
      one(load(with("name: t", "name: t\n  busy_hours: 7-19"))),
      "4:15: deployment.busy_hours: expected a non-empty time window HH:MM-HH:MM, found \"7-19\"");
  EXPECT_EQ(one(load(with("name: t", "name: t\n  busy_hours: \"08:00-08:00\""))),
            "4:15: deployment.busy_hours: expected a non-empty time window HH:MM-HH:MM, found "
            "\"08:00-08:00\"");
  auto ok = load(with("name: t", "name: t\n  busy_hours: \"20:00-04:00\""));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.model->deployment.busy_hours, "20:00-04:00");
}

TEST(Loader, WrongType) {
  EXPECT_EQ(one(load(plus("    protection: {host_firewall: [yes]}\n"))),
            "26:33: hosts[2].protection.host_firewall: expected a boolean (true|false), found a "
            "sequence");
  EXPECT_EQ(one(load(plus("    protection: [1, 2]\n"))),
            "26:17: hosts[2].protection: expected a mapping, found a sequence");
  EXPECT_EQ(one(load(with("name: t", "name: t\n  instance: many"))),
            "4:13: deployment.instance: expected an integer 0..99, found \"many\"");
  EXPECT_EQ(one(load(with("name: t", "name: [t]"))),
            "3:9: deployment.name: expected a string, found a sequence");
  auto r = load(with("hosts:\n", "hosts: 3\nx:\n"));  // the old items now belong to "x"
  ASSERT_EQ(diags(r).size(), 2u);
  EXPECT_EQ(diags(r)[0], "17:8: hosts: expected a sequence, found \"3\"");
}

TEST(Loader, MissingRequiredKey) {
  EXPECT_EQ(one(load(plus("endpoints:\n  - {name: ph, kind: ip-phone, site: s1, zone: agents}\n"))),
            "27:5: endpoints[0]: expected key \"count\", found none");
}

TEST(Loader, BadAddresses) {
  EXPECT_EQ(one(load(with("address: 10.0.2.1", "address: 10.0.2.300"))),
            "23:14: hosts[2].address: expected an IPv4 or IPv6 address, found \"10.0.2.300\"");
  EXPECT_EQ(one(load(with("cidr: 10.1.0.0/16", "cidr: 10.1.2.3/16"))),
            "9:43: sites[0].zones[1].cidr: expected a CIDR prefix like 10.10.0.0/16 (no host bits "
            "set), found \"10.1.2.3/16\"");
}

TEST(Loader, AddressOutsideZone) {
  EXPECT_EQ(one(load(with("address: 10.0.2.1", "address: 10.9.2.1"))),
            "23:14: hosts[2].address: expected an address inside zone \"dc\" (10.0.0.0/16), found "
            "10.9.2.1");
  EXPECT_EQ(one(load(with("address: 10.0.0.5", "address: 10.7.0.5"))),
            "16:28: directory.controllers[0].address: expected an address inside a zone of site "
            "\"s1\" (dc 10.0.0.0/16, agents 10.1.0.0/16), found 10.7.0.5");
}

TEST(Loader, DanglingSiteZoneDomainRole) {
  EXPECT_EQ(one(load(with("    site: s1\n", "    site: s2\n"))),
            "21:11: hosts[2].site: expected the name of a site (s1), found \"s2\" (did you mean "
            "\"s1\"?)");
  EXPECT_EQ(one(load(with("    zone: dc\n", "    zone: dcc\n"))),
            "22:11: hosts[2].zone: expected the name of a zone of site \"s1\" (agents|dc), found "
            "\"dcc\" (did you mean \"dc\"?)");
  EXPECT_EQ(one(load(with("logger], domain: ex.com}", "logger], domain: ex.org}"))),
            "18:100: hosts[0].domain: expected the name of a directory domain (ex.com), found "
            "\"ex.org\"");
  EXPECT_EQ(one(load(with("roles: [pg, cti-server]", "roles: [pg, cti-srever]"))),
            "25:17: hosts[2].roles[1]: expected one of router|logger|pg|vru-pg|mr-pg|cti-server|"
            "cti-os|aw|hds|admin-client|call-server|vxml-server|cvp-reporting|vvb|ios-vxml-gateway|"
            "ingress-gateway|cucm|finesse|cuic|dialer|ccp|media-anchor|ccsec-store|domain-"
            "controller|custom, found "
            "\"cti-srever\" (did you mean \"cti-server\"?)");
  EXPECT_EQ(one(load(with("domain: ex.com, site: s1", "domain: ex.com, site: s9"))),
            "16:60: directory.controllers[0].site: expected the name of a site (s1), found \"s9\" "
            "(did you mean \"s1\"?)");
}

TEST(Loader, DanglingEndpointZoneOfItsSite) {
  EXPECT_EQ(
      one(load(
          plus("endpoints:\n  - {name: ph, kind: ip-phone, site: s1, zone: agent, count: 10}\n"))),
      "27:48: endpoints[0].zone: expected the name of a zone of site \"s1\" (agents|dc), found "
      "\"agent\" (did you mean \"agents\"?)");
}

TEST(Loader, DanglingChannelServerAndClient) {
  auto r = load(plus("channels:\n  - {kind: ged-188, server: pg-x, client: fin}\n"));
  EXPECT_EQ(diags(r),
            (std::vector<std::string>{
                "27:29: channels[0].server: expected the name of a host or domain "
                "controller (dc1|pg-a|rgr-a|rgr-b), found \"pg-x\" (did you mean \"pg-a\"?)",
                "27:43: channels[0].client: expected the name of a host or endpoint group "
                "(pg-a|rgr-a|rgr-b), found \"fin\""}));
  EXPECT_EQ(
      one(load(plus("channels:\n  - {kind: ged-189, server: pg-a, client: rgr-a}\n"))),
      "27:12: channels[0].kind: expected one of ged-188|ged-125|ged-145|mr|dmp|private|"
      "replication|sql|sip|rtp|ng|store|vxml-http|jtapi|desktop-https|directory, found \"ged-189\" "
      "(did you mean \"ged-188\"?)");
  EXPECT_EQ(one(load(plus("channels:\n  - {kind: mr, server: pg-a, client: rgr-a}\n"))),
            "27:5: channels[0].port: expected a port (host \"pg-a\" has no listener for \"mr\"), "
            "found none");
}

TEST(Loader, DanglingReferencesOfEveryOtherKind) {
  EXPECT_EQ(
      one(load(plus("waivers:\n  - {rule: CCS-TLS-2, target: x, reason: r, owner: o, expires: "
                    "2027-01-01}\n"))),
      "27:12: waivers[0].rule: expected a rule ID like CCS-TLS-002 (CCS-[A-Z]{2,3}-[0-9]{3}), "
      "found \"CCS-TLS-2\"");
  EXPECT_EQ(one(load(plus("accounts:\n  service_accounts:\n    - {name: svc, domain: ex.com, "
                          "hosts: [rgr-a, rgr-c]}\n"))),
            "28:50: accounts.service_accounts[0].hosts[1]: expected the name of a host "
            "(pg-a|rgr-a|rgr-b), found \"rgr-c\" (did you mean \"rgr-a\"?)");
  EXPECT_EQ(one(load(plus(
                "    protection: {ipsec: isolation, ipsec_boundary: [cucm-9, agents, dc1]}\n"))),
            "26:53: hosts[2].protection.ipsec_boundary[0]: expected the name of a host, zone or "
            "domain controller (agents|dc|dc1|pg-a|rgr-a|rgr-b), found \"cucm-9\"");
  EXPECT_EQ(
      one(load(plus("collaboration: {host: ccp-1}\n"))),
      "26:23: collaboration.host: expected the name of a host (pg-a|rgr-a|rgr-b), found \"ccp-1\"");
  EXPECT_EQ(one(load(plus("nat:\n  - {between: [dc, partner], fixups: [sip]}\n"))),
            "27:20: nat[0].between[1]: expected the name of a zone (agents|dc), found \"partner\"");
  EXPECT_EQ(one(load(with("  - name: s1\n",
                          "  - name: s1\n    perimeter: {vendor: asa, allow: [{proto: tcp, port: "
                          "5061, to: cube}]}\n"))),
            "7:67: sites[0].perimeter.allow[0].to: expected the name of a host (pg-a|rgr-a|rgr-b), "
            "found \"cube\"");
  EXPECT_EQ(one(load(plus("site_links:\n  - {a: s1, b: s2, protection: ipsec}\n"))),
            "27:16: site_links[0].b: expected the name of a site (s1), found \"s2\" (did you mean "
            "\"s1\"?)");
  EXPECT_EQ(one(load(plus("accounts:\n  users:\n    - {name: u, domain: ex.net}\n"))),
            "28:25: accounts.users[0].domain: expected the name of a directory domain (ex.com), "
            "found \"ex.net\"");
}

TEST(Loader, Duplicates) {
  EXPECT_EQ(one(load(with("name: pg-a", "name: rgr-b"))),
            "20:5: hosts[2].name: expected a unique host or endpoint group name, found \"rgr-b\" "
            "again (first at line 19)");
  EXPECT_EQ(one(load(with("  name: t\n", "  name: t\n  name: u\n"))),
            "4:3: deployment.name: expected each key once, found \"name\" again (first at line 3)");
  EXPECT_EQ(one(load(with("{name: agents,", "{name: dc,"))),
            "9:9: sites[0].zones[1].name: expected a unique zone name, found \"dc\" again (first "
            "at line 8)");
  EXPECT_EQ(one(load(plus("channels:\n  - {kind: dmp, server: rgr-a, client: pg-a}\n"
                          "  - {kind: dmp, server: rgr-a, client: pg-a, tls: true}\n"))),
            "28:5: channels[1]: expected one entry per kind, server and client, found "
            "\"dmp:rgr-a<-pg-a\" again");
}

TEST(Loader, VersionAndDates) {
  EXPECT_EQ(one(load(with("version: 1", "version: 2"))),
            "1:10: version: expected 1 (the only schema version), found \"2\"");
  EXPECT_EQ(
      one(load(plus("    protection: {last_patched: 2026-13-01}\n"))),
      "26:32: hosts[2].protection.last_patched: expected a date YYYY-MM-DD, found \"2026-13-01\"");
  EXPECT_EQ(
      one(load(plus(
          "waivers:\n  - {rule: CCS-TLS-002, target: x, reason: r, owner: o, expires: soon}\n"))),
      "27:66: waivers[0].expires: expected a date YYYY-MM-DD, found \"soon\"");
}

TEST(Loader, ListenersOnlyForCustomHosts) {
  EXPECT_EQ(one(load(plus("    listeners: [{channel: mr, port: 38001}]\n"))),
            "26:16: hosts[2].listeners: expected listeners only on a host with role \"custom\", "
            "found 1 listener(s)");
  auto r = load(
      plus("  - name: ece\n    site: s1\n    zone: dc\n    address: 10.0.3.1\n"
           "    roles: [custom]\n    listeners: [{channel: mr, port: 38001, tls_port: 38002}]\n"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  const Host* ece = r.model->findHost("ece");
  ASSERT_EQ(ece->listeners.size(), 1u);
  EXPECT_EQ(ece->listeners[0].channel, "mr");
  EXPECT_EQ(ece->listeners[0].tls_port, 38002);
}

TEST(Loader, CertificateNeedsExactlyOneOfPathOrFingerprint) {
  EXPECT_EQ(one(load(plus("    certificate: {}\n"))),
            "26:18: hosts[2].certificate: expected exactly one of path|fingerprint, found neither");
  EXPECT_EQ(one(load(plus("    certificate: {fingerprint: \"sha1:ab\"}\n"))),
            "26:32: hosts[2].certificate.fingerprint: expected \"sha256:\" and 64 hex digits, "
            "found \"sha1:ab\"");
}

TEST(Loader, AllErrorsAreCollected) {
  auto r = load(with("address: 10.0.2.1", "address: 10.0.2.300\n    os: dos\n    side: c"));
  EXPECT_EQ(
      diags(r),
      (std::vector<std::string>{
          "23:14: hosts[2].address: expected an IPv4 or IPv6 address, found \"10.0.2.300\"",
          "24:9: hosts[2].os: expected one of windows|vos|linux, found \"dos\" (did you mean "
          "\"vos\"?)",
          "25:11: hosts[2].side: expected one of a|b, found \"c\" (did you mean \"a\"?)",
          "26:5: hosts[2].side: expected each key once, found \"side\" again (first at line 25)"}));
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.truncated);
}

TEST(Loader, AnchorsAliasesAndMergeKeys) {
  auto r =
      load(plus("    protection: &p\n      ipsec: isolation\n      host_firewall: true\n"
                "  - name: pg-b\n    site: s1\n    zone: dc\n    address: 10.0.2.2\n"
                "    side: b\n    roles: [pg]\n    protection: *p\n"
                "  - name: pg-c\n    site: s1\n    zone: dc\n    address: 10.0.2.3\n"
                "    roles: [pg]\n    protection:\n      <<: *p\n      ipsec: peer\n"));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  const Model& m = *r.model;
  EXPECT_EQ(m.findHost("pg-b")->protection.ipsec, IpsecMode::kIsolation);
  EXPECT_EQ(m.findHost("pg-b")->protection.host_firewall, true);
  EXPECT_EQ(m.findHost("pg-c")->protection.ipsec, IpsecMode::kPeer);  // explicit key wins
  EXPECT_EQ(m.findHost("pg-c")->protection.host_firewall, true);      // merged
}

TEST(Loader, ATypoReachedThroughAnAliasIsReportedOnce) {
  // Issue #9 item 5: the same node under two hosts (an alias) is one mistake.
  auto r =
      load(plus("    protection: &p\n      ipsek: isolation\n"
                "  - name: pg-b\n    site: s1\n    zone: dc\n    address: 10.0.2.2\n"
                "    side: b\n    roles: [pg]\n    protection: *p\n"));
  ASSERT_EQ(diags(r).size(), 1u) << ::testing::PrintToString(diags(r));
  EXPECT_NE(diags(r)[0].find("hosts[2].protection.ipsek"), std::string::npos) << diags(r)[0];
}

TEST(Loader, MergedKeysAreValidatedToo) {
  EXPECT_EQ(
      one(load(plus("    protection:\n      <<: {ipsek: none}\n"))),
      "27:12: hosts[2].protection.ipsek: expected one of "
      "host_firewall|ipsec|ipsec_boundary|antivirus|last_patched|sql_hardened, found unknown key "
      "\"ipsek\" (did you mean \"ipsec\"?)");
}

TEST(Loader, FullSchemaLoads) {
  // collaboration.host names pg-a, which must then hold role ccp.
  std::string text = plus(R"(    protection:
      host_firewall: true
      ipsec: peer
      ipsec_boundary: [agents]
      antivirus: {installed: true, definitions_age_days: 2, on_access: all, scan_remote_drives: true, scheduled_window: "01:00-03:30"}
      last_patched: 2026-10-01
      sql_hardened: false
    certificate: {fingerprint: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
site_links: []
channels:
  - {kind: ged-188, server: pg-a, client: rgr-a, tls: true, legacy_tls: true, min_version: "1.1", fallback: false}
nat:
  - {between: [dc, agents], fixups: [ctiqbe, sip]}
endpoints:
  - {name: ph, kind: softphone, site: s1, zone: agents, count: 20, srtp: false, device_security: authenticated, pc_voice_vlan_access: false, span_to_pc_port: false, gratuitous_arp: true, recording: network}
media:
  ivr: {platform: ios-vxml-gateway, codec: g711alaw}
  agent_codec: g729
  whisper_announcement: true
  outbound_dialer: true
  anchor: {srtp_for: [mobile-agent, dialer]}
  vxml_remote_server: {tls: false, auth: none}
collaboration:
  host: pg-a
  authentication: local
  allowed_group: "CN=Agents"
  blocked_urls: ["/admin/*"]
accounts:
  service_accounts:
    - {name: svc, domain: ex.com, hosts: [rgr-a], local_groups: [UcceService]}
  users:
    - {name: alice, setup: true, config: false, local_groups: [Administrators], domain: ex.com}
waivers:
  - {rule: CCS-TLS-002, target: "ged-188:pg-a<-rgr-a", reason: vendor, owner: ops, expires: 2027-01-31}
)");
  text.replace(text.find("roles: [pg, cti-server]"), 23, "roles: [pg, cti-server, ccp]");
  auto r = load(text);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  const Model& m = *r.model;
  const auto& p = m.findHost("pg-a")->protection;
  EXPECT_EQ(p.ipsec, IpsecMode::kPeer);
  EXPECT_EQ(p.ipsec_boundary, std::vector<std::string>{"agents"});
  ASSERT_TRUE(p.antivirus);
  EXPECT_EQ(p.antivirus->definitions_age_days, 2);
  EXPECT_EQ(p.antivirus->on_access, OnAccessScan::kAll);
  EXPECT_EQ(p.antivirus->scheduled_window, "01:00-03:30");
  EXPECT_EQ(p.last_patched->str(), "2026-10-01");
  EXPECT_EQ(p.sql_hardened, false);
  ASSERT_EQ(m.channels.size(), 1u);
  EXPECT_EQ(m.channels[0].min_version, "1.1");
  EXPECT_EQ(m.channels[0].legacy_tls, true);
  EXPECT_EQ(m.nat[0].fixups, (std::vector<std::string>{"ctiqbe", "sip"}));
  EXPECT_EQ(m.endpoints[0].kind, EndpointKind::kSoftphone);
  EXPECT_EQ(m.endpoints[0].recording, Recording::kNetwork);
  EXPECT_EQ(m.endpoints[0].device_security, DeviceSecurity::kAuthenticated);
  ASSERT_TRUE(m.media);
  EXPECT_EQ(m.media->ivr_platform, IvrPlatform::kIosVxmlGateway);
  EXPECT_EQ(m.media->ivr_codec, Codec::kG711Alaw);
  EXPECT_EQ(m.media->anchor_srtp_for, (std::vector<std::string>{"mobile-agent", "dialer"}));
  EXPECT_EQ(m.media->vxml_remote_auth, "none");
  EXPECT_EQ(m.collaboration->authentication, CollabAuth::kLocal);
  EXPECT_EQ(m.service_accounts[0].hosts, std::vector<std::string>{"rgr-a"});
  EXPECT_TRUE(m.users[0].setup);
  EXPECT_EQ(m.users[0].domain, "ex.com");
  EXPECT_EQ(m.waivers[0].expires.str(), "2027-01-31");
  EXPECT_EQ(m.waivers[0].loc.line, 59);
}

TEST(Loader, DiagnosticString) {
  auto r = load(with("version: 1", "version: 2"));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].str(),
            "t.yaml:1:10: version: expected 1 (the only schema version), found \"2\"");
}

}  // namespace
}  // namespace ccsec::inventory
