#include "render/nftables/nftables_generator.h"

#include <map>
#include <set>

#include "render/text_util.h"

namespace ccsec::render {
namespace {

constexpr const char* kLibipsecTun = "ipsec0";

struct SetUse {
  std::string name;  // <set>_v4 / <set>_v6
  bool v6 = false;
  std::vector<core::Cidr> cidrs;
};

std::string addrExpr(const std::vector<core::Cidr>& cidrs) {
  if (cidrs.size() == 1) return prefixText(cidrs.front());
  std::string s = "{ ";
  for (std::size_t i = 0; i < cidrs.size(); ++i) {
    if (i) s += ", ";
    s += prefixText(cidrs[i]);
  }
  return s + " }";
}

class TableWriter {
 public:
  explicit TableWriter(const Table& t) : t_(t) {}

  /// Lines for one rule (one per address family it needs; none if it matches nothing here).
  std::vector<std::string> ruleLines(const Rule& r) {
    std::vector<std::string> out;
    std::string tail = portExpr(r);
    if (r.require_ipsec) tail += " meta secpath exists";
    tail += std::string(" ") + (r.action == Action::kAccept ? "accept" : "drop");
    tail += " comment \"" + commentText(r.label + " " + r.origin, 120) + "\"";
    if (r.require_ipsec && r.special == Special::kNone) {
      // IPsec-only: decrypted by the kernel (secpath) or by strongSwan's userspace
      // kernel-libipsec, which delivers on its TUN device ipsec0 (no secpath there).
      Rule kernel = r;
      kernel.require_ipsec = false;
      std::vector<std::string> base = ruleLines(kernel);
      std::string plain_tail = " comment \"" + commentText(r.label + " " + r.origin, 120) + "\"";
      for (auto& l : base) {
        std::string head = l.substr(0, l.size() - plain_tail.size());
        std::string verb = r.action == Action::kAccept ? " accept" : " drop";
        head = head.substr(0, head.size() - verb.size());
        out.push_back(head + " meta secpath exists" + verb + plain_tail);
        out.push_back("iifname \"" + std::string(kLibipsecTun) + "\" " + head + verb + plain_tail);
      }
      return out;
    }

    switch (r.special) {
      case Special::kEstablished:
        out.push_back("ct state established,related" + tail);
        return out;
      case Special::kLoopback:
        out.push_back("iif \"lo\"" + tail);
        return out;
      case Special::kIcmpv6Nd:
        out.push_back("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert }" +
                      tail);
        return out;
      case Special::kNone:
        break;
    }
    bool any_src = r.src.empty() && !r.src_negated;
    if (any_src && r.dst.empty()) {
      out.push_back(trimLeft(tail));
      return out;
    }
    for (bool v6 : {false, true}) {
      std::string fam = v6 ? "ip6" : "ip";
      std::string m;
      if (!any_src) {
        auto src = ofFamily(r.src, v6);
        if (r.src_negated) {
          m += fam + " saddr != @" + useSet(r.src_set.empty() ? "outside" : r.src_set, v6, src);
        } else {
          if (src.empty()) continue;
          m += fam + " saddr " +
               (r.src_set.empty() ? addrExpr(src) : "@" + useSet(r.src_set, v6, src));
        }
      }
      if (!r.dst.empty()) {
        auto dst = ofFamily(r.dst, v6);
        if (dst.empty()) continue;
        if (!m.empty()) m += " ";
        m += fam + " daddr " + addrExpr(dst);
      }
      out.push_back(m + tail);
    }
    return out;
  }

  std::string setDecls() const {
    std::string s;
    for (const auto& [name, use] : sets_) {
      s += "\tset " + name + " {\n\t\ttype " + (use.v6 ? "ipv6_addr" : "ipv4_addr") +
           "\n\t\tflags interval\n";
      if (!use.cidrs.empty()) {
        s += "\t\telements = { ";
        for (std::size_t i = 0; i < use.cidrs.size(); ++i) {
          if (i) s += ", ";
          s += prefixText(use.cidrs[i]);
        }
        s += " }\n";
      }
      s += "\t}\n";
    }
    return s;
  }

