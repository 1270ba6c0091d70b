#include "core/cert_identity.h"

#include <algorithm>

namespace ccsec::core {
namespace {

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerAscii(x) == lowerAscii(y);
         });
}

// One presented identifier against one name: exact, ASCII case-insensitive. A wildcard entry
// ("*.example.com") is compared literally and so names no host: one certificate per host.
bool patternMatches(std::string_view pattern, std::string_view name) {
  return equalsIgnoreCase(pattern, name);
}

}  // namespace

bool certificateCarriesName(std::string_view common_name, const std::vector<std::string>& dns_names,
                            std::string_view name) {
  if (dns_names.empty()) return !common_name.empty() && patternMatches(common_name, name);
  return std::any_of(dns_names.begin(), dns_names.end(),
                     [&](const std::string& d) { return patternMatches(d, name); });
}

std::string certificateNames(const CertificateInfo& cert) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  for (const auto& d : cert.dns_names) add("DNS:" + d);
  for (const auto& ip : cert.ip_addresses) add("IP:" + ip);
  if (out.empty()) add(cert.common_name.empty() ? "no name" : "CN=" + cert.common_name);
  return out;
}

std::optional<NameProblem> certificateNameProblem(const CertificateInfo& cert,
                                                  const HostIdentity& host) {
  const std::string& want = host.dnsIdentity();
  if (!certificateCarriesName(cert.common_name, cert.dns_names, want))
    return NameProblem{NameProblem::Kind::kName,
                       "names " + certificateNames(cert) + " but not " + want};
  if (host.address && !cert.ip_addresses.empty() && !cert.matchesIp(*host.address))
    return NameProblem{
        NameProblem::Kind::kAddress,
        "names " + certificateNames(cert) + " but not the host address " + *host.address};
  return std::nullopt;
}

}  // namespace ccsec::core
