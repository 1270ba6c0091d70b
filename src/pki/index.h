#pragma once
// The CA directory's certificate index (DIR/index.json): every certificate the CA issued, its
// status, and the CRL number. The revocation database that `crl` turns into DIR/crl.pem.
//
// Format (deterministic: entries in issuance order, keys sorted, two-space indent, final newline):
//   {"certificates": [{"fingerprint": "sha256:…", "name": "cg-a", "not_after": "2027-…Z",
//     "not_before": "…Z", "reason": "keyCompromise", "revoked_at": "…Z", "serial": "0A1B…",
//     "status": "revoked"}], "crl_number": 3, "version": 1}
// `reason` and `revoked_at` are present only for revoked entries. Times are UTC, seconds.
// The file is untrusted input when read (fuzzed): every field is checked.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ccsec::pki {

/// RFC 5280 CRLReason values that a host certificate can carry.
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kPrivilegeWithdrawn = 9,
};
/// "unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation",
/// "privilegeWithdrawn" (RFC 5280 spelling; matched case-insensitively, '-' and '_' ignored).
std::optional<RevocationReason> parseRevocationReason(std::string_view text);
const char* toString(RevocationReason reason);

/// "YYYY-MM-DDTHH:MM:SSZ" of a UTC time_t, and back (nullopt unless exactly that form).
std::string formatUtc(std::time_t t);
std::optional<std::time_t> parseUtc(std::string_view text);

struct IndexEntry {
  std::string serial;       // upper-case hex, no leading zeros beyond one byte's pair
  std::string name;         // host name
  std::string fingerprint;  // "sha256:<lower hex>" of the DER certificate
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool revoked = false;
  std::time_t revoked_at = 0;
  RevocationReason reason = RevocationReason::kUnspecified;
};

struct CertificateIndex {
  std::vector<IndexEntry> entries;
  std::uint64_t crl_number = 0;  // number of the last CRL written; the next is +1

  IndexEntry* findSerial(std::string_view serial);
  const IndexEntry* findSerial(std::string_view serial) const;

  std::string serialize() const;
  /// Parses the JSON text; `source` names the file in errors.
  static core::Result<CertificateIndex> parse(std::string_view json, const std::string& source);
};

core::Result<CertificateIndex> loadIndex(const std::string& path);  // missing file: empty index
core::Result<void> saveIndex(const std::string& path, const CertificateIndex& index);

}  // namespace ccsec::pki
