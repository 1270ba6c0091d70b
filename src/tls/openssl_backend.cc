// The OpenSSL 3 backend of the TLS seam (tls/context.h, tls/session.h).
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <mutex>

#include "core/handles.h"
#include "core/x509_info.h"
#include "tls/context.h"
#include "tls/session.h"

namespace ccsec::tls {

/// Per-connection verification record attached to the SSL*; filled during certificate
/// verification so that it is known even when the handshake fails.
struct HandshakeInfo {
  PeerIdentity peer;
  int verify_error = 0;        // first X509_V_ERR_* seen, 0 if none
  bool name_rejected = false;  // chain was fine but the name is not in allowed_peers
  /// Server: the peer asked to renegotiate after the handshake (TLS 1.2 ClientHello). OpenSSL
  /// refuses it (SSL_OP_NO_RENEGOTIATION) with a warning alert and would carry on; the session
  /// reports kFailed instead.
  bool renegotiation_attempt = false;
};

struct Context::Impl {
  core::SslCtxPtr ctx;
  mutable std::mutex session_mu;
  mutable core::SslSessionPtr session;  // client role: the newest session, offered next
  void remember(SSL_SESSION* s) const {
    std::lock_guard lock(session_mu);
    session.reset(s);
  }
};

struct Session::Impl {
  std::shared_ptr<const Context> ctx;
  core::SslPtr ssl;
  HandshakeInfo info;
  std::string reason;
};

namespace {

PeerIdentity identityOf(X509* cert) {
  core::CertificateInfo ci = core::describeCertificate(cert);
  PeerIdentity peer;
  peer.common_name = std::move(ci.common_name);
  peer.dns_names = std::move(ci.dns_names);
  peer.fingerprint_sha256 = std::move(ci.fingerprint_sha256);
  peer.serial_hex = std::move(ci.serial_hex);
  return peer;
}

// SSL_get_error() needs an empty error queue before each TLS call. Every failure path clears
// it, so it is almost always empty already: peeking is cheaper than clearing 16 slots per record.
void clearErrorQueue() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

int ctxIndex() {
  static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}
int sslIndex() {
  static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return idx;
}

int verifyCallback(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return preverify_ok;
  auto* info = static_cast<HandshakeInfo*>(SSL_get_ex_data(ssl, sslIndex()));
  const auto* ctx =
      static_cast<const Context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctxIndex()));
  const int depth = X509_STORE_CTX_get_error_depth(store);
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  // The peer's identity is recorded at the first call, whatever its depth: with
  // X509_V_FLAG_CRL_CHECK_ALL a revoked intermediate fails at depth 1 before the leaf is seen.
  if (info != nullptr && info->peer.empty()) {
    if (X509* leaf = X509_STORE_CTX_get0_cert(store); leaf != nullptr)
      info->peer = identityOf(leaf);
  }
  if (!preverify_ok) {
    if (info != nullptr && info->verify_error == 0)
      info->verify_error = X509_STORE_CTX_get_error(store);
    return 0;
  }
  if (depth == 0 && ctx != nullptr && cert != nullptr &&
      !peerNameAllowed(info != nullptr ? info->peer : identityOf(cert),
                       ctx->config().allowed_peers)) {
    if (info != nullptr) info->name_rejected = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
    return 0;
  }
  return 1;
}

// Server role: notices the no_renegotiation alert OpenSSL sends when a peer tries to renegotiate
// an established session (only alerts and handshake states reach this callback, not records).
void infoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_WRITE_ALERT) == 0 || (ret & 0xff) != SSL_AD_NO_RENEGOTIATION) return;
  auto* info = static_cast<HandshakeInfo*>(SSL_get_ex_data(ssl, sslIndex()));
  if (info != nullptr) info->renegotiation_attempt = true;
}

int newSessionCallback(SSL* ssl, SSL_SESSION* session) {
  const auto* ctx =
      static_cast<const Context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctxIndex()));
  if (ctx == nullptr) return 0;
  ctx->impl().remember(session);
  return 1;  // we keep the reference
}

