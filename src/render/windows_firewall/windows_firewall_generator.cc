#include "render/windows_firewall/windows_firewall_generator.h"

#include "render/text_util.h"

namespace ccsec::render {
namespace {

std::string remoteAddresses(const std::vector<core::Cidr>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += prefixText(v[i]);
  }
  return s;
}

RenderedFile renderHost(const Table& t, const std::string& path, const inventory::Model& m) {
  RenderedFile f;
  f.path = path;
  std::string out = renderedBy("#",
                               "ccsec host firewall for " + t.device + " (site " + t.site +
                                   "): Windows Defender Firewall, inbound blocked by default.",
                               inventoryName(m.source_file));
  out += "\n# Idempotent: every run removes and re-creates the rule group 'ccsec'.\n";
  out += "#Requires -RunAsAdministrator\n";
  out += "$ErrorActionPreference = 'Stop'\n";
  out +=
      "Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule\n";
  out +=
      "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True "
      "-DefaultInboundAction Block -DefaultOutboundAction Allow\n";
  for (const auto& r : t.rules) {
    if (r.special != Special::kNone) continue;  // stateful and loopback are built in
    std::string proto;
    switch (r.proto) {
      case Proto::kTcp:
        proto = "TCP";
        break;
      case Proto::kUdp:
        proto = "UDP";
        break;
      case Proto::kEsp:
        proto = "50";
        break;
      case Proto::kAny:
        proto = "Any";
        break;
    }
    std::string line = "New-NetFirewallRule -Name " + psQuote("ccsec-" + t.device + "-" + r.label) +
                       " -DisplayName " + psQuote("ccsec " + r.label + " " + r.origin) +
                       " -Group 'ccsec' -Direction Inbound -Action " +
                       (r.action == Action::kAccept ? "Allow" : "Block") + " -Protocol " + proto;
    if ((r.proto == Proto::kTcp || r.proto == Proto::kUdp) && !(r.port_lo == 0 && r.port_hi == 0)) {
      line += " -LocalPort " + std::to_string(r.port_lo);
      if (r.port_hi != r.port_lo) line += "-" + std::to_string(r.port_hi);
    }
    if (!r.src.empty()) line += " -RemoteAddress " + remoteAddresses(r.src);
    if (r.require_ipsec) line += " -Authentication Required -Encryption Required";
    std::string desc = r.origin == "ipsec" ? r.note : r.note + " from " + r.src_label;
    if (r.line > 0) desc += "; inventory line " + std::to_string(r.line);
    line += " -Description " + psQuote(desc) + " | Out-Null\n";
    out += line;
    f.rules.push_back(RuleRef{r.label, r.origin, r.line});
  }
  f.content = std::move(out);
  return f;
}

}  // namespace

// Windows host firewall (inbound blocked by default, rule group ccsec); IPsec-only edges via
// -Authentication/-Encryption Required; the RPC dynamic range where the catalog says rpc_dynamic.
FeatureSet WindowsFirewallGenerator::features() const {
  return featureSet(
      {Feature::kHostFirewall, Feature::kIpv6, Feature::kIpsecOnlyRules, Feature::kPortRanges});
}

std::string WindowsFirewallGenerator::fileFor(const Table& t) const {
  return t.kind == TableKind::kHost && t.os == inventory::Os::kWindows
             ? "hosts/" + t.device + ".firewall.ps1"
             : std::string();
}

std::vector<RenderedFile> WindowsFirewallGenerator::render(const RenderInput& in) const {
  std::vector<RenderedFile> out;
  for (const auto& t : in.policy.hosts) {
    if (auto path = fileFor(t); !path.empty()) out.push_back(renderHost(t, path, in.model));
  }
  return out;
}

}  // namespace ccsec::render
