#pragma once
// Verification of a fleet's host certificates (`ccsec pki verify`): each host's certificate
// chains to the CA (and is not revoked when a CRL is given), names the host (name, DNS name,
// address), is within its validity, and no two hosts share a certificate or a public key.
// The result feeds rules CCS-TLS-004 (uniqueness) and CCS-TLS-005 (validity, names).
//
// Inputs are plain data so that callers without an inventory (tests, the probe) can use it;
// fleetFromInventory() (inventory_fleet.h) builds them from a Model. Pure function of its
// inputs: `now` is injected.

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ccsec::pki {

struct FleetHost {
  std::string name;                        // inventory host name
  std::optional<std::string> dns_name;     // FQDN when the inventory states one
  std::optional<std::string> address;      // textual IP
  std::optional<std::string> cert_path;    // resolved path of certificate.path
  std::optional<std::string> fingerprint;  // certificate.fingerprint ("sha256:…") when no path
};

struct VerifyOptions {
  std::vector<std::string> ca_files;    // trust anchors; empty: the chain is not checked
  std::optional<std::string> crl_file;  // CRL of the CA (checked when set)
  std::time_t now = 0;
  int expiry_warning_days = 30;
};

enum class Severity { kError, kWarning };

struct Problem {
  std::string host;
  std::string code;  // unreadable | chain | revoked | expired | not-yet-valid | expiring | name |
                     // address | shared-certificate | shared-key | no-certificate
  Severity severity = Severity::kError;
  std::string message;
};

struct HostResult {
  std::string name;
  std::string cert_path;  // empty when none
  std::string subject;
  std::string serial;
  std::string not_after;  // YYYY-MM-DD
  std::string fingerprint;
  std::string public_key;
  bool checked = false;  // a certificate was read
};

struct FleetReport {
  std::vector<HostResult> hosts;
  std::vector<Problem> problems;
  bool chain_checked = false;
  bool crl_checked = false;
  bool ok() const;           // no problem of severity error
  std::string text() const;  // aligned table + problem lines, for people
  std::string json() const;  // {"ok":…, "hosts":[…], "problems":[…]}, keys sorted
};

/// Fails only when the CA or CRL files cannot be read; problems with hosts are in the report.
core::Result<FleetReport> verifyFleet(const std::vector<FleetHost>& hosts,
                                      const VerifyOptions& options);

}  // namespace ccsec::pki
