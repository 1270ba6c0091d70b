#include "identity/directory_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "core/text.h"
#include "policy/live_rules.h"
#include "policy/rule.h"

namespace ccsec::identity {
namespace {

using policy::emit;
using policy::liveDirectoryRule;
using policy::Severity;

// "CN=dc1,CN=Servers,CN=lab,CN=Sites,..." -> RDN values {"dc1","Servers","lab","Sites",...}
// (values unescaped only as far as these containers need: no escaped commas expected).
std::vector<std::string> rdnValues(const std::string& dn) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= dn.size()) {
    std::size_t comma = pos;
    while (comma < dn.size() && !(dn[comma] == ',' && (comma == 0 || dn[comma - 1] != '\\')))
      ++comma;
    const std::string rdn = dn.substr(pos, comma - pos);
    const std::size_t eq = rdn.find('=');
    std::string v = eq == std::string::npos ? rdn : rdn.substr(eq + 1);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

std::string parentDn(const std::string& dn) {
  for (std::size_t i = 0; i < dn.size(); ++i)
    if (dn[i] == ',' && (i == 0 || dn[i - 1] != '\\')) return dn.substr(i + 1);
  return {};
}

std::int64_t toInt(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (...) {
    return 0;
  }
}

std::int64_t nowFiletime() {
  using namespace std::chrono;
  const auto unix100ns =
      duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count() / 100;
  return unix100ns + 116444736000000000LL;
}

struct Dc {
  std::string name, dns, site;
  bool gc = false;
};

}  // namespace

core::Result<std::vector<policy::Finding>> checkDirectory(const inventory::Model& model,
                                                          const DirectoryCheckOptions& o) {
  Pool pool(o.servers, o.tls, {});
  OpResult st;
  auto conn = pool.acquire(&st);
  if (!conn) return conn.error();
  OpResult bound = o.sasl_external ? conn->saslExternal() : conn->simpleBind(o.bind_dn, o.password);
  if (!bound.ok()) {
    core::Error e = core::makeError("directory bind failed: " + bound.message);
    e.cls = core::ErrorClass::kRuntime;
    return e;
  }
  auto fail = [](const OpResult& r, const std::string& what) {
    core::Error e = core::makeError("directory " + what + ": " + r.message);
    e.cls = core::ErrorClass::kRuntime;
    return e;
  };
  std::string domain_nc = o.domain_nc, config_nc = o.config_nc, root_nc = o.root_nc;
  if (domain_nc.empty() || config_nc.empty() || root_nc.empty()) {
    auto dse = conn->search(
        "", Scope::kBase, "(objectClass=*)",
        {"defaultNamingContext", "configurationNamingContext", "rootDomainNamingContext"});
    if (!dse.status.ok()) return fail(dse.status, "root DSE");
    if (!dse.entries.empty()) {
      const Entry& e = dse.entries.front();
      if (domain_nc.empty()) domain_nc = e.first("defaultNamingContext");
      if (config_nc.empty()) config_nc = e.first("configurationNamingContext");
      if (root_nc.empty()) root_nc = e.first("rootDomainNamingContext");
    }
    if (root_nc.empty()) root_nc = domain_nc;
    if (domain_nc.empty() || config_nc.empty())
      return core::makeError(
          "the root DSE names no defaultNamingContext/configurationNamingContext (not an "
          "Active Directory layout?)");
  }

  std::vector<policy::Finding> out;
  const auto& R = liveDirectoryRule;

  // --- domains and forests (configuration NC, CN=Partitions) ---------------------------------
  auto parts = conn->search("CN=Partitions," + config_nc, Scope::kOne, "(objectClass=crossRef)",
                            {"nCName", "dnsRoot"});
  if (!parts.status.ok()) return fail(parts.status, "partitions");
  std::map<std::string, std::string> domain_of_nc;  // normalized nCName -> dnsRoot
  for (const auto& e : parts.entries) {
    const std::string nc = normalizeDn(e.first("nCName"));
    if (nc.empty() || nc.find("cn=") != std::string::npos) continue;  // config/schema/app NCs
    domain_of_nc[nc] = core::asciiLower(e.first("dnsRoot"));
  }
  const std::string forest_name =
      domain_of_nc.count(normalizeDn(root_nc)) ? domain_of_nc[normalizeDn(root_nc)] : std::string();
  const std::string domain_name = domain_of_nc.count(normalizeDn(domain_nc))
                                      ? domain_of_nc[normalizeDn(domain_nc)]
                                      : std::string();
  const inventory::Forest* forest = nullptr;
  for (const auto& f : model.directory.forests)
    if (core::asciiLower(f.name) == forest_name) forest = &f;
  std::set<std::string> ad_domains;
  for (const auto& [nc, dns] : domain_of_nc) ad_domains.insert(dns);
  if (forest == nullptr) {
    emit(R("CCS-DIR-001"), out, forest_name.empty() ? "forest" : forest_name,
         fmt::format("forest {} (root {}) is not in the inventory's directory.forests",
                     forest_name.empty() ? "?" : forest_name, root_nc),
         model.directory.loc);
  } else {
    std::set<std::string> inv_domains;
    for (const auto& d : forest->domains) {
      inv_domains.insert(core::asciiLower(d.name));
      if (!ad_domains.count(core::asciiLower(d.name)))
        emit(R("CCS-DIR-001"), out, d.name,
             fmt::format("domain {} is in the inventory's forest {} but has no crossRef under "
                         "CN=Partitions,{}",
                         d.name, forest->name, config_nc),
             d.loc);
    }
    for (const auto& d : ad_domains)
      if (!inv_domains.count(d))
        emit(R("CCS-DIR-001"), out, d,
             fmt::format("domain {} exists in forest {} (CN=Partitions) but not in the inventory",
                         d, forest->name),
             forest->loc, Severity::kLow);
  }

  // --- sites, domain controllers, global catalogs (CN=Sites) --------------------------------
  auto sites = conn->search("CN=Sites," + config_nc, Scope::kSub,
                            "(|(objectClass=server)(objectClass=nTDSDSA))",
                            {"cn", "dNSHostName", "options"});
  if (!sites.status.ok()) return fail(sites.status, "sites");
  std::map<std::string, Dc> dcs;  // normalized server DN -> facts
  for (const auto& e : sites.entries) {
    const auto rdns = rdnValues(e.dn);
    if (core::asciiLower(e.dn).rfind("cn=ntds settings,", 0) == 0) continue;
    if (rdns.size() < 4) continue;
    Dc dc;
    dc.name = core::asciiLower(rdns[0]);
    dc.dns = core::asciiLower(e.first("dNSHostName"));
    dc.site = rdns[2];
    dcs[normalizeDn(e.dn)] = dc;
  }
  for (const auto& e : sites.entries) {
    if (core::asciiLower(e.dn).rfind("cn=ntds settings,", 0) != 0) continue;
    auto it = dcs.find(normalizeDn(parentDn(e.dn)));
    if (it != dcs.end()) it->second.gc = (toInt(e.first("options")) & 1) != 0;
  }
  auto findDc = [&](const std::string& name) -> const Dc* {
    const std::string n = core::asciiLower(name);
    for (const auto& [dn, dc] : dcs)
      if (dc.name == n || dc.dns == n || dc.dns.rfind(n + ".", 0) == 0) return &dc;
    return nullptr;
  };
  std::set<std::string> known_dcs;
  auto inForest = [&](const std::string& domain) {
    if (forest == nullptr) return core::asciiLower(domain) == domain_name;
    for (const auto& d : forest->domains)
      if (core::asciiLower(d.name) == core::asciiLower(domain)) return true;
    return false;
  };
  for (const auto& c : model.directory.controllers) {
    if (!inForest(c.domain)) continue;
    const Dc* dc = findDc(c.name);
    if (dc == nullptr) {
      emit(R("CCS-DIR-002"), out, c.name,
           fmt::format("domain controller {} (site {}) has no server object under CN=Sites,{}",
                       c.name, c.site, config_nc),
           c.loc);
      continue;
    }
    known_dcs.insert(dc->name);
    std::vector<std::string> what;
    if (core::asciiLower(dc->site) != core::asciiLower(c.site))
      what.push_back(fmt::format("is in AD site {} (inventory: {})", dc->site, c.site));
    if (dc->gc != c.global_catalog)
      what.push_back(fmt::format(
          "{} the global catalog (NTDS Settings options bit 1 = {}; "
          "inventory: global_catalog {})",
          dc->gc ? "holds" : "does not hold", dc->gc ? 1 : 0, c.global_catalog ? "true" : "false"));
    if (!what.empty()) {
      std::string msg = "domain controller " + c.name;
      for (std::size_t i = 0; i < what.size(); ++i) msg += (i ? " and " : " ") + what[i];
      emit(R("CCS-DIR-002"), out, c.name, msg, c.loc);
    }
  }
  for (const auto& [dn, dc] : dcs)
    if (!known_dcs.count(dc.name))
      emit(R("CCS-DIR-002"), out, dc.name,
           fmt::format("domain controller {} (AD site {}, global catalog {}) is not in the "
                       "inventory's directory.controllers",
                       dc.name, dc.site, dc.gc ? "yes" : "no"),
           model.directory.loc, Severity::kLow);
  // Sites with hosts of this forest: two DCs and a GC in the AD site of the same name.
  std::map<std::string, std::pair<int, int>> per_site;  // lower site -> (dcs, gcs)
  for (const auto& [dn, dc] : dcs) {
    auto& p = per_site[core::asciiLower(dc.site)];
    ++p.first;
    p.second += dc.gc ? 1 : 0;
  }
  std::set<std::string> host_sites;
  for (const auto& h : model.hosts)
    if (h.domain && inForest(*h.domain)) host_sites.insert(h.site);
  for (const auto& s : host_sites) {
    const auto p = per_site[core::asciiLower(s)];
    if (p.first >= 2 && p.second >= 1) continue;
    const inventory::Site* site = model.findSite(s);
    emit(R("CCS-DIR-003"), out, s,
         fmt::format("AD site {} has {} domain controller{} and {} global catalog{} (needs 2 "
                     "and 1)",
                     s, p.first, p.first == 1 ? "" : "s", p.second, p.second == 1 ? "" : "s"),
         site != nullptr ? site->loc : inventory::SourceLoc{});
  }

  // --- computer objects of the inventory's hosts ---------------------------------------------
  auto comps =
      conn->search(domain_nc, Scope::kSub, "(objectClass=computer)", {"cn", "dNSHostName"});
  if (!comps.status.ok()) return fail(comps.status, "computers");
  std::map<std::string, std::string> computer_dn;  // lower cn -> DN
  for (const auto& e : comps.entries) computer_dn[core::asciiLower(e.first("cn"))] = e.dn;
  for (const auto& h : model.hosts) {
    if (!h.domain || core::asciiLower(*h.domain) != domain_name) continue;
    auto it = computer_dn.find(core::asciiLower(h.name));
    if (it == computer_dn.end()) {
      emit(R("CCS-DIR-004"), out, h.name,
           fmt::format("host {} has no computer object in {} (not joined, or named otherwise)",
                       h.name, domain_name),
           h.loc);
      continue;
    }
    const std::string parent = parentDn(it->second);
    if (normalizeDn(parent).rfind("cn=computers,", 0) == 0)
      emit(R("CCS-DIR-004"), out, h.name,
           fmt::format("host {}'s computer object is in the default container {}", h.name, parent),
           h.loc);
    else if (h.ou && normalizeDn(parent) != normalizeDn(*h.ou))
      emit(R("CCS-DIR-004"), out, h.name,
           fmt::format("host {}'s computer object is in {} (inventory: {})", h.name, parent, *h.ou),
           h.loc, Severity::kLow);
  }

  // --- service accounts as the Service Account Manager shows them ----------------------------
  const std::int64_t now = o.now_filetime != 0 ? o.now_filetime : nowFiletime();
  for (const auto& a : model.service_accounts) {
    if (core::asciiLower(a.domain) != domain_name) continue;
    auto r = conn->search(domain_nc, Scope::kSub,
                          "(&(objectClass=user)(sAMAccountName=" + escapeFilterValue(a.name) + "))",
                          {"userAccountControl", "accountExpires", "lockoutTime",
                           "msDS-User-Account-Control-Computed"},
                          10, 2);
    if (!r.status.ok()) return fail(r.status, "service account " + a.name);
    if (r.entries.empty()) {
      emit(R("CCS-DIR-005"), out, a.name,
           fmt::format("service account {} is unhealthy: missing (no user with sAMAccountName "
                       "{} in {})",
                       a.name, a.name, domain_name),
           a.loc);
      continue;
    }
    const Entry& e = r.entries.front();
    const std::int64_t uac = toInt(e.first("userAccountControl"));
    const std::int64_t computed = toInt(e.first("msDS-User-Account-Control-Computed"));
    const std::int64_t expires = toInt(e.first("accountExpires"));
    std::vector<std::string> why;
    if (uac & 0x2) why.push_back("disabled");
    if ((uac & 0x10) || (computed & 0x10) || toInt(e.first("lockoutTime")) > 0)
      why.push_back("locked out");
    if (expires != 0 && expires != 0x7FFFFFFFFFFFFFFFLL && expires < now) why.push_back("expired");
    if ((uac & 0x800000) || (computed & 0x800000)) why.push_back("password expired");
    if (why.empty()) continue;
    std::string list;
    for (std::size_t i = 0; i < why.size(); ++i) list += (i ? ", " : "") + why[i];
    emit(R("CCS-DIR-005"), out, a.name,
         fmt::format("service account {} is unhealthy: {} (userAccountControl {:#x})", a.name, list,
                     uac),
         a.loc);
  }

  // --- groups with members from other forests (foreign security principals) -----------------
  auto fsps =
      conn->search(domain_nc, Scope::kSub, "(objectClass=foreignSecurityPrincipal)", {"memberOf"});
  if (!fsps.status.ok()) return fail(fsps.status, "foreign security principals");
  std::map<std::string, int> crossing;  // group DN -> foreign members
  for (const auto& e : fsps.entries)
    if (const auto* m = e.get("memberOf"))
      for (const auto& g : *m) ++crossing[g];
  for (const auto& [g, n] : crossing)
    emit(R("CCS-DIR-006"), out, g,
         fmt::format("group {} has {} member{} from another forest (foreign security principals)",
                     g, n, n == 1 ? "" : "s"),
         {});

  pool.release(std::move(*conn));
  std::stable_sort(out.begin(), out.end(), [](const policy::Finding& a, const policy::Finding& b) {
    return std::tie(a.rule, a.target) < std::tie(b.rule, b.target);
  });
  return out;
}

}  // namespace ccsec::identity
