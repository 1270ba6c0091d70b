#pragma once
// Directory access over OpenLDAP's client library (libldap), TLS only.
//
// Transport: a server URL is either ldaps:// (TLS from the first byte) or ldap:// with StartTLS,
// and ldap:// is accepted only when the caller asked for StartTLS; there is no plaintext mode to
// configure. Every connection verifies the server certificate against the configured CA file
// (LDAP_OPT_X_TLS_REQUIRE_CERT = HARD, the host name checked by libldap), and a bind is sent
// only after the TLS layer is up (checked with ldap_tls_inplace), so a password never leaves
// in clear. Binds: simple bind (DN or AD user principal name) over TLS, or SASL EXTERNAL with a
// client certificate.
//
// Ownership: Connection owns its LDAP* (unbound on destruction); messages are owned by
// MessagePtr. libldap writes to sockets a server may have closed: the process must ignore
// SIGPIPE (ccsec's services do). Threading: a Connection is used by one thread at a time; Pool is
// thread-safe.

#include <ldap.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ccsec::identity {

enum class Transport { kLdaps, kStartTls };

struct Server {
  std::string url;  // ldaps://host:port or ldap://host:port (StartTLS)
  std::string site;
  Transport transport = Transport::kLdaps;
};

/// Parses one server URL. ldap:// is refused unless `starttls` is set (then StartTLS is
/// mandatory on it); any other scheme (ldapi://, cldap://) is refused. No DN or query part.
core::Result<Server> parseServer(std::string_view url, bool starttls, std::string site = {});

/// Servers of `site` first (in the given order), then the others (in the given order).
std::vector<Server> orderBySite(std::vector<Server> servers, std::string_view site);

struct TlsOptions {
  std::string ca_file;    // PEM CA bundle the server certificate must chain to (required)
  std::string cert_file;  // client certificate (SASL EXTERNAL), optional
  std::string key_file;
  std::chrono::milliseconds timeout{3000};  // connect and per-operation timeout
};

struct LdapUnbind {
  void operator()(LDAP* ld) const noexcept { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapPtr = std::unique_ptr<LDAP, LdapUnbind>;
struct MessageFree {
  void operator()(LDAPMessage* m) const noexcept { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;

/// How an operation failed, for the caller's decision (401 vs 503).
enum class Outcome { kOk, kInvalidCredentials, kUnavailable, kFailed };

struct OpResult {
  Outcome outcome = Outcome::kOk;
  int rc = LDAP_SUCCESS;
  std::string message;  // one line, from ldap_err2string and the server's diagnostic
  bool ok() const { return outcome == Outcome::kOk; }
};

struct Entry {
  std::string dn;
  std::map<std::string, std::vector<std::string>> attrs;  // attribute names lower-cased
  const std::vector<std::string>* get(std::string_view name) const;
  std::string first(std::string_view name) const;
};

enum class Scope { kBase = LDAP_SCOPE_BASE, kOne = LDAP_SCOPE_ONELEVEL, kSub = LDAP_SCOPE_SUBTREE };

struct SearchResult {
  OpResult status;
  std::vector<Entry> entries;
};

class Connection {
 public:
  /// Connects and establishes TLS (ldaps, or StartTLS on ldap://) with CA verification.
  static core::Result<Connection> open(const Server& server, const TlsOptions& tls,
                                       OpResult* status = nullptr);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  /// Simple bind over the established TLS layer. An empty password is refused locally
  /// (an LDAP "unauthenticated bind" would succeed without checking anything).
  OpResult simpleBind(std::string_view name, std::string_view password);
  /// SASL EXTERNAL: the identity is the TLS client certificate.
  OpResult saslExternal();
  /// Paged search (RFC 2696, `page_size` entries per page) up to `max_entries` entries.
  SearchResult search(const std::string& base, Scope scope, const std::string& filter,
                      const std::vector<std::string>& attrs, std::size_t page_size = 500,
                      std::size_t max_entries = 100000);
  const Server& server() const { return server_; }
  LDAP* raw() { return ld_.get(); }

 private:
  Connection(LdapPtr ld, Server server, std::chrono::milliseconds timeout)
      : ld_(std::move(ld)), server_(std::move(server)), timeout_(timeout) {}
  OpResult classify(int rc, std::string_view what);
  LdapPtr ld_;
  Server server_;
  std::chrono::milliseconds timeout_;
};

/// Escapes a value for an LDAP filter (RFC 4515: * ( ) \ NUL).
std::string escapeFilterValue(std::string_view v);
/// Escapes a value for a DN attribute value (RFC 4514).
std::string escapeDnValue(std::string_view v);
/// Lower-cases a DN and drops blanks around separators, for comparisons ("CN=A, DC=x" ==
/// "cn=a,dc=x").
std::string normalizeDn(std::string_view dn);

/// A small pool of TLS connections across a site-ordered list of servers. acquire() hands out
/// an idle connection or opens one to the first server that is not in back-off; a server that
/// failed to connect or dropped a connection is skipped for `retry_after` (then tried again).
/// When every server is in back-off, acquire() fails at once (the caller fails closed).
class Pool {
 public:
  struct Options {
    std::size_t max_idle = 8;
    std::chrono::milliseconds retry_after{1000};
  };
  Pool(std::vector<Server> servers, TlsOptions tls, Options options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// A leased connection; give it back with release() (or let it drop: closed).
  core::Result<Connection> acquire(OpResult* status = nullptr);
  void release(Connection conn);
  /// The connection failed with kUnavailable: mark its server down and close it.
  void failed(Connection conn);
  const std::vector<Server>& servers() const { return servers_; }
  std::size_t serversUp() const;

 private:
  std::size_t indexOf(const Server& s) const;
  void markDown(std::size_t i);

  std::vector<Server> servers_;
  TlsOptions tls_;
  Options options_;
  mutable std::mutex mu_;
  std::vector<std::vector<Connection>> idle_;  // per server
  std::vector<std::chrono::steady_clock::time_point> down_until_;
};

}  // namespace ccsec::identity
