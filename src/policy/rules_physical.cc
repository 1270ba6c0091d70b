// Physical security (seed: "Security Layers", Physical Security).

#include <fmt/format.h>

#include <set>

#include "policy/checks.h"

namespace ccsec::policy::checks {

void physicalAccess(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  std::set<std::string, std::less<>> core_sites;
  for (const inventory::Host& h : ctx.model.hosts) {
    if (ctx.isCore(h)) core_sites.insert(h.site);
  }
  for (const inventory::Site& s : ctx.model.sites) {
    if (s.physical_access == inventory::PhysicalAccess::kControlled ||
        !core_sites.contains(s.name)) {
      continue;
    }
    emit(rule, out, s.name,
         fmt::format("site {} holds core hosts but its physical access is uncontrolled", s.name),
         s.loc);
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& physicalRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-PHY-001", L::kPhysical, S::kHigh, "Sites with core hosts have controlled physical access", "Security Layers",
       "Servers, cabling, routers and switches of the contact center sit where only authorized personnel have access.",
       "Host the core servers in a data center with controlled access and set physical_access: controlled.",
       physicalAccess,
       "docs/design.md §3 physical: controlled access for sites with core hosts",
       "sites[].physical_access, hosts[].roles"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
