#pragma once
// Decoupled authorization (release 12.0 onwards): users authenticate against AD, but what they
// may do comes from local groups on each host. From the inventory: setup users belong in the
// local Administrators group, config users and service accounts in the local UcceService group,
// and in nothing else that ccsec manages; the ADSecurityGroupUpdate registry value is as
// recorded. renderAccountsScript() writes per host the PowerShell that asserts this (check:
// JSON lines on stdout, read back by a later report step) or establishes it (fix).
// Deterministic output (sorted, no timestamps).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/model.h"

namespace ccsec::identity {

struct HostAccounts {
  std::string host;
  std::map<std::string, std::set<std::string>> groups;  // local group -> "name@domain"
};

/// Windows hosts with a domain, each with the memberships the inventory implies.
core::Result<std::vector<HostAccounts>> expectedLocalGroups(const inventory::Model& model);
std::string renderAccountsScript(const HostAccounts& host, int security_group_update, bool fix);
/// `ccsec users`: one line per account and host: account, kind, host, local groups.
std::string usersTable(const std::vector<HostAccounts>& hosts);

}  // namespace ccsec::identity
