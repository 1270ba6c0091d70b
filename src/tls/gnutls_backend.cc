// GnuTLS 3.7 backend of the TLS seam (tls/context.h, tls/session.h), selected with
// -DCCSEC_TLS_DATA_PATH=gnutls. The contract is the headers'; this file states only what GnuTLS
// does not do by itself and the application therefore enforces:
//   - CRL: GnuTLS accepts when no CRL is loaded or the CRL is past its next update. build()
//     refuses both; every handshake (full or resumed) is refused once the earliest next update
//     of the loaded CRLs has passed ("certificate verify failed: CRL has expired").
//   - Intermediates: GnuTLS takes every certificate of the CA bundle as a trust anchor and never
//     checks an anchor against a CRL, nor fails when the issuer of a certificate has no CRL. When
//     intermediates exist (more than one CA certificate or more than one CRL), verifyPeer() walks
//     the chain itself and checks every certificate below the root against its issuer's CRL
//     ("certificate revoked" / "unable to get certificate CRL").
//   - Usage and name: gnutls_session_set_verify_cert2() installs GnuTLS's own session-level
//     verify function, which replaces (not precedes) a credentials-level one
//     (lib/handshake.c: _gnutls_run_verify_callback calls only one of them). So verifyPeer() is
//     the one verify function and calls gnutls_certificate_verify_peers() with the same typed
//     data set_verify_cert2 would pass (GNUTLS_DT_KEY_PURPOSE_OID: clientAuth on the server,
//     serverAuth on the client), then checks the peer name; the identity is recorded first.
//   - Renegotiation: GnuTLS 3.7 has no switch to refuse it; a GNUTLS_E_REHANDSHAKE from a record
//     read fails the session ("TLS error: renegotiation attempt").
//   - Tickets: GnuTLS sends two TLS 1.3 tickets by default; GNUTLS_NO_AUTO_SEND_TICKET and one
//     gnutls_session_ticket_send() after the handshake make it one.
//   - Verified chains: a Context (either role) remembers the certificate lists it has verified
//     (SHA-256 of the DER list -> identity and the span in which every certificate of the chain
//     and every CA is valid), so a reconnect storm of known clients skips the chain verification
//     (~20 % of a full handshake's CPU). What a remembered verdict depends on is fixed for the
//     Context's life (CA bundle, CRLs, usage) or checked again on every use (time span, CRL
//     currency, allowed names); the peer's CertificateVerify is GnuTLS's and always checked. A
//     reload builds a new Context, so a revocation applies at once. Failures are never remembered.
// session_cache is ignored: GnuTLS resumes from stateless tickets (the peer's certificate comes
// back from the ticket without a signature check), which is what the cache buys on OpenSSL.
// kTLS: Debian's GnuTLS 3.7.9 is built with it, but enables it only from the system-wide config
// (`[global]` `ktls = true` in /etc/gnutls/config or the file GNUTLS_SYSTEM_PRIORITY_FILE names,
// read at library load); config.ktls cannot turn it on per context. ktlsSend/ktlsRecv report what
// the library actually did.

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/socket.h>
#include <gnutls/x509.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/hex.h"
#include "tls/context.h"
#include "tls/session.h"

