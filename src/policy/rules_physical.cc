// Physical security (seed: "Security Layers", Physical Security).

#include <set>

#include <fmt/format.h>

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

}  // namespace ccsec::policy::checks
