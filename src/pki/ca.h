#pragma once
// A certificate authority directory and the operations of `ccsec pki`:
//
//   DIR/ca.pem  DIR/ca.key (0600)        the CA (init)
//   DIR/index.json                       every certificate issued and its status (index.h)
//   DIR/crl.pem                          the CRL (crl)
//   DIR/hosts/NAME.pem  NAME.key (0600)  one key + certificate per host (issue, import, rotate)
//   DIR/hosts/NAME.csr                   a request for a third-party CA (csr)
//   DIR/hosts/NAME.prev.pem  .prev.key   the previous pair after a rotation (revocable)
//
// Everything uses OpenSSL 3 EVP/X509 APIs; every handle is RAII-owned. Keys are written 0600
// from creation and never logged. Time and serial numbers come from `Options` so that tests are
// deterministic; production uses the system clock and 127-bit random serials.
// Mutating operations take an exclusive lock on DIR (DirectoryLock); a CaDirectory object itself
// is not thread-safe.

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/handles.h"
#include "core/result.h"
#include "pki/index.h"
#include "pki/key.h"

namespace ccsec::pki {

/// Serial numbers as big-endian bytes (a positive INTEGER; a leading zero bit is ensured).
using SerialSource = std::function<std::vector<std::uint8_t>()>;
/// 16 random bytes from the OpenSSL DRBG, top bit cleared, never zero.
std::vector<std::uint8_t> randomSerial();
/// 1, 2, 3, … from `first`: for tests and golden output only.
SerialSource sequentialSerials(std::uint64_t first = 1);

struct Options {
  std::function<std::time_t()> now = [] { return std::time(nullptr); };
  SerialSource serial = randomSerial;
  /// rename(2) as used by rotate(); tests inject a failure to prove rotation is all-or-nothing.
  std::function<int(const char* from, const char* to)> rename = ::rename;
};

inline constexpr int kDefaultCaDays = 3650;
inline constexpr int kDefaultHostDays = 397;
inline constexpr int kDefaultCrlDays = 7;

/// Host names double as file names: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, no "..".
core::Result<void> validateHostName(std::string_view name);
/// A DNS name for a SAN: LDH labels of 1-63 characters, total ≤ 253; no wildcards.
core::Result<void> validateDnsName(std::string_view name);

struct HostRequest {
  std::string name;                    // host name: CN and file name
  std::vector<std::string> dns_names;  // SAN dNSName entries (the name itself when empty)
  std::vector<std::string> ips;        // SAN iPAddress entries, textual IPv4/IPv6
  int days = kDefaultHostDays;
  std::optional<KeyType> key_type;  // default: the CA's key type (ECDSA P-256 for CSRs)
};

struct IssuedFiles {
  std::string cert_path;
  std::string key_path;
  std::string serial;       // upper-case hex
  std::string fingerprint;  // sha256:…
};

class CaDirectory {
 public:
  /// Creates DIR (0700 if new), a self-signed CA key + certificate; refuses to overwrite one.
  static core::Result<CaDirectory> init(const std::string& dir, KeyType type,
                                        const std::string& common_name, int days,
                                        Options options = {});
  /// Opens an existing CA directory (loads ca.pem, ca.key and checks that they match).
  static core::Result<CaDirectory> open(const std::string& dir, Options options = {});

  const std::string& dir() const { return dir_; }
  X509* certificate() const { return cert_.get(); }
  std::string hostsDir() const { return dir_ + "/hosts"; }
  std::string certPath(const std::string& name) const { return hostsDir() + "/" + name + ".pem"; }
  std::string keyPath(const std::string& name) const { return hostsDir() + "/" + name + ".key"; }

  /// A new key + CA-signed certificate for a host (serverAuth + clientAuth). Refuses when the
  /// host already has a certificate (use rotate).
  core::Result<IssuedFiles> issue(const HostRequest& request);
  /// New key + certificate with the same names; the old pair becomes NAME.prev.{pem,key}
  /// (replacing an older .prev). `days` defaults to the old certificate's lifetime.
  core::Result<IssuedFiles> rotate(const std::string& name, std::optional<int> days = {});
  /// Marks a certificate revoked in the index. `previous` selects NAME.prev.pem. Returns its
  /// serial. Revoking an already revoked certificate is an error naming it.
  core::Result<std::string> revoke(const std::string& name, RevocationReason reason,
                                   bool previous = false);
  core::Result<std::string> revokeSerial(const std::string& serial, RevocationReason reason);
  /// Writes DIR/crl.pem (v2, CRL number, AKI, reasons) valid for `days`; returns its number.
  core::Result<std::uint64_t> writeCrl(int days = kDefaultCrlDays);

 private:
  CaDirectory() = default;
  core::Result<core::X509Ptr> signHost(EVP_PKEY* host_key, const HostRequest& request);
  core::Result<void> record(X509* cert, const std::string& name);
  core::Result<std::string> revokeLocked(const std::string& serial, RevocationReason reason);

  std::string dir_;
  core::X509Ptr cert_;
  core::EvpPkeyPtr key_;
  Options options_;
};

/// Writes DIR/hosts/NAME.key (0600, new) and DIR/hosts/NAME.csr for a third-party CA. Refuses
/// when NAME.key or NAME.csr exists.
core::Result<std::string> createRequest(const std::string& dir, const HostRequest& request);

/// Installs a certificate signed by a third-party CA as DIR/hosts/NAME.pem: it must match
/// DIR/hosts/NAME.key; when `ca_chain_path` is given it must chain to it (the chain's
/// intermediates are appended to NAME.pem); otherwise to DIR/ca.pem when that exists.
core::Result<std::string> importCertificate(const std::string& dir, const std::string& name,
                                            const std::string& cert_path,
                                            const std::optional<std::string>& ca_chain_path,
                                            std::time_t now = std::time(nullptr));

/// All PEM certificates of `pem` in order (at least one), or an error naming `source`.
core::Result<std::vector<core::X509Ptr>> parseCertificates(std::string_view pem,
                                                           const std::string& source);
std::string toPem(X509* cert);

}  // namespace ccsec::pki
