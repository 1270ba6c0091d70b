#include "tls/policy.h"

#include <openssl/ssl.h>

namespace ccsec::tls {

core::Result<Version> parseVersion(std::string_view text) {
  if (text.starts_with("TLSv")) text.remove_prefix(4);
  if (text == "1.0" || text == "1") return Version::kTls10;
  if (text == "1.1") return Version::kTls11;
  if (text == "1.2") return Version::kTls12;
  if (text == "1.3") return Version::kTls13;
  return core::makeError("unknown TLS version '" + std::string(text) +
                         "' (expected 1.0, 1.1, 1.2 or 1.3)");
}

std::string versionName(Version v) {
  switch (v) {
    case Version::kTls10:
      return "1.0";
    case Version::kTls11:
      return "1.1";
    case Version::kTls12:
      return "1.2";
    case Version::kTls13:
      return "1.3";
  }
  return "?";
}

int opensslVersion(Version v) {
  switch (v) {
    case Version::kTls10:
      return TLS1_VERSION;
    case Version::kTls11:
      return TLS1_1_VERSION;
    case Version::kTls12:
      return TLS1_2_VERSION;
    case Version::kTls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

core::Result<void> validatePolicy(const Policy& p) {
  if (p.min_version < Version::kTls12 && !p.legacy_tls)
    return core::makeError("min_version " + versionName(p.min_version) +
                           " is below 1.2: set legacy_tls: true to allow it explicitly");
  return {};
}

std::string cipherList(const Policy& p) {
  std::string aead =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  if (p.legacy_tls && p.min_version < Version::kTls12) {
    // TLS 1.0/1.1 have no AEAD suites; OpenSSL 3 needs security level 0 for their MD5/SHA-1 PRF.
    return aead +
           ":ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:"
           "ECDHE-RSA-AES256-SHA:@SECLEVEL=0";
  }
  return aead;
}

std::string cipherSuites13() {
  return "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
}

}  // namespace ccsec::tls
