// Network rules (seed: "Network Firewalls", "Network Firewall Topology",
// "Network Address Translation", "IPsec Deployment").

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::Host;
using inventory::ZoneKind;

namespace {

std::vector<std::string> coreRoles(const Context& ctx, const Host& h) {
  std::vector<std::string> out;
  for (const std::string& r : h.roles) {
    const inventory::RoleSpec* spec = ctx.catalog.role(r);
    if (spec != nullptr && spec->core) out.push_back(r);
  }
  return out;
}

bool overlaps(const core::Cidr& a, const core::Cidr& b) {
  return a.base().isV6() == b.base().isV6() && (a.contains(b) || b.contains(a));
}

}  // namespace

void coreNotInDmz(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    const inventory::Zone* z = ctx.model.findZone(h.zone);
    if (z == nullptr || z->kind != ZoneKind::kDmz) continue;
    auto roles = coreRoles(ctx, h);
    if (roles.empty()) continue;
    emit(rule, out, h.name,
         fmt::format("host {} runs core role{} {} in DMZ zone {}", h.name,
                     roles.size() == 1 ? "" : "s", core::join(roles, ", "), h.zone),
         h.loc);
  }
}

void coreInDatacenter(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    const inventory::Zone* z = ctx.model.findZone(h.zone);
    if (z == nullptr || z->kind == ZoneKind::kDatacenter || z->kind == ZoneKind::kDmz) continue;
    auto roles = coreRoles(ctx, h);
    if (roles.empty()) continue;
    emit(rule, out, h.name,
         fmt::format("host {} runs core role{} {} in {} zone {}, not in a datacenter zone", h.name,
                     roles.size() == 1 ? "" : "s", core::join(roles, ", "),
                     inventory::toString(z->kind), h.zone),
         h.loc);
  }
  // Segmentation: a datacenter zone whose addresses overlap a corporate or agent zone is not
  // segmented from it (external zones are the default route and overlap everything).
  for (const inventory::Site& s : ctx.model.sites) {
    for (const inventory::Zone& dc : s.zones) {
      if (dc.kind != ZoneKind::kDatacenter) continue;
      std::vector<std::string> clashes;
      for (const inventory::Site& s2 : ctx.model.sites) {
        for (const inventory::Zone& z : s2.zones) {
          if (z.kind != ZoneKind::kCorporate && z.kind != ZoneKind::kAgent) continue;
          if (overlaps(dc.cidr, z.cidr)) {
            clashes.push_back(
                fmt::format("{} ({} {})", z.name, inventory::toString(z.kind), z.cidr.str()));
          }
        }
      }
      if (clashes.empty()) continue;
      emit(rule, out, dc.name,
           fmt::format("datacenter zone {} ({}) overlaps {}, so it is not segmented", dc.name,
                       dc.cidr.str(), core::join(clashes, ", ")),
           dc.loc);
    }
  }
}

void perimeterBlocksWindowsPorts(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  static constexpr std::array<std::uint16_t, 4> kUdp = {135, 137, 138, 445};
  static constexpr std::array<std::uint16_t, 4> kTcp = {135, 139, 445, 593};
  for (const inventory::Site& s : ctx.model.sites) {
    if (!s.perimeter) continue;
    for (const inventory::PerimeterAllow& a : s.perimeter->allow) {
      const auto& blocked = a.proto == inventory::Transport::kUdp ? kUdp : kTcp;
      if (std::find(blocked.begin(), blocked.end(), a.port) == blocked.end()) continue;
      const char* proto = inventory::toString(a.proto);
      emit(rule, out, fmt::format("{}:{}/{}", s.name, proto, a.port),
           fmt::format("perimeter of site {} allows {}/{} to {} (\"{}\"); that Windows RPC/"
                       "NetBIOS/SMB port must stay blocked",
                       s.name, proto, a.port, a.to, a.reason),
           a.loc);
    }
  }
}