namespace ccsec::tls {
namespace {

// Owners of GnuTLS objects.
struct CrtDeleter {
  void operator()(gnutls_x509_crt_t c) const { gnutls_x509_crt_deinit(c); }
};
using CrtPtr = std::unique_ptr<std::remove_pointer_t<gnutls_x509_crt_t>, CrtDeleter>;
struct CrlDeleter {
  void operator()(gnutls_x509_crl_t c) const { gnutls_x509_crl_deinit(c); }
};
using CrlPtr = std::unique_ptr<std::remove_pointer_t<gnutls_x509_crl_t>, CrlDeleter>;
struct KeyDeleter {
  void operator()(gnutls_x509_privkey_t k) const { gnutls_x509_privkey_deinit(k); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<gnutls_x509_privkey_t>, KeyDeleter>;

// A file's bytes, freed (and, for keys, zeroed) on scope exit.
struct Datum {
  gnutls_datum_t d{nullptr, 0};
  bool secret = false;
  ~Datum() {
    if (d.data != nullptr) {
      if (secret) gnutls_memset(d.data, 0, d.size);
      gnutls_free(d.data);
    }
  }
};

std::string gnutlsReason(int code) { return gnutls_strerror(code); }

// Every certificate of a PEM file, in file order.
core::Result<std::vector<CrtPtr>> loadCertificates(const std::string& path, const char* what) {
  Datum file;
  if (int r = gnutls_load_file(path.c_str(), &file.d); r < 0)
    return core::makeError(std::string("cannot load ") + what + " " + path, gnutlsReason(r));
  gnutls_x509_crt_t* list = nullptr;
  unsigned int n = 0;
  int r = gnutls_x509_crt_list_import2(&list, &n, &file.d, GNUTLS_X509_FMT_PEM, 0);
  if (r < 0 || n == 0)
    return core::makeError(std::string("cannot load ") + what + " " + path,
                           r < 0 ? gnutlsReason(r) : "no PEM certificate");
  std::vector<CrtPtr> out;
  for (unsigned int i = 0; i < n; ++i) out.emplace_back(list[i]);
  gnutls_free(list);
  return out;
}

std::string rawIssuer(gnutls_x509_crt_t c) {
  gnutls_datum_t dn{};
  if (gnutls_x509_crt_get_raw_issuer_dn(c, &dn) < 0) return {};
  std::string s(reinterpret_cast<const char*>(dn.data), dn.size);
  gnutls_free(dn.data);
  return s;
}

std::string rawIssuer(gnutls_x509_crl_t c) {
  gnutls_datum_t dn{};
  if (gnutls_x509_crl_get_raw_issuer_dn(c, &dn) < 0) return {};
  std::string s(reinterpret_cast<const char*>(dn.data), dn.size);
  gnutls_free(dn.data);
  return s;
}

bool selfIssued(gnutls_x509_crt_t c) { return gnutls_x509_crt_check_issuer(c, c) != 0; }

// The identity in the formats of core::describeCertificate (OpenSSL side): CN, SAN dNSNames,
// serial in upper-case hex without leading zero bytes, "sha256:<lower hex>" of the DER.
PeerIdentity identityOf(gnutls_x509_crt_t c, const gnutls_datum_t& der) {
  PeerIdentity p;
  char buf[256];
  size_t size = sizeof buf;
  if (gnutls_x509_crt_get_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) >= 0)
    p.common_name.assign(buf, size);
  for (unsigned int i = 0;; ++i) {
    size = sizeof buf;
    int type = gnutls_x509_crt_get_subject_alt_name(c, i, buf, &size, nullptr);
    if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
    if (type == GNUTLS_SAN_DNSNAME) p.dns_names.emplace_back(buf, size);
    if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER) break;
  }
  std::array<unsigned char, 64> serial{};
  size = serial.size();
  if (gnutls_x509_crt_get_serial(c, serial.data(), &size) >= 0) {
    std::size_t start = 0;
    while (start + 1 < size && serial[start] == 0) ++start;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (std::size_t i = start; i < size; ++i) {
      p.serial_hex += kHex[serial[i] >> 4];
      p.serial_hex += kHex[serial[i] & 15];
    }
  }
  std::array<unsigned char, 32> md{};
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, md.data()) >= 0)
    p.fingerprint_sha256 = "sha256:" + core::hexLower(md);
  return p;
}

// The one-line reason of a GnuTLS verification status (the contract's vocabulary), in the
// order OpenSSL would find them.
std::string statusReason(unsigned int status) {
  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
    return "unable to get local issuer certificate";
  if (status & GNUTLS_CERT_SIGNATURE_FAILURE) return "certificate signature failure";
  if (status & GNUTLS_CERT_REVOKED) return "certificate revoked";
  if (status & GNUTLS_CERT_EXPIRED) return "certificate has expired";
  if (status & GNUTLS_CERT_NOT_ACTIVATED) return "certificate is not yet valid";
  if (status & GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED) return "CRL has expired";
  if (status & GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE) return "CRL is not yet valid";
  if (status & GNUTLS_CERT_PURPOSE_MISMATCH) return "unsupported certificate purpose";
  return "invalid certificate";
}

// GnuTLS priority string equivalent to tls/policy.h's OpenSSL lists: TLS 1.3 suites, and for
// TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305; legacy 1.0/1.1 add ECDHE CBC-SHA1.
// GnuTLS has no TLS compression; %SAFE_RENEGOTIATION requires RFC 5746 of every peer. Groups in
// OpenSSL's default order: X25519 first (GnuTLS's GROUP-ALL puts P-256 first, which on a server
// that picks by its own precedence costs nettle's slower P-256 on every handshake).
std::string priorityString(const Policy& p) {
  std::string s =
      "NONE:+CTYPE-X509:+SIGN-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-X448:+GROUP-SECP521R1:"
      "+GROUP-SECP384R1:+COMP-NULL:+ECDHE-ECDSA:+ECDHE-RSA:"
      "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD";
  s += ":+VERS-TLS1.3";
  if (p.min_version <= Version::kTls12) s += ":+VERS-TLS1.2";
  if (p.legacy_tls && p.min_version < Version::kTls12) {
    s += ":+VERS-TLS1.1";
    if (p.min_version == Version::kTls10) s += ":+VERS-TLS1.0";
    s += ":+AES-128-CBC:+AES-256-CBC:+SHA1";
  }
  return s + ":%SAFE_RENEGOTIATION:%SERVER_PRECEDENCE";
}

int verifyPeer(gnutls_session_t s);

}  // namespace