core::Result<void> loadCa(SSL_CTX* ctx, const ContextConfig& c) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (X509_STORE_load_file(store, c.ca_file.c_str()) != 1)
    return core::makeError("cannot load CA file " + c.ca_file, core::opensslError());
  core::FilePtr f(std::fopen(c.crl_file.c_str(), "r"));
  if (!f) return core::makeError("cannot open CRL file " + c.crl_file);
  int count = 0;
  for (;;) {
    core::X509CrlPtr crl(PEM_read_X509_CRL(f.get(), nullptr, nullptr, nullptr));
    if (!crl) break;
    if (X509_STORE_add_crl(store, crl.get()) != 1)
      return core::makeError("cannot add CRL from " + c.crl_file, core::opensslError());
    ++count;
  }
  ERR_clear_error();
  if (count == 0) return core::makeError("no PEM CRL in " + c.crl_file);
  // Intermediates exist when the bundle holds more than the root or CRLs of several issuers are
  // loaded: then every certificate of a chain is checked against its issuer's CRL (a revoked
  // intermediate is refused; a chain through a CA without a loaded CRL fails closed with "unable
  // to get certificate CRL"). With a lone root only the leaf is checked, as the root's own entry
  // would cost a second CRL signature check per handshake for nothing.
  int cas = 0;
  if (STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(store); objs != nullptr)
    for (int i = 0; i < sk_X509_OBJECT_num(objs); ++i)
      if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i)) == X509_LU_X509) ++cas;
  X509_STORE_set_flags(
      store, X509_V_FLAG_CRL_CHECK | (cas > 1 || count > 1 ? X509_V_FLAG_CRL_CHECK_ALL : 0));
  // The CA list sent in CertificateRequest lets clients pick the right certificate.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.ca_file.c_str());
  if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
  return {};
}

// Our own certificate must chain to the configured CA: a reload with a certificate from another
// CA is refused instead of serving it. Only the chain is checked (not time or CRL: an expired or
// revoked own certificate is the peers' to refuse, and tests present such certificates).
core::Result<void> checkOwnChain(SSL_CTX* ctx, const ContextConfig& c) {
  X509* own = SSL_CTX_get0_certificate(ctx);
  if (own == nullptr) return core::makeError("no certificate in " + c.cert_file);
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  core::X509StoreCtxPtr vctx(X509_STORE_CTX_new());
  if (!vctx || X509_STORE_CTX_init(vctx.get(), SSL_CTX_get_cert_store(ctx), own, chain) != 1)
    return core::makeError("cannot verify certificate " + c.cert_file, core::opensslError());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(vctx.get());
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
  if (X509_verify_cert(vctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(vctx.get());
    ERR_clear_error();
    return core::makeError("certificate " + c.cert_file + " does not chain to the CA in " +
                           c.ca_file + ": " + X509_verify_cert_error_string(err));
  }
  return {};
}

}  // namespace

std::string libraryVersion() { return OpenSSL_version(OPENSSL_VERSION); }

Context::Context() : impl_(std::make_unique<Impl>()) {}
Context::~Context() = default;
SSL_CTX* Context::raw() const { return impl_->ctx.get(); }

core::Result<std::shared_ptr<Context>> Context::build(const ContextConfig& c) {
  if (auto v = validateContextConfig(c); !v) return v.error();
  std::shared_ptr<Context> self(new Context());
  self->config_ = c;
  const SSL_METHOD* method = c.role == Role::kServer ? TLS_server_method() : TLS_client_method();
  self->impl_->ctx.reset(SSL_CTX_new(method));
  SSL_CTX* ctx = self->impl_->ctx.get();
  if (ctx == nullptr) return core::runtimeError("SSL_CTX_new failed", core::opensslError());
  SSL_CTX_set_ex_data(ctx, ctxIndex(), self.get());

  if (SSL_CTX_set_min_proto_version(ctx, opensslVersion(c.policy.min_version)) != 1 ||
      SSL_CTX_set_cipher_list(ctx, cipherList(c.policy).c_str()) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, cipherSuites13().c_str()) != 1)
    return core::makeError("cannot apply TLS policy", core::opensslError());
  if (c.policy.legacy_tls && c.policy.min_version < Version::kTls12)
    SSL_CTX_set_security_level(ctx, 0);

  if (SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1)
    return core::makeError("cannot load certificate " + c.cert_file, core::opensslError());
  if (!c.allow_insecure_key_permissions)
    if (auto r = checkKeyFileMode(c.key_file); !r) return r.error();
  if (SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return core::makeError("cannot load private key " + c.key_file, core::opensslError());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return core::makeError("private key " + c.key_file + " does not match certificate " +
                           c.cert_file);
  if (auto r = loadCa(ctx, c); !r) return r.error();
  if (auto r = checkOwnChain(ctx, c); !r) return r.error();
  // The chain sent to peers is fixed here, once: the certificates of cert_file after the leaf,
  // completed from the CA bundle up to the root (what auto-chain sends). Without
  // SSL_MODE_NO_AUTO_CHAIN, OpenSSL would build and verify that chain again (CRL included) on
  // every handshake. Errors are ignored as in checkOwnChain (an expired or revoked own
  // certificate is the peers' to refuse).
  if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR) != 1)
    return core::makeError("cannot build the certificate chain of " + c.cert_file,
                           core::opensslError());
  ERR_clear_error();
  if (X509* own = SSL_CTX_get0_certificate(ctx); own != nullptr)
    self->own_fingerprint_ = core::describeCertificate(own).fingerprint_sha256;

  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyCallback);
  SSL_CTX_set_verify_depth(ctx, 4);
  uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (c.ktls) opts |= SSL_OP_ENABLE_KTLS;
  SSL_CTX_set_options(ctx, opts);
  // Read-ahead into a buffer of four full records: one recv() takes a burst of records instead
  // of one recv per header and body (kTLS receive turns read-ahead off itself). With
  // SSL_MODE_RELEASE_BUFFERS the buffer exists only while received bytes are pending.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_read_buffer_len(ctx, 4 * SSL3_RT_MAX_PACKET_SIZE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
  if (c.role == Role::kServer) {
    static const unsigned char kSid[] = "ccsec-gateway";
    SSL_CTX_set_session_id_context(ctx, kSid, sizeof(kSid) - 1);
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    if (c.session_cache > 0) {
      // Stateful TLS 1.3 tickets (SSL_OP_NO_TICKET with a server cache): the ticket names a
      // session in this bounded cache, single use (OpenSSL removes it when it resumes and issues
      // a new one), expired after session_lifetime_s.
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
      SSL_CTX_sess_set_cache_size(ctx, static_cast<long>(c.session_cache));
      SSL_CTX_set_timeout(ctx, static_cast<long>(c.session_lifetime_s));
    }
    SSL_CTX_set_info_callback(ctx, infoCallback);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, newSessionCallback);
  }
  return self;
}

