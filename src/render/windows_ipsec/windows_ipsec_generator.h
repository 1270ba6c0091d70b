#pragma once
// Target "windows-ipsec": hosts/<host>.ipsec.ps1 for every Windows host with protection.ipsec
// isolation or peer. Idempotent (group "ccsec" and the named sets are removed and re-created).
// Machine-certificate authentication only (New-NetIPsecPhase1AuthSet with a certificate
// proposal whose -Authority is the issuing CA); never a pre-shared key. One New-NetIPsecRule
// per peer (Require in and out; tunnel mode across an ipsec site_link) and one rule per
// boundary (no IPsec). The CA subject comes from RenderOptions::ca_subject, else from the
// issuer of the host's certificate file (certificate.path, relative to the inventory file).

#include "render/generator.h"

namespace ccsec::render {

class WindowsIpsecGenerator final : public Generator {
 public:
  std::string_view name() const override { return "windows-ipsec"; }
  FeatureSet features() const override;
  using Generator::fileFor;
  std::string fileFor(const IpsecHost& h) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;

 protected:
  std::vector<CheckError> checkTarget(const RenderInput& in) const override;
};

}  // namespace ccsec::render
