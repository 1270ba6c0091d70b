#pragma once
// authd: an HTTP auth_request backend (nginx `auth_request`, and any proxy with forward auth).
//
// Per request: HTTP Basic credentials -> bind to the directory as the user over TLS (via
// Authorizer) -> membership of the allowed group (nested groups resolved) -> the URL blocklists
// (global, and per group for members of that group) -> 204 (allow), 401 (no or wrong
// credentials, locked account, throttled), 403 (outside the group, blocked URL, malformed URI),
// 503 (no directory server answered: fail closed).
//
// Decisions are cached for cache.ttl_s under HMAC-SHA256(random per-process salt, user NUL
// password): the password itself is never stored, logged or audited; the cache is bounded
// (least recently used entry evicted). Failed binds are counted per user and per client address
// in fixed-size tables; past the limit a request is answered 401 without asking the directory,
// so a guessing client cannot drive the directory's own lockout counter. Audit: every decision
// that reached the directory and every denial (user name, client address, URI path, verdict),
// never a password; cached allows are counted in the metrics only.
//
// Threading: the HTTP endpoint runs on one net::EventLoop thread (cache hits are answered
// there); directory work runs on `workers` threads that reply through net::HttpReply.
// reload() swaps the configuration atomically (new directory pool, rules, empty cache).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "identity/authorizer.h"
#include "net/socket.h"

namespace ccsec::identity {

struct GroupRule {
  std::string group;  // DN
  std::vector<std::string> blocked_urls;
};

struct AuthdConfig {
  net::Endpoint listen;
  std::string realm = "ccsec";
  unsigned workers = 4;
  unsigned max_connections = 512;
  DirectoryConfig directory;
  std::string allowed_group;              // DN; required
  std::vector<std::string> blocked_urls;  // for every user
  std::vector<GroupRule> groups;          // for members of the group
  std::chrono::seconds cache_ttl{60};
  std::size_t cache_max = 10000;
  unsigned user_failures = 5;
  unsigned address_failures = 20;
  std::chrono::seconds throttle_window{300};
  std::vector<core::Cidr> trusted_proxies;  // X-Real-IP is believed from these peers only
  std::string uri_header = "X-Original-URI";
  /// Session cookies (off when 0): after an allowed Basic login authd issues a random session
  /// id (Set-Cookie, HttpOnly, Secure, SameSite=Strict); a request carrying a live id is decided
  /// from the identity stored server-side without credentials. Bounded like the cache.
  std::chrono::seconds session_ttl{0};
  std::string session_cookie = "ccsec_authd";
  std::string audit_store;  // "sqlite:PATH" / postgresql://…
  std::string base_dir;     // directory of the config file (relative paths)
};

/// Parses authd YAML (see docs/authd.md). Plaintext ldap:// without `starttls: true` is refused.
core::Result<AuthdConfig> parseAuthdConfig(const std::string& yaml, const std::string& name,
                                           const std::string& base_dir);
core::Result<AuthdConfig> loadAuthdConfig(const std::string& path);

/// A request path as the backend compares it: query and fragment dropped, percent-decoding,
/// ";params" dropped from every segment (servlet containers ignore them), "//" collapsed, "."
/// and ".." resolved, lower-cased (blocklists match case-insensitively). nullopt: malformed
/// (bad escape, control byte, climbs above the root, longer than 4 KiB).
std::optional<std::string> normalizeUriPath(std::string_view uri);
/// Glob match with '*' (any run of bytes); "/admin/*" also matches "/admin". Both lower-case.
bool urlPatternMatches(std::string_view pattern, std::string_view path);
/// "Basic base64(user:password)" (scheme case-insensitive, at most 1 KiB) -> user, password.
/// false: another scheme, bad base64, no colon. Nothing of the header is ever logged.
bool parseBasic(std::string_view header, std::string& user, std::string& password);
/// The value of cookie `name` in a Cookie header (at most 8 KiB) when it is 64 lower-case hex
/// digits; empty otherwise.
std::string sessionId(std::string_view header, std::string_view name);

class Authd {
 public:
  static core::Result<std::unique_ptr<Authd>> create(AuthdConfig config);
  ~Authd();
  Authd(const Authd&) = delete;
  Authd& operator=(const Authd&) = delete;

  /// Serves until stop(); `on_ready` runs once the listener is up.
  core::Result<void> run(const std::function<void()>& on_ready);
  /// Thread-safe. Re-reads nothing itself: the caller passes the new configuration.
  core::Result<void> reload(AuthdConfig config);
  void stop();
  net::Endpoint endpoint() const;

  struct Impl;

 private:
  explicit Authd(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccsec::identity
