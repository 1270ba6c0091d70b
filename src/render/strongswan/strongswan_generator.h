#pragma once
// Target "strongswan": hosts/<host>.swanctl.conf for every Linux host with protection.ipsec
// isolation or peer. IKEv2, certificate authentication with the host's certificate
// (certificate.path; installed under swanctl/x509/, its key under swanctl/private/, the CA
// under swanctl/x509ca/), IKE AES-256-GCM/PRF-SHA384/ECP-384 and ESP AES-256-GCM with ECP-384
// PFS. One connection per IPsec peer (transport mode inside a site, tunnel mode across an
// ipsec site_link), trap-installed so that the first packet negotiates; one `pass` child per
// boundary (domain controllers are always boundaries).

#include "render/generator.h"

namespace ccsec::render {

inline constexpr const char* kIkeProposal = "aes256gcm16-prfsha384-ecp384";
inline constexpr const char* kEspProposal = "aes256gcm16-ecp384";

class StrongswanGenerator final : public Generator {
 public:
  std::string_view name() const override { return "strongswan"; }
  FeatureSet features() const override;
  using Generator::fileFor;
  std::string fileFor(const IpsecHost& h) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;

 protected:
  std::vector<CheckError> checkTarget(const RenderInput& in) const override;
};

}  // namespace ccsec::render
