#include "fixture.h"

#include <gtest/gtest.h>

namespace ccsec::policy::testing {

namespace {

constexpr const char* kBase = R"(
version: 1
deployment: {name: t, security_model: end-to-end, tls_min_version: "1.2", instance: 0}
sites:
  - name: s1
    physical_access: controlled
    zones:
      - {name: s1-dc, kind: datacenter, cidr: 10.1.0.0/16}
      - {name: s1-dmz, kind: dmz, cidr: 192.0.2.0/24}
      - {name: s1-corp, kind: corporate, cidr: 10.3.0.0/16}
      - {name: s1-agents, kind: agent, cidr: 10.2.0.0/16}
      - {name: internet, kind: external, cidr: 0.0.0.0/0}
    perimeter:
      vendor: nftables
      allow:
        - {proto: tcp, port: 5061, to: cube-1, reason: "SIP over TLS trunk"}
directory:
  forests:
    - name: t.example.com
      domains:
        - {name: t.example.com, mode: native, global_catalog: true}
  controllers:
    - {name: dc1, address: 10.1.0.5, domain: t.example.com, site: s1, global_catalog: true}
    - {name: dc2, address: 10.1.0.6, domain: t.example.com, site: s1, global_catalog: true}
  security_group_update: 0
hosts:
  - {name: rgr-a, site: s1, zone: s1-dc, address: 10.1.1.10, os: windows, side: a, roles: [router, logger]}
  - {name: rgr-b, site: s1, zone: s1-dc, address: 10.1.1.11, os: windows, side: b, roles: [router, logger]}
  - {name: pg-a, site: s1, zone: s1-dc, address: 10.1.2.10, os: windows, side: a, roles: [pg, cti-server]}
  - {name: aw-1, site: s1, zone: s1-dc, address: 10.1.3.10, os: windows, roles: [aw]}
  - {name: hds-1, site: s1, zone: s1-dc, address: 10.1.3.11, os: windows, roles: [hds]}
  - {name: cvp-1, site: s1, zone: s1-dc, address: 10.1.4.10, os: windows, roles: [call-server, vxml-server]}
  - {name: vvb-1, site: s1, zone: s1-dc, address: 10.1.4.20, os: vos, roles: [vvb]}
  - {name: cucm-1, site: s1, zone: s1-dc, address: 10.1.5.10, os: vos, roles: [cucm]}
  - {name: finesse-1, site: s1, zone: s1-dc, address: 10.1.5.20, os: vos, roles: [finesse]}
  - {name: cube-1, site: s1, zone: s1-dmz, address: 192.0.2.10, os: vos, roles: [ingress-gateway]}
channels:
  - {kind: jtapi, server: cucm-1, client: pg-a, tls: true}
  - {kind: vxml-http, server: cvp-1, client: vvb-1, tls: true}
endpoints:
  - {name: s1-phones, kind: ip-phone, site: s1, zone: s1-agents, count: 50, srtp: true,
     device_security: encrypted, pc_voice_vlan_access: true, span_to_pc_port: true,
     gratuitous_arp: false, recording: desktop}
media:
  ivr: {platform: vvb, codec: g729}
  agent_codec: g729
  whisper_announcement: false
  outbound_dialer: false
  vxml_remote_server: {tls: true, auth: basic}
accounts:
  service_accounts:
    - {name: svc-cce, domain: t.example.com, hosts: [rgr-a, aw-1], local_groups: [UcceService]}
  users:
    - {name: admin1, setup: true, config: true, local_groups: [Administrators, UcceService], domain: t.example.com}
)";

constexpr const char* kWindowsProtection = R"(
host_firewall: true
ipsec: isolation
antivirus: {installed: true, definitions_age_days: 1, on_access: writes, scan_remote_drives: false, scheduled_window: "02:00-04:00"}
last_patched: 2026-11-20
sql_hardened: true
)";

}  // namespace

YAML::Node baseInventory() {
  YAML::Node doc = YAML::Load(kBase);
  int n = 0;
  for (YAML::Node h : doc["hosts"]) {
    ++n;
    const std::string os = h["os"].as<std::string>();
    const std::string name = h["name"].as<std::string>();
    if (os == "windows") {
      h["protection"] = YAML::Load(kWindowsProtection);
      h["domain"] = "t.example.com";
      h["ou"] = "OU=Servers,OU=CCE,DC=t,DC=example,DC=com";
    } else {
      h["protection"] = YAML::Load("{host_firewall: true, last_patched: 2026-11-20}");
    }
    // A unique certificate fingerprint per host (64 hex digits).
    char fp[65];
    std::snprintf(fp, sizeof fp, "%064x", n);
    h["certificate"]["fingerprint"] = std::string("sha256:") + fp;
  }
  hostNode(doc, "pg-a")["protection"]["ipsec_boundary"] = YAML::Load("[cucm-1, finesse-1, cvp-1]");
  hostNode(doc, "cvp-1")["protection"]["ipsec_boundary"] = YAML::Load("[vvb-1, cucm-1, cube-1]");
  return doc;
}

YAML::Node hostNode(YAML::Node doc, const std::string& name) {
  for (YAML::Node h : doc["hosts"]) {
    if (h["name"].as<std::string>() == name) return h;
  }
  ADD_FAILURE() << "no host " << name << " in the fixture";
  return YAML::Node();
}

std::string emit(const YAML::Node& doc) {
  YAML::Emitter e;
  e << doc;
  return e.c_str();
}

Options testOptions(const std::vector<std::string>& sets) {
  Options o;
  o.as_of = *core::Date::parse("2026-11-28");
  for (const auto& s : sets) {
    auto r = o.set(s);
    EXPECT_TRUE(r.ok()) << s;
  }
  return o;
}

std::vector<Finding> checkDoc(const YAML::Node& doc, const std::vector<std::string>& sets,
                              const std::string& file_name) {
  const std::string text = emit(doc);
  inventory::LoadResult r = inventory::loadString(text, file_name);
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.str() + "\n";
    ADD_FAILURE() << "fixture rejected by the loader:\n" << all << "\n" << text;
    return {};
  }
  return check(*r.model, inventory::Catalog::builtin(), testOptions(sets));
}

std::vector<Finding> checkFile(const std::string& path, const std::vector<std::string>& sets) {
  inventory::LoadResult r = inventory::loadFile(path);
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.str() + "\n";
    ADD_FAILURE() << path << " rejected by the loader:\n" << all;
    return {};
  }
  return check(*r.model, inventory::Catalog::builtin(), testOptions(sets));
}

std::vector<Finding> ofRule(const std::vector<Finding>& all, std::string_view rule) {
  std::vector<Finding> out;
  for (const auto& f : all) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

}  // namespace ccsec::policy::testing
