#pragma once
// The live half of `ccsec probe`: for each Target, what the wire shows. One net::EventLoop on
// the calling thread drives every connection: non-blocking connects, TLS handshakes (OpenSSL on
// non-blocking sockets), plaintext and LDAP exchanges. Bounded everywhere: a global cap on
// connections in flight, a cap per host, a pace of new connections per host (probe/pacing.h), a
// timeout per attempt and a total deadline.
//
// TLS facts per endpoint:
//   - the certificate chain, the client-certificate demand and the plaintext answer from one
//     complete OpenSSL handshake offering everything (no client certificate);
//   - versions, suites and groups from hand-built ClientHellos (probe/hello.h) read up to the
//     ServerHello and closed: one hello per version offering every suite OpenSSL has there;
//     where accepted, the rest enumerated by exclusion as two groups (AEAD, others) in
//     parallel (k + 1 hellos per group for its k suites); TLS 1.3 groups by HelloRetryRequest
//     (an empty key_share: no cryptography on either end), at once beside the versions;
//     TLS 1.2-only servers: EC groups from the ServerKeyExchange.
//
// Threading: run() on one thread; requestStop() from any thread (e.g. a SIGINT handler's flag)
// ends the run early with whatever was established.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/x509_info.h"
#include "probe/targets.h"

namespace ccsec::probe {

enum class Reach { kOpen, kRefused, kFiltered, kError, kOpenOrFiltered, kNotProbed };
const char* toString(Reach r);

struct CertFacts {
  core::CertificateInfo info;
  std::string key_type;  // "RSA", "EC", "ED25519", …
  int key_bits = 0;
  bool chain_checked = false;
  bool chains = false;
  std::string chain_error;  // X509 verify error text when it does not chain
};

struct TlsFacts {
  bool attempted = false;
  bool handshake = false;  // the complete handshake without client certificate finished
  std::string handshake_error;
  std::string negotiated;  // "TLSv1.3 TLS_AES_256_GCM_SHA384" of that handshake
  std::map<std::string, std::vector<std::string>> suites;  // "TLSv1.2" → accepted, in order
  std::vector<std::string> versions;                       // accepted, low to high
  std::vector<std::string> versions_refused;
  std::vector<std::string> groups;
  bool enumeration_complete = true;  // false when an attempt timed out mid-way
  std::optional<CertFacts> cert;
  bool client_cert_requested = false;
  bool client_cert_required = false;  // requested, and the handshake without one was refused
  std::string client_cert_evidence;
};

struct PlaintextFacts {
  bool attempted = false;
  bool answered = false;  // a plaintext (non-TLS, non-error) answer came back
  std::string evidence;   // what came back, described (never the payload bytes themselves)
};

struct LdapFacts {
  bool attempted = false;
  std::optional<bool> starttls;            // StartTLS extended operation accepted
  std::optional<bool> clear_bind_refused;  // simple bind in clear refused (confidentiality)
  int bind_result = -1;
  std::string evidence;
};

struct Observation {
  Target target;
  Reach reach = Reach::kNotProbed;
  std::string reach_detail;
  TlsFacts tls;
  PlaintextFacts plaintext;
  LdapFacts ldap;
  bool complete = false;  // every planned attempt finished (false after Ctrl-C or the deadline)
  double elapsed_ms = 0;
};

struct ScanOptions {
  int concurrency = 256;  // connections in flight, all targets
  int per_host = 16;      // connections in flight per inventory host
  double rate = 100;      // new connections per second per inventory host (<= 0: unlimited)
  std::chrono::milliseconds timeout{3000};        // per attempt (connect + exchange)
  std::chrono::milliseconds deadline{120000};     // whole run
  std::chrono::milliseconds post_handshake{250};  // wait for a post-handshake client-cert alert
  std::vector<std::string> ca_files;              // deployment CA(s) for the chain verdict
  /// Called from the loop thread about 4 times a second: (targets done, total).
  std::function<void(std::size_t, std::size_t)> progress;
  const std::atomic<bool>* stop = nullptr;  // set → finish early
};

struct ScanStats {
  std::size_t attempts = 0;
  std::size_t handshakes = 0;
  double wall_ms = 0;
  bool interrupted = false;
};

/// Probes every target. Fails only when the CA file cannot be read or the loop cannot start.
core::Result<std::vector<Observation>> scan(const std::vector<Target>& targets,
                                            const ScanOptions& options, ScanStats* stats = nullptr);

}  // namespace ccsec::probe
