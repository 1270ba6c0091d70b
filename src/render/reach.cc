#include "render/reach.h"

#include <charconv>

#include "render/registry.h"

namespace ccsec::render {
namespace {

bool overlaps(const core::Cidr& a, const core::Cidr& b) {
  return a.contains(b.base()) || b.contains(a.base());
}

bool allCovered(const std::vector<core::Cidr>& inner, const std::vector<core::Cidr>& outer) {
  if (inner.empty()) return false;
  for (const auto& c : inner) {
    bool in = false;
    for (const auto& o : outer) {
      if (o.contains(c)) {
        in = true;
        break;
      }
    }
    if (!in) return false;
  }
  return true;
}

bool disjoint(const std::vector<core::Cidr>& a, const std::vector<core::Cidr>& b) {
  for (const auto& x : a) {
    for (const auto& y : b) {
      if (overlaps(x, y)) return false;
    }
  }
  return true;
}

bool srcMatches(const Rule& r, const Flow& f) {
  if (r.src.empty()) return !r.src_negated;
  if (r.src_negated) return f.src_outside || disjoint(f.src, r.src);
  return allCovered(f.src, r.src);
}

bool portMatches(const Rule& r, std::uint16_t port) {
  if (r.port_lo == 0 && r.port_hi == 0) return true;
  return port >= r.port_lo && port <= r.port_hi;
}

bool dstMatches(const Rule& r, const core::IpAddress& dst) {
  if (r.dst.empty()) return true;
  for (const auto& c : r.dst) {
    if (c.contains(dst)) return true;
  }
  return false;
}

bool protoCovers(Proto outer, Proto inner) { return outer == Proto::kAny || outer == inner; }

bool portsCover(const Rule& outer, const Rule& inner) {
  if (outer.port_lo == 0 && outer.port_hi == 0) return true;
  if (inner.port_lo == 0 && inner.port_hi == 0) return false;
  return outer.port_lo <= inner.port_lo && inner.port_hi <= outer.port_hi;
}

bool srcCovers(const Rule& outer, const Rule& inner) {
  if (outer.src.empty()) return !outer.src_negated;
  if (!outer.src_negated) {
    if (inner.src.empty() || inner.src_negated) return false;
    return allCovered(inner.src, outer.src);
  }
  // outer matches "not in O".
  if (inner.src_negated) return inner.src.empty() ? false : allCovered(outer.src, inner.src);
  if (inner.src.empty()) return false;
  return disjoint(inner.src, outer.src);
}

bool dstCovers(const Rule& outer, const Rule& inner) {
  if (outer.dst.empty()) return true;
  if (inner.dst.empty()) return false;
  return allCovered(inner.dst, outer.dst);
}

bool covers(const Rule& outer, const Rule& inner) {
  if (outer.special != Special::kNone || inner.special != Special::kNone) return false;
  if (!protoCovers(outer.proto, inner.proto)) return false;
  if (inner.proto == Proto::kTcp || inner.proto == Proto::kUdp) {
    if (!portsCover(outer, inner)) return false;
  }
  if (outer.require_ipsec && !inner.require_ipsec) return false;
  return srcCovers(outer, inner) && dstCovers(outer, inner);
}

}  // namespace

LayerDecision evaluate(const Table& table, const Flow& flow, bool ipsec_protected) {
  LayerDecision d;
  d.file = renderedFile(table);
  d.device = table.device;
  for (const auto& r : table.rules) {
    if (r.special != Special::kNone) continue;  // new connections from another host
    if (r.proto != Proto::kAny && r.proto != flow.proto) continue;
    if (!portMatches(r, flow.port)) continue;
    if (!dstMatches(r, flow.dst)) continue;
    if (!srcMatches(r, flow)) continue;
    if (r.require_ipsec && !ipsec_protected) continue;
    d.action = r.action;
    d.rule = &r;
    d.why = std::string(toString(r.action)) + " by " + r.label;
    return d;
  }
  d.action = table.default_action;
  d.why = std::string("default policy ") + toString(table.default_action);
  return d;
}

core::Result<Flow> makeFlow(const inventory::Model& model, std::string_view from,
                            std::string_view to) {
  Flow f;
  f.src_label = std::string(from);
  if (const auto* h = model.findHost(from)) {
    f.src.push_back(*core::Cidr::parse(h->address.str()));
    f.src_site = h->site;
    f.src_host = h->name;
  } else if (const auto* dc = model.findController(from)) {
    f.src.push_back(*core::Cidr::parse(dc->address.str()));
    f.src_site = dc->site;
  } else {
    const inventory::Zone* z = nullptr;
    if (const auto* ep = model.findEndpoint(from)) z = model.findZone(ep->zone);
    if (z == nullptr) z = model.findZone(from);
    if (z == nullptr) {
      return core::makeError("--from \"" + std::string(from) +
                             "\" is not a host, domain controller, zone or endpoint group");
    }
    f.src.push_back(z->cidr);
    f.src_site = z->site;
    f.src_outside = z->kind == inventory::ZoneKind::kExternal;
  }

  std::string_view rest = to;
  f.proto = Proto::kTcp;
  if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
    std::string_view p = rest.substr(slash + 1);
    if (p == "tcp") {
      f.proto = Proto::kTcp;
    } else if (p == "udp") {
      f.proto = Proto::kUdp;
    } else {
      return core::makeError("--to protocol \"" + std::string(p) + "\": expected tcp or udp");
    }
    rest = rest.substr(0, slash);
  }
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    return core::makeError("--to \"" + std::string(to) + "\": expected HOST:PORT[/tcp|udp]");
  }
  std::string_view host = rest.substr(0, colon);
  std::string_view port = rest.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535) {
    return core::makeError("--to port \"" + std::string(port) + "\": expected 1-65535");
  }
  f.port = static_cast<std::uint16_t>(value);
  const auto* h = model.findHost(host);
  if (h == nullptr) {
    return core::makeError("--to host \"" + std::string(host) + "\" is not in the inventory");
  }
  f.dst_host = h->name;
  f.dst = h->address;
  return f;
}

