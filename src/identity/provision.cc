#include "identity/provision.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "identity/ldap.h"

namespace ccsec::identity {
namespace {

std::string domainDn(const std::string& domain) {
  std::string out;
  std::stringstream ss(domain);
  std::string part;
  while (std::getline(ss, part, '.')) out += (out.empty() ? "DC=" : ",DC=") + part;
  return out;
}

// "OU=a,OU=b,DC=x" -> {"OU=a","OU=b","DC=x"}; refuses escapes and odd bytes (rendered into
// LDIF and single-quoted PowerShell strings).
core::Result<std::vector<std::string>> rdns(const std::string& dn) {
  std::vector<std::string> out;
  std::stringstream ss(dn);
  std::string part;
  while (std::getline(ss, part, ',')) {
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    const auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size())
      return core::makeError("not a DN: " + dn);
    for (char c : part) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '\\' || c == '\'' || c == '"' || c == '`' || c == '$')
        return core::makeError("DN with characters provision does not render: " + dn);
    }
    out.push_back(part);
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < v.size(); ++i) out += (out.empty() ? "" : ",") + v[i];
  return out;
}

std::string upperType(const std::string& rdn) {
  const auto eq = rdn.find('=');
  std::string t = rdn.substr(0, eq);
  for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t + "=" + rdn.substr(eq + 1);
}

struct Group {
  std::string name, description;
};

}  // namespace

