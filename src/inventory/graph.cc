#include "inventory/graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace ccsec::inventory {

std::string Edge::id() const { return kind + ":" + server + "<-" + client; }

namespace {

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Where a server host accepts one channel kind: a catalog listener of one of its roles, or a
// listener the inventory declares for a `custom` host.
struct Serving {
  CatalogListener listener;  // custom listeners are converted (no side or instance offset)
  std::optional<char> side;
};

std::optional<Serving> servingFor(const Host& h, const std::string& role, const std::string& kind,
                                  const Catalog& catalog) {
  if (!h.hasRole(role)) return std::nullopt;
  if (role == "custom") {
    for (const auto& l : h.listeners) {
      if (l.channel != kind) continue;
      CatalogListener c;
      c.name = h.name + "-" + kind;
      c.channel = kind;
      c.proto = l.proto;
      c.port = l.port;
      c.port_end = l.port;
      c.tls_port = l.tls_port;
      c.instance_offset = false;
      return Serving{c, std::nullopt};
    }
    return std::nullopt;
  }
  const RoleSpec* spec = catalog.role(role);
  if (!spec) return std::nullopt;
  for (const auto& l : spec->listeners)
    if (l.channel == kind) return Serving{l, h.side};
  return std::nullopt;
}

// The first of the host's roles (in the host's order) that serves `kind` among `roles`.
std::optional<Serving> servingAny(const Host& h, const std::vector<std::string>& roles,
                                  const std::string& kind, const Catalog& catalog) {
  for (const auto& r : h.roles)
    if (contains(roles, r))
      if (auto s = servingFor(h, r, kind, catalog)) return s;
  return std::nullopt;
}

// Any listener of the host for `kind`, whatever the role (for channels: entries that add edges).
std::optional<Serving> servingAnyRole(const Host& h, const std::string& kind, const Catalog& catalog) {
  for (const auto& r : h.roles)
    if (auto s = servingFor(h, r, kind, catalog)) return s;
  return std::nullopt;
}

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
    for (const auto& spec : c_.channels()) derive(spec);
    applyChannels();
    finish();
    ChannelGraph g;
    for (auto& [key, e] : edges_) g.edges.push_back(std::move(e));
    std::sort(g.edges.begin(), g.edges.end(), [](const Edge& a, const Edge& b) {
      return std::tie(a.kind, a.server, a.client, a.port) < std::tie(b.kind, b.server, b.client, b.port);
    });
    return g;
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string>;

  struct Pending {
    Edge edge;
    std::optional<Serving> serving;  // to recompute the port once TLS is final
  };