core::Result<std::unique_ptr<Session>> Context::newSession(int fd) const {
  auto impl = std::make_unique<Session::Impl>();
  impl->ctx = shared_from_this();
  impl->ssl.reset(SSL_new(impl_->ctx.get()));
  SSL* ssl = impl->ssl.get();
  if (ssl == nullptr) return core::runtimeError("SSL_new failed", core::opensslError());
  SSL_set_ex_data(ssl, sslIndex(), &impl->info);
  if (SSL_set_fd(ssl, fd) != 1)
    return core::runtimeError("SSL_set_fd failed", core::opensslError());
  if (config_.role == Role::kServer) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    std::lock_guard lock(impl_->session_mu);
    if (impl_->session && SSL_SESSION_is_resumable(impl_->session.get()))
      SSL_set_session(ssl, impl_->session.get());
  }
  return std::make_unique<Session>(std::move(impl));
}

namespace {

// The contract's vocabulary (tls/session.h) for a failed handshake. Drains the error queue.
std::string handshakeFailureReason(int ssl_error, const HandshakeInfo& info) {
  std::string reason;
  if (info.name_rejected) {
    reason = "peer name not allowed";
  } else if (info.verify_error != 0) {
    reason = std::string("certificate verify failed: ") +
             X509_verify_cert_error_string(info.verify_error);
  }
  const unsigned long first = ERR_get_error();
  if (reason.empty()) {
    if (first != 0) {
      const int r = ERR_GET_REASON(first);
      const char* text = ERR_reason_error_string(first);
      const std::string t = text != nullptr ? text : "error " + std::to_string(r);
      if (r == SSL_R_UNSUPPORTED_PROTOCOL || r == SSL_R_VERSION_TOO_LOW ||
          r == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
        reason = "unsupported protocol";
      else if (r == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
        reason = "peer did not return a certificate";
      else if (r == SSL_R_NO_SHARED_CIPHER)
        reason = "no shared cipher";
      else if (r == SSL_R_WRONG_VERSION_NUMBER)
        reason = "wrong version number";
      else if (r == SSL_R_HTTP_REQUEST || r == SSL_R_HTTPS_PROXY_REQUEST)
        reason = "http request";
      else if (r == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        reason = "connection closed by peer during handshake";
      else
        reason = "handshake failed: " + t;
    } else if (ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_ZERO_RETURN) {
      reason = "connection closed by peer during handshake";
    } else {
      reason = "handshake failed: ssl error " + std::to_string(ssl_error);
    }
  }
  ERR_clear_error();
  return reason;
}

// "TLS error: <reason>" for an established session. Drains the error queue.
std::string sessionErrorReason(int ssl_error, const HandshakeInfo& info) {
  const unsigned long first = ERR_get_error();
  std::string reason;
  if (info.renegotiation_attempt) {
    reason = "renegotiation attempt";
  } else if (first != 0) {
    const int code = ERR_GET_REASON(first);
    const char* r = ERR_reason_error_string(first);
    if (code == SSL_R_PACKET_LENGTH_TOO_LONG || code == SSL_R_ENCRYPTED_LENGTH_TOO_LONG ||
        code == SSL_R_DATA_LENGTH_TOO_LONG)
      reason = "record overflow";  // the contract's word for an oversized record
    else
      reason = r != nullptr ? r : "error " + std::to_string(code);
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    reason = "connection lost";
  } else {
    reason = "ssl error " + std::to_string(ssl_error);
  }
  ERR_clear_error();
  return "TLS error: " + reason;
}

}  // namespace

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Io Session::handshake() {
  SSL* ssl = impl_->ssl.get();
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl);
  if (r != 1) {
    const int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ) return Io::kWantRead;
    if (err == SSL_ERROR_WANT_WRITE) return Io::kWantWrite;
    impl_->reason = handshakeFailureReason(err, impl_->info);
    return Io::kFailed;
  }
  // Defense in depth: the chain and the name were checked during verification already. A
  // resumed session skips verification: its identity comes from the session's certificate.
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert != nullptr && impl_->info.peer.empty()) impl_->info.peer = identityOf(cert);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK ||
      !peerNameAllowed(impl_->info.peer, impl_->ctx->config().allowed_peers)) {
    impl_->reason = "peer name not allowed";
    return Io::kFailed;
  }
  return Io::kOk;
}