core::Result<std::vector<ProvisionFile>> renderProvision(const inventory::Model& model,
                                                         const std::string& root_opt) {
  std::set<std::string> domains;
  for (const auto& h : model.hosts)
    if (h.domain) domains.insert(*h.domain);
  if (domains.empty()) return core::makeError("no inventory host names a domain");
  const std::string inst = model.deployment.name.empty() ? "ccsec" : model.deployment.name;
  for (char c : inst)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return core::makeError("deployment name " + inst + " is not usable in an OU/group name");
  std::vector<ProvisionFile> files;
  for (const auto& domain : domains) {
    const std::string ddn = domainDn(domain);
    auto droot = rdns(ddn);
    if (!droot) return droot.error();
    const std::size_t dlen = droot->size();
    std::string root = root_opt.empty() ? "OU=CCE," + ddn : root_opt;
    auto rroot = rdns(root);
    if (!rroot) return rroot.error();
    if (normalizeDn(join(*rroot, rroot->size() - std::min(rroot->size(), dlen))) !=
        normalizeDn(ddn))
      return core::makeError("--root " + root + " is not under " + ddn);
    // Every OU to create, by normalized DN -> (rdn list in inventory spelling).
    std::map<std::string, std::vector<std::string>> ous;
    auto addChain = [&](const std::vector<std::string>& r) -> core::Result<void> {
      for (std::size_t i = 0; i + dlen < r.size(); ++i) {
        std::vector<std::string> sub(r.begin() + static_cast<std::ptrdiff_t>(i), r.end());
        if (normalizeDn(sub.front()).rfind("ou=", 0) != 0)
          return core::makeError("only OUs are provisioned, not " + sub.front());
        for (auto& x : sub) x = upperType(x);
        ous.emplace(normalizeDn(join(sub, 0)), sub);
      }
      return {};
    };
    if (auto r = addChain(*rroot); !r) return r.error();
    std::vector<std::string> inst_ou = {"OU=" + inst};
    inst_ou.insert(inst_ou.end(), rroot->begin(), rroot->end());
    std::vector<std::string> groups_ou = {"OU=Groups"};
    groups_ou.insert(groups_ou.end(), inst_ou.begin(), inst_ou.end());
    if (auto r = addChain(groups_ou); !r) return r.error();
    for (const auto& h : model.hosts) {
      if (!h.domain || *h.domain != domain || !h.ou) continue;
      auto r = rdns(*h.ou);
      if (!r) return r.error();
      if (r->size() <= dlen || normalizeDn(join(*r, r->size() - dlen)) != normalizeDn(ddn))
        return core::makeError("host " + h.name + ": ou " + *h.ou + " is not under " + ddn);
      if (auto a = addChain(*r); !a) return a.error();
    }
    std::vector<std::vector<std::string>> order;
    for (const auto& [k, v] : ous) order.push_back(v);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      if (a.size() != b.size()) return a.size() < b.size();
      return normalizeDn(join(a, 0)) < normalizeDn(join(b, 0));
    });
    for (auto& x : groups_ou) x = upperType(x);
    const std::string gpath = join(groups_ou, 0);
    const std::vector<Group> groups = {
        {inst + "_Config", "ccsec: " + inst + " config users (local UcceService on core hosts)"},
        {inst + "_Service",
         "ccsec: " + inst + " service accounts (local UcceService on core hosts)"},
        {inst + "_Setup", "ccsec: " + inst + " setup users (local Administrators on core hosts)"},
    };

    std::string ldif = "# ccsec directory provision: " + domain + " from " +
                       std::filesystem::path(model.source_file).filename().string() +
                       "\n# Apply with: ldapmodify -a -c -H ldaps://DC -D ADMIN -W -f " + domain +
                       ".ldif\n# Idempotent: on a second run every entry is \"Already exists\" "
                       "and nothing changes.\n";
    std::string ps = "# ccsec directory provision: " + domain + " from " +
                     std::filesystem::path(model.source_file).filename().string() +
                     "\n# Idempotent: creates only what is missing; run on a domain member with "
                     "the ActiveDirectory module.\n#Requires -Modules ActiveDirectory\n"
                     "$ErrorActionPreference = 'Stop'\n"
                     "function Ensure-OU([string]$Name, [string]$Path) {\n"
                     "  $dn = \"OU=$Name,$Path\"\n"
                     "  if (-not (Get-ADOrganizationalUnit -Filter \"DistinguishedName -eq "
                     "'$dn'\")) {\n"
                     "    New-ADOrganizationalUnit -Name $Name -Path $Path "
                     "-ProtectedFromAccidentalDeletion $true\n"
                     "    Write-Output \"created $dn\"\n  }\n}\n"
                     "function Ensure-Group([string]$Name, [string]$Path, [string]$Description) {\n"
                     "  $g = Get-ADGroup -Filter \"SamAccountName -eq '$Name'\"\n"
                     "  if (-not $g) {\n"
                     "    New-ADGroup -Name $Name -SamAccountName $Name -GroupScope DomainLocal "
                     "-GroupCategory Security -Path $Path -Description $Description\n"
                     "    Write-Output \"created group $Name\"\n"
                     "  } elseif ($g.GroupScope -ne 'DomainLocal') {\n"
                     "    throw \"group $Name exists with scope $($g.GroupScope), not "
                     "DomainLocal\"\n  }\n}\n";
    for (const auto& ou : order) {
      const std::string name = ou.front().substr(3);
      ldif += "\ndn: " + join(ou, 0) +
              "\nchangetype: add\nobjectClass: top\nobjectClass: "
              "organizationalUnit\nou: " +
              name + "\n";
      ps += "Ensure-OU -Name '" + name + "' -Path '" + join(ou, 1) + "'\n";
    }
    for (const auto& g : groups) {
      // groupType 0x80000004: security group, domain-local scope.
      ldif += "\ndn: CN=" + g.name + "," + gpath +
              "\nchangetype: add\nobjectClass: top\n"
              "objectClass: group\ncn: " +
              g.name + "\nsAMAccountName: " + g.name +
              "\ngroupType: -2147483644\ndescription: " + g.description + "\n";
      ps += "Ensure-Group -Name '" + g.name + "' -Path '" + gpath + "' -Description '" +
            g.description + "'\n";
    }
    files.push_back({domain + ".ldif", ldif});
    files.push_back({domain + ".ps1", ps});
  }
  return files;
}

}  // namespace ccsec::identity
