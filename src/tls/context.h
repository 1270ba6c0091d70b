#pragma once
// Mutual-TLS contexts for ccsec endpoints (gateway listeners, probes, authd).
//
// A Context is an immutable SSL_CTX built from files: own certificate + key, a CA bundle that
// peers must chain to, a CRL that is always enforced (X509_V_FLAG_CRL_CHECK: no CRL = fail
// closed), and the peer names allowed (core/cert_identity.h: a SAN DNS name, or the CN when the
// certificate has no SAN DNS name; exact, case-insensitive, no wildcards). The peer certificate is
// mandatory in both roles (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) and its name is
// checked inside verification, so a peer that is not allowed fails the handshake itself. When the
// CA bundle or the CRL file holds more than one certificate or CRL (intermediates exist), every
// certificate of the chain is checked against its CRL (X509_V_FLAG_CRL_CHECK_ALL), so a revoked
// intermediate is refused. The own chain is built once at load (SSL_MODE_NO_AUTO_CHAIN: OpenSSL
// would otherwise rebuild and re-verify it on every handshake). Server contexts keep a bounded
// session cache and issue stateful TLS 1.3 tickets (resumption for reconnect storms; the cache
// belongs to the SSL_CTX, so a reload, e.g. of the CRL, starts with an empty cache and no session
// of a revoked peer resumes); client contexts remember the last session and offer it on the next
// connect.
//
// Hot reload: build a new Context and ContextHolder::set() it. Each connection keeps the
// shared_ptr<const Context> it was created with, so live SSL* objects keep their SSL_CTX and
// peers' names are checked against the list of the context they started with.
//
// Threading: a Context is immutable apart from its client session cache (mutex-protected); it may
// be shared by all worker threads. ContextHolder is thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/handles.h"
#include "core/result.h"
#include "tls/policy.h"

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
  /// Server role: sessions kept in the context's own cache for TLS 1.3 resumption (stateful
  /// tickets: the ticket is a session id, so a resumption finds the parsed peer certificate in
  /// memory instead of decoding it again from a stateless ticket). At most this many sessions,
  /// each for session_lifetime_s; the oldest is evicted first. 0 = stateless tickets.
  std::uint32_t session_cache = 20000;
  std::uint32_t session_lifetime_s = 7200;
};

/// core::checkKeyFileMode (the one key-permission check, shared with the CA) with the TLS
/// config's remedy: "PATH is accessible by group or others (mode 0640); chmod 600 PATH, or set
/// allow_insecure_key_permissions: true". Ok for a missing file (the load reports it).
core::Result<void> checkKeyFileMode(const std::string& path);

/// What a handshake revealed about the peer; filled during certificate verification so that it
/// is known even when the handshake fails. Safe to log (no key material).
struct PeerIdentity {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::string fingerprint_sha256;  // "sha256:<hex>" of the leaf certificate
  std::string serial_hex;
  bool empty() const { return fingerprint_sha256.empty(); }
  /// "CN=finesse-a dns=[finesse-a] sha256:…", or "no certificate".
  std::string str() const;
};

/// Per-connection verification record attached to the SSL* (owned by the connection, must
/// outlive the SSL*).
struct HandshakeInfo {
  PeerIdentity peer;
  int verify_error = 0;        // first X509_V_ERR_* seen, 0 if none
  bool name_rejected = false;  // chain was fine but the name is not in allowed_peers
  /// Server: the peer asked to renegotiate after the handshake (TLS 1.2 ClientHello). OpenSSL
  /// refuses it (SSL_OP_NO_RENEGOTIATION) with a warning alert and would carry on; the gateway
  /// closes the connection and audits the attempt.
  bool renegotiation_attempt = false;
};

/// True when the certificate carries one of `allowed` by the one name rule of ccsec
/// (core/cert_identity.h: a SAN DNS name, or the CN only when there is no SAN DNS name).
/// The identity fields of a peer certificate (one parse: names, serial, SHA-256 fingerprint).
PeerIdentity identityOf(X509* cert);
bool peerNameAllowed(X509* cert, const std::vector<std::string>& allowed);
/// Same check on an identity already read from the certificate (no second parse).
bool peerNameAllowed(const PeerIdentity& peer, const std::vector<std::string>& allowed);

class Context {
 public:
  /// Loads and checks every file (cert/key match, CA and CRL parse); errors name the file.
  /// Fails closed: a key file group or others can read (unless allow_insecure_key_permissions),
  /// and an own certificate that does not chain to `ca_file`, are refused, at start and on every
  /// reload.
  static core::Result<std::shared_ptr<Context>> build(const ContextConfig& config);

  Role role() const { return config_.role; }
  const ContextConfig& config() const { return config_; }
  SSL_CTX* raw() const { return ctx_.get(); }
  /// Fingerprint of our own certificate (for reload logs / tests).
  const std::string& ownFingerprint() const { return own_fingerprint_; }

  /// A new SSL* on a connected non-blocking socket, in accept or connect state. `info` is
  /// filled during verification. For client role the cached session (if any) is offered.
  core::Result<core::SslPtr> newSsl(int fd, HandshakeInfo* info) const;

  /// Client role: remembers the newest session for resumption (called by OpenSSL).
  void rememberSession(SSL_SESSION* session) const;

 private:
  Context() = default;
  ContextConfig config_;
  core::SslCtxPtr ctx_;
  std::string own_fingerprint_;
  mutable std::mutex session_mu_;
  mutable core::SslSessionPtr session_;
};

/// Why a handshake failed, as one line for audit: the name check, the X.509 verification error,
/// or the first OpenSSL error reason ("unsupported protocol", "peer did not return a
/// certificate", "http request", …). Drains the calling thread's OpenSSL error queue.
std::string handshakeFailureReason(int ssl_error, const HandshakeInfo& info);

/// Why an established session failed, as one line for audit: "TLS error: " plus OpenSSL's
/// reason for the first queued error ("decryption failed or bad record mac", "record overflow",
/// "unexpected message", …), or "renegotiation attempt". Drains the error queue.
std::string sessionErrorReason(int ssl_error, const HandshakeInfo& info);

/// Negotiated protocol ("TLSv1.3") and cipher of an established SSL*.
std::string describeSession(SSL* ssl);

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
