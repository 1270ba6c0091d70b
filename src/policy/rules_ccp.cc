// Customer Collaboration Platform rules (seed: "Active Directory and Customer Collaboration
// Platform User Accounts").

#include <fmt/format.h>

#include "policy/checks.h"

namespace ccsec::policy::checks {

void ccpGroupRestricted(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (!ctx.model.collaboration) return;
  const inventory::Collaboration& c = *ctx.model.collaboration;
  if (c.allowed_group && !c.allowed_group->empty()) return;
  emit(rule, out, c.host,
       fmt::format("collaboration platform {} lets every directory account in (no "
                   "allowed_group)",
                   c.host),
       c.loc);
}

void ccpDirectoryAuth(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (!ctx.model.collaboration) return;
  const inventory::Collaboration& c = *ctx.model.collaboration;
  if (c.authentication == inventory::CollabAuth::kActiveDirectory) return;
  emit(rule, out, c.host,
       fmt::format("collaboration platform {} authenticates agents locally and so stores their "
                   "credentials",
                   c.host),
       c.loc);
}

}  // namespace ccsec::policy::checks
