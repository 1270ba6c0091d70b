// Customer Collaboration Platform rules (seed: "Active Directory and Customer Collaboration
// Platform User Accounts").

#include <fmt/format.h>

#include "policy/checks.h"

namespace ccsec::policy::checks {

void ccpGroupRestricted(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  // Every host with role ccp; the collaboration: block states the group of the one it names.
  const inventory::Collaboration* c = ctx.model.collaboration ? &*ctx.model.collaboration : nullptr;
  for (const inventory::Host& h : ctx.model.hosts) {
    if (!h.hasRole("ccp")) continue;
    if (c == nullptr || c->host != h.name) {
      emitNotStated(rule, out, h.name,
                    fmt::format("collaboration platform {}: the directory group that may use it "
                                "is",
                                h.name),
                    h.loc, "the platform and its allowed group",
                    "collaboration.host and collaboration.allowed_group");
      continue;
    }
    if (c->allowed_group && !c->allowed_group->empty()) continue;
    emit(rule, out, c->host,
         fmt::format("collaboration platform {} lets every directory account in (no "
                     "allowed_group)",
                     c->host),
         c->loc);
  }
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