  void add(const ChannelKindSpec& spec, const std::string& server, SourceLoc loc,
           const std::string& client, bool endpoint, const std::optional<Serving>& serving) {
    Key key{spec.name, server, client};
    if (edges_.count(key)) return;
    Edge e;
    e.kind = spec.name;
    e.server = server;
    e.client = client;
    e.client_is_endpoint = endpoint;
    e.personal_data = spec.personal_data;
    e.tls = defaultTls(spec, m_);
    e.min_version = m_.deployment.tls_min_version;
    e.loc = loc;
    if (serving) e.proto = serving->listener.proto;
    edges_.emplace(key, e);
    servings_.emplace(key, serving);
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

  void derive(const ChannelKindSpec& spec) {
    if (spec.scope == ChannelScope::kDomain) {
      deriveDirectory(spec);
      return;
    }
    auto sameScope = [&](const Host& s, const Host& c) {
      return &s != &c && (spec.scope != ChannelScope::kSite || s.site == c.site);
    };
    if (!spec.pairs.empty()) {
      // The first pair (in catalog order) that matches a (server, client) decides the listener.
      for (const auto& p : spec.pairs) {
        for (const Host* s : withRole(p.server)) {
          auto serving = servingFor(*s, p.server, spec.name, c_);
          if (!serving) continue;
          for (const Host* c : withRole(p.client))
            if (sameScope(*s, *c)) add(spec, s->name, s->loc, c->name, false, serving);
        }
      }
    } else if (spec.scope == ChannelScope::kCrossSide) {
      for (const auto& r : spec.server_roles) {
        if (!contains(spec.client_roles, r)) continue;
        for (const Host* s : withRole(r)) {
          auto serving = servingFor(*s, r, spec.name, c_);
          if (!serving || !s->side) continue;
          for (const Host* c : withRole(r))
            if (c->side && *c->side != *s->side) add(spec, s->name, s->loc, c->name, false, serving);
        }
      }
    } else {
      auto clients = withAnyRole(spec.client_roles);
      for (const Host* s : withAnyRole(spec.server_roles)) {
        auto serving = servingAny(*s, spec.server_roles, spec.name, c_);
        if (!serving) continue;
        for (const Host* c : clients)
          if (sameScope(*s, *c)) add(spec, s->name, s->loc, c->name, false, serving);
      }
    }
    if (spec.client_endpoints.empty()) return;
    std::vector<std::pair<const Host*, Serving>> all;
    std::map<std::string, std::vector<std::pair<const Host*, Serving>>> by_site;
    for (const Host* s : withAnyRole(spec.endpoint_server_roles)) {
      auto serving = servingAny(*s, spec.endpoint_server_roles, spec.name, c_);
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
    // have a domain; a controller listed both ways is one server.
    struct Dc {
      std::string name;
      std::string domain;
      SourceLoc loc;
      std::optional<Serving> serving;
    };
    std::vector<Dc> dcs;
    std::optional<Serving> dc_default;
    for (const auto& role : spec.server_roles) {
      if (const RoleSpec* r = c_.role(role))
        for (const auto& l : r->listeners)
          if (l.channel == spec.name && !dc_default) dc_default = Serving{l, std::nullopt};
    }
    std::set<std::string> names;
    for (const auto& h : m_.hosts) {
      if (!h.domain) continue;
      if (auto serving = servingAny(h, spec.server_roles, spec.name, c_)) {
        dcs.push_back({h.name, *h.domain, h.loc, serving});
        names.insert(h.name);
      }
    }
    for (const auto& c : m_.directory.controllers)
      if (!names.count(c.name)) dcs.push_back({c.name, c.domain, c.loc, dc_default});
    std::map<std::string, std::vector<const Dc*>> by_domain;
    for (const auto& dc : dcs) by_domain[dc.domain].push_back(&dc);
    for (const auto& h : m_.hosts) {
      if (!h.domain) continue;
      auto it = by_domain.find(*h.domain);
      if (it == by_domain.end()) continue;
      for (const Dc* dc : it->second)
        if (dc->name != h.name) add(spec, dc->name, dc->loc, h.name, false, dc->serving);
    }
  }

  void applyChannels() {
    for (const auto& ch : m_.channels) {
      const ChannelKindSpec* spec = c_.channel(ch.kind);
      if (!spec) continue;  // rejected by the loader
      Key key{ch.kind, ch.server, ch.client};
      if (!edges_.count(key)) {
        std::optional<Serving> serving;
        if (const Host* s = m_.findHost(ch.server)) serving = servingAnyRole(*s, ch.kind, c_);
        add(*spec, ch.server, ch.loc, ch.client, m_.findEndpoint(ch.client) != nullptr, serving);
        edges_[key].added = true;
        if (!serving && ch.port) edges_[key].proto = Transport::kTcp;
      }
      Edge& e = edges_[key];
      e.loc = ch.loc;
      if (ch.tls) e.tls = *ch.tls;
      if (ch.legacy_tls) e.legacy_tls = *ch.legacy_tls;
      if (ch.min_version) e.min_version = *ch.min_version;
      if (ch.fallback) e.fallback = *ch.fallback;
      if (ch.port) port_override_[key] = *ch.port;
      listed_.insert(key);
    }
  }

  void finish() {
    const int instance = m_.deployment.instance;
    for (auto& [key, e] : edges_) {
      if (auto it = port_override_.find(key); it != port_override_.end()) {
        e.port = it->second;
        e.port_end = it->second;
      } else if (const auto& s = servings_[key]) {
        e.port = s->listener.portFor(s->side, instance, e.tls);
        e.port_end = s->listener.portEndFor(s->side, instance, e.tls);
      }
      const Host* server = m_.findHost(e.server);
      const Host* client = e.client_is_endpoint ? nullptr : m_.findHost(e.client);
      if (server && client) {
        IpsecMode a = server->protection.ipsec;
        IpsecMode b = client->protection.ipsec;
        e.ipsec = (a == IpsecMode::kIsolation && b == IpsecMode::kIsolation) ||
                  (a == IpsecMode::kPeer && b == IpsecMode::kPeer && listed_.count(key) != 0);
      }
    }
  }

  const Model& m_;
  const Catalog& c_;
  std::map<Key, Edge> edges_;
  std::map<Key, std::optional<Serving>> servings_;
  std::map<Key, std::uint16_t> port_override_;
  std::set<Key> listed_;
  std::map<std::string, std::vector<const Host*>> by_role_;
};

}  // namespace

ChannelGraph deriveGraph(const Model& model, const Catalog& catalog) {
  return Deriver(model, catalog).run();
}

const Edge* ChannelGraph::find(std::string_view kind, std::string_view server,
                               std::string_view client) const {
  auto it = std::lower_bound(edges.begin(), edges.end(), std::tie(kind, server, client),
                             [](const Edge& e, const auto& k) {
                               return std::tuple<std::string_view, std::string_view, std::string_view>(
                                          e.kind, e.server, e.client) < k;
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
