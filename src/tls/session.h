#pragma once
// One TLS connection of the gateway's data path on a connected non-blocking socket: the other
// half of the TLS seam (tls/context.h). Same contract on every backend; the unit tests
// (test/unit/tls) and the gateway's integration tests hold each backend to it.
//
// Handshake: handshake() returns kOk only for a verified peer: a chain to the Context's CA,
// every CRL check passed (a CRL loaded and current), the usage of its role, and a name in
// allowed_peers. On kFailed, failureReason() is one line from this vocabulary (no library
// wording beyond it, never a payload byte):
//   "peer name not allowed"
//   "certificate verify failed: " + one of "certificate revoked", "certificate has expired",
//       "certificate is not yet valid", "unable to get local issuer certificate",
//       "unable to get certificate CRL", "CRL has expired", "CRL is not yet valid",
//       "unsupported certificate purpose", "certificate signature failure",
//       "invalid certificate" (anything else)
//   "peer did not return a certificate"
//   "unsupported protocol"             (a version below the policy's minimum, or SSL 2/3)
//   "no shared cipher"
//   "wrong version number" | "http request" | "not a TLS handshake"   (bytes that are not TLS)
//   "connection closed by peer during handshake"
//   "handshake failed: <library's reason>"   (anything else; the reason is the library's fixed
//                                              text for its error code)
// Established session: reads and writes report kFailed with failureReason() "TLS error: " +
// a reason ("renegotiation attempt", "decryption failed or bad record mac", "record overflow",
// "unexpected message", or the library's fixed text); kClosed for a close_notify; kLost for a
// TCP close without close_notify or a socket error (the peer went away).
//
// A peer's attempt to renegotiate an established session is refused and fails the session
// ("TLS error: renegotiation attempt"); the gateway closes and audits it.
//
// Threading: a Session belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tls/context.h"

namespace ccsec::tls {

enum class Io {
  kOk,         // progress (handshake complete / bytes moved)
  kWantRead,   // retry when the socket is readable
  kWantWrite,  // retry when the socket is writable
  kClosed,     // read: the peer sent close_notify
  kLost,       // the transport closed without close_notify, or a socket error
  kFailed,     // TLS failure: see failureReason()
};

/// `bytes` moved by the call; a read may return bytes together with a status other than kOk
/// (the bytes before the condition are valid plaintext and are to be used first).
struct IoResult {
  Io status = Io::kOk;
  std::size_t bytes = 0;
};

class Session {
 public:
  struct Impl;  // the backend's state (tls/<backend>_backend.cc)
  explicit Session(std::unique_ptr<Impl> impl);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Drives the handshake: kOk once established (verified, allowed); kWantRead/kWantWrite;
  /// kFailed (failureReason()).
  Io handshake();
  /// Decrypts up to `cap` bytes into `buf`. kOk with bytes > 0; kWant*; kClosed; kLost; kFailed.
  IoResult read(std::uint8_t* buf, std::size_t cap);
  /// Plaintext already decrypted or received and buffered inside the library: a read() can
  /// return bytes without a recv().
  bool hasPending() const;
  /// Encrypts and sends up to `len` bytes (partial writes allowed; the caller keeps the rest and
  /// retries with the same bytes). kOk with bytes > 0; kWant*; kLost; kFailed.
  IoResult write(const std::uint8_t* buf, std::size_t len);
  /// Best-effort close_notify; never blocks. Keeps a client session resumable.
  void close();

  /// The peer's identity, known once its certificate was seen (also on a failed handshake and
  /// on a resumed session).
  const PeerIdentity& peer() const;
  /// Why the last kFailed happened (vocabulary above).
  const std::string& failureReason() const;
  /// The established session was resumed from a ticket.
  bool resumed() const;
  /// Negotiated protocol and suite, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256" (IANA-style names
  /// on every backend); empty before the handshake completes.
  std::string describe() const;
  /// Kernel TLS carries the records in that direction.
  bool ktlsSend() const;
  bool ktlsRecv() const;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccsec::tls
