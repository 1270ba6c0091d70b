#pragma once
// Mutual-TLS contexts of the gateway's data path: the library-neutral half of the TLS seam.
//
// A Context is immutable once built from files: own certificate (chain allowed) + key, a CA
// bundle that peers must chain to, a CRL that is always enforced (no CRL, or one past its next
// update, = fail closed), and the peer names allowed (core/cert_identity.h: a SAN DNS name, or
// the CN when the certificate has no SAN DNS name; exact, case-insensitive, no wildcards). The
// peer certificate is mandatory in both roles, must carry the usage of its role (clientAuth for
// the server's peers, serverAuth for the client's) and its name is checked inside the
// handshake, so a peer that is not allowed fails the handshake itself. When intermediates exist
// every certificate of the chain is checked against its CRL. The own chain is built once at
// load. Server contexts resume TLS 1.3 sessions (one ticket per handshake; whatever the tickets
// hold belongs to the Context, so a reload, e.g. of the CRL, starts afresh and no session of a
// revoked peer resumes); client contexts remember the last session and offer it on the next
// connect.
//
// The library behind the seam is chosen when ccsec is built (CMake CCSEC_TLS_DATA_PATH: gnutls,
// the default since it halves the memory per idle connection, or openssl; `libraryVersion()`
// names it; docs/gateway.md has the measurements). One library per data path in a binary;
// `ccsec pki` and the probe stay on OpenSSL whatever this is. Everything a caller needs is in
// this header and tls/session.h; no library type crosses them (only OpenSSL builds expose
// `raw()`, for OpenSSL-specific tests and the lever benchmark).
//
// Hot reload: build a new Context and ContextHolder::set() it. Each session keeps the Context
// it was created with alive, so peers' names are checked against the list it started with.
//
// Threading: a Context may be shared by all worker threads (its client session memory is
// internally locked). ContextHolder is thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "tls/policy.h"

#if CCSEC_TLS_OPENSSL
#include <openssl/ssl.h>
#endif

namespace ccsec::tls {

enum class Role { kServer, kClient };

struct ContextConfig {
  Role role = Role::kServer;
  Policy policy;
  std::string cert_file;                   // PEM certificate (chain allowed)
  std::string key_file;                    // PEM private key
  std::string ca_file;                     // PEM CA bundle peers must chain to
  std::string crl_file;                    // PEM CRL(s) of that CA; required
  std::vector<std::string> allowed_peers;  // at least one
  bool ktls = true;  // request kernel TLS (used only when the kernel offers it)
  /// Accept a key file that group or others may access (refused by default, see build()).
  bool allow_insecure_key_permissions = false;
  /// Server role: sessions kept for TLS 1.3 resumption. On OpenSSL, the context's own cache
  /// (stateful tickets: the ticket is a session id, so a resumption finds the parsed peer
  /// certificate in memory instead of decoding it again); at most this many sessions, each for
  /// session_lifetime_s, the oldest evicted first; 0 = stateless tickets. Backends with cheap
  /// stateless resumption may ignore session_cache; session_lifetime_s bounds a ticket's life on
  /// every backend.
  std::uint32_t session_cache = 20000;
  std::uint32_t session_lifetime_s = 7200;
};

/// core::checkKeyFileMode (the one key-permission check, shared with the CA) with the TLS
/// config's remedy: "PATH is accessible by group or others (mode 0640); chmod 600 PATH, or set
/// allow_insecure_key_permissions: true". Ok for a missing file (the load reports it).
core::Result<void> checkKeyFileMode(const std::string& path);

/// What a handshake revealed about the peer; recorded as soon as the peer's certificate is seen,
/// so it is known even when the handshake fails. Safe to log (no key material).
struct PeerIdentity {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::string fingerprint_sha256;  // "sha256:<hex>" of the leaf certificate
  std::string serial_hex;
  bool empty() const { return fingerprint_sha256.empty(); }
  /// "CN=finesse-a dns=[finesse-a] serial=… sha256:…", or "no certificate".
  std::string str() const;
};

/// True when the identity carries one of `allowed` by the one name rule of ccsec
/// (core/cert_identity.h: a SAN DNS name, or the CN only when there is no SAN DNS name).
bool peerNameAllowed(const PeerIdentity& peer, const std::vector<std::string>& allowed);

/// The checks of a ContextConfig every backend makes first in Context::build (policy valid, at
/// least one allowed peer).
core::Result<void> validateContextConfig(const ContextConfig& c);

/// The TLS library of this build's data path and its runtime version, e.g. "OpenSSL 3.0.17" or
/// "GnuTLS 3.7.9" (logged at start).
std::string libraryVersion();

class Session;

class Context : public std::enable_shared_from_this<Context> {
 public:
  /// Loads and checks every file (cert/key match, CA and CRL parse, CRL current); errors name
  /// the file. Fails closed: a key file group or others can read (unless
  /// allow_insecure_key_permissions), and an own certificate that does not chain to `ca_file`,
  /// are refused, at start and on every reload.
  static core::Result<std::shared_ptr<Context>> build(const ContextConfig& config);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Role role() const { return config_.role; }
  const ContextConfig& config() const { return config_; }
  /// Fingerprint ("sha256:<hex>") of our own certificate (for reload logs / tests).
  const std::string& ownFingerprint() const { return own_fingerprint_; }

  /// A session on a connected non-blocking socket (not owned), in accept or connect state by
  /// role. A client session offers the remembered session, if any. The session keeps this
  /// Context alive.
  core::Result<std::unique_ptr<Session>> newSession(int fd) const;

#if CCSEC_TLS_OPENSSL
  /// OpenSSL builds only: the SSL_CTX, for OpenSSL-specific tests and bench/gateway/tls_levers.
  SSL_CTX* raw() const;
#endif

  struct Impl;  // the backend's state (tls/<backend>_backend.cc)
  Impl& impl() const { return *impl_; }

 private:
  Context();
  ContextConfig config_;
  std::string own_fingerprint_;
  std::unique_ptr<Impl> impl_;
};

/// The current context of a listener; swapped atomically on reload. Thread-safe.
class ContextHolder {
 public:
  explicit ContextHolder(std::shared_ptr<const Context> ctx) : ctx_(std::move(ctx)) {}
  std::shared_ptr<const Context> get() const {
    std::lock_guard lock(mu_);
    return ctx_;
  }
  void set(std::shared_ptr<const Context> ctx) {
    std::lock_guard lock(mu_);
    ctx_.swap(ctx);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Context> ctx_;
};

}  // namespace ccsec::tls
