#include "identity/accounts.h"

#include <algorithm>

namespace ccsec::identity {
namespace {

bool renderable(const std::string& s) {
  for (char c : s) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@';
    if (!ok) return false;
  }
  return !s.empty();
}

std::string psList(const std::set<std::string>& v) {
  std::string out = "@(";
  bool first = true;
  for (const auto& x : v) {
    out += (first ? "'" : ", '") + x + "'";
    first = false;
  }
  return out + ")";
}

}  // namespace

core::Result<std::vector<HostAccounts>> expectedLocalGroups(const inventory::Model& model) {
  std::map<std::string, HostAccounts> by_host;
  for (const auto& h : model.hosts) {
    if (h.os != inventory::Os::kWindows || !h.domain) continue;
    auto& ha = by_host[h.name];
    ha.host = h.name;
    ha.groups["Administrators"];
    ha.groups["UcceService"];
  }
  auto add = [&](const std::string& host, const std::string& group,
                 const std::string& member) -> core::Result<void> {
    if (!renderable(member)) return core::makeError("account name not renderable: " + member);
    auto it = by_host.find(host);
    if (it != by_host.end()) it->second.groups[group].insert(member);
    return {};
  };
  for (const auto& a : model.service_accounts)
    for (const auto& h : a.hosts)
      if (auto r = add(h, "UcceService", a.name + "@" + a.domain); !r) return r.error();
  for (const auto& u : model.users) {
    for (const auto& h : model.hosts) {
      if (h.os != inventory::Os::kWindows || !h.domain) continue;
      if (u.domain && *u.domain != *h.domain) continue;
      const std::string m = u.name + "@" + (u.domain ? *u.domain : *h.domain);
      if (u.setup)
        if (auto r = add(h.name, "Administrators", m); !r) return r.error();
      if (u.config)
        if (auto r = add(h.name, "UcceService", m); !r) return r.error();
    }
  }
  std::vector<HostAccounts> out;
  for (auto& [k, v] : by_host) out.push_back(std::move(v));
  return out;
}

std::string renderAccountsScript(const HostAccounts& host, int security_group_update, bool fix) {
  std::string s =
      "# ccsec accounts " + std::string(fix ? "fix" : "check") + " for " + host.host +
      " (generated; run elevated on the host)\n"
      "# Decoupled authorization: setup users in Administrators, config users and service\n"
      "# accounts in UcceService, inventory accounts in no other local group.\n"
      "$ErrorActionPreference = 'Stop'\n"
      "# ADSecurityGroupUpdate lives under the instance's ICM key: confirm the path for your "
      "release.\n"
      "$RegistryPath = 'HKLM:\\SOFTWARE\\Cisco Systems, Inc.\\ICM\\SystemSettings'\n"
      "$Expected = [ordered]@{\n";
  std::set<std::string> all;
  for (const auto& [g, members] : host.groups) {
    s += "  '" + g + "' = " + psList(members) + "\n";
    all.insert(members.begin(), members.end());
  }
  s += "}\n$Accounts = " + psList(all) + "\n" +
       "$WantRegistry = " + std::to_string(security_group_update) + "\n" +
       "function Sid([string]$Upn) {\n"
       "  (New-Object System.Security.Principal.NTAccount($Upn)).Translate("
       "[System.Security.Principal.SecurityIdentifier]).Value\n}\n"
       "$Sids = @{}\n"
       "foreach ($a in $Accounts) { try { $Sids[$a] = Sid $a } catch { $Sids[$a] = $null } }\n"
       "$result = [ordered]@{ host = '" +
       host.host +
       "'; missing = @(); extra = @(); unresolved = @(); fixed = @() }\n"
       "foreach ($a in $Accounts) { if (-not $Sids[$a]) { $result.unresolved += $a } }\n"
       "foreach ($g in $Expected.Keys) {\n"
       "  $have = @(Get-LocalGroupMember -Group $g -ErrorAction SilentlyContinue | "
       "ForEach-Object { $_.SID.Value })\n"
       "  foreach ($a in $Expected[$g]) {\n"
       "    if ($Sids[$a] -and ($have -notcontains $Sids[$a])) {\n";
  if (fix)
    s += "      Add-LocalGroupMember -Group $g -Member $Sids[$a]\n"
         "      $result.fixed += \"added $a to $g\"\n";
  else
    s += "      $result.missing += [ordered]@{ account = $a; group = $g }\n";
  s += "    }\n  }\n}\n"
       "foreach ($lg in Get-LocalGroup) {\n"
       "  $have = @(Get-LocalGroupMember -Group $lg.Name -ErrorAction SilentlyContinue | "
       "ForEach-Object { $_.SID.Value })\n"
       "  foreach ($a in $Accounts) {\n"
       "    $want = $Expected.Contains($lg.Name) -and ($Expected[$lg.Name] -contains $a)\n"
       "    if ($Sids[$a] -and ($have -contains $Sids[$a]) -and -not $want) {\n";
  if (fix)
    s += "      Remove-LocalGroupMember -Group $lg.Name -Member $Sids[$a]\n"
         "      $result.fixed += \"removed $a from $($lg.Name)\"\n";
  else
    s += "      $result.extra += [ordered]@{ account = $a; group = $lg.Name }\n";
  s += "    }\n  }\n}\n"
       "$reg = (Get-ItemProperty -Path $RegistryPath -Name ADSecurityGroupUpdate "
       "-ErrorAction SilentlyContinue).ADSecurityGroupUpdate\n";
  if (fix)
    s +=
        "if ($reg -ne $WantRegistry) {\n"
        "  if (-not (Test-Path $RegistryPath)) { New-Item -Path $RegistryPath -Force | Out-Null }\n"
        "  Set-ItemProperty -Path $RegistryPath -Name ADSecurityGroupUpdate -Value $WantRegistry "
        "-Type DWord\n"
        "  $result.fixed += \"ADSecurityGroupUpdate $reg -> $WantRegistry\"\n}\n";
  else
    s += "$result.ADSecurityGroupUpdate = [ordered]@{ expected = $WantRegistry; actual = $reg }\n";
  s += "# One JSON line per host (feed the collected lines to a report).\n"
       "$result | ConvertTo-Json -Compress -Depth 4\n";
  return s;
}

std::string usersTable(const std::vector<HostAccounts>& hosts) {
  std::map<std::string, std::map<std::string, std::set<std::string>>> by_account;
  for (const auto& h : hosts)
    for (const auto& [g, members] : h.groups)
      for (const auto& m : members) by_account[m][h.host].insert(g);
  std::string out = "ACCOUNT\tHOST\tLOCAL GROUPS\n";
  for (const auto& [a, hs] : by_account)
    for (const auto& [h, gs] : hs) {
      std::string groups;
      for (const auto& g : gs) groups += (groups.empty() ? "" : ",") + g;
      out += a + "\t" + h + "\t" + groups + "\n";
    }
  return out;
}

}  // namespace ccsec::identity
