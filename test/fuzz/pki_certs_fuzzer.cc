// Fuzzes the parsing of certificate bundles given to `ccsec pki import` and `verify`
// (PEM sequence or one DER certificate) and the facts read from each certificate.
#include <cstdint>
#include <string_view>

#include "core/x509_info.h"
#include "pki/ca.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto certs = ccsec::pki::parseCertificates(text, "fuzz.pem");
  if (!certs) return 0;
  for (const auto& c : *certs) {
    auto info = ccsec::core::describeCertificate(c.get());
    (void)info.matchesDnsName("cg-a.example.com");
    (void)info.matchesIp("10.0.0.1");
    (void)ccsec::pki::toPem(c.get());
  }
  return 0;
}
