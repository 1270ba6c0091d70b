#include "inventory/graph.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace ccsec::inventory {

std::string Edge::id() const { return kind + ":" + server + "<-" + client; }

namespace {

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Where a server host accepts one channel kind: a catalog listener of one of its roles, or a
// listener the inventory declares for a `custom` host.
struct Serving {
  const CatalogListener* listener = nullptr;  // catalog-owned, or Deriver-owned for custom hosts
  std::optional<char> side;
};

bool defaultTls(const ChannelKindSpec& spec, const Model& m) {
  if (spec.name == "sip") return m.deployment.security_model != SecurityModel::kUnsecured;
  return spec.default_tls;
}

class Deriver {
 public:
  Deriver(const Model& m, const Catalog& c) : m_(m), c_(c) {}

  ChannelGraph run() {
    for (const auto& h : m_.hosts)
      for (const auto& r : h.roles) by_role_[r].push_back(&h);
    groupSites();
    for (const auto& spec : c_.channels()) derive(spec);
    applyChannels();
    finish();
    ChannelGraph g;
    g.edges = std::move(edges_);
    std::sort(g.edges.begin(), g.edges.end(), [](const Edge& a, const Edge& b) {
      return std::tie(a.kind, a.server, a.client, a.port) <
             std::tie(b.kind, b.server, b.client, b.port);
    });
    return g;
  }

 private:
  std::optional<Serving> servingFor(const Host& h, const std::string& role,
                                    const std::string& kind) {
    if (!h.hasRole(role)) return std::nullopt;
    if (role == "custom") {
      for (const auto& l : h.listeners) {
        if (l.channel != kind) continue;
        std::string key = h.name + '\x1f' + kind;
        auto it = custom_index_.find(key);
        if (it == custom_index_.end()) {
          CatalogListener cl;
          cl.name = h.name + "-" + kind;
          cl.channel = kind;
          cl.proto = l.proto;
          cl.port = l.port;
          cl.port_end = l.port;
          cl.tls_port = l.tls_port;
          cl.instance_offset = false;
          custom_.push_back(std::move(cl));
          it = custom_index_.emplace(key, &custom_.back()).first;
        }
        return Serving{it->second, std::nullopt};
      }
      return std::nullopt;
    }
    const RoleSpec* spec = c_.role(role);
    if (!spec) return std::nullopt;
    for (const auto& l : spec->listeners)
      if (l.channel == kind) return Serving{&l, h.side};
    return std::nullopt;
  }

  // The first of the host's roles (in the host's order) among `roles` that serves `kind`.
  std::optional<Serving> servingAny(const Host& h, const std::vector<std::string>& roles,
                                    const std::string& kind) {
    for (const auto& r : h.roles)
      if (contains(roles, r))
        if (auto s = servingFor(h, r, kind)) return s;
    return std::nullopt;
  }

  // Any listener of the host for `kind`, whatever the role (channels: entries that add edges).
  std::optional<Serving> servingAnyRole(const Host& h, const std::string& kind) {
    for (const auto& r : h.roles)
      if (auto s = servingFor(h, r, kind)) return s;
    return std::nullopt;
  }

  struct Pending {
    std::optional<Serving> serving;  // to compute the port once TLS is final
    std::optional<std::uint16_t> port_override;
    bool listed = false;  // named by a channels: entry
  };

  static std::string keyOf(std::string_view kind, std::string_view server,
                           std::string_view client) {
    std::string k;
    k.reserve(kind.size() + server.size() + client.size() + 2);
    k.append(kind).append(1, '\x1f').append(server).append(1, '\x1f').append(client);
    return k;
  }

  // Index of the edge (kind, server, client), creating it with the defaults if new.
  std::size_t add(const ChannelKindSpec& spec, const std::string& server, SourceLoc loc,
                  const std::string& client, bool endpoint, const std::optional<Serving>& serving) {
    auto [it, inserted] = index_.emplace(keyOf(spec.name, server, client), edges_.size());
    if (!inserted) return it->second;
    Edge e;
    e.kind = spec.name;
    e.server = server;
    e.client = client;
    e.client_is_endpoint = endpoint;
    e.personal_data = spec.personal_data;
    e.tls = defaultTls(spec, m_);
    e.min_version = m_.deployment.tls_min_version;
    e.loc = loc;
    if (serving) e.proto = serving->listener->proto;
    edges_.push_back(std::move(e));
    pending_.push_back(Pending{serving, std::nullopt, false});
    return it->second;
  }

