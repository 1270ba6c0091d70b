#include "identity/accounts.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "policy/live_rules.h"
#include "policy/rule.h"

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

core::Result<AccountsReport> reportAccounts(const inventory::Model& model,
                                            const std::vector<HostAccounts>& expected,
                                            std::string_view results_jsonl) {
  constexpr std::size_t kMaxInput = 16u << 20, kMaxLine = 64u << 10;
  if (results_jsonl.size() > kMaxInput) return core::makeError("results larger than 16 MiB");
  std::map<std::string, const HostAccounts*> by_host;
  for (const auto& h : expected) by_host[h.host] = &h;
  std::map<std::string, nlohmann::json> lines;  // host -> its (last) result line
  std::size_t line_no = 0, pos = 0;
  while (pos < results_jsonl.size()) {
    std::size_t end = results_jsonl.find('\n', pos);
    if (end == std::string_view::npos) end = results_jsonl.size();
    std::string_view line = results_jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) continue;
    if (line.size() > kMaxLine)
      return core::makeError(fmt::format("line {}: longer than 64 KiB", line_no));
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("host") || !j["host"].is_string())
      return core::makeError(fmt::format(
          "line {}: not a result of `ccsec accounts check` (a JSON object with host)", line_no));
    const std::string host = j["host"].get<std::string>();
    if (!by_host.contains(host))
      return core::makeError(fmt::format(
          "line {}: {} is not a Windows domain member of the inventory", line_no,
          renderable(host) && host.size() <= 64 ? "host '" + host + "'" : std::string("the host")));
    lines[host] = std::move(j);
  }

  auto locOf = [&](const std::string& host) {
    for (const auto& h : model.hosts)
      if (h.name == host) return h.loc;
    return inventory::SourceLoc{};
  };
  // (account, group) pairs of a result array; entries that are not {account, group} strings
  // are ignored (counted as malformed in the view).
  auto pairs = [](const nlohmann::json& j, const char* key, int& malformed) {
    std::set<std::pair<std::string, std::string>> out;
    if (!j.contains(key)) return out;
    if (!j[key].is_array()) {
      ++malformed;
      return out;
    }
    for (const auto& e : j[key]) {
      if (e.is_object() && e.contains("account") && e["account"].is_string() &&
          e.contains("group") && e["group"].is_string())
        out.emplace(e["account"].get<std::string>(), e["group"].get<std::string>());
      else
        ++malformed;
    }
    return out;
  };
  const auto& R = policy::liveAccountRule;
  AccountsReport rep;
  std::string view =
      fmt::format("{:<12} {:<32} {:<10} {}\n", "host", "account", "status", "detail");
  for (const auto& ha : expected) {
    const auto loc = locOf(ha.host);
    std::set<std::string> accounts;
    for (const auto& [g, members] : ha.groups) accounts.insert(members.begin(), members.end());
    auto it = lines.find(ha.host);
    if (it == lines.end()) {
      policy::emit(R("CCS-ACC-004"), rep.findings, ha.host,
                   ha.host + " has no result line: its accounts were not checked", loc);
      for (const auto& a : accounts)
        view += fmt::format("{:<12} {:<32} {:<10} {}\n", ha.host, a, "unknown", "not reported");
      continue;
    }
    const nlohmann::json& j = it->second;
    int malformed = 0;
    auto missing = pairs(j, "missing", malformed);
    auto extra = pairs(j, "extra", malformed);
    std::set<std::string> unresolved;
    if (j.contains("unresolved") && j["unresolved"].is_array())
      for (const auto& u : j["unresolved"])
        if (u.is_string()) unresolved.insert(u.get<std::string>());
    for (const auto& a : accounts) {
      std::vector<std::string> why;
      if (unresolved.contains(a)) {
        why.push_back("does not resolve to a SID");
        policy::emit(R("CCS-ACC-001"), rep.findings, ha.host + ":" + a,
                     fmt::format("{} does not resolve to a SID on {} (missing, or the host cannot "
                                 "reach the domain)",
                                 a, ha.host),
                     loc);
      }
      for (const auto& [acc, g] : missing) {
        if (acc != a) continue;
        why.push_back("not in " + g);
        policy::emit(R("CCS-ACC-001"), rep.findings, ha.host + ":" + a,
                     fmt::format("{} is not in the local group {} on {}", a, g, ha.host), loc);
      }
      for (const auto& [acc, g] : extra) {
        if (acc != a) continue;
        why.push_back("also in " + g);
        policy::emit(R("CCS-ACC-002"), rep.findings, ha.host + ":" + a,
                     fmt::format("{} is in the local group {} on {}, which the inventory does not "
                                 "grant",
                                 a, g, ha.host),
                     loc,
                     g == "Administrators" ? std::optional(policy::Severity::kHigh) : std::nullopt);
      }
      std::string detail;
      for (const auto& w : why) detail += (detail.empty() ? "" : "; ") + w;
      view += fmt::format("{:<12} {:<32} {:<10} {}\n", ha.host, a,
                          why.empty() ? "healthy" : "unhealthy", detail);
    }
    // Accounts of the result the inventory does not list for this host are not judged here
    // (the script only reports the inventory's accounts).
    if (j.contains("ADSecurityGroupUpdate") && j["ADSecurityGroupUpdate"].is_object()) {
      const auto& r = j["ADSecurityGroupUpdate"];
      const int want = model.directory.security_group_update;
      if (!r.contains("actual") || !r["actual"].is_number_integer() ||
          r["actual"].get<long long>() != want) {
        std::string actual = r.contains("actual") && r["actual"].is_number_integer()
                                 ? std::to_string(r["actual"].get<long long>())
                                 : std::string("not set");
        policy::emit(R("CCS-ACC-003"), rep.findings, ha.host,
                     fmt::format("ADSecurityGroupUpdate on {} is {}, the inventory records {}",
                                 ha.host, actual, want),
                     loc);
      }
    }
    if (malformed > 0)
      view += fmt::format("{:<12} {:<32} {:<10} {} malformed entries ignored\n", ha.host, "-", "-",
                          malformed);
  }
  rep.view = std::move(view);
  return rep;
}

}  // namespace ccsec::identity
