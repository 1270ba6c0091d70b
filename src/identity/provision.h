#pragma once
// `ccsec directory provision`: the OU hierarchy and domain-local groups the Domain Manager
// would create, per domain with inventory hosts, rendered as LDIF (ldapmodify -a -c) and as
// PowerShell (ActiveDirectory module). Both are idempotent: every object is created only when
// absent (LDIF: re-applying yields "already exists" for each entry and changes nothing;
// PowerShell: Get-AD* before New-AD*). Deterministic output (sorted, no timestamps).
//
// Hierarchy under `root` (default OU=CCE,<domain DN>): every OU on the way to the root, every
// OU the inventory's hosts name under the domain (`ou:`), and OU=<deployment>,<root> with
// OU=Groups holding the domain-local security groups <deployment>_Setup (local Administrators),
// <deployment>_Config and <deployment>_Service (local UcceService).

#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/model.h"

namespace ccsec::identity {

struct ProvisionFile {
  std::string name;  // "<domain>.ldif" / "<domain>.ps1"
  std::string text;
};

core::Result<std::vector<ProvisionFile>> renderProvision(const inventory::Model& model,
                                                         const std::string& root);

}  // namespace ccsec::identity
