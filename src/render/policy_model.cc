#include "render/policy_model.h"

#include <algorithm>
#include <map>
#include <set>

namespace ccsec::render {
namespace {

using inventory::Edge;
using inventory::Host;
using inventory::Model;

/// Edges by server and by client, built once (ChannelGraph::into/from scan every edge).
struct EdgeIndex {
  std::map<std::string_view, std::vector<const Edge*>, std::less<>> into, from;
  explicit EdgeIndex(const inventory::ChannelGraph& g) {
    for (const auto& e : g.edges) {
      into[e.server].push_back(&e);
      from[e.client].push_back(&e);
    }
  }
  const std::vector<const Edge*>& intoHost(std::string_view h) const { return get(into, h); }
  const std::vector<const Edge*>& fromHost(std::string_view h) const { return get(from, h); }

 private:
  static const std::vector<const Edge*>& get(
      const std::map<std::string_view, std::vector<const Edge*>, std::less<>>& m,
      std::string_view k) {
    static const std::vector<const Edge*> kEmpty;
    auto it = m.find(k);
    return it == m.end() ? kEmpty : it->second;
  }
};

core::Cidr hostPrefix(const core::IpAddress& a) {
  // A bare address parses as a host prefix (/32 or /128).
  return *core::Cidr::parse(a.str());
}

void sortUnique(std::vector<core::Cidr>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

/// Prefixes of a client or boundary name: host, domain controller, endpoint group or zone.
struct Resolved {
  std::vector<core::Cidr> cidrs;
  std::string set;  // named set for zones and endpoint groups; empty for single addresses
  const inventory::Zone* zone = nullptr;
  bool found = false;
};

Resolved resolveName(const Model& m, std::string_view name) {
  Resolved r;
  if (const Host* h = m.findHost(name)) {
    r.cidrs.push_back(hostPrefix(h->address));
    r.zone = m.findZone(h->zone);
    r.found = true;
  } else if (const auto* dc = m.findController(name)) {
    r.cidrs.push_back(hostPrefix(dc->address));
    r.found = true;
  } else if (const auto* ep = m.findEndpoint(name)) {
    if (const auto* z = m.findZone(ep->zone)) {
      r.cidrs.push_back(z->cidr);
      r.set = "zone_" + identifier(z->name);
      r.zone = z;
      r.found = true;
    }
  } else if (const auto* z = m.findZone(name)) {
    r.cidrs.push_back(z->cidr);
    r.set = "zone_" + identifier(z->name);
    r.zone = z;
    r.found = true;
  }
  return r;
}

bool covered(const std::vector<core::Cidr>& inner, const std::vector<core::Cidr>& outer) {
  if (inner.empty()) return false;
  for (const auto& c : inner) {
    bool in = false;
    for (const auto& o : outer) in = in || o.contains(c);
    if (!in) return false;
  }
  return true;
}

std::vector<IpsecBoundary> boundariesOf(const Model& m, const Host& h) {
  std::map<std::string, IpsecBoundary> out;
  for (const auto& name : h.protection.ipsec_boundary) {
    Resolved r = resolveName(m, name);
    if (!r.found) continue;  // the loader rejects unknown names; nothing to render
    IpsecBoundary b{name, r.cidrs, false, h.protection.loc.line};
    out[name] = std::move(b);
  }
  // Domain controllers are always boundary devices (reference §3.2).
  for (const auto& dc : m.directory.controllers) {
    IpsecBoundary b{dc.name, {hostPrefix(dc.address)}, true, dc.loc.line};
    out[dc.name] = std::move(b);
  }
  for (const auto& other : m.hosts) {
    if (other.hasRole("domain-controller")) {
      IpsecBoundary b{other.name, {hostPrefix(other.address)}, true, other.loc.line};
      out[other.name] = std::move(b);
    }
  }
  std::vector<IpsecBoundary> v;
  for (auto& [k, b] : out) v.push_back(std::move(b));
  return v;
}

bool ipsecSiteLink(const Model& m, std::string_view a, std::string_view b) {
  for (const auto& l : m.site_links) {
    if (l.protection != inventory::LinkProtection::kIpsec) continue;
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return true;
  }
  return false;
}

std::string identityOf(const Host& h) { return h.dns_name ? *h.dns_name : h.name; }

IpsecHost buildIpsecHost(const Model& m, const EdgeIndex& g, const Host& h) {
  IpsecHost ih;
  ih.host = h.name;
  ih.site = h.site;
  ih.os = h.os;
  ih.mode = h.protection.ipsec;
  ih.address = h.address;
  ih.identity = identityOf(h);
  if (h.certificate && h.certificate->path) ih.certificate_path = *h.certificate->path;
  ih.line = h.loc.line;
  std::map<std::string, IpsecPeer> peers;
  auto add = [&](const Edge& e, const std::string& other) {
    if (!e.ipsec || other == h.name) return;
    const Host* p = m.findHost(other);
    if (p == nullptr) return;
    auto it = peers.find(other);
    if (it == peers.end()) {
      IpsecPeer peer;
      peer.name = p->name;
      peer.address = p->address;
      peer.identity = identityOf(*p);
      peer.mode = (p->site != h.site && ipsecSiteLink(m, p->site, h.site))
                      ? IpsecPeerMode::kTunnel
                      : IpsecPeerMode::kTransport;
      peer.line = e.loc.line;
      it = peers.emplace(other, std::move(peer)).first;
    }
    it->second.edges.push_back(e.id());
  };
  for (const Edge* e : g.intoHost(h.name)) {
    if (!e->client_is_endpoint) add(*e, e->client);
  }
  for (const Edge* e : g.fromHost(h.name)) add(*e, e->server);
  for (auto& [name, p] : peers) {
    std::sort(p.edges.begin(), p.edges.end());
    p.edges.erase(std::unique(p.edges.begin(), p.edges.end()), p.edges.end());
    ih.peers.push_back(std::move(p));
  }
  ih.boundaries = boundariesOf(m, h);
  return ih;
}

class TableBuilder {
 public:
  explicit TableBuilder(Table& t) : t_(t) {}
  Rule& add(Rule r) {
    r.label = "r" + std::to_string(t_.rules.size() + 1);
    t_.rules.push_back(std::move(r));
    return t_.rules.back();
  }
  void addSet(const std::string& name, std::vector<core::Cidr> cidrs) {
    sets_[name].insert(sets_[name].end(), cidrs.begin(), cidrs.end());
  }
  void finish() {
    for (auto& [name, cidrs] : sets_) {
      sortUnique(cidrs);
      t_.sets.push_back(AddressSet{name, cidrs});
    }
  }

 private:
  Table& t_;
  std::map<std::string, std::vector<core::Cidr>> sets_;
};

Proto protoOf(inventory::Transport t) {
  return t == inventory::Transport::kUdp ? Proto::kUdp : Proto::kTcp;
}

bool rpcDynamic(const Model& m, const inventory::Catalog& cat, const Edge& e) {
  const Host* server = m.findHost(e.server);
  if (server == nullptr) return false;
  for (const auto& role : server->roles) {
    const auto* spec = cat.role(role);
    if (spec == nullptr) continue;
    for (const auto& l : spec->listeners) {
      if (l.channel == e.kind && l.rpc_dynamic) return true;
    }
  }
  return false;
}

Table buildHostTable(const Model& m, const inventory::Catalog& cat, const EdgeIndex& g,
                     const Host& h, const IpsecHost* ih) {
  Table t;
  t.kind = TableKind::kHost;
  t.device = h.name;
  t.site = h.site;
  t.os = h.os;
  t.line = h.loc.line;
  TableBuilder b(t);
  b.add(Rule{
      .special = Special::kEstablished, .origin = "baseline", .note = "established and related"});
  b.add(Rule{.special = Special::kLoopback, .origin = "baseline", .note = "loopback"});
  b.add(Rule{
      .special = Special::kIcmpv6Nd, .origin = "baseline", .note = "IPv6 neighbour discovery"});

  if (ih != nullptr && !ih->peers.empty()) {
    std::vector<core::Cidr> peers;
    for (const auto& p : ih->peers) peers.push_back(hostPrefix(p.address));
    sortUnique(peers);
    b.addSet("ipsec_peers", peers);
    b.add(Rule{.proto = Proto::kEsp,
               .src = peers,
               .src_set = "ipsec_peers",
               .src_label = "ipsec peers",
               .origin = "ipsec",
               .line = h.protection.loc.line,
               .note = "ESP from IPsec peers"});
    for (std::uint16_t port : {std::uint16_t{500}, std::uint16_t{4500}}) {
      b.add(Rule{.proto = Proto::kUdp,
                 .src = peers,
                 .src_set = "ipsec_peers",
                 .src_label = "ipsec peers",
                 .port_lo = port,
                 .port_hi = port,
                 .origin = "ipsec",
                 .line = h.protection.loc.line,
                 .note = port == 500 ? "IKE from IPsec peers" : "IKE NAT-T from IPsec peers"});
    }
  }

  std::vector<IpsecBoundary> boundaries;
  if (h.protection.ipsec == inventory::IpsecMode::kIsolation) boundaries = boundariesOf(m, h);

  for (const Edge* e : g.intoHost(h.name)) {
    Resolved src = resolveName(m, e->client);
    if (!src.found) continue;
    bool require = false;
    if (h.protection.ipsec == inventory::IpsecMode::kIsolation) {
      // Isolation: every peer that is not a boundary must come over IPsec.
      bool boundary = false;
      for (const auto& bd : boundaries) boundary = boundary || covered(src.cidrs, bd.cidrs);
      require = !boundary;
    } else if (h.protection.ipsec == inventory::IpsecMode::kPeer) {
      require = e->ipsec;
    }
    if (!src.set.empty()) b.addSet(src.set, src.cidrs);
    Rule r{.proto = protoOf(e->proto),
           .src = src.cidrs,
           .src_set = src.set,
           .src_label = e->client,
           .port_lo = e->port,
           .port_hi = e->port_end != 0 ? e->port_end : e->port,
           .require_ipsec = require,
           .origin = e->id(),
           .line = e->loc.line,
           .note = e->kind};
    b.add(r);
    if (h.os == inventory::Os::kWindows && rpcDynamic(m, cat, *e)) {
      r.proto = Proto::kTcp;
      r.port_lo = kRpcDynamicLo;
      r.port_hi = kRpcDynamicHi;
      r.note = e->kind + " RPC dynamic ports";
      b.add(r);
    }
  }
  b.finish();
  return t;
}

Table buildPerimeter(const Model& m, const inventory::ChannelGraph& g, const inventory::Site& s) {
  const inventory::Perimeter& p = *s.perimeter;
  Table t;
  t.kind = TableKind::kPerimeter;
  t.device = s.name;
  t.site = s.name;
  t.vendor = p.vendor;
  t.contexts = p.contexts;
  std::sort(t.contexts.begin(), t.contexts.end());
  t.line = p.loc.line;
  TableBuilder b(t);
  std::vector<core::Cidr> inside;
  for (const auto& z : s.zones) {
    if (z.kind != inventory::ZoneKind::kExternal) inside.push_back(z.cidr);
  }
  sortUnique(inside);
  b.addSet("inside", inside);

  b.add(Rule{
      .special = Special::kEstablished, .origin = "baseline", .note = "established and related"});
  auto blocked = [&](Proto proto, std::uint16_t port) {
    b.add(Rule{.action = Action::kDrop,
               .proto = proto,
               .src = inside,
               .src_set = "inside",
               .src_negated = true,
               .src_label = "outside",
               .port_lo = port,
               .port_hi = port,
               .origin = "perimeter.blocked",
               .line = p.loc.line,
               .note = "always blocked from outside"});
  };
  for (auto port : kBlockedTcp) blocked(Proto::kTcp, port);
  for (auto port : kBlockedUdp) blocked(Proto::kUdp, port);

  for (const auto& a : p.allow) {
    const Host* to = m.findHost(a.to);
    if (to == nullptr) continue;
    b.add(Rule{.proto = protoOf(a.proto),
               .src = inside,
               .src_set = "inside",
               .src_negated = true,
               .src_label = "outside",
               .dst = {hostPrefix(to->address)},
               .dst_label = to->name,
               .port_lo = a.port,
               .port_hi = a.port,
               .origin = "perimeter.allow",
               .line = a.loc.line,
               .note = a.reason});
  }

  std::vector<const inventory::SiteLink*> links;
  for (const auto& l : m.site_links) {
    if (l.protection == inventory::LinkProtection::kIpsec && (l.a == s.name || l.b == s.name)) {
      links.push_back(&l);
    }
  }
  for (const auto* l : links) {
    const std::string& peer = l->a == s.name ? l->b : l->a;
    const inventory::Site* ps = m.findSite(peer);
    if (ps == nullptr) continue;
    std::vector<core::Cidr> remote;
    for (const auto& z : ps->zones) {
      if (z.kind != inventory::ZoneKind::kExternal) remote.push_back(z.cidr);
    }
    sortUnique(remote);
    if (remote.empty()) continue;
    std::string set = "site_" + identifier(peer);
    b.addSet(set, remote);
    std::string origin = "site_link:" + l->a + "-" + l->b;
    b.add(Rule{.proto = Proto::kEsp,
               .src = remote,
               .src_set = set,
               .src_label = "site " + peer,
               .origin = origin,
               .line = l->loc.line,
               .note = "ESP between linked sites"});
    for (std::uint16_t port : {std::uint16_t{500}, std::uint16_t{4500}}) {
      b.add(Rule{
          .proto = Proto::kUdp,
          .src = remote,
          .src_set = set,
          .src_label = "site " + peer,
          .port_lo = port,
          .port_hi = port,
          .origin = origin,
          .line = l->loc.line,
          .note = port == 500 ? "IKE between linked sites" : "IKE NAT-T between linked sites"});
    }
  }

  // Derived edges into this site from the interior of another site.
  for (const auto& e : g.edges) {
    const Host* server = m.findHost(e.server);
    if (server == nullptr || server->site != s.name) continue;
    Resolved src = resolveName(m, e.client);
    if (!src.found || src.zone == nullptr) continue;
    if (src.zone->site == s.name || src.zone->kind == inventory::ZoneKind::kExternal) continue;
    if (!src.set.empty()) b.addSet(src.set, src.cidrs);
    b.add(Rule{.proto = protoOf(e.proto),
               .src = src.cidrs,
               .src_set = src.set,
               .src_label = e.client,
               .dst = {hostPrefix(server->address)},
               .dst_label = server->name,
               .port_lo = e.port,
               .port_hi = e.port_end != 0 ? e.port_end : e.port,
               .origin = e.id(),
               .line = e.loc.line,
               .note = e.kind});
  }
  if (!inside.empty()) {
    b.add(Rule{.src = inside,
               .src_set = "inside",
               .src_label = "inside",
               .origin = "baseline",
               .line = p.loc.line,
               .note = "traffic leaving the site"});
  }
  b.finish();
  return t;
}

}  // namespace

const char* toString(Proto p) {
  switch (p) {
    case Proto::kAny:
      return "any";
    case Proto::kTcp:
      return "tcp";
    case Proto::kUdp:
      return "udp";
    case Proto::kEsp:
      return "esp";
  }
  return "?";
}

const char* toString(Action a) { return a == Action::kAccept ? "accept" : "drop"; }

const AddressSet* Table::findSet(std::string_view name) const {
  for (const auto& s : sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const IpsecPeer* IpsecHost::findPeer(std::string_view name) const {
  for (const auto& p : peers) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Table* PolicyModel::hostTable(std::string_view host) const {
  auto it = std::lower_bound(hosts.begin(), hosts.end(), host,
                             [](const Table& t, std::string_view n) { return t.device < n; });
  return it != hosts.end() && it->device == host ? &*it : nullptr;
}

const Table* PolicyModel::perimeterTable(std::string_view site) const {
  for (const auto& t : perimeters) {
    if (t.device == site) return &t;
  }
  return nullptr;
}

const IpsecHost* PolicyModel::ipsecHost(std::string_view host) const {
  auto it = std::lower_bound(ipsec.begin(), ipsec.end(), host,
                             [](const IpsecHost& t, std::string_view n) { return t.host < n; });
  return it != ipsec.end() && it->host == host ? &*it : nullptr;
}

std::string identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

PolicyModel buildPolicy(const Model& model, const inventory::Catalog& catalog,
                        const inventory::ChannelGraph& graph) {
  PolicyModel pm;
  EdgeIndex index(graph);
  std::vector<const Host*> hosts;
  for (const auto& h : model.hosts) hosts.push_back(&h);
  std::sort(hosts.begin(), hosts.end(),
            [](const Host* a, const Host* b) { return a->name < b->name; });
  for (const Host* h : hosts) {
    if (h->os == inventory::Os::kVos) continue;  // appliance: no host firewall or IPsec agent
    if (h->protection.ipsec != inventory::IpsecMode::kNone) {
      pm.ipsec.push_back(buildIpsecHost(model, index, *h));
    }
  }
  for (const Host* h : hosts) {
    if (h->os == inventory::Os::kVos) continue;
    pm.hosts.push_back(buildHostTable(model, catalog, index, *h, pm.ipsecHost(h->name)));
  }
  std::vector<const inventory::Site*> sites;
  for (const auto& s : model.sites) {
    if (s.perimeter) sites.push_back(&s);
  }
  std::sort(sites.begin(), sites.end(),
            [](const inventory::Site* a, const inventory::Site* b) { return a->name < b->name; });
  for (const auto* s : sites) pm.perimeters.push_back(buildPerimeter(model, graph, *s));
  return pm;
}

}  // namespace ccsec::render
