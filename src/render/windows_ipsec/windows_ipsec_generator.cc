#include "render/windows_ipsec/windows_ipsec_generator.h"

#include <filesystem>

#include "core/x509_info.h"
#include "render/text_util.h"

namespace ccsec::render {
namespace {

core::Result<std::string> caSubject(const RenderInput& in, const inventory::Host& h) {
  if (!in.options.ca_subject.empty()) return in.options.ca_subject;
  if (!h.certificate || !h.certificate->path) {
    return core::makeError("no certificate.path to read the issuing CA from; pass --ca-subject");
  }
  std::filesystem::path p(*h.certificate->path);
  if (p.is_relative()) p = std::filesystem::path(in.model.source_file).parent_path() / p;
  auto info = core::readCertificateFile(p.string());
  if (!info) {
    return core::makeError("cannot read " + p.string() + " for the issuing CA (" +
                           info.error().message + "); pass --ca-subject");
  }
  return info->issuer;
}

std::string addrList(const std::vector<core::Cidr>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + prefixText(v[i]);
  return s;
}

RenderedFile renderHost(const IpsecHost& h, const std::string& path, const std::string& ca,
                        const inventory::Model& m) {
  RenderedFile f;
  f.path = path;
  std::string out =
      renderedBy("#",
                 "ccsec IPsec for " + h.host + " (Windows, " + inventory::toString(h.mode) +
                     "): machine certificates, no pre-shared keys.",
                 inventoryName(m.source_file));
  out +=
      "\n# Idempotent: every run removes and re-creates the group 'ccsec' and the ccsec-* sets.\n";
  out += "#Requires -RunAsAdministrator\n";
  out += "$ErrorActionPreference = 'Stop'\n";
  out += "Get-NetIPsecRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetIPsecRule\n";
  out +=
      "Get-NetIPsecMainModeRule -Group 'ccsec' -ErrorAction SilentlyContinue | "
      "Remove-NetIPsecMainModeRule\n";
  out += "Remove-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -ErrorAction SilentlyContinue\n";
  out += "Remove-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -ErrorAction SilentlyContinue\n";
  out += "Remove-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -ErrorAction SilentlyContinue\n";
  out += "$cert = New-NetIPsecAuthProposal -Machine -Cert -Authority " + psQuote(ca) +
         " -AuthorityType Root\n";
  out +=
      "New-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -DisplayName 'ccsec machine "
      "certificate' "
      "-Proposal $cert | Out-Null\n";
  out +=
      "$mm = New-NetIPsecMainModeCryptoProposal -Encryption AES256 -Hash SHA384 -KeyExchange "
      "DH20\n";
  out +=
      "New-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -DisplayName 'ccsec IKE "
      "AES-256/SHA-384/ECP-384' "
      "-Proposal $mm | Out-Null\n";
  out +=
      "$qm = New-NetIPsecQuickModeCryptoProposal -Encapsulation ESP -Encryption AESGCM256 -ESPHash "
      "AESGMAC256\n";
  out +=
      "New-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -DisplayName 'ccsec ESP AES-256-GCM' "
      "-Proposal $qm -PerfectForwardSecrecyGroup DH20 | Out-Null\n";
  if (!h.peers.empty()) {
    std::string peers;
    for (std::size_t i = 0; i < h.peers.size(); ++i)
      peers += (i ? "," : "") + h.peers[i].address.str();
    out += "New-NetIPsecMainModeRule -Name " + psQuote("ccsec-" + h.host + "-mm") +
           " -DisplayName 'ccsec main mode' -Group 'ccsec' -MainModeCryptoSet 'ccsec-ike' "
           "-Phase1AuthSet 'ccsec-machine-cert' -LocalAddress " +
           h.address.str() + " -RemoteAddress " + peers + " | Out-Null\n";
  }
  for (const auto& p : h.peers) {
    std::string name = "ccsec-" + h.host + "-peer-" + p.name;
    std::string edges;
    for (std::size_t i = 0; i < p.edges.size(); ++i) edges += (i ? ", " : "") + p.edges[i];
    out += "New-NetIPsecRule -Name " + psQuote(name) + " -DisplayName " +
           psQuote("ccsec IPsec " + p.name + " (" + edges + ")") + " -Group 'ccsec'";
    if (p.mode == IpsecPeerMode::kTunnel) {
      out += " -Mode Tunnel -LocalTunnelEndpoint " + h.address.str() + " -RemoteTunnelEndpoint " +
             p.address.str();
    } else {
      out += " -Mode Transport";
    }
    out +=
        " -LocalAddress " + h.address.str() + " -RemoteAddress " + p.address.str() +
        " -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' "
        "-QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null\n";
    f.rules.push_back(RuleRef{name, p.edges.empty() ? "ipsec" : p.edges.front(), p.line});
  }
  for (const auto& b : h.boundaries) {
    std::string name = "ccsec-" + h.host + "-boundary-" + b.name;
    out +=
        "New-NetIPsecRule -Name " + psQuote(name) + " -DisplayName " +
        psQuote("ccsec boundary " + b.name + (b.domain_controller ? " (domain controller)" : "")) +
        " -Group 'ccsec' -Mode Transport -LocalAddress " + h.address.str() + " -RemoteAddress " +
        addrList(b.cidrs) + " -InboundSecurity None -OutboundSecurity None | Out-Null\n";
    f.rules.push_back(
        RuleRef{name, b.domain_controller ? "boundary:domain-controller" : "boundary", b.line});
  }
  f.content = std::move(out);
  return f;
}

}  // namespace

// IPsec isolation and peer on Windows hosts: machine certificate authentication (no PSK),
// transport mode inside a site, tunnel mode across ipsec site_links, boundary exceptions as their
// own rules; AES-GCM ESP, ECP-384.
FeatureSet WindowsIpsecGenerator::features() const {
  return featureSet(
      {Feature::kIpsecTransport, Feature::kIpsecTunnel, Feature::kIpsecBoundary, Feature::kIpv6});
}

std::string WindowsIpsecGenerator::fileFor(const IpsecHost& h) const {
  return h.os == inventory::Os::kWindows ? "hosts/" + h.host + ".ipsec.ps1" : std::string();
}

std::vector<CheckError> WindowsIpsecGenerator::checkTarget(const RenderInput& in) const {
  std::vector<CheckError> errs;
  for (const auto& h : in.model.hosts) {
    if (h.os != inventory::Os::kWindows || h.protection.ipsec == inventory::IpsecMode::kNone)
      continue;
    auto ca = caSubject(in, h);
    if (!ca) {
      errs.push_back(CheckError{"windows-ipsec", "certificate authority", "host " + h.name,
                                h.certificate ? h.certificate->loc.line : h.loc.line,
                                ca.error().message});
    }
  }
  return errs;
}

std::vector<RenderedFile> WindowsIpsecGenerator::render(const RenderInput& in) const {
  std::vector<RenderedFile> out;
  for (const auto& ih : in.policy.ipsec) {
    const std::string path = fileFor(ih);
    if (path.empty()) continue;
    const auto* h = in.model.findHost(ih.host);
    auto ca = caSubject(in, *h);
    out.push_back(renderHost(ih, path, ca ? *ca : std::string(), in.model));
  }
  return out;
}

}  // namespace ccsec::render