void perimeterSparesCore(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const inventory::Site& s : ctx.model.sites) {
    if (!s.perimeter) continue;
    for (const inventory::PerimeterAllow& a : s.perimeter->allow) {
      const Host* h = ctx.model.findHost(a.to);
      if (h == nullptr) continue;
      auto roles = coreRoles(ctx, *h);
      if (roles.empty()) continue;
      const char* proto = inventory::toString(a.proto);
      emit(rule, out, fmt::format("{}:{}/{}->{}", s.name, proto, a.port, a.to),
           fmt::format("perimeter of site {} allows {}/{} from outside to {} (\"{}\"), a host "
                       "with core role{} {} in zone {}",
                       s.name, proto, a.port, a.to, a.reason, roles.size() == 1 ? "" : "s",
                       core::join(roles, ", "), h->zone),
           a.loc);
    }
  }
}

void hdsDedicated(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    if (!h.hasRole("hds")) continue;
    std::vector<std::string> others;
    for (const std::string& r : coreRoles(ctx, h)) {
      if (r != "hds") others.push_back(r);
    }
    if (others.empty()) continue;
    emit(rule, out, h.name,
         fmt::format("host {} runs hds together with {}", h.name, core::join(others, ", ")), h.loc);
  }
}

void fewAwHosts(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::int64_t limit = ctx.options.threshold("aw_per_site");
  std::map<std::string, std::vector<std::string>, std::less<>> per_site;
  for (const Host& h : ctx.model.hosts) {
    if (h.hasRole("aw")) per_site[h.site].push_back(h.name);
  }
  for (const inventory::Site& s : ctx.model.sites) {
    auto it = per_site.find(s.name);
    if (it == per_site.end() || static_cast<std::int64_t>(it->second.size()) <= limit) continue;
    std::vector<std::string> shown(
        it->second.begin(),
        it->second.begin() + std::min<std::ptrdiff_t>(8, std::ssize(it->second)));
    emit(rule, out, s.name,
         fmt::format("site {} has {} aw hosts ({}{}), more than aw_per_site={}", s.name,
                     it->second.size(), core::join(shown, ", "),
                     it->second.size() > shown.size() ? ", ..." : "", limit),
         s.loc);
  }
}

void natFixups(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  // Per unordered zone pair: fix-ups needed by clear edges whose payload carries addresses,
  // and the encrypted ones (JTAPI or SIP over TLS) that no fix-up can rewrite.
  struct Needs {
    std::set<std::string> fixups;
    std::set<std::string> encrypted;  // edge ids
  };
  std::map<std::pair<std::string, std::string>, Needs> needed;
  for (const inventory::Edge& e : ctx.graph.edges) {
    const char* fixup = nullptr;
    if (e.kind == "jtapi")
      fixup = "ctiqbe";
    else if (e.kind == "sip")
      fixup = "sip";
    if (fixup == nullptr) continue;
    std::string a(ctx.zoneOf(e.server, false));
    std::string b(ctx.zoneOf(e.client, e.client_is_endpoint));
    if (a.empty() || b.empty() || a == b) continue;
    if (b < a) std::swap(a, b);
    Needs& n = needed[{a, b}];
    if (e.tls)
      n.encrypted.insert(e.id());
    else
      n.fixups.insert(fixup);
  }
  for (const inventory::NatRule& n : ctx.model.nat) {
    if (n.between.size() != 2) continue;
    std::string a = n.between[0], b = n.between[1];
    if (b < a) std::swap(a, b);
    auto it = needed.find({a, b});
    if (it == needed.end()) continue;
    std::vector<std::string> missing;
    for (const std::string& f : it->second.fixups) {
      if (std::find(n.fixups.begin(), n.fixups.end(), f) == n.fixups.end()) missing.push_back(f);
    }
    const auto& enc = it->second.encrypted;
    std::string target = fmt::format("nat:{}<->{}", n.between[0], n.between[1]);
    if (!missing.empty()) {
      std::string what = fmt::format(
          "NAT between {} and {} carries channels with addresses in the payload but declares no "
          "{} fix-up",
          n.between[0], n.between[1], core::join(missing, "/"));
      if (!enc.empty()) {
        what += fmt::format("; it also carries {} encrypted edge{} that no fix-up can rewrite",
                            enc.size(), enc.size() == 1 ? "" : "s");
      }
      emit(rule, out, target, what, n.loc);
    } else if (!enc.empty()) {
      std::vector<std::string> shown(enc.begin(), enc.end());
      if (shown.size() > 4) {
        shown.resize(4);
        shown.push_back("...");
      }
      emitWith(rule, out, target,
               fmt::format("NAT between {} and {} carries JTAPI/SIP over TLS ({}): a fix-up "
                           "cannot rewrite the addresses inside an encrypted payload",
                           n.between[0], n.between[1], core::join(shown, ", ")),
               n.loc, Severity::kMedium,
               "Keep NAT off this path (route the zones to each other without translation), or "
               "use a design that needs no ALG (an SBC or proxy that terminates TLS on each "
               "side).");
    }
  }
}

