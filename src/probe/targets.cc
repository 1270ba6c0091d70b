#include "probe/targets.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

#include "core/ip.h"

namespace ccsec::probe {

const char* toString(Purpose p) {
  switch (p) {
    case Purpose::kListener:
      return "listener";
    case Purpose::kPlainClosed:
      return "plaintext-variant";
    case Purpose::kUndeclared:
      return "undeclared";
    case Purpose::kPerimeter:
      return "perimeter";
  }
  return "?";
}

std::string Target::id() const {
  std::string s = host + ":" + std::to_string(port);
  if (proto == inventory::Transport::kUdp) s += "/udp";
  return s;
}

core::Result<std::pair<std::string, Resolve>> parseResolve(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return core::makeError("--resolve expects HOST=ADDR[:PORT_OFFSET], got '" + std::string(text) +
                           "'");
  std::string host(text.substr(0, eq));
  std::string_view rest = text.substr(eq + 1);
  Resolve r;
  std::string_view addr = rest;
  std::string_view offset;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return core::makeError("--resolve: unterminated '[' in '" + std::string(text) + "'");
    addr = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':')
        return core::makeError("--resolve: expected ':' after ']' in '" + std::string(text) + "'");
      offset = rest.substr(close + 2);
    }
  } else if (std::count(rest.begin(), rest.end(), ':') == 1) {
    auto colon = rest.find(':');
    addr = rest.substr(0, colon);
    offset = rest.substr(colon + 1);
  }
  auto ip = core::IpAddress::parse(addr);
  if (!ip) return core::makeError("--resolve: '" + std::string(addr) + "' is not an IP address");
  r.address = ip->str();
  if (!offset.empty()) {
    int v = 0;
    auto [p, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), v);
    if (ec != std::errc() || p != offset.data() + offset.size() || v < -65535 || v > 65535)
      return core::makeError("--resolve: bad port offset '" + std::string(offset) + "'");
    r.port_offset = v;
  }
  return std::make_pair(std::move(host), std::move(r));
}

namespace {

struct HostView {
  std::string name;
  std::string address;
  std::string dns_name;
  std::string zone;
  std::string site;
  const inventory::Host* host = nullptr;  // nullptr for directory.controllers entries
  const inventory::DomainController* dc = nullptr;
  inventory::SourceLoc loc;
};

PayloadKind payloadFor(std::string_view kind) {
  if (kind == "desktop-https" || kind == "vxml-http") return PayloadKind::kHttp;
  if (kind == "sip") return PayloadKind::kSip;
  if (kind == "directory") return PayloadKind::kLdap;
  return PayloadKind::kGed188;
}

constexpr std::uint16_t kPerimeterTcp[] = {135, 139, 445, 593};
constexpr std::uint16_t kPerimeterUdp[] = {135, 137, 138, 445};

}  // namespace