// Chains a server verified (see the header): bounded, the oldest forgotten first; thread-safe
// (a Context serves every worker).
class VerifiedChains {
 public:
  struct Verdict {
    PeerIdentity peer;
    std::time_t not_before = 0;  // latest activation of the chain's certificates and the CAs
    std::time_t not_after = 0;   // earliest expiration of the same
  };
  static constexpr std::size_t kCapacity = 16384;

  /// SHA-256 over the length-prefixed DER of every certificate the peer sent.
  static std::string keyOf(const gnutls_datum_t* certs, unsigned int n) {
    gnutls_hash_hd_t h = nullptr;
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) return {};
    for (unsigned int i = 0; i < n; ++i) {
      const std::array<unsigned char, 4> len{static_cast<unsigned char>(certs[i].size >> 24),
                                             static_cast<unsigned char>(certs[i].size >> 16),
                                             static_cast<unsigned char>(certs[i].size >> 8),
                                             static_cast<unsigned char>(certs[i].size)};
      gnutls_hash(h, len.data(), len.size());
      gnutls_hash(h, certs[i].data, certs[i].size);
    }
    std::string key(32, '\0');
    gnutls_hash_deinit(h, key.data());
    return key;
  }

  std::optional<Verdict> find(const std::string& key) const {
    if (key.empty()) return std::nullopt;
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  void add(const std::string& key, Verdict v) {
    if (key.empty()) return;
    std::lock_guard lock(mu_);
    if (!map_.emplace(key, std::move(v)).second) return;
    order_.push_back(key);
    if (order_.size() > kCapacity) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Verdict> map_;
  std::deque<std::string> order_;
};

struct Context::Impl {
  gnutls_certificate_credentials_t cred = nullptr;
  gnutls_priority_t priority = nullptr;
  gnutls_datum_t ticket_key{nullptr, 0};  // server: this Context's TLS 1.3 ticket key
  std::vector<CrtPtr> cas;                // the CA bundle (chain walk with intermediates)
  std::vector<CrlPtr> crls;
  std::vector<std::string> crl_issuers;  // raw DER issuer name of crls[i]
  bool check_all = false;                // intermediates: every certificate against its CRL
  std::time_t crl_this_update = 0;       // latest thisUpdate of the loaded CRLs
  std::time_t crl_next_update = 0;       // earliest nextUpdate of the loaded CRLs
  std::time_t cas_not_before = 0;        // latest activation of the CA bundle's certificates
  std::time_t cas_not_after = 0;         // earliest expiration of the same
  mutable VerifiedChains verified;       // chains verified under this Context (either role)
  gnutls_typed_vdata_st purpose{};       // the usage a peer must carry
  std::vector<std::string> allowed;
  // Client role: the last session, offered on the next connect.
  mutable std::mutex session_mu;
  mutable gnutls_datum_t session_data{nullptr, 0};

  ~Impl() {
    if (priority != nullptr) gnutls_priority_deinit(priority);
    if (cred != nullptr) gnutls_certificate_free_credentials(cred);
    if (ticket_key.data != nullptr) {
      gnutls_memset(ticket_key.data, 0, ticket_key.size);
      gnutls_free(ticket_key.data);
    }
    if (session_data.data != nullptr) {
      gnutls_memset(session_data.data, 0, session_data.size);
      gnutls_free(session_data.data);
    }
  }

  void rememberSession(gnutls_session_t s) const {
    gnutls_datum_t d{nullptr, 0};
    if (gnutls_session_get_data2(s, &d) < 0) return;
    std::lock_guard lock(session_mu);
    if (session_data.data != nullptr) {
      gnutls_memset(session_data.data, 0, session_data.size);
      gnutls_free(session_data.data);
    }
    session_data = d;
  }
};

struct Session::Impl {
  gnutls_session_t s = nullptr;
  std::shared_ptr<const Context> ctx;
  int fd = -1;
  PeerIdentity peer;
  std::string reason;  // the last failure (vocabulary of tls/session.h)
  // Server role until classified: the first bytes the peer sent (MSG_PEEK), to name non-TLS input.
  std::array<std::uint8_t, 5> first{};
  std::uint8_t first_len = 0;
  bool established = false;
  bool ticket_sent = false;    // server: the one TLS 1.3 ticket went out
  bool session_saved = false;  // client: the ticket's session was remembered
  bool verify_failed = false;  // reason set by verifyPeer

  ~Impl() {
    if (s != nullptr) gnutls_deinit(s);
  }

  bool failVerify(std::string r) {
    reason = std::move(r);
    verify_failed = true;
    return false;
  }

  // Every certificate below the root against its issuer's CRL (with intermediates).
  bool checkChainCrls(const gnutls_datum_t* certs, unsigned int n) {
    const Context::Impl& ci = ctx->impl();
    std::vector<CrtPtr> sent;
    for (unsigned int i = 0; i < n; ++i) {
      gnutls_x509_crt_t c = nullptr;
      if (gnutls_x509_crt_init(&c) < 0)
        return failVerify("certificate verify failed: invalid certificate");
      sent.emplace_back(c);
      if (gnutls_x509_crt_import(c, &certs[i], GNUTLS_X509_FMT_DER) < 0)
        return failVerify("certificate verify failed: invalid certificate");
    }
    gnutls_x509_crt_t cur = sent[0].get();
    for (int depth = 0; depth < 8 && !selfIssued(cur); ++depth) {
      const std::string issuer = rawIssuer(cur);
      bool have_crl = false;
      for (std::size_t i = 0; i < ci.crls.size(); ++i) {
        if (ci.crl_issuers[i] != issuer) continue;
        have_crl = true;
        gnutls_x509_crl_t crl = ci.crls[i].get();
        if (gnutls_x509_crt_check_revocation(cur, &crl, 1) != 0)
          return failVerify("certificate verify failed: certificate revoked");
      }
      if (!have_crl) return failVerify("certificate verify failed: unable to get certificate CRL");
      gnutls_x509_crt_t next = nullptr;
      for (std::size_t i = 1; i < sent.size() && next == nullptr; ++i)
        if (sent[i].get() != cur && gnutls_x509_crt_check_issuer(cur, sent[i].get()) != 0)
          next = sent[i].get();
      for (std::size_t i = 0; i < ci.cas.size() && next == nullptr; ++i)
        if (gnutls_x509_crt_check_issuer(cur, ci.cas[i].get()) != 0) next = ci.cas[i].get();
      if (next == nullptr) break;  // GnuTLS verified the chain: `cur` is signed by an anchor
      cur = next;
    }
    return true;
  }

  bool crlCurrent() {
    const Context::Impl& ci = ctx->impl();
    const std::time_t now = std::time(nullptr);
    if (now >= ci.crl_next_update) return failVerify("certificate verify failed: CRL has expired");
    if (now < ci.crl_this_update)
      return failVerify("certificate verify failed: CRL is not yet valid");
    return true;
  }

  // The verification of tls/context.h, inside the handshake.
  bool verify() {
    unsigned int n = 0;
    const gnutls_datum_t* certs = gnutls_certificate_get_peers(s, &n);
    if (certs == nullptr || n == 0) return failVerify("peer did not return a certificate");
    const Context::Impl& ci = ctx->impl();
    const std::string key = VerifiedChains::keyOf(certs, n);
    if (auto v = ci.verified.find(key)) {
      const std::time_t now = std::time(nullptr);
      if (now >= v->not_before && now < v->not_after) {  // else: verified again, to say why
        peer = std::move(v->peer);
        if (!crlCurrent()) return false;
        if (!peerNameAllowed(peer, ci.allowed)) return failVerify("peer name not allowed");
        return true;
      }
    }
    {
      gnutls_x509_crt_t leaf = nullptr;
      if (gnutls_x509_crt_init(&leaf) < 0)
        return failVerify("certificate verify failed: invalid certificate");
      CrtPtr owner(leaf);
      if (gnutls_x509_crt_import(leaf, &certs[0], GNUTLS_X509_FMT_DER) < 0)
        return failVerify("certificate verify failed: invalid certificate");
      peer = identityOf(leaf, certs[0]);
    }
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers(s, const_cast<gnutls_typed_vdata_st*>(&ci.purpose), 1,
                                        &status) < 0)
      return failVerify("certificate verify failed: invalid certificate");
    if (status != 0) return failVerify("certificate verify failed: " + statusReason(status));
    if (!crlCurrent()) return false;
    if (ci.check_all && !checkChainCrls(certs, n)) return false;
    if (!peerNameAllowed(peer, ci.allowed)) return failVerify("peer name not allowed");
    remember(key, certs, n);
    return true;
  }

  // A chain that passed every check above: its verdict, valid while all its certificates are.
  void remember(const std::string& key, const gnutls_datum_t* certs, unsigned int n) {
    const Context::Impl& ci = ctx->impl();
    VerifiedChains::Verdict v{peer, ci.cas_not_before, ci.cas_not_after};
    for (unsigned int i = 0; i < n; ++i) {
      gnutls_x509_crt_t c = nullptr;
      if (gnutls_x509_crt_init(&c) < 0) return;
      CrtPtr owner(c);
      if (gnutls_x509_crt_import(c, &certs[i], GNUTLS_X509_FMT_DER) < 0) return;
      v.not_before = std::max(v.not_before, gnutls_x509_crt_get_activation_time(c));
      v.not_after = std::min(v.not_after, gnutls_x509_crt_get_expiration_time(c));
    }
    ci.verified.add(key, std::move(v));
  }

  // Server: peeks at the first bytes until five are known (classifies non-TLS input).
  void peekFirst() {
    if (first_len >= first.size()) return;
    ssize_t r = ::recv(fd, first.data(), first.size(), MSG_PEEK | MSG_DONTWAIT);
    if (r > 0) first_len = static_cast<std::uint8_t>(r);
  }

  // Non-TLS bytes named from the first bytes seen; empty when they look like TLS.
  std::string nonTlsReason() const {
    if (first_len == 0) return {};
    const auto* b = first.data();
    auto starts = [&](const char* m) { return first_len >= 4 && std::memcmp(b, m, 4) == 0; };
    if (starts("GET ") || starts("POST") || starts("HEAD") || starts("PUT ") || starts("OPTI") ||
        starts("DELE") || starts("CONN") || starts("PATC"))
      return "http request";
    if (b[0] & 0x80) return "unsupported protocol";  // an SSL 2 ClientHello
    if (b[0] < 20 || b[0] > 23) return "not a TLS handshake";
    if (first_len >= 3 && b[1] != 3) return "wrong version number";
    if (first_len >= 3 && b[1] == 3 && b[2] == 0) return "unsupported protocol";  // SSL 3
    return {};
  }

  std::string handshakeReason(int code) const {
    if (verify_failed) return reason;
    if (std::string r = nonTlsReason(); !r.empty()) return r;
    switch (code) {
      case GNUTLS_E_NO_CERTIFICATE_FOUND:
      case GNUTLS_E_CERTIFICATE_REQUIRED:
        return "peer did not return a certificate";
      case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
        return "unsupported protocol";
      case GNUTLS_E_NO_CIPHER_SUITES:
      case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
      case GNUTLS_E_INSUFFICIENT_CREDENTIALS:
      case GNUTLS_E_NO_COMMON_KEY_SHARE:
        return "no shared cipher";
      case GNUTLS_E_PREMATURE_TERMINATION:
      case GNUTLS_E_PUSH_ERROR:
      case GNUTLS_E_PULL_ERROR:
        return "connection closed by peer during handshake";
      case GNUTLS_E_FATAL_ALERT_RECEIVED: {
        const char* alert = gnutls_alert_get_name(gnutls_alert_get(s));
        return std::string("handshake failed: ") + (alert != nullptr ? alert : "fatal alert");
      }
      default:
        return "handshake failed: " + gnutlsReason(code);
    }
  }

  std::string sessionReason(int code) const {
    switch (code) {
      case GNUTLS_E_REHANDSHAKE:
        return "TLS error: renegotiation attempt";
      case GNUTLS_E_DECRYPTION_FAILED:
        return "TLS error: decryption failed or bad record mac";
      case GNUTLS_E_RECORD_OVERFLOW:
      case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
        return "TLS error: record overflow";
      case GNUTLS_E_UNEXPECTED_PACKET:
      case GNUTLS_E_UNEXPECTED_HANDSHAKE_PACKET:
        return "TLS error: unexpected message";
      case GNUTLS_E_FATAL_ALERT_RECEIVED: {
        const char* alert = gnutls_alert_get_name(gnutls_alert_get(s));
        return std::string("TLS error: ") + (alert != nullptr ? alert : "fatal alert");
      }
      default:
        return "TLS error: " + gnutlsReason(code);
    }
  }

  Io wantOf() const { return gnutls_record_get_direction(s) == 1 ? Io::kWantWrite : Io::kWantRead; }

  // After the handshake (and on every read): the server's one ticket, the client's memory.
  void afterHandshakeIo() {
    if (ctx->role() == Role::kClient) {
      if (!session_saved && (gnutls_session_get_flags(s) & GNUTLS_SFLAGS_SESSION_TICKET) != 0) {
        ctx->impl().rememberSession(s);
        session_saved = true;
      }
    }
  }
};

