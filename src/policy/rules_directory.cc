// Directory rules (seed: "Active Directory Deployment", "Global Catalog Requirements",
// "Active Directory Site Topology", "Active Directory Administrator-Created OUs",
// "Decouple CCE Authorizations from Active Directory", "User Health in Service Account Manager",
// "ADSecurityGroupUpdate Registry Key").

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::Host;

namespace {

std::string forestOf(const Context& ctx, std::string_view domain) {
  const inventory::DirectoryDomain* d = ctx.model.findDomain(domain);
  return d == nullptr ? std::string() : d->forest;
}

bool hasGroup(const std::vector<std::string>& groups, std::string_view g) {
  return std::any_of(groups.begin(), groups.end(), [&](const std::string& x) {
    return x.size() == g.size() && std::equal(x.begin(), x.end(), g.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  });
}

// A domain controller however the inventory declares it: a `directory.controllers` entry, a
// host with role `domain-controller`, or both (one controller, matched by name).
struct Controller {
  std::string name;
  std::string domain;  // empty when a host declares no domain
  std::string site;
  std::optional<bool> global_catalog;  // unknown for a host not listed under controllers
};

// The one list of domain controllers CCS-AD-001 and CCS-AD-003 count (docs/design.md §3).
std::vector<Controller> controllers(const Context& ctx) {
  std::vector<Controller> out;
  std::set<std::string, std::less<>> listed;
  for (const inventory::DomainController& dc : ctx.model.directory.controllers) {
    out.push_back({dc.name, dc.domain, dc.site, dc.global_catalog});
    listed.insert(dc.name);
  }
  for (const Host& h : ctx.model.hosts) {
    if (!h.hasRole("domain-controller") || listed.contains(h.name)) continue;
    out.push_back({h.name, h.domain.value_or(""), h.site, std::nullopt});
  }
  return out;
}

}  // namespace

void globalCatalogPerDomain(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  std::set<std::string, std::less<>> forests_with_hosts;
  for (const Host& h : ctx.model.hosts) {
    if (h.domain) forests_with_hosts.insert(forestOf(ctx, *h.domain));
  }
  std::set<std::string, std::less<>> gc_domains, unknown_gc_domains;
  for (const Controller& dc : controllers(ctx)) {
    if (dc.global_catalog.value_or(false))
      gc_domains.insert(dc.domain);
    else if (!dc.global_catalog)
      unknown_gc_domains.insert(dc.domain);
  }
  for (const inventory::Forest& f : ctx.model.directory.forests) {
    if (!forests_with_hosts.contains(f.name)) continue;
    for (const inventory::DirectoryDomain& d : f.domains) {
      if (d.global_catalog || gc_domains.contains(d.name)) continue;
      if (unknown_gc_domains.contains(d.name)) {
        emitNotStated(rule, out, d.name,
                      fmt::format("domain {}: whether one of its controllers (declared as hosts) "
                                  "is a global catalog is",
                                  d.name),
                      d.loc, "which controller is a global catalog",
                      "directory.controllers[].global_catalog or directory.forests[].domains[]."
                      "global_catalog");
        continue;
      }
      emit(rule, out, d.name,
           fmt::format("domain {} of forest {} publishes no global catalog", d.name, f.name),
           d.loc);
    }
  }
}

void singleForest(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  std::map<std::string, std::string> forest_by;  // forest → first element referencing it
  auto note = [&](const std::optional<std::string>& domain, const std::string& who) {
    if (!domain) return;
    std::string f = forestOf(ctx, *domain);
    if (!f.empty()) forest_by.emplace(f, who);
  };
  for (const Host& h : ctx.model.hosts) note(h.domain, "host " + h.name);
  for (const auto& a : ctx.model.service_accounts) note(a.domain, "service account " + a.name);
  for (const auto& u : ctx.model.users) note(u.domain, "user " + u.name);
  if (ctx.model.collaboration && ctx.model.collaboration->allowed_group) {
    // The group's DN names its domain in its DC= components.
    std::vector<std::string> dcs;
    std::string_view dn = *ctx.model.collaboration->allowed_group;
    while (!dn.empty()) {
      std::size_t comma = dn.find(',');
      std::string_view p = dn.substr(0, comma);
      dn = comma == std::string_view::npos ? std::string_view() : dn.substr(comma + 1);
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      if (p.size() > 3 && (p[0] == 'D' || p[0] == 'd') && (p[1] == 'C' || p[1] == 'c') &&
          p[2] == '=')
        dcs.emplace_back(p.substr(3));
    }
    if (!dcs.empty()) {
      std::string domain = core::join(dcs, ".");
      std::transform(domain.begin(), domain.end(), domain.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      // A domain the inventory does not declare belongs to no forest of it: a forest apart.
      if (forestOf(ctx, domain).empty())
        forest_by.emplace(domain, "collaboration.allowed_group");
      else
        note(domain, "collaboration.allowed_group");
    }
  }
  if (forest_by.size() < 2) return;
  std::vector<std::string> parts;
  for (const auto& [f, who] : forest_by) parts.push_back(f + " (e.g. " + who + ")");
  emit(rule, out, "directory",
       "the deployment references more than one forest: " + core::join(parts, ", "),
       ctx.model.directory.loc);
}

void controllersPerSite(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  std::set<std::string, std::less<>> core_sites;
  for (const Host& h : ctx.model.hosts) {
    if (ctx.isCore(h)) core_sites.insert(h.site);
  }
  std::map<std::string, int, std::less<>> dcs;
  std::set<std::string, std::less<>> gc_sites, unknown_gc_sites;
  for (const Controller& dc : controllers(ctx)) {
    ++dcs[dc.site];
    if (dc.global_catalog.value_or(false))
      gc_sites.insert(dc.site);
    else if (!dc.global_catalog)
      unknown_gc_sites.insert(dc.site);
  }
  for (const inventory::Site& s : ctx.model.sites) {
    if (!core_sites.contains(s.name)) continue;
    auto it = dcs.find(s.name);
    int n = it == dcs.end() ? 0 : it->second;
    std::vector<std::string> problems;
    if (n < 2) problems.push_back(fmt::format("{} domain controller{}", n, n == 1 ? "" : "s"));
    const bool gc_unknown = !gc_sites.contains(s.name) && unknown_gc_sites.contains(s.name);
    if (!gc_sites.contains(s.name) && !gc_unknown) problems.push_back("no global catalog");
    if (problems.empty() && gc_unknown) {
      emitNotStated(rule, out, s.name,
                    fmt::format("site {}: whether one of its domain controllers (declared as "
                                "hosts) is a global catalog is",
                                s.name),
                    s.loc, "which controller is a global catalog",
                    "directory.controllers[].global_catalog");
      continue;
    }
    if (problems.empty()) continue;
    emit(rule, out, s.name,
         fmt::format("site {} holds core hosts but has {} in the site", s.name,
                     core::join(problems, " and ")),
         s.loc);
  }
}

void nativeMode(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const inventory::Forest& f : ctx.model.directory.forests) {
    for (const inventory::DirectoryDomain& d : f.domains) {
      if (d.mode == inventory::DomainMode::kNative) continue;
      emit(rule, out, d.name,
           fmt::format("domain {} is in {} mode", d.name, inventory::toString(d.mode)), d.loc);
    }
  }
}

void adminCreatedOu(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    if (!h.domain || !ctx.isCore(h)) continue;
    if (!h.ou) {
      emitNotStated(rule, out, h.name, fmt::format("host {}: its OU (ou) is", h.name), h.loc,
                    "the organizational unit of its computer object", "hosts[].ou");
      continue;
    }
    std::string lower = *h.ou;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.rfind("cn=computers,", 0) == 0 || lower.rfind("ou=domain controllers,", 0) == 0) {
      emit(rule, out, h.name,
           fmt::format("host {} sits in the default container {}, not an administrator-created "
                       "OU",
                       h.name, *h.ou),
           h.loc);
    }
  }
}