core::Result<std::vector<Target>> deriveTargets(const inventory::Model& model,
                                                const inventory::Catalog& catalog,
                                                const inventory::ChannelGraph& graph,
                                                const TargetOptions& options) {
  using inventory::Transport;
  std::map<std::string, HostView, std::less<>> hosts;
  for (const auto& h : model.hosts) {
    HostView v{h.name, h.address.str(), h.dns_name.value_or(h.name), h.zone, h.site, &h, nullptr,
               h.loc};
    hosts.emplace(h.name, std::move(v));
  }
  for (const auto& dc : model.directory.controllers) {
    if (hosts.contains(dc.name)) continue;
    HostView v{dc.name, dc.address.str(), dc.name, {}, dc.site, nullptr, &dc, dc.loc};
    hosts.emplace(dc.name, std::move(v));
  }
  for (const auto& name : options.hosts) {
    if (!hosts.contains(name))
      return core::makeError("--host: '" + name + "' is not a host of the inventory");
  }
  for (const auto& [name, r] : options.resolve) {
    if (!hosts.contains(name))
      return core::makeError("--resolve: '" + name + "' is not a host of the inventory");
  }
  auto selected = [&](std::string_view name) {
    return options.hosts.empty() ||
           std::find(options.hosts.begin(), options.hosts.end(), name) != options.hosts.end();
  };

  std::vector<Target> out;
  std::set<std::tuple<std::string, std::uint16_t, int>> seen;  // (host, port, proto)
  auto make = [&](const HostView& h, std::uint16_t port, Transport proto,
                  Purpose purpose) -> core::Result<Target> {
    Target t;
    t.host = h.name;
    t.address = h.address;
    t.dns_name = h.dns_name;
    t.port = port;
    t.proto = proto;
    t.purpose = purpose;
    t.loc = h.loc;
    t.connect_address = h.address;
    int p = port;
    if (auto it = options.resolve.find(h.name); it != options.resolve.end()) {
      t.connect_address = it->second.address;
      p += it->second.port_offset;
    }
    if (p < 1 || p > 65535)
      return core::makeError("--resolve: offset moves " + h.name + ":" + std::to_string(port) +
                             " out of the port range");
    t.connect_port = static_cast<std::uint16_t>(p);
    return t;
  };

  // 1. Declared listeners (one per server endpoint; the strictest expectation of its edges).
  std::map<std::tuple<std::string, std::uint16_t, int>, Target> listeners;
  for (const auto& e : graph.edges) {
    if (e.port != e.port_end) continue;  // port ranges (RTP) are media, not listeners to probe
    auto hit = hosts.find(e.server);
    if (hit == hosts.end() || !selected(e.server)) continue;
    auto key = std::make_tuple(e.server, e.port, static_cast<int>(e.proto));
    auto it = listeners.find(key);
    if (it == listeners.end()) {
      auto t = make(hit->second, e.port, e.proto, Purpose::kListener);
      if (!t) return t.error();
      t->kind = e.kind;
      t->min_version = e.min_version.empty() ? model.deployment.tls_min_version : e.min_version;
      t->payload = payloadFor(e.kind);
      t->ldap = e.kind == "directory";
      it = listeners.emplace(key, std::move(*t)).first;
    }
    Target& t = it->second;
    t.tls = t.tls || e.tls;
    t.personal_data = t.personal_data || e.personal_data;
    t.mutual_tls = t.tls && t.personal_data;
    t.legacy_tls = t.legacy_tls || e.legacy_tls;
    if (e.tls && !e.min_version.empty() && e.min_version < t.min_version)
      t.min_version = e.min_version;
    if (e.loc.line > 0 && e.added) t.loc = e.loc;
  }
  // Directory: StartTLS on 389, LDAPS 636, global catalog 3268/3269 where declared.
  if (options.ldap) {
    for (const auto& dc : model.directory.controllers) {
      auto hit = hosts.find(dc.name);
      if (!selected(dc.name)) continue;
      bool gc = dc.global_catalog;
      std::vector<std::pair<std::uint16_t, bool>> ports = {{389, false}, {636, true}};
      if (gc) {
        ports.emplace_back(3268, false);
        ports.emplace_back(3269, true);
      }
      for (auto [port, tls] : ports) {
        auto key = std::make_tuple(dc.name, port, static_cast<int>(Transport::kTcp));
        auto t = make(hit->second, port, Transport::kTcp, Purpose::kListener);
        if (!t) return t.error();
        t->kind = "directory";
        t->tls = tls;
        t->ldap = true;
        t->global_catalog = port == 3268 || port == 3269;
        t->min_version = model.deployment.tls_min_version;
        t->payload = PayloadKind::kLdap;
        for (std::size_t b = 0, e = 0; b <= dc.domain.size(); b = e + 1) {
          e = dc.domain.find('.', b);
          if (e == std::string::npos) e = dc.domain.size();
          if (!t->ldap_base.empty()) t->ldap_base += ',';
          t->ldap_base += "dc=" + dc.domain.substr(b, e - b);
        }
        listeners[key] = std::move(*t);
      }
    }
  }
  std::set<std::pair<std::string, std::uint16_t>> declared;
  for (auto& [key, t] : listeners) {
    declared.emplace(t.host, t.port);
    seen.insert(key);
  }

  // 2. Plaintext variants of secured channels (no fallback): must be closed.
  std::vector<Target> extra;
  if (options.ports) {
    for (const auto& [key, t] : listeners) {
      if (!t.tls) continue;
      const HostView& h = hosts.find(t.host)->second;
      if (h.host == nullptr) continue;
      int inst = model.deployment.instance;
      auto consider = [&](const inventory::CatalogListener& l) -> core::Result<void> {
        if (l.channel != t.kind || !l.tls_port) return {};
        if (l.portFor(h.host->side, inst, true) != t.port) return {};
        std::uint16_t plain = l.portFor(h.host->side, inst, false);
        if (plain == t.port || declared.contains({t.host, plain})) return {};
        bool fallback = false;
        for (const auto* e : graph.into(t.host))
          if (e->kind == t.kind && e->fallback) fallback = true;
        if (fallback) return {};
        auto k = std::make_tuple(t.host, plain, static_cast<int>(l.proto));
        if (!seen.insert(k).second) return {};
        auto pt = make(h, plain, l.proto, Purpose::kPlainClosed);
        if (!pt) return pt.error();
        pt->kind = t.kind;
        pt->personal_data = t.personal_data;
        pt->loc = t.loc;
        extra.push_back(std::move(*pt));
        return {};
      };
      for (const auto& role : h.host->roles) {
        if (role == "custom") {
          for (const auto& cl : h.host->listeners) {
            if (cl.channel != t.kind || !cl.tls_port || *cl.tls_port != t.port || cl.port == t.port)
              continue;
            if (declared.contains({t.host, cl.port})) continue;
            auto k = std::make_tuple(t.host, cl.port, static_cast<int>(cl.proto));
            if (!seen.insert(k).second) continue;
            auto pt = make(h, cl.port, cl.proto, Purpose::kPlainClosed);
            if (!pt) return pt.error();
            pt->kind = t.kind;
            pt->personal_data = t.personal_data;
            pt->loc = cl.loc;
            extra.push_back(std::move(*pt));
          }
          continue;
        }
        const auto* spec = catalog.role(role);
        if (spec == nullptr) continue;
        for (const auto& l : spec->listeners)
          if (auto r = consider(l); !r) return r.error();
      }
    }
    // 3. Catalog ports of roles the host does not have: must be closed.
    for (const auto& [name, h] : hosts) {
      if (!selected(name) || h.host == nullptr) continue;
      std::set<std::uint16_t> own;
      for (const auto& role : h.host->roles) {
        const auto* spec = catalog.role(role);
        if (spec == nullptr) continue;
        for (const auto& l : spec->listeners) {
          own.insert(l.portFor(h.host->side, model.deployment.instance, false));
          own.insert(l.portFor(h.host->side, model.deployment.instance, true));
        }
      }
      for (const auto& l : h.host->listeners) {
        own.insert(l.port);
        if (l.tls_port) own.insert(*l.tls_port);
      }
      std::set<std::uint16_t> others;
      for (const auto& spec : catalog.roles()) {
        for (const auto& l : spec.listeners) {
          if (l.proto != Transport::kTcp || l.port != l.port_end || l.rpc_dynamic) continue;
          for (bool tls : {false, true}) {
            std::uint16_t p = l.portFor(h.host->side, model.deployment.instance, tls);
            if (!own.contains(p)) others.insert(p);
          }
        }
      }
      for (std::uint16_t p : others) {
        auto k = std::make_tuple(name, p, static_cast<int>(Transport::kTcp));
        if (!seen.insert(k).second) continue;
        auto t = make(h, p, Transport::kTcp, Purpose::kUndeclared);
        if (!t) return t.error();
        extra.push_back(std::move(*t));
      }
    }
  }

  // 4. Perimeter-blocked ports, from an external zone.
  if (options.from) {
    const inventory::Zone* from_zone = model.findZone(*options.from);
    const inventory::Site* from_site =
        from_zone == nullptr ? model.findSite(*options.from) : nullptr;
    if (from_zone == nullptr && from_site == nullptr)
      return core::makeError("--from: '" + *options.from +
                             "' is neither a zone nor a site of the inventory");
    bool external = from_zone != nullptr && from_zone->kind == inventory::ZoneKind::kExternal;
    if (external) {
      for (const auto& [name, h] : hosts) {
        if (!selected(name) || h.host == nullptr || h.zone == from_zone->name) continue;
        for (std::uint16_t p : kPerimeterTcp) {
          auto t = make(h, p, Transport::kTcp, Purpose::kPerimeter);
          if (!t) return t.error();
          extra.push_back(std::move(*t));
        }
        for (std::uint16_t p : kPerimeterUdp) {
          auto t = make(h, p, Transport::kUdp, Purpose::kPerimeter);
          if (!t) return t.error();
          extra.push_back(std::move(*t));
        }
      }
    }
  }

  for (auto& [key, t] : listeners) {
    if (t.ldap ? !options.ldap && !options.tls
               : (t.tls ? !options.tls && !options.ports : !options.ports))
      continue;
    out.push_back(std::move(t));
  }
  for (auto& t : extra) out.push_back(std::move(t));
  std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) {
    return std::tie(a.host, a.port, a.proto, a.purpose) <
           std::tie(b.host, b.port, b.proto, b.purpose);
  });
  return out;
}

}  // namespace ccsec::probe