  const std::vector<const Host*>& withRole(const std::string& role) {
    static const std::vector<const Host*> kNone;
    auto it = by_role_.find(role);
    return it == by_role_.end() ? kNone : it->second;
  }

  // Hosts having any of `roles`, in inventory order, each once.
  std::vector<const Host*> withAnyRole(const std::vector<std::string>& roles) {
    std::vector<const Host*> out;
    for (const auto& h : m_.hosts)
      for (const auto& r : roles)
        if (h.hasRole(r)) {
          out.push_back(&h);
          break;
        }
    return out;
  }

  // Sites joined by duplexed components: every site that holds a side-a or side-b host of a role
  // is in one group with every other site holding a sided host of that role (the central
  // controller split over two sites). site_links play no part: they only state a link's
  // protection (CCS-NET-007), never whether hosts talk.
  void groupSites() {
    std::map<std::string, std::string> parent;
    std::function<std::string(const std::string&)> root = [&](const std::string& x) {
      auto it = parent.find(x);
      if (it == parent.end() || it->second == x) return x;
      std::string r = root(it->second);
      parent[x] = r;
      return r;
    };
    for (const auto& s : m_.sites) parent[s.name] = s.name;
    std::map<std::string, std::string> first_site_of_role;
    for (const auto& h : m_.hosts) {
      if (!h.side) continue;
      for (const auto& r : h.roles) {
        auto [it, inserted] = first_site_of_role.emplace(r, h.site);
        if (inserted) continue;
        std::string a = root(it->second), b = root(h.site);
        if (a != b) parent[b] = a;
      }
    }
    std::map<std::string, std::vector<std::string>> members;
    for (const auto& s : m_.sites) members[root(s.name)].push_back(s.name);
    for (const auto& s : m_.sites) {
      own_[s.name] = {s.name};
      group_[s.name] = members[root(s.name)];
    }
  }

  // Sites whose servers a host in `site` looks at first under `scope` (itself included): its
  // own site for `site`, its duplex group otherwise.
  const std::vector<std::string>& reach(const std::string& site, ChannelScope scope) {
    static const std::vector<std::string> kNone;
    const auto& m = scope == ChannelScope::kSite ? own_ : group_;
    auto it = m.find(site);
    return it == m.end() ? kNone : it->second;
  }

  using Servers = std::vector<std::pair<const Host*, Serving>>;

  // Pairs every client with the servers its scope reaches (never itself).
  void pairUp(const ChannelKindSpec& spec, const Servers& servers,
              const std::vector<const Host*>& clients, bool opposite_sides) {
    if (servers.empty() || clients.empty()) return;
    std::map<std::string, Servers> by_site;
    for (const auto& s : servers) by_site[s.first->site].push_back(s);
    for (const Host* c : clients) {
      auto visit = [&](const Servers& list) {
        for (const auto& [s, serving] : list) {
          if (s == c) continue;
          if (opposite_sides && (!s->side || !c->side || *s->side == *c->side)) continue;
          add(spec, s->name, s->loc, c->name, false, serving);
        }
      };
      if (spec.scope == ChannelScope::kDeployment) {
        visit(servers);
        continue;
      }
      bool near = false;
      for (const auto& site : reach(c->site, spec.scope)) {
        auto it = by_site.find(site);
        if (it == by_site.end()) continue;
        for (const auto& [s, serving] : it->second) near = near || s != c;
        visit(it->second);
      }
      // A client whose own site (and duplex group) holds none of the servers talks to the
      // servers wherever they are: a remote PG still reaches the central controller.
      if (!near && spec.scope != ChannelScope::kSite) visit(servers);
    }
  }

