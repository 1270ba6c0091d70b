#pragma once
// TLS policy: which protocol versions and cipher suites a ccsec endpoint accepts.
// Default: TLS 1.2 minimum, AEAD-only suites (ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2,
// the TLS 1.3 suites). Versions below 1.2 only when `legacy_tls` is set AND the oldest version is
// named explicitly; legacy mode then also admits ECDHE CBC-SHA suites, because TLS 1.0/1.1 have no
// AEAD suite (the negotiated version and suite are audited per session).

#include <string>
#include <string_view>

#include "core/result.h"

namespace ccsec::tls {

enum class Version { kTls10, kTls11, kTls12, kTls13 };

/// "1.0", "1.1", "1.2", "1.3" (also "TLSv1.2" forms). Error names the accepted values.
core::Result<Version> parseVersion(std::string_view text);
std::string versionName(Version v);  // "1.2"
int opensslVersion(Version v);       // TLS1_2_VERSION, ...

struct Policy {
  bool legacy_tls = false;
  Version min_version = Version::kTls12;
};

/// Rejects a minimum below 1.2 without legacy_tls.
core::Result<void> validatePolicy(const Policy& p);

/// OpenSSL cipher list (TLS <= 1.2) for the policy.
std::string cipherList(const Policy& p);
/// OpenSSL TLS 1.3 ciphersuites string.
std::string cipherSuites13();

}  // namespace ccsec::tls
