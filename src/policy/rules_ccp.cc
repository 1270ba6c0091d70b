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

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& collaborationRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-CCP-001", L::kCollaboration, S::kMedium, "Collaboration platform restricted to one group", "Active Directory and Customer Collaboration Platform User Accounts",
       "Any account the directory authenticates can use the platform unless it is limited to one AD group.",
       "Create an AD group for its users and set collaboration.allowed_group to it.",
       ccpGroupRestricted,
       "docs/design.md §3 collaboration: every ccp host restricted to one directory group",
       "hosts[].roles (ccp), collaboration.host, collaboration.allowed_group"},
      {"CCS-CCP-002", L::kCollaboration, S::kHigh, "Collaboration platform authenticates against the directory", "Active Directory and Customer Collaboration Platform User Accounts",
       "The platform should store no agent credentials: agents authenticate against Active Directory.",
       "Set collaboration.authentication: active-directory and remove local agent accounts.",
       ccpDirectoryAuth,
       "docs/design.md §3 collaboration: directory authentication, no stored agent credentials",
       "collaboration.authentication"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
