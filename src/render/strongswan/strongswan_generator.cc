#include "render/strongswan/strongswan_generator.h"

#include <filesystem>

#include "render/text_util.h"

namespace ccsec::render {
namespace {

std::string basename(const std::string& p) { return std::filesystem::path(p).filename().string(); }

std::string connName(std::string_view prefix, std::string_view name) {
  std::string s(prefix);
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    s.push_back(ok ? c : '_');
  }
  return s;
}

RenderedFile renderHost(const IpsecHost& h, const std::string& path, const inventory::Model& m) {
  RenderedFile f;
  f.path = path;
  std::string out = renderedBy("#",
                               "ccsec IPsec for " + h.host + " (strongSwan swanctl.conf, " +
                                   inventory::toString(h.mode) + ").",
                               inventoryName(m.source_file));
  out += "\n# Install " + basename(h.certificate_path) +
         " under swanctl/x509/, its private key under swanctl/private/ and the issuing CA under\n"
         "# swanctl/x509ca/, then run `swanctl --load-all`.\n";
  out += "connections {\n";
  for (const auto& p : h.peers) {
    std::string name = connName("peer-", p.name);
    out += "\t" + name + " {\n";
    out += "\t\t# edges: ";
    for (std::size_t i = 0; i < p.edges.size(); ++i) out += (i ? ", " : "") + p.edges[i];
    out += "\n\t\tversion = 2\n";
    out += "\t\tlocal_addrs = " + h.address.str() + "\n";
    out += "\t\tremote_addrs = " + p.address.str() + "\n";
    out += std::string("\t\tproposals = ") + kIkeProposal + "\n";
    out += "\t\tlocal {\n\t\t\tauth = pubkey\n\t\t\tcerts = " + basename(h.certificate_path) +
           "\n\t\t\tid = " + h.identity + "\n\t\t}\n";
    out += "\t\tremote {\n\t\t\tauth = pubkey\n\t\t\tid = " + p.identity + "\n\t\t}\n";
    out += "\t\tchildren {\n\t\t\t" + name + " {\n";
    if (p.mode == IpsecPeerMode::kTunnel) {
      out += "\t\t\t\tmode = tunnel\n";
      out += "\t\t\t\tlocal_ts = " + h.address.str() + (h.address.isV6() ? "/128" : "/32") + "\n";
      out += "\t\t\t\tremote_ts = " + p.address.str() + (p.address.isV6() ? "/128" : "/32") + "\n";
    } else {
      out += "\t\t\t\tmode = transport\n";
    }
    out += std::string("\t\t\t\tesp_proposals = ") + kEspProposal + "\n";
    out += "\t\t\t\tstart_action = trap\n";
    out += "\t\t\t}\n\t\t}\n\t}\n";
    f.rules.push_back(RuleRef{name, p.edges.empty() ? "ipsec" : p.edges.front(), p.line});
  }
  if (!h.boundaries.empty()) {
    out += "\tboundary {\n";
    out += "\t\t# boundary devices reached without IPsec (domain controllers always are)\n";
    out += "\t\tremote_addrs = 127.0.0.1\n";
    out += "\t\tchildren {\n";
    for (const auto& b : h.boundaries) {
      std::string name = connName("pass-", b.name);
      out += "\t\t\t" + name + " {\n";
      out += "\t\t\t\tmode = pass\n";
      out += "\t\t\t\tlocal_ts = " + h.address.str() + (h.address.isV6() ? "/128" : "/32") + "\n";
      out += "\t\t\t\tremote_ts = ";
      for (std::size_t i = 0; i < b.cidrs.size(); ++i) out += (i ? "," : "") + b.cidrs[i].str();
      out += "\n\t\t\t\tstart_action = trap\n\t\t\t}\n";
      f.rules.push_back(
          RuleRef{name, b.domain_controller ? "boundary:domain-controller" : "boundary", b.line});
    }
    out += "\t\t}\n\t}\n";
  }
  out += "}\n";
  f.content = std::move(out);
  return f;
}

}  // namespace

// IPsec isolation and peer on Linux hosts: transport mode inside a site, tunnel mode across
// ipsec site_links, boundary bypass (pass) policies; certificate authentication from
// certificate.path; IKEv2 AES-GCM/ECP, ESP AES-GCM.
FeatureSet StrongswanGenerator::features() const {
  return featureSet(
      {Feature::kIpsecTransport, Feature::kIpsecTunnel, Feature::kIpsecBoundary, Feature::kIpv6});
}

std::string StrongswanGenerator::fileFor(const IpsecHost& h) const {
  return h.os == inventory::Os::kLinux ? "hosts/" + h.host + ".swanctl.conf" : std::string();
}

std::vector<CheckError> StrongswanGenerator::checkTarget(const RenderInput& in) const {
  std::vector<CheckError> errs;
  for (const auto& h : in.model.hosts) {
    if (h.protection.ipsec == inventory::IpsecMode::kNone) continue;
    if (h.os == inventory::Os::kVos) {
      errs.push_back(CheckError{"strongswan", "protection.ipsec on os vos", "host " + h.name,
                                h.protection.loc.line,
                                "vos appliances run no IPsec agent ccsec can configure"});
      continue;
    }
    if (h.os != inventory::Os::kLinux) continue;
    if (!h.certificate || !h.certificate->path) {
      errs.push_back(
          CheckError{"strongswan", h.certificate ? "certificate.fingerprint" : "certificate",
                     "host " + h.name, h.certificate ? h.certificate->loc.line : h.loc.line,
                     "IPsec certificate authentication needs certificate.path (a file "
                     "strongSwan loads); a fingerprint alone cannot be rendered"});
    }
  }
  return errs;
}

std::vector<RenderedFile> StrongswanGenerator::render(const RenderInput& in) const {
  std::vector<RenderedFile> out;
  for (const auto& h : in.policy.ipsec) {
    if (auto path = fileFor(h); !path.empty()) out.push_back(renderHost(h, path, in.model));
  }
  return out;
}

}  // namespace ccsec::render