namespace {

int verifyPeer(gnutls_session_t s) {
  auto* si = static_cast<Session::Impl*>(gnutls_session_get_ptr(s));
  if (si == nullptr) return -1;
  return si->verify() ? 0 : -1;
}

// The chain sent to peers: the certificates of cert_file, completed from the CA bundle up to
// the root (what OpenSSL's auto-chain sends), built once.
std::vector<gnutls_x509_crt_t> completeChain(const std::vector<CrtPtr>& own,
                                             const std::vector<CrtPtr>& cas) {
  std::vector<gnutls_x509_crt_t> chain;
  for (const auto& c : own) chain.push_back(c.get());
  for (int depth = 0; depth < 8 && !selfIssued(chain.back()); ++depth) {
    gnutls_x509_crt_t next = nullptr;
    for (const auto& ca : cas)
      if (gnutls_x509_crt_check_issuer(chain.back(), ca.get()) != 0) next = ca.get();
    if (next == nullptr) break;
    bool present = false;
    for (auto* c : chain) present = present || gnutls_x509_crt_equals(c, next) != 0;
    if (present) break;
    chain.push_back(next);
  }
  return chain;
}

}  // namespace

std::string libraryVersion() { return std::string("GnuTLS ") + gnutls_check_version(nullptr); }