  void derive(const ChannelKindSpec& spec) {
    if (spec.scope == ChannelScope::kDomain) {
      deriveDirectory(spec);
      return;
    }
    if (!spec.pairs.empty()) {
      // The first pair (in catalog order) that matches a (server, client) decides the listener.
      for (const auto& p : spec.pairs) {
        Servers servers;
        for (const Host* s : withRole(p.server))
          if (auto serving = servingFor(*s, p.server, spec.name)) servers.emplace_back(s, *serving);
        pairUp(spec, servers, withRole(p.client), false);
      }
    } else if (spec.scope == ChannelScope::kCrossSide) {
      for (const auto& r : spec.server_roles) {
        if (!contains(spec.client_roles, r)) continue;
        Servers servers;
        for (const Host* s : withRole(r))
          if (auto serving = servingFor(*s, r, spec.name)) servers.emplace_back(s, *serving);
        pairUp(spec, servers, withRole(r), true);
      }
    } else {
      Servers servers;
      for (const Host* s : withAnyRole(spec.server_roles))
        if (auto serving = servingAny(*s, spec.server_roles, spec.name))
          servers.emplace_back(s, *serving);
      pairUp(spec, servers, withAnyRole(spec.client_roles), false);
    }
    if (spec.client_endpoints.empty()) return;
    Servers all;
    std::map<std::string, Servers> by_site;
    for (const Host* s : withAnyRole(spec.endpoint_server_roles)) {
      auto serving = servingAny(*s, spec.endpoint_server_roles, spec.name);
      if (!serving) continue;
      all.emplace_back(s, *serving);
      by_site[s->site].emplace_back(s, *serving);
    }
    for (const auto& e : m_.endpoints) {
      if (std::find(spec.client_endpoints.begin(), spec.client_endpoints.end(), e.kind) ==
          spec.client_endpoints.end())
        continue;
      auto it = by_site.find(e.site);
      const auto& servers = it == by_site.end() ? all : it->second;
      for (const auto& [s, serving] : servers) add(spec, s->name, s->loc, e.name, true, serving);
    }
  }

  void deriveDirectory(const ChannelKindSpec& spec) {
    // Servers: directory.controllers and hosts with a server role (domain-controller) that
    // have a domain; a controller listed both ways is one server. A host uses its domain's
    // controllers in its own and linked sites, or all of them when there are none there.
    struct Dc {
      std::string name;
      std::string domain;
      std::string site;
      SourceLoc loc;
      std::optional<Serving> serving;
    };
    std::vector<Dc> dcs;
    std::optional<Serving> dc_default;
    for (const auto& role : spec.server_roles) {
      if (const RoleSpec* r = c_.role(role))
        for (const auto& l : r->listeners)
          if (l.channel == spec.name && !dc_default) dc_default = Serving{&l, std::nullopt};
    }
    std::set<std::string> names;
    for (const auto& h : m_.hosts) {
      if (!h.domain) continue;
      if (auto serving = servingAny(h, spec.server_roles, spec.name)) {
        dcs.push_back({h.name, *h.domain, h.site, h.loc, serving});
        names.insert(h.name);
      }
    }
    for (const auto& c : m_.directory.controllers)
      if (!names.count(c.name)) dcs.push_back({c.name, c.domain, c.site, c.loc, dc_default});
    std::map<std::string, std::vector<const Dc*>> by_domain;
    std::map<std::pair<std::string, std::string>, std::vector<const Dc*>> by_domain_site;
    for (const auto& dc : dcs) {
      by_domain[dc.domain].push_back(&dc);
      by_domain_site[{dc.domain, dc.site}].push_back(&dc);
    }
    for (const auto& h : m_.hosts) {
      if (!h.domain) continue;
      std::vector<const Dc*> near;
      for (const auto& site : reach(h.site, ChannelScope::kLinked)) {  // own site, duplex group
        auto it = by_domain_site.find({*h.domain, site});
        if (it != by_domain_site.end())
          near.insert(near.end(), it->second.begin(), it->second.end());
      }
      if (near.empty()) {
        auto it = by_domain.find(*h.domain);
        if (it != by_domain.end()) near = it->second;
      }
      for (const Dc* dc : near)
        if (dc->name != h.name) add(spec, dc->name, dc->loc, h.name, false, dc->serving);
    }
  }

