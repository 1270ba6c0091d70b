// Fuzzes the CA directory's index parser (DIR/index.json is read back on every operation).
// Property: whatever parses serialises to text that parses to the same serialisation.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pki/index.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto index = ccsec::pki::CertificateIndex::parse(text, "fuzz.json");
  if (!index) return 0;
  std::string once = index->serialize();
  auto again = ccsec::pki::CertificateIndex::parse(once, "fuzz.json");
  if (!again || again->serialize() != once) std::abort();
  return 0;
}