Context::Context() = default;
Context::~Context() = default;

core::Result<std::shared_ptr<Context>> Context::build(const ContextConfig& c) {
  if (auto v = validateContextConfig(c); !v) return v.error();
  std::shared_ptr<Context> self(new Context());
  self->config_ = c;
  self->impl_ = std::make_unique<Impl>();
  Impl& im = *self->impl_;
  im.allowed = c.allowed_peers;

  if (int r = gnutls_certificate_allocate_credentials(&im.cred); r < 0)
    return core::runtimeError("gnutls_certificate_allocate_credentials failed", gnutlsReason(r));
  const char* err_pos = nullptr;
  const std::string prio = priorityString(c.policy);
  if (int r = gnutls_priority_init2(&im.priority, prio.c_str(), &err_pos, 0); r < 0)
    return core::makeError("cannot apply TLS policy", gnutlsReason(r));

  // Own certificate (chain allowed) and key.
  auto own = loadCertificates(c.cert_file, "certificate");
  if (!own) return own.error();
  if (!c.allow_insecure_key_permissions)
    if (auto r = checkKeyFileMode(c.key_file); !r) return r.error();
  KeyPtr key;
  {
    Datum file;
    file.secret = true;
    gnutls_x509_privkey_t k = nullptr;
    if (int r = gnutls_load_file(c.key_file.c_str(), &file.d); r < 0)
      return core::makeError("cannot load private key " + c.key_file, gnutlsReason(r));
    if (int r = gnutls_x509_privkey_init(&k); r < 0)
      return core::runtimeError("cannot load private key " + c.key_file, gnutlsReason(r));
    key.reset(k);
    if (int r = gnutls_x509_privkey_import2(k, &file.d, GNUTLS_X509_FMT_PEM, nullptr, 0); r < 0)
      return core::makeError("cannot load private key " + c.key_file, gnutlsReason(r));
  }

  // CA bundle and CRLs.
  auto cas = loadCertificates(c.ca_file, "CA file");
  if (!cas) return cas.error();
  im.cas = std::move(*cas);
  {
    Datum file;
    if (int r = gnutls_load_file(c.crl_file.c_str(), &file.d); r < 0)
      return core::makeError("cannot open CRL file " + c.crl_file, gnutlsReason(r));
    gnutls_x509_crl_t* list = nullptr;
    unsigned int n = 0;
    int r = gnutls_x509_crl_list_import2(&list, &n, &file.d, GNUTLS_X509_FMT_PEM, 0);
    if (r < 0 || n == 0) return core::makeError("no PEM CRL in " + c.crl_file);
    for (unsigned int i = 0; i < n; ++i) im.crls.emplace_back(list[i]);
    gnutls_free(list);
  }
  std::vector<gnutls_x509_crt_t> ca_list;
  for (const auto& ca : im.cas) ca_list.push_back(ca.get());
  const std::time_t now = std::time(nullptr);
  im.crl_next_update = std::numeric_limits<std::time_t>::max();
  for (const auto& crl : im.crls) {
    unsigned int status = 0;
    if (gnutls_x509_crl_verify(crl.get(), ca_list.data(), static_cast<unsigned>(ca_list.size()), 0,
                               &status) < 0 ||
        status != 0)
      return core::makeError("a CRL in " + c.crl_file + " is not signed by a CA of " + c.ca_file);
    const std::time_t next = gnutls_x509_crl_get_next_update(crl.get());
    const std::time_t issued = gnutls_x509_crl_get_this_update(crl.get());
    if (next == static_cast<std::time_t>(-1))
      return core::makeError("a CRL in " + c.crl_file + " has no next update");
    if (next <= now)
      return core::makeError("the CRL in " + c.crl_file + " has expired (next update passed)");
    if (issued > now) return core::makeError("the CRL in " + c.crl_file + " is not yet valid");
    im.crl_next_update = std::min(im.crl_next_update, next);
    im.crl_this_update = std::max(im.crl_this_update, issued);
    im.crl_issuers.push_back(rawIssuer(crl.get()));
  }
  im.check_all = im.cas.size() > 1 || im.crls.size() > 1;
  im.cas_not_after = std::numeric_limits<std::time_t>::max();
  for (const auto& ca : im.cas) {
    im.cas_not_before = std::max(im.cas_not_before, gnutls_x509_crt_get_activation_time(ca.get()));
    im.cas_not_after = std::min(im.cas_not_after, gnutls_x509_crt_get_expiration_time(ca.get()));
  }

  // Our own certificate must chain to the configured CA (time and CRL not checked: an expired or
  // revoked own certificate is the peers' to refuse).
  std::vector<gnutls_x509_crt_t> chain = completeChain(*own, im.cas);
  {
    unsigned int status = 0;
    int r = gnutls_x509_crt_list_verify(
        chain.data(), static_cast<unsigned>(chain.size()), ca_list.data(),
        static_cast<unsigned>(ca_list.size()), nullptr, 0,
        GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
            GNUTLS_VERIFY_DISABLE_CRL_CHECKS | GNUTLS_VERIFY_ALLOW_UNSORTED_CHAIN,
        &status);
    if (r < 0 || status != 0)
      return core::makeError("certificate " + c.cert_file + " does not chain to the CA in " +
                             c.ca_file + ": " + (r < 0 ? gnutlsReason(r) : statusReason(status)));
  }
  if (int r = gnutls_certificate_set_x509_key(im.cred, chain.data(), static_cast<int>(chain.size()),
                                              key.get());
      r < 0) {
    if (r == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
      return core::makeError("private key " + c.key_file + " does not match certificate " +
                             c.cert_file);
    return core::makeError("cannot use certificate " + c.cert_file + " with key " + c.key_file,
                           gnutlsReason(r));
  }
  key.reset();
  {
    std::array<unsigned char, 32> md{};
    size_t size = md.size();
    if (gnutls_x509_crt_get_fingerprint(chain[0], GNUTLS_DIG_SHA256, md.data(), &size) >= 0)
      self->own_fingerprint_ = "sha256:" + core::hexLower({md.data(), size});
  }
  if (int r = gnutls_certificate_set_x509_trust(im.cred, ca_list.data(),
                                                static_cast<int>(ca_list.size()));
      r < 0)
    return core::makeError("cannot load CA file " + c.ca_file, gnutlsReason(r));
  std::vector<gnutls_x509_crl_t> crl_list;
  for (const auto& crl : im.crls) crl_list.push_back(crl.get());
  if (int r = gnutls_certificate_set_x509_crl(im.cred, crl_list.data(),
                                              static_cast<int>(crl_list.size()));
      r < 0)
    return core::makeError("cannot add CRL from " + c.crl_file, gnutlsReason(r));
  gnutls_certificate_set_verify_limits(im.cred, 16384, 5);
  gnutls_certificate_set_verify_function(im.cred, verifyPeer);

  im.purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
  im.purpose.data = reinterpret_cast<unsigned char*>(const_cast<char*>(
      c.role == Role::kServer ? GNUTLS_KP_TLS_WWW_CLIENT : GNUTLS_KP_TLS_WWW_SERVER));
  im.purpose.size = 0;

  if (c.role == Role::kServer) {
    if (int r = gnutls_session_ticket_key_generate(&im.ticket_key); r < 0)
      return core::runtimeError("cannot generate the session ticket key", gnutlsReason(r));
  }
  return self;
}

core::Result<std::unique_ptr<Session>> Context::newSession(int fd) const {
  auto impl = std::make_unique<Session::Impl>();
  const bool server = config_.role == Role::kServer;
  unsigned int flags =
      (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL;
  // Server: one ticket, sent by handshake(). Client: our one certificate is sent even when the
  // server's CertificateRequest names other CAs (as OpenSSL does), so the server refuses it with
  // its reason instead of seeing no certificate.
  flags |= server ? GNUTLS_NO_AUTO_SEND_TICKET : GNUTLS_FORCE_CLIENT_CERT;
  if (int r = gnutls_init(&impl->s, flags); r < 0)
    return core::runtimeError("gnutls_init failed", gnutlsReason(r));
  gnutls_session_t s = impl->s;
  impl->ctx = shared_from_this();
  impl->fd = fd;
  gnutls_session_set_ptr(s, impl.get());
  if (int r = gnutls_priority_set(s, impl_->priority); r < 0)
    return core::runtimeError("gnutls_priority_set failed", gnutlsReason(r));
  if (int r = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, impl_->cred); r < 0)
    return core::runtimeError("gnutls_credentials_set failed", gnutlsReason(r));
  gnutls_transport_set_int(s, fd);
  gnutls_db_set_cache_expiration(s, static_cast<int>(config_.session_lifetime_s));
  if (server) {
    gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
    if (int r = gnutls_session_ticket_enable_server(s, &impl_->ticket_key); r < 0)
      return core::runtimeError("gnutls_session_ticket_enable_server failed", gnutlsReason(r));
  } else {
    std::lock_guard lock(impl_->session_mu);
    if (impl_->session_data.data != nullptr)
      gnutls_session_set_data(s, impl_->session_data.data, impl_->session_data.size);
  }
  return std::make_unique<Session>(std::move(impl));
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Io Session::handshake() {
  Impl& im = *impl_;
  if (im.established) return Io::kOk;
  if (im.ctx->role() == Role::kServer) im.peekFirst();
  int r = gnutls_handshake(im.s);
  if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return im.wantOf();
  if (r < 0 && gnutls_error_is_fatal(r) == 0 && r != GNUTLS_E_PREMATURE_TERMINATION)
    return im.wantOf();  // a warning alert: go on
  if (r < 0) {
    im.reason = im.handshakeReason(r);
    return Io::kFailed;
  }
  // A resumed handshake runs no certificate verification: the identity comes from the ticket,
  // and the CRL must still be current.
  if (gnutls_session_is_resumed(im.s) != 0) {
    if (im.peer.empty()) {
      unsigned int n = 0;
      const gnutls_datum_t* certs = gnutls_certificate_get_peers(im.s, &n);
      gnutls_x509_crt_t leaf = nullptr;
      if (certs != nullptr && n > 0) {
        if (auto v = im.ctx->impl().verified.find(VerifiedChains::keyOf(certs, n)))
          im.peer = std::move(v->peer);  // the chain this Context verified when the ticket was made
      }
      if (im.peer.empty() && certs != nullptr && n > 0 && gnutls_x509_crt_init(&leaf) >= 0) {
        CrtPtr owner(leaf);
        if (gnutls_x509_crt_import(leaf, &certs[0], GNUTLS_X509_FMT_DER) >= 0)
          im.peer = identityOf(leaf, certs[0]);
      }
    }
    if (!im.crlCurrent()) return Io::kFailed;
    if (im.peer.empty() || !peerNameAllowed(im.peer, im.ctx->impl().allowed)) {
      im.reason = im.peer.empty() ? "peer did not return a certificate" : "peer name not allowed";
      return Io::kFailed;
    }
  }
  im.established = true;
  if (im.ctx->role() == Role::kServer && !im.ticket_sent &&
      gnutls_protocol_get_version(im.s) == GNUTLS_TLS1_3) {
    im.ticket_sent = true;
    // One ticket per handshake; a send that would block is completed by the next write/read
    // (GnuTLS keeps the record queued).
    (void)gnutls_session_ticket_send(im.s, 1, 0);
  }
  return Io::kOk;
}

IoResult Session::read(std::uint8_t* buf, std::size_t cap) {
  Impl& im = *impl_;
  ssize_t r = 0;
  // GnuTLS returns GNUTLS_E_AGAIN after handling a TLS 1.3 post-handshake message (a ticket, a
  // key update) even when records follow: go on reading until the socket itself says EAGAIN.
  for (int handled = 0;; ++handled) {
    errno = 0;
    r = gnutls_record_recv(im.s, buf, cap);
    if (im.ctx->role() == Role::kClient) im.afterHandshakeIo();
    if (r != GNUTLS_E_AGAIN || errno == EAGAIN || errno == EWOULDBLOCK || handled == 8) break;
  }
  if (r > 0) return {Io::kOk, static_cast<std::size_t>(r)};
  if (r == 0) return {Io::kClosed, 0};
  if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return {im.wantOf(), 0};
  if (r == GNUTLS_E_PREMATURE_TERMINATION || r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR)
    return {Io::kLost, 0};
  if (r == GNUTLS_E_REHANDSHAKE) {
    // Refused: tell the peer, then fail the session.
    gnutls_alert_send(im.s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
    im.reason = im.sessionReason(static_cast<int>(r));
    return {Io::kFailed, 0};
  }
  if (gnutls_error_is_fatal(static_cast<int>(r)) == 0) return {Io::kWantRead, 0};
  im.reason = im.sessionReason(static_cast<int>(r));
  return {Io::kFailed, 0};
}

bool Session::hasPending() const { return gnutls_record_check_pending(impl_->s) > 0; }

IoResult Session::write(const std::uint8_t* buf, std::size_t len) {
  Impl& im = *impl_;
  ssize_t r = gnutls_record_send(im.s, buf, len);
  if (r > 0) return {Io::kOk, static_cast<std::size_t>(r)};
  if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return {im.wantOf(), 0};
  if (r == 0 || r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PREMATURE_TERMINATION)
    return {Io::kLost, 0};
  im.reason = im.sessionReason(static_cast<int>(r));
  return {Io::kFailed, 0};
}

void Session::close() {
  Impl& im = *impl_;
  if (im.established && im.ctx->role() == Role::kClient) im.afterHandshakeIo();
  if (im.established) (void)gnutls_bye(im.s, GNUTLS_SHUT_WR);  // non-blocking: best effort
}

const PeerIdentity& Session::peer() const { return impl_->peer; }
const std::string& Session::failureReason() const { return impl_->reason; }
bool Session::resumed() const {
  return impl_->established && gnutls_session_is_resumed(impl_->s) != 0;
}

std::string Session::describe() const {
  if (!impl_->established) return {};
  std::string version;
  switch (gnutls_protocol_get_version(impl_->s)) {
    case GNUTLS_TLS1_3:
      version = "TLSv1.3";
      break;
    case GNUTLS_TLS1_2:
      version = "TLSv1.2";
      break;
    case GNUTLS_TLS1_1:
      version = "TLSv1.1";
      break;
    case GNUTLS_TLS1_0:
      version = "TLSv1";
      break;
    default:
      version = "unknown";
  }
  const char* suite = gnutls_ciphersuite_get(impl_->s);
  return version + " " + (suite != nullptr ? suite : "unknown");
}

bool Session::ktlsSend() const {
  return (gnutls_transport_is_ktls_enabled(impl_->s) & GNUTLS_KTLS_SEND) != 0;
}
bool Session::ktlsRecv() const {
  return (gnutls_transport_is_ktls_enabled(impl_->s) & GNUTLS_KTLS_RECV) != 0;
}

}  // namespace ccsec::tls
