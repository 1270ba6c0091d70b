#include "identity/authd.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "core/text.h"
#include "net/event_loop.h"
#include "net/http_server.h"
#include "net/prometheus.h"
#include "store/audit_log.h"

namespace ccsec::identity {

// ---------------------------------------------------------------------------------------------
// URI normalization and matching

std::optional<std::string> normalizeUriPath(std::string_view uri) {
  if (uri.size() > 4096) return std::nullopt;
  const std::size_t cut = uri.find_first_of("?#");
  if (cut != std::string_view::npos) uri = uri.substr(0, cut);
  if (uri.empty()) uri = "/";
  if (uri.front() != '/') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  decoded.reserve(uri.size());
  for (std::size_t i = 0; i < uri.size(); ++i) {
    char c = uri[i];
    if (c == '%') {
      if (i + 2 >= uri.size()) return std::nullopt;
      const int h = hex(uri[i + 1]), l = hex(uri[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      c = static_cast<char>(h * 16 + l);
      i += 2;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::nullopt;
    if (c == '\\') c = '/';  // some servers treat a backslash as a separator
    decoded.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  // Split into segments; drop ";params", empty segments and "."; resolve "..".
  std::vector<std::string_view> segs;
  std::string_view rest(decoded);
  bool trailing = false;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    const std::size_t semi = seg.find(';');
    if (semi != std::string_view::npos) seg = seg.substr(0, semi);
    trailing = slash != std::string_view::npos && rest.empty();
    if (seg.empty() || seg == ".") {
      if (slash == std::string_view::npos) trailing = true;
      continue;
    }
    if (seg == "..") {
      if (segs.empty()) return std::nullopt;
      segs.pop_back();
      trailing = true;
      continue;
    }
    segs.push_back(seg);
  }
  std::string out;
  for (auto s : segs) {
    out += '/';
    out += s;
  }
  if (out.empty() || trailing) out += '/';
  return out;
}

bool urlPatternMatches(std::string_view pattern, std::string_view path) {
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/*" &&
      path == pattern.substr(0, pattern.size() - 2))
    return true;
  // Iterative glob: '*' matches any run; backtrack to the last star only (linear-ish).
  std::size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

// ---------------------------------------------------------------------------------------------
// Failure throttle: fixed-size tables (no allocation per client), one slot per key hash; a
// colliding key takes over the slot when the old window has expired.

class Throttle {
 public:
  static constexpr std::size_t kSlots = 8192;
  bool over(std::uint64_t h, unsigned limit, std::chrono::steady_clock::time_point now,
            std::chrono::seconds window) {
    std::lock_guard lock(mu_);
    Slot& s = slots_[h % kSlots];
    if (s.key != h || now - s.start > window) return false;
    return s.count >= limit;
  }
  void fail(std::uint64_t h, std::chrono::steady_clock::time_point now,
            std::chrono::seconds window) {
    std::lock_guard lock(mu_);
    Slot& s = slots_[h % kSlots];
    if (s.key != h || now - s.start > window) {
      s = {h, 0, now};
    }
    ++s.count;
  }
  void clear(std::uint64_t h) {
    std::lock_guard lock(mu_);
    Slot& s = slots_[h % kSlots];
    if (s.key == h) s.count = 0;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    unsigned count = 0;
    std::chrono::steady_clock::time_point start{};
  };
  std::mutex mu_;
  std::array<Slot, kSlots> slots_{};
};

// ---------------------------------------------------------------------------------------------
// Decision cache: key = HMAC-SHA256(salt, user NUL password), LRU-bounded.

class DecisionCache {
 public:
  DecisionCache(std::size_t max, std::chrono::seconds ttl) : max_(max), ttl_(ttl) {}
  std::optional<Identity> get(const std::string& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    if (it->second.expires <= now) {
      lru_.erase(it->second.pos);
      map_.erase(it);
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return it->second.identity;
  }
  void put(const std::string& key, Identity id, std::chrono::steady_clock::time_point now) {
    if (max_ == 0 || ttl_.count() == 0) return;
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      lru_.erase(it->second.pos);
      map_.erase(it);
    }
    while (map_.size() >= max_ && !lru_.empty()) {
      map_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    map_.emplace(key, Slot{std::move(id), now + ttl_, lru_.begin()});
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return map_.size();
  }

 private:
  struct Slot {
    Identity identity;
    std::chrono::steady_clock::time_point expires;
    std::list<std::string>::iterator pos;
  };
  std::size_t max_;
  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::list<std::string> lru_;
  std::unordered_map<std::string, Slot> map_;
};

// The part of the configuration a reload replaces as a whole.
struct Policy {
  explicit Policy(AuthdConfig c)
      : config(std::move(c)),
        allowed(normalizeDn(config.allowed_group)),
        authorizer(config.directory, interest(config)),
        cache(config.cache_max, config.cache_ttl),
        sessions(config.cache_max, config.session_ttl) {
    for (const auto& u : config.blocked_urls) blocked.push_back(core::asciiLower(u));
    for (const auto& g : config.groups) {
      std::vector<std::string> b;
      for (const auto& u : g.blocked_urls) b.push_back(core::asciiLower(u));
      rules.emplace_back(normalizeDn(g.group), std::move(b));
    }
  }
  static std::vector<std::string> interest(const AuthdConfig& c) {
    std::vector<std::string> out{c.allowed_group};
    for (const auto& g : c.groups) out.push_back(g.group);
    return out;
  }
  AuthdConfig config;
  std::string allowed;
  std::vector<std::string> blocked;
  std::vector<std::pair<std::string, std::vector<std::string>>> rules;
  Authorizer authorizer;
  DecisionCache cache;
  DecisionCache sessions;  // session id (32 random bytes) -> identity
};

enum class Verdict {
  kAllow,
  kNoCredentials,
  kBadCredentials,
  kThrottled,
  kOutsideGroup,
  kBlockedUrl,
  kBadUri,
  kUnavailable,
  kCount
};
constexpr const char* kVerdictNames[] = {"allow",     "no_credentials", "bad_credentials",
                                         "throttled", "outside_group",  "blocked_url",
                                         "bad_uri",   "unavailable"};
unsigned statusOf(Verdict v) {
  switch (v) {
    case Verdict::kAllow:
      return 204;
    case Verdict::kNoCredentials:
    case Verdict::kBadCredentials:
    case Verdict::kThrottled:
      return 401;
    case Verdict::kUnavailable:
      return 503;
    default:
      return 403;
  }
}

std::uint64_t hash64(std::string_view kind, std::string_view v) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a; keys only pick a throttle slot
  for (char c : kind) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  for (char c : v) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

// "Basic base64(user:password)" -> user, password (bounded; nothing of it is ever logged).
bool parseBasic(std::string_view header, std::string& user, std::string& password) {
  if (header.size() < 6 || header.size() > 1024) return false;
  if (core::asciiLower(std::string(header.substr(0, 6))) != "basic ") return false;
  std::string_view b64 = header.substr(6);
  while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
  while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
  if (b64.empty() || b64.size() % 4 != 0) return false;
  std::string out(b64.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) return false;
  std::size_t len = static_cast<std::size_t>(n);
  if (b64.back() == '=') --len;
  if (b64.size() >= 2 && b64[b64.size() - 2] == '=') --len;
  out.resize(len);
  const std::size_t colon = out.find(':');
  if (colon == std::string::npos) return false;
  user = out.substr(0, colon);
  password = out.substr(colon + 1);
  std::fill(out.begin(), out.end(), '\0');
  return true;
}

// The value of cookie `name` in a Cookie header when it is 64 hex digits; else empty.
std::string sessionId(std::string_view header, std::string_view name) {
  if (header.size() > 8192) return {};
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() == name.size() + 1 + 64 && item.substr(0, name.size()) == name &&
        item[name.size()] == '=') {
      std::string_view v = item.substr(name.size() + 1);
      if (v.find_first_not_of("0123456789abcdef") == std::string_view::npos) return std::string(v);
    }
    pos = end + 1;
  }
  return {};
}

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Authd::Impl {
  struct Job {
    std::shared_ptr<Policy> policy;
    std::string user, password, key, path, client;
    net::HttpReply reply;
    bool has_session = false;
  };

  net::EventLoop loop;
  std::unique_ptr<net::HttpServer> http;
  net::Endpoint bound;
  std::unique_ptr<store::AuditLog> audit;
  std::array<unsigned char, 32> salt{};
  Throttle users, addresses;

  std::mutex policy_mu;
  std::shared_ptr<Policy> policy;

  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::deque<Job> jobs;
  bool stopping = false;
  std::vector<std::thread> workers;
  static constexpr std::size_t kMaxQueued = 4096;

  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Verdict::kCount)> verdicts{};
  std::atomic<std::uint64_t> cache_hits{0}, cache_misses{0}, ldap_ops{0}, queue_full{0}, reloads{0},
      directory_us{0}, directory_calls{0};

  std::shared_ptr<Policy> current() {
    std::lock_guard lock(policy_mu);
    return policy;
  }

  std::string cacheKey(std::string_view user, std::string_view password) const {
    std::string msg;
    msg.reserve(user.size() + 1 + password.size());
    msg.append(user).push_back('\0');
    msg.append(password);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
         reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), md, &len);
    std::fill(msg.begin(), msg.end(), '\0');
    return std::string(reinterpret_cast<char*>(md), len);
  }

  Verdict decide(const Policy& p, const Identity& id, const std::string& path,
                 std::string& reason) const {
    if (!id.groups.count(p.allowed)) {
      reason = "not a member of the allowed group";
      return Verdict::kOutsideGroup;
    }
    for (const auto& pat : p.blocked)
      if (urlPatternMatches(pat, path)) {
        reason = "blocked URL " + pat;
        return Verdict::kBlockedUrl;
      }
    for (const auto& [group, pats] : p.rules) {
      if (!id.groups.count(group)) continue;
      for (const auto& pat : pats)
        if (urlPatternMatches(pat, path)) {
          reason = "blocked URL " + pat + " for " + group;
          return Verdict::kBlockedUrl;
        }
    }
    reason = "member of the allowed group";
    return Verdict::kAllow;
  }

  void answer(net::HttpReply& reply, const Policy& p, Verdict v, const std::string& user,
              const std::string& client, const std::string& path, const std::string& reason,
              bool cached, const std::string& set_cookie = {}) {
    verdicts[static_cast<std::size_t>(v)].fetch_add(1, std::memory_order_relaxed);
    net::HttpResponse r;
    r.status = statusOf(v);
    if (r.status == 401)
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"" + p.config.realm + "\"");
    if (v == Verdict::kAllow) r.headers.emplace_back("X-Authd-User", user);
    if (!set_cookie.empty()) r.headers.emplace_back("Set-Cookie", set_cookie);
    if (v == Verdict::kUnavailable) r.headers.emplace_back("Retry-After", "1");
    reply.send(std::move(r));
    if ((v == Verdict::kAllow && cached) || v == Verdict::kNoCredentials) return;
    store::AuditEvent e;
    e.time_ms = store::nowMs();
    e.source = "authd";
    e.kind = kVerdictNames[static_cast<std::size_t>(v)];
    e.peer_address = client;
    e.peer_identity = user;
    e.reason = reason;
    e.detail = nlohmann::json{{"path", path}, {"status", statusOf(v)}, {"cached", cached}}.dump(
        -1, ' ', true, nlohmann::json::error_handler_t::replace);
    audit->submit(std::move(e));
  }

  // A new session for `id` when sessions are on; returns the Set-Cookie value or empty.
  std::string newSession(Policy& p, const Identity& id, std::chrono::steady_clock::time_point now) {
    if (p.config.session_ttl.count() == 0) return {};
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) return {};
    const std::string sid = hex(raw, sizeof raw);
    p.sessions.put(sid, id, now);
    return p.config.session_cookie + "=" + sid +
           "; Path=/; Max-Age=" + std::to_string(p.config.session_ttl.count()) +
           "; HttpOnly; Secure; SameSite=Strict";
  }

  void onRequest(const net::HttpRequest& req, net::HttpReply reply) {
    auto p = current();
    const auto now = std::chrono::steady_clock::now();
    std::string client = req.peer.host();
    if (auto peer_ip = core::IpAddress::parse(client)) {
      bool trusted = false;
      for (const auto& c : p->config.trusted_proxies) trusted = trusted || c.contains(*peer_ip);
      const std::string_view real = req.header("X-Real-IP");
      if (trusted && !real.empty() && core::IpAddress::parse(real)) client = std::string(real);
    }
    auto path = normalizeUriPath(req.header(p->config.uri_header));
    std::string user, password;
    if (!path) {
      answer(reply, *p, Verdict::kBadUri, "", client, "", "malformed URI", false);
      return;
    }
    std::optional<Identity> session;
    if (p->config.session_ttl.count() > 0) {
      const std::string sid = sessionId(req.header("Cookie"), p->config.session_cookie);
      if (!sid.empty()) session = p->sessions.get(sid, now);
    }
    if (!parseBasic(req.header("Authorization"), user, password)) {
      if (session) {
        std::string reason;
        const Verdict v = decide(*p, *session, *path, reason);
        answer(reply, *p, v, session->user, client, *path, reason + " (session)", true);
        return;
      }
      answer(reply, *p, Verdict::kNoCredentials, "", client, *path, "no credentials", false);
      return;
    }
    if (!validUserName(user)) {
      answer(reply, *p, Verdict::kBadCredentials, "", client, *path, "user name refused", false);
      return;
    }
    std::string key = cacheKey(user, password);
    if (auto id = p->cache.get(key, now)) {
      cache_hits.fetch_add(1, std::memory_order_relaxed);
      std::string reason;
      const Verdict v = decide(*p, *id, *path, reason);
      answer(reply, *p, v, user, client, *path, reason, true,
             v == Verdict::kAllow && !session ? newSession(*p, *id, now) : std::string());
      return;
    }
    cache_misses.fetch_add(1, std::memory_order_relaxed);
    const auto window = p->config.throttle_window;
    if (users.over(hash64("u", core::asciiLower(user)), p->config.user_failures, now, window) ||
        addresses.over(hash64("a", client), p->config.address_failures, now, window)) {
      answer(reply, *p, Verdict::kThrottled, user, client, *path,
             "too many failed logins (throttled before the directory)", false);
      return;
    }
    std::unique_lock lock(jobs_mu);
    if (jobs.size() >= kMaxQueued) {
      lock.unlock();
      queue_full.fetch_add(1, std::memory_order_relaxed);
      answer(reply, *p, Verdict::kUnavailable, user, client, *path, "directory queue full", false);
      return;
    }
    jobs.push_back(Job{std::move(p), std::move(user), std::move(password), std::move(key),
                       std::move(*path), std::move(client), std::move(reply), session.has_value()});
    lock.unlock();
    jobs_cv.notify_one();
  }

  void work(Job& j) {
    Policy& p = *j.policy;
    const auto t0 = std::chrono::steady_clock::now();
    AuthResult r = p.authorizer.authenticate(j.user, j.password);
    const auto t1 = std::chrono::steady_clock::now();
    std::fill(j.password.begin(), j.password.end(), '\0');
    directory_us.fetch_add(
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()),
        std::memory_order_relaxed);
    directory_calls.fetch_add(1, std::memory_order_relaxed);
    ldap_ops.fetch_add(static_cast<std::uint64_t>(r.ldap_ops), std::memory_order_relaxed);
    const auto window = p.config.throttle_window;
    switch (r.outcome) {
      case Outcome::kOk: {
        users.clear(hash64("u", core::asciiLower(j.user)));
        std::string reason;
        const Verdict v = decide(p, r.identity, j.path, reason);
        const std::string cookie =
            v == Verdict::kAllow && !j.has_session ? newSession(p, r.identity, t1) : std::string();
        p.cache.put(j.key, std::move(r.identity), t1);
        answer(j.reply, p, v, j.user, j.client, j.path, reason, false, cookie);
        return;
      }
      case Outcome::kInvalidCredentials:
        users.fail(hash64("u", core::asciiLower(j.user)), t1, window);
        addresses.fail(hash64("a", j.client), t1, window);
        answer(j.reply, p, Verdict::kBadCredentials, j.user, j.client, j.path,
               "directory refused the credentials", false);
        return;
      default:
        spdlog::warn("authd: directory unavailable: {}", r.message);
        answer(j.reply, p, Verdict::kUnavailable, j.user, j.client, j.path,
               "no directory server answered", false);
        return;
    }
  }

  void workerLoop() {
    for (;;) {
      std::unique_lock lock(jobs_mu);
      jobs_cv.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (jobs.empty()) return;
      Job j = std::move(jobs.front());
      jobs.pop_front();
      lock.unlock();
      work(j);
    }
  }

  std::string metrics() {
    auto p = current();
    net::PromWriter w;
    w.family("ccsec_authd_decisions_total", net::MetricType::kCounter,
             "Decisions by verdict (allow 204; 401: no/bad credentials, throttled; 403: "
             "outside_group, blocked_url, bad_uri; 503: unavailable)");
    for (std::size_t i = 0; i < verdicts.size(); ++i)
      w.sample("ccsec_authd_decisions_total", {{"verdict", kVerdictNames[i]}},
               verdicts[i].load(std::memory_order_relaxed));
    w.single("ccsec_authd_cache_hits_total", net::MetricType::kCounter,
             "Decisions answered from the credential cache", cache_hits.load());
    w.single("ccsec_authd_cache_misses_total", net::MetricType::kCounter,
             "Requests with credentials not in the cache", cache_misses.load());
    w.single("ccsec_authd_cache_entries", net::MetricType::kGauge, "Cached identities",
             p->cache.size());
    w.single("ccsec_authd_ldap_operations_total", net::MetricType::kCounter,
             "LDAP binds and searches sent", ldap_ops.load());
    w.single("ccsec_authd_directory_calls_total", net::MetricType::kCounter,
             "Decisions that went to the directory", directory_calls.load());
    w.single("ccsec_authd_directory_microseconds_total", net::MetricType::kCounter,
             "Time spent in directory calls", directory_us.load());
    w.single("ccsec_authd_queue_full_total", net::MetricType::kCounter,
             "Requests refused (503) because the directory queue was full", queue_full.load());
    w.single("ccsec_authd_directory_servers_up", net::MetricType::kGauge,
             "Directory servers not in back-off", p->authorizer.pool().serversUp());
    w.single("ccsec_authd_reloads_total", net::MetricType::kCounter, "Successful reloads",
             reloads.load());
    w.single("ccsec_authd_audit_failures_total", net::MetricType::kCounter,
             "Audit store write failures", audit->failures());
    return w.take();
  }
};

core::Result<std::unique_ptr<Authd>> Authd::create(AuthdConfig config) {
  auto impl = std::make_unique<Impl>();
  if (RAND_bytes(impl->salt.data(), static_cast<int>(impl->salt.size())) != 1)
    return core::makeError("authd: no randomness for the cache salt");
  auto store = store::openAuditStore(config.audit_store, config.base_dir);
  if (!store) return store.error();
  impl->audit = std::make_unique<store::AuditLog>(std::move(*store));
  net::HttpLimits limits;
  limits.maxConnections = config.max_connections;
  limits.maxConnectionsPerAddress = config.max_connections;  // callers are proxies
  limits.requestDeadline =
      std::chrono::milliseconds(2 * config.directory.tls.timeout.count() + 1000);
  auto http = net::HttpServer::listen(impl->loop, config.listen, limits);
  if (!http) return http.error();
  impl->http = std::move(*http);
  impl->bound = impl->http->local();
  const unsigned workers = config.workers;
  impl->policy = std::make_shared<Policy>(std::move(config));
  Impl* self = impl.get();
  impl->http->route("/auth",
                    [self](const net::HttpRequest& r, net::HttpReply reply) {
                      self->onRequest(r, std::move(reply));
                    },
                    {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"});
  impl->http->route("/metrics", [self](const net::HttpRequest&, net::HttpReply reply) {
    net::HttpResponse r;
    r.contentType = std::string(net::PromWriter::kContentType);
    r.body = self->metrics();
    reply.send(std::move(r));
  });
  for (unsigned i = 0; i < workers; ++i) impl->workers.emplace_back([self] { self->workerLoop(); });
  return std::unique_ptr<Authd>(new Authd(std::move(impl)));
}

Authd::Authd(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Authd::~Authd() {
  {
    std::lock_guard lock(impl_->jobs_mu);
    impl_->stopping = true;
  }
  impl_->jobs_cv.notify_all();
  for (auto& t : impl_->workers) t.join();
  impl_->http.reset();
  impl_->audit->flush();
}

core::Result<void> Authd::run(const std::function<void()>& on_ready) {
  if (on_ready) on_ready();
  return impl_->loop.run();
}

core::Result<void> Authd::reload(AuthdConfig config) {
  auto next = std::make_shared<Policy>(std::move(config));
  {
    std::lock_guard lock(impl_->policy_mu);
    impl_->policy = std::move(next);
  }
  impl_->reloads.fetch_add(1);
  return {};
}

void Authd::stop() { impl_->loop.stop(); }
net::Endpoint Authd::endpoint() const { return impl_->bound; }

}  // namespace ccsec::identity