ReachResult reach(const inventory::Model& model, const PolicyModel& policy, const Flow& flow) {
  ReachResult res;
  const auto* dst = model.findHost(flow.dst_host);
  if (!flow.src_host.empty()) {
    const IpsecHost* a = policy.ipsecHost(flow.src_host);
    const IpsecHost* b = policy.ipsecHost(flow.dst_host);
    res.ipsec = a != nullptr && b != nullptr && a->findPeer(flow.dst_host) != nullptr &&
                b->findPeer(flow.src_host) != nullptr;
  }
  bool outside =
      flow.src_outside || flow.src_site.empty() || (dst != nullptr && flow.src_site != dst->site);
  if (dst != nullptr && outside) {
    if (const Table* p = policy.perimeterTable(dst->site)) {
      res.layers.push_back(evaluate(*p, flow, res.ipsec));
    }
  }
  if (const Table* t = policy.hostTable(flow.dst_host)) {
    res.layers.push_back(evaluate(*t, flow, res.ipsec));
  } else {
    LayerDecision d;
    d.device = flow.dst_host;
    d.enforced = false;
    d.action = Action::kAccept;
    d.why = "no host firewall rendered (os vos)";
    res.layers.push_back(std::move(d));
  }
  res.allowed = true;
  res.deciding = res.layers.size() - 1;
  for (std::size_t i = 0; i < res.layers.size(); ++i) {
    if (res.layers[i].action == Action::kDrop) {
      res.allowed = false;
      res.deciding = i;
      break;
    }
  }
  return res;
}

std::vector<ShadowedRule> shadowedRules(const PolicyModel& policy) {
  std::vector<ShadowedRule> out;
  auto scan = [&out](const Table& t) {
    for (std::size_t j = 0; j < t.rules.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (covers(t.rules[i], t.rules[j])) {
          out.push_back(ShadowedRule{&t, &t.rules[j], &t.rules[i]});
          break;
        }
      }
    }
  };
  for (const auto& t : policy.perimeters) scan(t);
  for (const auto& t : policy.hosts) scan(t);
  return out;
}

std::string describe(const LayerDecision& d) {
  std::string s = d.file.empty() ? d.device : d.file;
  if (!d.enforced) return s + ": " + d.why;
  if (d.rule == nullptr) return s + ": " + d.why;
  s += " " + d.rule->label + " " + toString(d.rule->action) + " (" + d.rule->origin;
  if (d.rule->line > 0) s += ", inventory line " + std::to_string(d.rule->line);
  s += ")";
  return s;
}

}  // namespace ccsec::render
