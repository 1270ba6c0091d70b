// IPsec rules (seed: "IPsec Deployment", "Network Firewall Topology").

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::Edge;
using inventory::Host;
using inventory::IpsecMode;

void dmpIpsec(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Edge& e : ctx.graph.edges) {
    if (e.kind != "dmp" || e.ipsec) continue;
    emit(rule, out, e.id(),
         fmt::format("dmp edge {} (port {}) between central controller and PG is not "
                     "IPsec-protected at both ends",
                     e.id(), e.port),
         e.loc);
  }
}

void coreLinksProtected(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Edge& e : ctx.graph.edges) {
    if (e.kind == "dmp" || e.kind == "sip" || e.kind == "rtp") continue;
    // Personal-data edges without TLS are CCS-TLS-001's (IPsec does not excuse them).
    if (e.tls || e.ipsec || e.client_is_endpoint || e.personal_data) continue;
    const inventory::ChannelKindSpec* spec = ctx.catalog.channel(e.kind);
    if (spec == nullptr || !spec->core_link) continue;
    const Host* server = ctx.model.findHost(e.server);
    const Host* client = ctx.model.findHost(e.client);
    if (server == nullptr || client == nullptr || !ctx.isCore(*server) || !ctx.isCore(*client)) {
      continue;
    }
    // A private link joins the two sides of one component: one fact, one finding
    // ("private:rgr-a<->rgr-b"), reported on the edge whose server sorts first.
    std::string target = e.id();
    if (e.kind == "private") {
      if (e.client < e.server && ctx.graph.find(e.kind, e.client, e.server) != nullptr) continue;
      target = fmt::format("{}:{}<->{}", e.kind, std::min(e.server, e.client),
                           std::max(e.server, e.client));
    }
    // The remedy depends on the ends: Windows hosts take Network Isolation or a peer rule,
    // VOS appliances only their own platform IPsec policies.
    std::vector<std::string> vos, windows;
    for (const Host* h : {server, client}) {
      if (h->protection.ipsec != IpsecMode::kNone) continue;  // this end is already done
      (h->os == inventory::Os::kVos ? vos : windows).push_back(h->name);
    }
    if (vos.empty()) {
      emit(rule, out, target,
           fmt::format("core-to-core edge {} (port {}) has neither TLS nor IPsec", target, e.port),
           e.loc);
      continue;
    }
    std::string fix = fmt::format(
        "Enable TLS on the edge, or IPsec at both ends: on the VOS end{} {} an IPsec policy of "
        "the appliance (OS administration; Network Isolation is Windows-only) in peer mode",
        vos.size() == 1 ? "" : "s", core::join(vos, ", "));
    if (!windows.empty()) {
      fix += fmt::format(", on the Windows end {} a peer rule for the edge (or isolation)",
                         core::join(windows, ", "));
    }
    emitWith(
        rule, out, target,
        fmt::format("core-to-core edge {} (port {}) has neither TLS nor IPsec", target, e.port),
        e.loc, rule.severity, fix + ".");
  }
}

namespace {

bool isController(const Context& ctx, const Host& h) {
  return h.hasRole("domain-controller") || ctx.model.findController(h.name) != nullptr;
}

bool isBoundary(const Host& isolated, std::string_view peer, std::string_view peer_zone) {
  for (const std::string& b : isolated.protection.ipsec_boundary) {
    if (b == peer || b == peer_zone) return true;
  }
  return false;
}

}  // namespace

