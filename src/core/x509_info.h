#pragma once
// Facts about an X.509 certificate that rules, pki verification and the probe all need, read with
// OpenSSL (never parsed by hand). Pure data; no key material is ever read or returned.

#include <string>
#include <vector>

#include "core/date.h"
#include "core/handles.h"
#include "core/result.h"

namespace ccsec::core {

struct CertificateInfo {
  std::string subject;                    // RFC 2253 one-line subject
  std::string issuer;                     // RFC 2253 one-line issuer
  std::string common_name;                // subject CN, empty if none
  std::vector<std::string> dns_names;     // SAN dNSName entries
  std::vector<std::string> ip_addresses;  // SAN iPAddress entries, textual
  std::string serial_hex;                 // upper-case hex
  Date not_before;                        // UTC day of notBefore
  Date not_after;                         // UTC day of notAfter
  std::string fingerprint_sha256;         // "sha256:<lower hex>" of the DER certificate
  std::string public_key_sha256;          // "sha256:<lower hex>" of the DER SubjectPublicKeyInfo
  bool is_ca = false;

  /// True when the certificate carries `name` by the one rule of core/cert_identity.h (a SAN DNS
  /// name, exact and case-insensitive, or the CN when there is no SAN DNS name).
  bool matchesDnsName(std::string_view name) const;
  bool matchesIp(std::string_view ip) const;
};

/// Facts of an in-memory certificate.
CertificateInfo describeCertificate(X509* cert);
/// Reads the first PEM (or DER) certificate of `path`.
Result<CertificateInfo> readCertificateFile(const std::string& path);
/// Loads the first PEM (or DER) certificate of `path`.
Result<X509Ptr> loadCertificateFile(const std::string& path);

}  // namespace ccsec::core
