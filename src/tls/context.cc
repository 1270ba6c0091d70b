#include "tls/context.h"

#include "core/cert_identity.h"
#include "core/key_file.h"

// The library-neutral part of the seam; the backend (openssl_backend.cc or gnutls_backend.cc)
// implements Context, Session and libraryVersion().

namespace ccsec::tls {

core::Result<void> checkKeyFileMode(const std::string& path) {
  return core::checkKeyFileMode(path, ", or set allow_insecure_key_permissions: true");
}

core::Result<void> validateContextConfig(const ContextConfig& c) {
  if (auto v = validatePolicy(c.policy); !v) return v.error();
  if (c.allowed_peers.empty())
    return core::makeError("allowed_peers is empty: mutual TLS needs at least one peer name");
  return {};
}

std::string PeerIdentity::str() const {
  if (empty()) return "no certificate";
  std::string s = "CN=" + common_name + " dns=[";
  for (std::size_t i = 0; i < dns_names.size(); ++i) s += (i ? "," : "") + dns_names[i];
  return s + "] serial=" + serial_hex + " " + fingerprint_sha256;
}

bool peerNameAllowed(const PeerIdentity& peer, const std::vector<std::string>& allowed) {
  for (const auto& name : allowed)  // the one name rule of ccsec (core/cert_identity.h)
    if (core::certificateCarriesName(peer.common_name, peer.dns_names, name)) return true;
  return false;
}

}  // namespace ccsec::tls