IoResult Session::read(std::uint8_t* buf, std::size_t cap) {
  SSL* ssl = impl_->ssl.get();
  if (impl_->info.renegotiation_attempt) {
    impl_->reason = sessionErrorReason(0, impl_->info);
    return {Io::kFailed, 0};
  }
  clearErrorQueue();
  const int r = SSL_read(ssl, buf, static_cast<int>(std::min<std::size_t>(cap, INT_MAX)));
  if (r > 0) {
    // A refused renegotiation (warning alert, OpenSSL carries on) fails the session after the
    // bytes that came before it.
    if (impl_->info.renegotiation_attempt) {
      impl_->reason = sessionErrorReason(0, impl_->info);
      return {Io::kFailed, static_cast<std::size_t>(r)};
    }
    return {Io::kOk, static_cast<std::size_t>(r)};
  }
  const int err = SSL_get_error(ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    if (impl_->info.renegotiation_attempt) {
      impl_->reason = sessionErrorReason(0, impl_->info);
      return {Io::kFailed, 0};
    }
    return {err == SSL_ERROR_WANT_READ ? Io::kWantRead : Io::kWantWrite, 0};
  }
  if (err == SSL_ERROR_ZERO_RETURN) return {Io::kClosed, 0};
  // A TCP close without close_notify is the peer going away (OpenSSL 3 reports it as an SSL
  // error "unexpected eof").
  if (err == SSL_ERROR_SYSCALL ||
      ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    ERR_clear_error();
    return {Io::kLost, 0};
  }
  impl_->reason = sessionErrorReason(err, impl_->info);
  return {Io::kFailed, 0};
}

bool Session::hasPending() const { return SSL_has_pending(impl_->ssl.get()) != 0; }

IoResult Session::write(const std::uint8_t* buf, std::size_t len) {
  SSL* ssl = impl_->ssl.get();
  clearErrorQueue();
  const int r = SSL_write(ssl, buf, static_cast<int>(std::min<std::size_t>(len, INT_MAX)));
  if (r > 0) return {Io::kOk, static_cast<std::size_t>(r)};
  const int err = SSL_get_error(ssl, r);
  if (err == SSL_ERROR_WANT_WRITE) return {Io::kWantWrite, 0};
  if (err == SSL_ERROR_WANT_READ) return {Io::kWantRead, 0};
  if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return {Io::kLost, 0};
  impl_->reason = sessionErrorReason(err, impl_->info);
  return {Io::kFailed, 0};
}

void Session::close() {
  // Best-effort close_notify (never blocks: non-blocking socket). It also keeps the session
  // resumable: OpenSSL drops sessions of SSL objects freed without it.
  ERR_clear_error();
  SSL_shutdown(impl_->ssl.get());
  ERR_clear_error();
}

const PeerIdentity& Session::peer() const { return impl_->info.peer; }
const std::string& Session::failureReason() const { return impl_->reason; }
bool Session::resumed() const { return SSL_session_reused(impl_->ssl.get()) == 1; }

std::string Session::describe() const {
  SSL* ssl = impl_->ssl.get();
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  if (c == nullptr) return {};
  return std::string(SSL_get_version(ssl)) + " " + SSL_CIPHER_standard_name(c);
}

bool Session::ktlsSend() const { return BIO_get_ktls_send(SSL_get_wbio(impl_->ssl.get())) == 1; }
bool Session::ktlsRecv() const { return BIO_get_ktls_recv(SSL_get_rbio(impl_->ssl.get())) == 1; }

}  // namespace ccsec::tls