  void applyChannels() {
    for (const auto& ch : m_.channels) {
      const ChannelKindSpec* spec = c_.channel(ch.kind);
      if (!spec) continue;  // rejected by the loader
      std::size_t i = 0;
      if (auto it = index_.find(keyOf(ch.kind, ch.server, ch.client)); it != index_.end()) {
        i = it->second;
      } else {
        std::optional<Serving> serving;
        if (const Host* s = m_.findHost(ch.server)) serving = servingAnyRole(*s, ch.kind);
        i = add(*spec, ch.server, ch.loc, ch.client, m_.findEndpoint(ch.client) != nullptr,
                serving);
        edges_[i].added = true;
      }
      Edge& e = edges_[i];
      e.loc = ch.loc;
      if (ch.tls) {
        e.tls = *ch.tls;
        e.tls_stated = true;
      }
      if (ch.legacy_tls) e.legacy_tls = *ch.legacy_tls;
      if (ch.min_version) e.min_version = *ch.min_version;
      if (ch.fallback) e.fallback = *ch.fallback;
      if (ch.port) pending_[i].port_override = *ch.port;
      pending_[i].listed = true;
    }
  }

  void finish() {
    const int instance = m_.deployment.instance;
    for (std::size_t i = 0; i < edges_.size(); ++i) {
      Edge& e = edges_[i];
      const Pending& p = pending_[i];
      if (p.port_override) {
        e.port = *p.port_override;
        e.port_end = *p.port_override;
      } else if (const auto& s = p.serving) {
        e.port = s->listener->portFor(s->side, instance, e.tls);
        e.port_end = s->listener->portEndFor(s->side, instance, e.tls);
      }
      const Host* server = m_.findHost(e.server);
      const Host* client = e.client_is_endpoint ? nullptr : m_.findHost(e.client);
      if (server && client) {
        IpsecMode a = server->protection.ipsec;
        IpsecMode b = client->protection.ipsec;
        e.ipsec = (a == IpsecMode::kIsolation && b == IpsecMode::kIsolation) ||
                  (a == IpsecMode::kPeer && b == IpsecMode::kPeer && p.listed);
      }
    }
  }

  const Model& m_;
  const Catalog& c_;
  std::vector<Edge> edges_;
  std::vector<Pending> pending_;                        // parallel to edges_
  std::unordered_map<std::string, std::size_t> index_;  // keyOf(kind, server, client) -> edges_
  std::deque<CatalogListener> custom_;  // listeners of custom hosts (stable addresses)
  std::unordered_map<std::string, const CatalogListener*> custom_index_;
  std::map<std::string, std::vector<const Host*>> by_role_;
  std::map<std::string, std::vector<std::string>> own_, group_;
};

}  // namespace

ChannelGraph deriveGraph(const Model& model, const Catalog& catalog) {
  return Deriver(model, catalog).run();
}

const Edge* ChannelGraph::find(std::string_view kind, std::string_view server,
                               std::string_view client) const {
  auto it = std::lower_bound(
      edges.begin(), edges.end(), std::tie(kind, server, client), [](const Edge& e, const auto& k) {
        return std::tuple<std::string_view, std::string_view, std::string_view>(e.kind, e.server,
                                                                                e.client) < k;
      });
  if (it != edges.end() && it->kind == kind && it->server == server && it->client == client)
    return &*it;
  return nullptr;
}

std::vector<const Edge*> ChannelGraph::into(std::string_view server_host) const {
  std::vector<const Edge*> out;
  for (const auto& e : edges)
    if (e.server == server_host) out.push_back(&e);
  return out;
}

std::vector<const Edge*> ChannelGraph::from(std::string_view client) const {
  std::vector<const Edge*> out;
  for (const auto& e : edges)
    if (e.client == client) out.push_back(&e);
  return out;
}

}  // namespace ccsec::inventory
