#pragma once
// Test helpers for inventory tests (other modules may copy the pattern): load a YAML string
// with loadString under the name "t.yaml" and compare diagnostics as "LINE:COL: path: message".

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inventory/loader.h"

namespace ccsec::inventory::testing {

/// A small valid inventory: one site with two zones, a domain with one controller, a duplexed
/// router/logger and a PG; tests append to it or replace parts of it.
inline const char* kMinimal = R"(version: 1
deployment:
  name: t
  security_model: end-to-end
sites:
  - name: s1
    zones:
      - {name: dc, kind: datacenter, cidr: 10.0.0.0/16}
      - {name: agents, kind: agent, cidr: 10.1.0.0/16}
directory:
  forests:
    - name: ex.com
      domains:
        - {name: ex.com, mode: native, global_catalog: true}
  controllers:
    - {name: dc1, address: 10.0.0.5, domain: ex.com, site: s1, global_catalog: true}
hosts:
  - {name: rgr-a, site: s1, zone: dc, address: 10.0.1.1, side: a, roles: [router, logger], domain: ex.com}
  - {name: rgr-b, site: s1, zone: dc, address: 10.0.1.2, side: b, roles: [router, logger], domain: ex.com}
  - name: pg-a
    site: s1
    zone: dc
    address: 10.0.2.1
    side: a
    roles: [pg, cti-server]
)";

inline LoadResult load(const std::string& yaml) { return loadString(yaml, "t.yaml"); }

/// Diagnostics without the file name: "LINE:COL: key.path: message".
inline std::vector<std::string> diags(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics)
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.key_path +
                  ": " + d.message);
  return out;
}

/// The single diagnostic of a result (fails the test when there is not exactly one).
inline std::string one(const LoadResult& r) {
  auto d = diags(r);
  EXPECT_EQ(d.size(), 1u) << ::testing::PrintToString(d);
  return d.empty() ? std::string() : d.front();
}

}  // namespace ccsec::inventory::testing