void siteLinksIpsec(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  std::set<std::string, std::less<>> core_sites;
  for (const Host& h : ctx.model.hosts) {
    if (ctx.isCore(h)) core_sites.insert(h.site);
  }
  auto key = [](std::string a, std::string b) {
    if (b < a) std::swap(a, b);
    return std::pair{std::move(a), std::move(b)};
  };
  std::set<std::pair<std::string, std::string>> stated;
  for (const inventory::SiteLink& l : ctx.model.site_links) {
    stated.insert(key(l.a, l.b));
    if (l.protection == inventory::LinkProtection::kIpsec) continue;
    if (!core_sites.contains(l.a) || !core_sites.contains(l.b)) continue;
    emit(rule, out, fmt::format("link:{}<->{}", l.a, l.b),
         fmt::format("site link {}<->{} joins sites with core hosts without IPsec", l.a, l.b),
         l.loc);
  }
  // Sites with core hosts whose hosts talk to each other but whose link no entry describes.
  std::map<std::pair<std::string, std::string>, std::string> unstated;  // → an example edge
  for (const inventory::Edge& e : ctx.graph.edges) {
    if (e.client_is_endpoint) continue;
    const Host* s = ctx.model.findHost(e.server);
    const Host* c = ctx.model.findHost(e.client);
    if (s == nullptr || c == nullptr || s->site == c->site) continue;
    if (!core_sites.contains(s->site) || !core_sites.contains(c->site)) continue;
    auto k = key(s->site, c->site);
    if (!stated.contains(k)) unstated.emplace(k, e.id());
  }
  for (const auto& [sites, edge] : unstated) {
    const inventory::Site* a = ctx.model.findSite(sites.first);
    emitNotStated(rule, out, fmt::format("link:{}<->{}", sites.first, sites.second),
                  fmt::format("sites {} and {} hold core hosts that talk across the link "
                              "{}<->{} (e.g. {}); its protection is",
                              sites.first, sites.second, sites.first, sites.second, edge),
                  a != nullptr ? a->loc : inventory::SourceLoc{}, "the link's protection",
                  "site_links");
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& networkRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-NET-001", L::kNetwork, S::kHigh, "Core-role hosts are not in a DMZ", "Network Firewalls",
       "Core contact center servers exposed in a DMZ are reachable from externally visible networks; the design keeps them out of any DMZ.",
       "Move the host to a datacenter zone and reach it from the DMZ only through the firewall's ACLs.",
       coreNotInDmz,
       "docs/design.md §3 network: core roles never sit in a DMZ (catalog `core`, §2 component catalog)",
       "hosts[].roles, hosts[].zone, sites[].zones[].kind"},
      {"CCS-NET-002", L::kNetwork, S::kHigh, "Core-role hosts sit in segmented datacenter zones", "Network Firewalls",
       "Core servers belong in data centers, segmented from corporate, agent and external networks by firewalls or router ACLs.",
       "Place core hosts in a datacenter zone whose address range does not overlap corporate or agent zones, and filter between them with ACLs.",
       coreInDatacenter,
       "docs/design.md §3 network: core hosts in datacenter zones segmented from corporate, agent and external zones",
       "hosts[].roles, hosts[].zone, sites[].zones[].kind, sites[].zones[].cidr"},
      {"CCS-NET-003", L::kNetwork, S::kCritical, "Perimeter blocks Windows RPC/NetBIOS/SMB ports", "Network Firewall Topology",
       "UDP 135, 137, 138, 445 and TCP 135, 139, 445, 593 must be blocked at the enterprise perimeter firewall.",
       "Remove the perimeter allow exception for this port; reach the service through a VPN or a proxy instead.",
       perimeterBlocksWindowsPorts,
       "docs/design.md §3 network: the perimeter keeps the Windows RPC/NetBIOS/SMB ports closed",
       "sites[].perimeter.allow[].proto, sites[].perimeter.allow[].port"},
      {"CCS-NET-004", L::kNetwork, S::kMedium, "HDS runs on a dedicated host", "Network Firewall Topology",
       "Dedicated historical data servers isolate database and web services from the other core components.",
       "Move the other core roles off the hds host (or the hds role to a host of its own).",
       hdsDedicated,
       "docs/design.md §3 network: the historical data server runs alone",
       "hosts[].roles"},
      {"CCS-NET-005", L::kNetwork, S::kMedium, "Few Administration & Data Servers per site", "Network Firewall Topology",
       "Each Administration & Data Server carries a database and a wider attack surface; the design minimises them in favour of Administration Clients.",
       "Reduce the aw hosts of the site (default at most 2, --set aw_per_site=N) and give other administrators admin-client hosts.",
       fewAwHosts,
       "docs/design.md §3 network: few AW hosts per site, admin clients preferred",
       "hosts[].roles, hosts[].site"},
      {"CCS-NET-006", L::kNetwork, S::kHigh, "NAT declares fix-ups for address-carrying protocols", "Network Address Translation",
       "NAT rewrites only IP headers; CTIQBE/JTAPI and SIP carry addresses in the payload and break without the router's or ASA's fix-ups.",
       "Enable the missing fix-ups (inspect ctiqbe / inspect sip) on the NAT device and list them in the nat entry's fixups.",
       natFixups,
       "docs/design.md §3 network: NAT and payload-carried addresses (fix-ups; no fix-up through TLS)",
       "nat[].between, nat[].fixups, channels[], hosts[].zone"},
      {"CCS-NET-007", L::kNetwork, S::kHigh, "Links between sites with core hosts use IPsec", "Network Firewall Topology",
       "Traffic between geographically distributed sites crosses networks the deployment does not control; the design uses IOS IPsec site-to-site VPNs.",
       "Protect the site link with a site-to-site IPsec VPN and set protection: ipsec.",
       siteLinksIpsec,
       "docs/design.md §3 network: links between sites with core hosts are IPsec; §2 channel graph (edges never depend on site_links)",
       "site_links[], hosts[].site, hosts[].roles"},
      {"CCS-NET-008", L::kNetwork, S::kHigh, "The perimeter opens no core host to the outside", "Network Firewall Topology",
       "Core servers are segmented from externally visible networks; a perimeter exception that reaches one (SQL, RDP, CTI, DMP or any other port) puts it on the outside.",
       "Remove the perimeter allow exception; let outside parties reach a DMZ host (ingress gateway, collaboration platform) that relays through the internal firewall instead.",
       perimeterSparesCore,
       "docs/design.md §3 network: the perimeter opens no core host to the outside",
       "sites[].perimeter.allow[].to, hosts[].roles"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