 private:
  static std::string trimLeft(const std::string& s) {
    auto p = s.find_first_not_of(' ');
    return p == std::string::npos ? s : s.substr(p);
  }

  static std::string portExpr(const Rule& r) {
    std::string s;
    switch (r.proto) {
      case Proto::kEsp:
        return " meta l4proto esp";
      case Proto::kAny:
        return "";
      case Proto::kTcp:
        s = " tcp dport ";
        break;
      case Proto::kUdp:
        s = " udp dport ";
        break;
    }
    if (r.port_lo == 0 && r.port_hi == 0) {
      return r.proto == Proto::kTcp ? " meta l4proto tcp" : " meta l4proto udp";
    }
    s += std::to_string(r.port_lo);
    if (r.port_hi != r.port_lo) s += "-" + std::to_string(r.port_hi);
    return s;
  }

  std::string useSet(const std::string& base, bool v6, const std::vector<core::Cidr>& cidrs) {
    std::string name = base + (v6 ? "_v6" : "_v4");
    auto it = sets_.find(name);
    if (it == sets_.end()) {
      const AddressSet* as = t_.findSet(base);
      SetUse u{name, v6, as ? ofFamily(as->cidrs, v6) : cidrs};
      sets_.emplace(name, std::move(u));
    }
    return name;
  }

  const Table& t_;
  std::map<std::string, SetUse> sets_;
};

}  // namespace

RenderedFile renderNftTable(const Table& t, const std::string& path, const inventory::Model& m) {
  RenderedFile f;
  f.path = path;
  bool host = t.kind == TableKind::kHost;
  std::string table = host ? "ccsec" : "ccsec_perimeter";
  std::string what;
  if (host) {
    const auto* h = m.findHost(t.device);
    what = "ccsec host firewall for " + t.device + " (site " + t.site +
           (h ? ", zone " + h->zone : std::string()) + "): inbound default drop.";
  } else {
    what = "ccsec perimeter for site " + t.site +
           " (nftables, forward hook): RPC/NetBIOS/SMB always blocked from outside.";
  }
  TableWriter w(t);
  std::string chain;
  for (const auto& r : t.rules) {
    auto lines = w.ruleLines(r);
    if (lines.empty()) continue;
    for (const auto& l : lines) chain += "\t\t" + l + "\n";
    f.rules.push_back(RuleRef{r.label, r.origin, r.line});
  }
  std::string out = "#!/usr/sbin/nft -f\n" + renderedBy("#", what, inventoryName(m.source_file)) +
                    "\n# Apply with `nft -f " + path.substr(path.rfind('/') + 1) +
                    "`: the table is replaced in one transaction.\n";
  out += "table inet " + table + " {}\n";
  out += "delete table inet " + table + "\n";
  out += "table inet " + table + " {\n";
  out += w.setDecls();
  if (host) {
    out += "\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n";
  } else {
    out += "\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n";
  }
  out += chain;
  out += "\t}\n}\n";
  f.content = std::move(out);
  return f;
}

// Linux host firewall (input, default drop) and nftables perimeters (forward, default drop);
// named sets for zones and endpoint groups; IPsec-only edges via `meta secpath`; ESP and IKE
// from IPsec peers. No security contexts.
FeatureSet NftablesGenerator::features() const {
  return featureSet({Feature::kHostFirewall, Feature::kPerimeter, Feature::kIpv6,
                     Feature::kIpsecOnlyRules, Feature::kNegatedSource, Feature::kPortRanges});
}

std::string NftablesGenerator::fileFor(const Table& t) const {
  if (t.kind == TableKind::kHost)
    return t.os == inventory::Os::kLinux ? "hosts/" + t.device + ".nft" : std::string();
  return t.vendor == inventory::PerimeterVendor::kNftables ? "sites/" + t.device + ".perimeter.nft"
                                                           : std::string();
}

std::vector<RenderedFile> NftablesGenerator::render(const RenderInput& in) const {
  std::vector<RenderedFile> out;
  for (const auto* tables : {&in.policy.hosts, &in.policy.perimeters}) {
    for (const auto& t : *tables) {
      if (auto path = fileFor(t); !path.empty()) out.push_back(renderNftTable(t, path, in.model));
    }
  }
  return out;
}

}  // namespace ccsec::render
