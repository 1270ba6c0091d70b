#pragma once
// Inventories shared by the render unit tests.
#include <gtest/gtest.h>

#include <string>

#include "inventory/graph.h"
#include "inventory/loader.h"
#include "render/bundle.h"
#include "render/policy_model.h"

namespace ccsec::render::testing {

/// One site with an ASA perimeter that (wrongly) allows TCP 445 to `web`, a Windows DC and a
/// Linux host under isolation whose certificate is given by fingerprint only.
inline const char* kMini = R"(version: 1
deployment: {name: mini, security_model: end-to-end}
sites:
  - name: s1
    physical_access: controlled
    zones:
      - {name: dc, kind: datacenter, cidr: 10.0.0.0/16}
      - {name: net, kind: external, cidr: 0.0.0.0/0}
    perimeter:
      vendor: asa
      contexts: [tenant-1]
      allow:
        - {proto: tcp, port: 445, to: web, reason: "file share for a partner"}
        - {proto: tcp, port: 443, to: web, reason: "collaboration portal"}
directory:
  forests:
    - name: mini.test
      domains:
        - {name: mini.test, mode: native, global_catalog: true}
hosts:
  - name: dc-1
    site: s1
    zone: dc
    address: 10.0.0.5
    os: windows
    domain: mini.test
    roles: [domain-controller]
    protection: {host_firewall: true}
  - name: web
    site: s1
    zone: dc
    address: 10.0.1.5
    os: linux
    domain: mini.test
    roles: [ccp]
    protection: {host_firewall: true, ipsec: isolation}
    certificate: {fingerprint: "sha256:0000000000000000000000000000000000000000000000000000000000000000"}
)";

/// Model + graph + policy of an inventory, loaded once per test.
struct Loaded {
  inventory::Model model;
  inventory::ChannelGraph graph;
  PolicyModel policy;
};

inline Loaded loadText(const std::string& yaml, const std::string& name) {
  const auto& cat = inventory::Catalog::builtin();
  auto r = inventory::loadString(yaml, name, cat);
  if (!r.ok()) {
    ADD_FAILURE() << r.diagnostics.front().str();
    std::abort();
  }
  Loaded l{std::move(*r.model), {}, {}};
  l.graph = inventory::deriveGraph(l.model, cat);
  l.policy = buildPolicy(l.model, cat, l.graph);
  return l;
}

inline Loaded loadPath(const std::string& path) {
  const auto& cat = inventory::Catalog::builtin();
  auto r = inventory::loadFile(path, cat);
  if (!r.ok()) {
    ADD_FAILURE() << r.diagnostics.front().str();
    std::abort();
  }
  Loaded l{std::move(*r.model), {}, {}};
  l.graph = inventory::deriveGraph(l.model, cat);
  l.policy = buildPolicy(l.model, cat, l.graph);
  return l;
}

/// The scenario inventory of test/integration/render_netns (tests run from the source root).
inline const char* kNetnsInventory = "test/integration/render_netns/inventory.yaml";

}  // namespace ccsec::render::testing
