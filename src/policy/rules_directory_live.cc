// CCS-DIR-*: the directory as it is (read by `ccsec directory check`), against the inventory and
// the design. The checks themselves live in identity/directory_check.cc (they need LDAP).
#include <cassert>

#include "policy/live_rules.h"

namespace ccsec::policy {

const std::vector<Rule>& liveDirectoryRules() {
  using L = Layer;
  using S = Severity;
  static const std::vector<Rule> kRules = {
      {"CCS-DIR-001", L::kDirectory, S::kMedium, "Domains and forests match the inventory",
       "Active Directory Deployment",
       "The configuration naming context lists the forest's domains; a domain the inventory does "
       "not know, or an inventory domain the forest does not have, means the checks ran on a "
       "wrong picture.",
       "Record the directory's domains under directory.forests (or remove the stale ones).",
       nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "directory.forests[].domains[]"},
      {"CCS-DIR-002", L::kDirectory, S::kHigh,
       "Domain controllers, their sites and global catalogs match the inventory",
       "Active Directory Site Topology",
       "Clients use the domain controllers of their own site; a controller in another site than "
       "recorded, missing, or without the global catalog the design counts on breaks that.",
       "Fix the controller's site or global catalog setting in AD Sites and Services, or record "
       "the real placement in directory.controllers.",
       nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "directory.controllers[]"},
      {"CCS-DIR-003", L::kDirectory, S::kHigh,
       "Two domain controllers and a global catalog in every site with hosts",
       "Active Directory Site Topology",
       "Every site with contact center hosts needs redundant domain controllers and a global "
       "catalog of its own (live form of CCS-AD-003).",
       "Add a domain controller (with the global catalog) to the AD site.", nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "directory.controllers[], hosts[].site"},
      {"CCS-DIR-004", L::kDirectory, S::kMedium,
       "Host computer objects are in the administrator-created OU",
       "Active Directory Administrator-Created OUs",
       "Core servers' computer objects belong in the OU hierarchy the Domain Manager created, not "
       "in the default Computers container or elsewhere (live form of CCS-AD-005).",
       "Move the computer object into the OU the inventory records (or join the host).", nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "hosts[].ou, hosts[].domain"},
      {"CCS-DIR-005", L::kDirectory, S::kHigh, "Service accounts are healthy",
       "User Health in Service Account Manager",
       "The Service Account Manager reports an account unhealthy when it is missing, disabled, "
       "locked out, expired or its password expired; the services that run under it stop.",
       "Create, enable, unlock or renew the account (and its password) in the domain.", nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "accounts.service_accounts[]"},
      {"CCS-DIR-006", L::kDirectory, S::kHigh, "No group crosses forests",
       "Active Directory Deployment",
       "A group with foreign security principals as members grants rights across a forest "
       "boundary; the design uses no cross-forest memberships.",
       "Remove the foreign security principals from the group.", nullptr,
       "docs/design.md §3 live findings: the directory as it is, read by `ccsec directory check`",
       "directory.forests[], collaboration.allowed_group"},
  };
  return kRules;
}

const Rule& liveDirectoryRule(std::string_view id) {
  for (const Rule& r : liveDirectoryRules())
    if (r.id == id) return r;
  assert(false && "unknown live directory rule");
  return liveDirectoryRules().front();
}

}  // namespace ccsec::policy