void isolationReachable(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  // host → peers it cannot reach, gathered over all edges once.
  std::map<std::string, std::set<std::string>, std::less<>> unreachable;
  auto check = [&](const Host* self, std::string_view peer, bool peer_is_endpoint) {
    if (self == nullptr || self->protection.ipsec != IpsecMode::kIsolation) return;
    std::string_view zone = ctx.zoneOf(peer, peer_is_endpoint);
    if (!peer_is_endpoint) {
      const Host* p = ctx.model.findHost(peer);
      if (p == nullptr) return;
      if (p->protection.ipsec == IpsecMode::kIsolation || isController(ctx, *p)) return;
    } else if (ctx.model.findController(peer) != nullptr) {
      return;
    }
    if (isBoundary(*self, peer, zone)) return;
    unreachable[self->name].insert(std::string(peer));
  };
  for (const Edge& e : ctx.graph.edges) {
    const Host* server = ctx.model.findHost(e.server);
    const Host* client = e.client_is_endpoint ? nullptr : ctx.model.findHost(e.client);
    check(server, e.client, e.client_is_endpoint);
    if (client != nullptr) check(client, e.server, false);
  }
  for (const auto& [name, peers] : unreachable) {
    const Host* h = ctx.model.findHost(name);
    // Name the first peers; a hub under isolation may talk to thousands.
    std::vector<std::string> list;
    for (const std::string& p : peers) {
      if (list.size() == 10) break;
      list.push_back(p);
    }
    if (peers.size() > list.size()) list.push_back(fmt::format("{} more", peers.size() - 10));
    emit(rule, out, name,
         fmt::format("host {} is under IPsec isolation but talks to {} which {} neither isolated "
                     "nor a declared ipsec_boundary",
                     name, core::join(list, ", "), peers.size() == 1 ? "is" : "are"),
         h != nullptr ? h->loc : inventory::SourceLoc{});
  }
}

void ipsecScalability(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::int64_t limit = ctx.options.threshold("agents_per_ipsec_host");
  std::map<std::string, std::int64_t, std::less<>> agents;
  for (const Edge& e : ctx.graph.edges) {
    if (!e.client_is_endpoint) continue;
    const inventory::EndpointGroup* g = ctx.model.findEndpoint(e.client);
    if (g != nullptr) agents[e.server] += g->count;
  }
  for (const Host& h : ctx.model.hosts) {
    if (h.protection.ipsec == IpsecMode::kNone) continue;
    auto it = agents.find(h.name);
    if (it == agents.end() || it->second <= limit) continue;
    emit(rule, out, h.name,
         fmt::format("host {} runs IPsec ({}) and serves {} agent endpoints (more than "
                     "agents_per_ipsec_host={}); IPsec reduces its scalability",
                     h.name, inventory::toString(h.protection.ipsec), it->second, limit),
         h.loc);
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& ipsecRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-IPS-001", L::kIpsec, S::kHigh, "DMP links are IPsec-protected", "IPsec Deployment",
       "The central controller to PG link (DMP) has no TLS variant; the design secures it with Windows IPsec.",
       "Put both ends of the dmp edge under IPsec (isolation, or peer mode listing the edge in channels:).",
       dmpIpsec,
       "docs/design.md §3 ipsec: the central controller to PG link is protected by IPsec; §2 effective protection",
       "hosts[].protection.ipsec, channels[] (peer mode)"},
      {"CCS-IPS-002", L::kIpsec, S::kHigh, "Core-to-core links without TLS use IPsec", "IPsec Deployment",
       "Intra-server traffic such as private, replication, SQL and JTAPI links is plaintext unless IPsec (ESP) encrypts it.",
       "Enable TLS on the edge or put both hosts under Windows IPsec (isolation policy or a peer rule for the edge).",
       coreLinksProtected,
       "docs/design.md §3 ipsec: core-to-core edges without TLS run under IPsec; §2 effective protection",
       "hosts[].protection.ipsec, hosts[].os, channels[].tls"},
      {"CCS-IPS-003", L::kIpsec, S::kHigh, "Isolated hosts can reach their peers", "IPsec Deployment",
       "The Network Isolation policy secures all paths to or from a host unless an exception is made; a peer without IPsec and without an exception is cut off.",
       "Put the peer under isolation too, or list it (host or zone) in the host's protection.ipsec_boundary.",
       isolationReachable,
       "docs/design.md §3 ipsec: an isolated host can still reach its peers",
       "hosts[].protection.ipsec, hosts[].protection.ipsec_boundary, directory.controllers"},
      {"CCS-IPS-004", L::kIpsec, S::kInfo, "IPsec on hosts that carry many agents", "IPsec Deployment",
       "Enabling IPsec affects scalability; hosts that serve many agent endpoints feel it first.",
       "Size these hosts for the IPsec overhead or move their agent traffic to TLS (threshold --set agents_per_ipsec_host=N).",
       ipsecScalability,
       "docs/design.md §3 ipsec: IPsec on hosts that carry many agents costs scalability",
       "hosts[].protection.ipsec, endpoints[].count"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
