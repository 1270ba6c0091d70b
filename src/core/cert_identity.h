#pragma once
// The one certificate judgement of ccsec: does a certificate name a host? Rules CCS-TLS-004/005
// (`ccsec check`), `ccsec pki verify` and the gateway's peer pinning all ask it here, so they
// cannot disagree about one certificate.
//
// The rule (RFC 6125 style, stated once):
//   1. A certificate carries the DNS name N when one of its SAN dNSName entries equals N (ASCII
//      case-insensitive, exact: a wildcard entry names no host, since the design wants one
//      certificate per host, CCS-TLS-004), or, only when it has no SAN dNSName at all, when its
//      subject CN does.
//   2. A certificate names a host when it carries the host's DNS identity (the inventory's
//      `dns_name` when stated, else the host name) and, when it has iPAddress SANs, one of them is
//      the host's address. Without IP SANs it is judged by name alone: peers dial and pin names.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/x509_info.h"

namespace ccsec::core {

/// Who a host is to its certificate (inventory::certificateIdentity builds it from a Host).
struct HostIdentity {
  std::string name;                     // inventory host name
  std::optional<std::string> dns_name;  // FQDN when the inventory states one
  std::optional<std::string> address;   // textual IP address, when known

  /// The DNS identity a certificate must carry: dns_name when stated, else name.
  const std::string& dnsIdentity() const { return dns_name ? *dns_name : name; }
};

/// Rule 1 on the name fields of a certificate.
bool certificateCarriesName(std::string_view common_name, const std::vector<std::string>& dns_names,
                            std::string_view name);

struct NameProblem {
  enum class Kind { kName, kAddress };
  Kind kind = Kind::kName;
  std::string message;  // "names [DNS:a, IP:10.0.0.1] but not cg-a.example.com"
};

/// Rule 2: nullopt when `cert` names `host`, else what is wrong.
std::optional<NameProblem> certificateNameProblem(const CertificateInfo& cert,
                                                  const HostIdentity& host);

/// "DNS:a, DNS:b, IP:10.0.0.1" (or "CN=x" when the certificate has no SAN), for messages.
std::string certificateNames(const CertificateInfo& cert);

}  // namespace ccsec::core
