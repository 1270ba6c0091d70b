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
#include "policy/finding.h"

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

/// `ccsec accounts report`: the JSON lines the check scripts printed, read back into findings
/// (CCS-ACC-*) and the Service Account Manager's view (per host and account: healthy, or
/// unhealthy with the reasons). Input is untrusted: at most 16 MiB, lines of at most 64 KiB,
/// errors name the line number, never its bytes. A line for a host the inventory does not
/// list, or one that is not a result object, is an error (the caller exits 2).
struct AccountsReport {
  std::vector<policy::Finding> findings;
  std::string view;  // "host  account  status  detail" table
};
core::Result<AccountsReport> reportAccounts(const inventory::Model& model,
                                            const std::vector<HostAccounts>& expected,
                                            std::string_view results_jsonl);

}  // namespace ccsec::identity
