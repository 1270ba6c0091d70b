// CCS-ACC-*: local group memberships as the hosts report them (`ccsec accounts report`, reading
// the JSON lines of the scripts `ccsec accounts check` renders), against the inventory: the
// decoupled authorization of release 12.0 and the Service Account Manager's healthy/unhealthy
// view. The checks live in identity/accounts.cc.
#include <cassert>

#include "policy/live_rules.h"

namespace ccsec::policy {

const std::vector<Rule>& liveAccountRules() {
  using L = Layer;
  using S = Severity;
  static constexpr std::string_view kDesign =
      "docs/design.md §3 live findings: local group memberships as `ccsec accounts report` reads "
      "them";
  static const std::vector<Rule> kRules = {
      {"CCS-ACC-001", L::kDirectory, S::kHigh,
       "Accounts have the local group memberships the inventory implies",
       "Decouple CCE Authorizations from Active Directory",
       "Setup users need the local Administrators group and config users and service accounts the "
       "local UcceService group on each host they serve; an account missing there (or not "
       "resolvable to a SID) is what the Service Account Manager shows as unhealthy: the "
       "services running under it or the people using it stop working.",
       "Run the host's `ccsec accounts fix` script (or add the account to the group), and create "
       "or repair the account in the domain when it does not resolve.",
       nullptr, kDesign,
       "accounts.setup_users[], accounts.config_users[], "
       "accounts.service_accounts[]"},
      {"CCS-ACC-002", L::kDirectory, S::kMedium,
       "Accounts are in no local group the inventory does not grant",
       "Decouple CCE Authorizations from Active Directory",
       "A membership the design does not grant is a right nobody reviewed (high in the local "
       "Administrators group).",
       "Remove the account from the group (the host's `ccsec accounts fix` script does).", nullptr,
       kDesign, "accounts.*"},
      {"CCS-ACC-003", L::kDirectory, S::kMedium,
       "ADSecurityGroupUpdate is as the inventory records",
       "Decouple CCE Authorizations from Active Directory",
       "The switch decides whether the installer still maintains the AD security groups; a host "
       "that differs from the recorded value behaves unlike the rest of the deployment.",
       "Set the registry value as recorded in directory.security_group_update (the fix script "
       "does), or record the intended value.",
       nullptr, kDesign, "directory.security_group_update"},
      {"CCS-ACC-004", L::kDirectory, S::kLow, "Every Windows domain member reported its accounts",
       "Decouple CCE Authorizations from Active Directory",
       "A host without a result line was not checked: its accounts' health is unknown.",
       "Run the host's `ccsec accounts check` script and add its line to the results.", nullptr,
       kDesign, "hosts[]"},
  };
  return kRules;
}

const Rule& liveAccountRule(std::string_view id) {
  for (const Rule& r : liveAccountRules())
    if (r.id == id) return r;
  assert(false && "unknown live account rule");
  return liveAccountRules().front();
}

}  // namespace ccsec::policy
