#include "render/asa/asa_generator.h"

#include <map>

#include "render/text_util.h"

namespace ccsec::render {
namespace {

std::string objectLine(const core::Cidr& c) {
  if (isHostPrefix(c)) return " host " + c.base().str();
  if (c.base().isV6()) return " subnet " + c.str();
  return " subnet " + c.base().str() + " " + netmask(c.prefix());
}

std::string groupLine(const core::Cidr& c) {
  if (isHostPrefix(c)) return " network-object host " + c.base().str();
  if (c.base().isV6()) return " network-object " + c.str();
  return " network-object " + c.base().str() + " " + netmask(c.prefix());
}

class Objects {
 public:
  /// The ACL operand for a list of prefixes: a named object-group, a host object, or any.
  std::string operand(const std::vector<core::Cidr>& cidrs, const std::string& set,
                      const std::string& label) {
    if (cidrs.empty()) return "any";
    if (!set.empty() || cidrs.size() > 1) {
      std::string name = set.empty() ? "grp_" + identifier(label) : set;
      groups_[name] = cidrs;
      return "object-group " + name;
    }
    std::string name = (isHostPrefix(cidrs[0]) ? "host_" : "net_") + identifier(label);
    objects_[name] = cidrs[0];
    return "object " + name;
  }
  std::string text() const {
    std::string s;
    for (const auto& [name, c] : objects_)
      s += "object network " + name + "\n" + objectLine(c) + "\n";
    for (const auto& [name, v] : groups_) {
      s += "object-group network " + name + "\n";
      for (const auto& c : v) s += groupLine(c) + "\n";
    }
    return s;
  }

 private:
  std::map<std::string, core::Cidr> objects_;
  std::map<std::string, std::vector<core::Cidr>> groups_;
};

std::string portSpec(const Rule& r) {
  if (r.proto != Proto::kTcp && r.proto != Proto::kUdp) return "";
  if (r.port_lo == 0 && r.port_hi == 0) return "";
  if (r.port_lo == r.port_hi) return " eq " + std::to_string(r.port_lo);
  return " range " + std::to_string(r.port_lo) + " " + std::to_string(r.port_hi);
}

std::string protoText(Proto p) {
  switch (p) {
    case Proto::kTcp:
      return "tcp";
    case Proto::kUdp:
      return "udp";
    case Proto::kEsp:
      return "esp";
    case Proto::kAny:
      return "ip";
  }
  return "ip";
}

/// The body of one context (or of a single-mode firewall).
std::string contextBody(const Table& t, std::vector<RuleRef>* refs) {
  Objects objs;
  std::string in_acl, out_acl;
  for (const auto& r : t.rules) {
    if (r.special != Special::kNone) continue;  // stateful firewall
    bool outbound = !r.src_negated && r.src_set == "inside";
    std::string src =
        r.src_negated ? std::string("any") : objs.operand(r.src, r.src_set, r.src_label);
    std::string dst = objs.operand(r.dst, "", r.dst_label);
    std::string acl = outbound ? "CCSEC_INSIDE_OUT" : "CCSEC_OUTSIDE_IN";
    std::string remark = r.label + " " + r.origin;
    if (r.line > 0) remark += " (inventory line " + std::to_string(r.line) + ")";
    if (!r.note.empty()) remark += ": " + r.note;
    std::string lines = "access-list " + acl + " remark " + commentText(remark, 100) + "\n";
    lines += "access-list " + acl + " extended " +
             (r.action == Action::kAccept ? "permit " : "deny ") + protoText(r.proto) + " " + src +
             " " + dst + portSpec(r) + (r.action == Action::kDrop ? " log" : "") + "\n";
    (outbound ? out_acl : in_acl) += lines;
    if (refs) refs->push_back(RuleRef{r.label, r.origin, r.line});
  }
  std::string s = objs.text();
  s += in_acl;
  s += "access-list CCSEC_OUTSIDE_IN remark default: deny everything else from outside\n";
  s += "access-list CCSEC_OUTSIDE_IN extended deny ip any any log\n";
  s += out_acl;
  s += "access-group CCSEC_OUTSIDE_IN in interface outside\n";
  if (!out_acl.empty()) s += "access-group CCSEC_INSIDE_OUT in interface inside\n";
  return s;
}

RenderedFile renderSite(const Table& t, const std::string& path, const inventory::Model& m) {
  RenderedFile f;
  f.path = path;
  std::string out = renderedBy("!",
                               "ccsec perimeter for site " + t.site +
                                   " (Cisco ASA): RPC/NetBIOS/SMB always blocked from outside.",
                               inventoryName(m.source_file));
  out += "\n";
  if (t.contexts.empty()) {
    out += "! single context mode\n";
    out += contextBody(t, &f.rules);
  } else {
    out += "! system execution space: one security context per tenant\n";
    for (const auto& c : t.contexts) {
      out += "context " + c + "\n description ccsec tenant " + c + "\n config-url disk0:/" + c +
             ".cfg\n!\n";
    }
    bool first = true;
    for (const auto& c : t.contexts) {
      out += "changeto context " + c + "\n";
      out += contextBody(t, first ? &f.rules : nullptr);
      out += "!\n";
      first = false;
    }
    out += "changeto system\n";
  }
  f.content = std::move(out);
  return f;
}

bool validContextName(std::string_view n) {
  if (n.empty() || n.size() > 32) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return n != "system" && n != "admin";
}

}  // namespace

// Perimeter vendor asa: security contexts, network objects and object-groups, inbound access
// list on outside and outbound on inside, ESP and IKE between ipsec-linked sites.
FeatureSet AsaGenerator::features() const {
  return featureSet({Feature::kPerimeter, Feature::kSecurityContexts, Feature::kIpv6,
                     Feature::kIpsecOnlyRules, Feature::kNegatedSource, Feature::kPortRanges});
}

std::string AsaGenerator::fileFor(const Table& t) const {
  return t.kind == TableKind::kPerimeter && t.vendor == inventory::PerimeterVendor::kAsa
             ? "sites/" + t.device + ".asa.cfg"
             : std::string();
}

std::vector<CheckError> AsaGenerator::checkTarget(const RenderInput& in) const {
  std::vector<CheckError> errs;
  for (const auto& s : in.model.sites) {
    if (!s.perimeter || s.perimeter->vendor != inventory::PerimeterVendor::kAsa) continue;
    for (const auto& c : s.perimeter->contexts) {
      if (!validContextName(c)) {
        errs.push_back(
            CheckError{"asa", "perimeter.contexts", "site " + s.name, s.perimeter->loc.line,
                       "context name \"" + c +
                           "\" is not a valid ASA context name (1-32 of A-Z a-z 0-9 - _, "
                           "not system/admin)"});
      }
    }
  }
  return errs;
}

std::vector<RenderedFile> AsaGenerator::render(const RenderInput& in) const {
  std::vector<RenderedFile> out;
  for (const auto& t : in.policy.perimeters) {
    if (auto path = fileFor(t); !path.empty()) out.push_back(renderSite(t, path, in.model));
  }
  return out;
}

}  // namespace ccsec::render