void serviceAccountGroups(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const inventory::ServiceAccount& a : ctx.model.service_accounts) {
    if (hasGroup(a.local_groups, "UcceService")) continue;
    for (const std::string& host : a.hosts) {
      emit(rule, out, fmt::format("{}@{}", a.name, host),
           fmt::format("service account {}\\{} is not in the local UcceService group on host {} "
                       "(Service Account Manager shows it unhealthy)",
                       a.domain, a.name, host),
           a.loc);
    }
  }
}

void userLocalGroups(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const inventory::UserAccount& u : ctx.model.users) {
    std::vector<std::string> problems;
    if (u.setup && !hasGroup(u.local_groups, "Administrators")) {
      problems.push_back("is a setup user outside the local Administrators group");
    }
    if (u.config && !hasGroup(u.local_groups, "UcceService")) {
      problems.push_back("is a config user outside the local UcceService group");
    }
    if (problems.empty()) continue;
    emit(rule, out, u.name, fmt::format("user {} {}", u.name, core::join(problems, " and ")),
         u.loc);
  }
}

void securityGroupUpdate(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (ctx.model.directory.security_group_update == 0) return;
  emit(rule, out, "directory",
       fmt::format("ADSecurityGroupUpdate is {}: the User List tool updates the Config and Setup "
                   "groups in the domain",
                   ctx.model.directory.security_group_update),
       ctx.model.directory.loc);
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& directoryRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-AD-001", L::kDirectory, S::kMedium, "Every domain with ccsec hosts publishes a global catalog", "Global Catalog Requirements",
       "Contact center components look objects up through a global catalog in every domain of the forest.",
       "Make at least one domain controller of the domain a global catalog and set global_catalog: true.",
       globalCatalogPerDomain,
       "docs/design.md §3 directory: a global catalog per domain; §3 scope (controllers are one notion)",
       "directory.forests[].domains[].global_catalog, directory.controllers[], hosts[].roles (domain-controller)"},
      {"CCS-AD-002", L::kDirectory, S::kHigh, "No cross-forest references", "Active Directory Deployment",
       "The solution's hosts, accounts and groups live in one forest; cross-forest trusts are outside the design.",
       "Keep every host, service account and user of the deployment in one forest.",
       singleForest,
       "docs/design.md §3 directory: one forest",
       "hosts[].domain, accounts.service_accounts[].domain, accounts.users[].domain, collaboration.allowed_group"},
      {"CCS-AD-003", L::kDirectory, S::kHigh, "Two domain controllers and a global catalog per site", "Active Directory Site Topology",
       "Each site with core servers needs local, redundant authentication and a global catalog that survive a WAN outage.",
       "Add domain controllers to the site until it has two, one of them a global catalog.",
       controllersPerSite,
       "docs/design.md §3 directory: two controllers and a global catalog per site with core hosts; §3 scope",
       "directory.controllers[], hosts[].roles (domain-controller), hosts[].site"},
      {"CCS-AD-004", L::kDirectory, S::kMedium, "Domains are in native mode", "Active Directory Deployment",
       "Mixed-mode domains keep down-level behaviour the solution does not support.",
       "Raise the domain functional level to native mode.",
       nativeMode,
       "docs/design.md §3 directory: native-mode domains",
       "directory.forests[].domains[].mode"},
      {"CCS-AD-005", L::kDirectory, S::kMedium, "Core hosts in an administrator-created OU", "Active Directory Administrator-Created OUs",
       "An administrator-created OU controls who administers the servers and which domain security policies they inherit.",
       "Move the host's computer object into an administrator-created OU for contact center servers and record it in ou.",
       adminCreatedOu,
       "docs/design.md §3 directory: core hosts in an administrator-created OU",
       "hosts[].ou, hosts[].domain"},
      {"CCS-AD-006", L::kDirectory, S::kMedium, "Service accounts in local UcceService", "User Health in Service Account Manager",
       "A service account outside the local UcceService group has no SQL authorization and shows as Unhealthy.",
       "Run Fix Group Membership in Service Account Manager (or add the account to UcceService) on the host.",
       serviceAccountGroups,
       "docs/design.md §3 directory: service accounts in local UcceService",
       "accounts.service_accounts[].local_groups, accounts.service_accounts[].hosts"},
      {"CCS-AD-007", L::kDirectory, S::kMedium, "Setup users in Administrators, config users in UcceService", "Decouple CCE Authorizations from Active Directory",
       "Authorization is local: Setup rights come from the local Administrators group, Config rights from the local UcceService group.",
       "Add setup users to the local Administrators group and config users to the local UcceService group (User List tool).",
       userLocalGroups,
       "docs/design.md §3 directory: setup and config users in their local groups",
       "accounts.users[].setup, accounts.users[].config, accounts.users[].local_groups"},
      {"CCS-AD-008", L::kDirectory, S::kInfo, "ADSecurityGroupUpdate left at 0", "ADSecurityGroupUpdate Registry Key",
       "With the key at 1 the User List tool writes to Config and Setup groups in the domain, which needs delegated AD write access.",
       "Set security_group_update: 0 unless AD write delegation is intended; then waive this finding with the reason.",
       securityGroupUpdate,
       "docs/design.md §3 directory: ADSecurityGroupUpdate left at 0",
       "directory.security_group_update"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
