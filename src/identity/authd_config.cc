#include <algorithm>
#include <filesystem>

#include "identity/authd.h"
#include "yaml/walker.h"

namespace ccsec::identity {
namespace {

using yaml::indexPath;
using yaml::KeyTable;
using yaml::Node;
using yaml::Walker;

// ---- the schema (docs/authd.md): one key table per mapping -----------------------------
const KeyTable kRootKeys{{"listen", true},    {"realm"},           {"workers"},
                         {"max_connections"}, {"directory", true}, {"allowed_group", true},
                         {"blocked_urls"},    {"groups"},          {"cache"},
                         {"throttle"},        {"trusted_proxies"}, {"uri_header"},
                         {"audit"},           {"session"}};
const KeyTable kDirectoryKeys{
    {"servers", true}, {"site"},       {"starttls"},       {"ca_file", true}, {"client_cert"},
    {"client_key"},    {"timeout_ms"}, {"retry_after_ms"}, {"bind", true},    {"user_base"},
    {"user_filter"},   {"nested"},     {"group_base"},     {"group_ttl_s"}};
const KeyTable kServerKeys{{"url", true}, {"site"}};
const KeyTable kGroupKeys{{"group", true}, {"blocked_urls"}};
const KeyTable kCacheKeys{{"ttl_s"}, {"max_entries"}};
const KeyTable kThrottleKeys{{"user_failures"}, {"address_failures"}, {"window_s"}};
const KeyTable kSessionKeys{{"ttl_s", true}, {"cookie"}};
const KeyTable kAuditKeys{{"store", true}};

// Reads the config through the strict YAML walker (yaml/walker.h): every mistake is a
// diagnostic "FILE:LINE:COL: key.path: expected …, found …", all of them reported at once.
class Reader {
 public:
  Reader(Walker& w, std::string base) : w_(w), base_(std::move(base)) {}

  void read(const Node& root, AuthdConfig& c) {
    c.base_dir = base_;
    auto f = w_.map(root, "", kRootKeys);
    if (!f) return;
    if (auto listen = w_.str((*f)["listen"], "listen")) {
      auto ep = net::Endpoint::parse(*listen);
      if (!ep)
        w_.error((*f)["listen"], "listen", ep.error().message);
      else
        c.listen = *ep;
    }
    if (auto r = w_.str((*f)["realm"], "realm")) {
      if (r->find_first_of("\"\\\r\n") != std::string::npos)
        w_.error((*f)["realm"], "realm",
                 "expected no quotes, backslashes or line breaks, found " + yaml::quote(*r));
      else
        c.realm = *r;
    }
    if (auto v = w_.integer((*f)["workers"], "workers", 1, 64)) c.workers = unsigned(*v);
    if (auto v = w_.integer((*f)["max_connections"], "max_connections", 1, 100000))
      c.max_connections = unsigned(*v);
    if (f->has("directory")) directory((*f)["directory"], c.directory);
    // Each worker holds one pooled connection while it binds: keep one idle per worker, or every
    // bind beyond max_idle would open (and close) a TLS connection of its own.
    c.directory.pool.max_idle = std::max<std::size_t>(c.directory.pool.max_idle, c.workers);
    if (auto g = w_.str((*f)["allowed_group"], "allowed_group")) c.allowed_group = *g;
    c.blocked_urls = w_.strList((*f)["blocked_urls"], "blocked_urls");
    auto groups = w_.seq((*f)["groups"], "groups");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const std::string p = indexPath("groups", i);
      auto g = w_.map(groups[i], p, kGroupKeys);
      if (!g) continue;
      GroupRule rule;
      if (auto dn = w_.str((*g)["group"], p + ".group")) rule.group = *dn;
      rule.blocked_urls = w_.strList((*g)["blocked_urls"], p + ".blocked_urls");
      c.groups.push_back(std::move(rule));
    }
    if (f->has("cache")) {
      if (auto n = w_.map((*f)["cache"], "cache", kCacheKeys)) {
        if (auto v = w_.integer((*n)["ttl_s"], "cache.ttl_s", 0, 86400))
          c.cache_ttl = std::chrono::seconds(*v);
        if (auto v = w_.integer((*n)["max_entries"], "cache.max_entries", 0, 10000000))
          c.cache_max = static_cast<std::size_t>(*v);
      }
    }
    if (f->has("throttle")) {
      if (auto n = w_.map((*f)["throttle"], "throttle", kThrottleKeys)) {
        if (auto v = w_.integer((*n)["user_failures"], "throttle.user_failures", 1, 1000))
          c.user_failures = unsigned(*v);
        if (auto v = w_.integer((*n)["address_failures"], "throttle.address_failures", 1, 100000))
          c.address_failures = unsigned(*v);
        if (auto v = w_.integer((*n)["window_s"], "throttle.window_s", 1, 86400))
          c.throttle_window = std::chrono::seconds(*v);
      }
    }
    if (!f->has("trusted_proxies")) {
      c.trusted_proxies = {*core::Cidr::parse("127.0.0.0/8"), *core::Cidr::parse("::1/128")};
    } else {
      auto items = w_.seq((*f)["trusted_proxies"], "trusted_proxies");
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto p = w_.str(items[i], indexPath("trusted_proxies", i));
        if (!p) continue;
        auto cidr = core::Cidr::parse(*p);
        if (!cidr)
          w_.error(items[i], indexPath("trusted_proxies", i),
                   "expected a CIDR (ADDRESS/PREFIX), found " + yaml::quote(*p));
        else
          c.trusted_proxies.push_back(*cidr);
      }
    }
    if (auto h = w_.str((*f)["uri_header"], "uri_header")) c.uri_header = *h;
    if (f->has("session")) {
      if (auto n = w_.map((*f)["session"], "session", kSessionKeys)) {
        if (auto v = w_.integer((*n)["ttl_s"], "session.ttl_s", 1, 86400))
          c.session_ttl = std::chrono::seconds(*v);
        if (auto name = w_.str((*n)["cookie"], "session.cookie")) {
          if (name->find_first_not_of(
                  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
              std::string::npos)
            w_.error((*n)["cookie"], "session.cookie",
                     "expected letters, digits, _ and - only, found " + yaml::quote(*name));
          else
            c.session_cookie = *name;
        }
      }
    }
    c.audit_store = "sqlite:authd-audit.db";
    if (f->has("audit")) {
      if (auto a = w_.map((*f)["audit"], "audit", kAuditKeys))
        if (auto s = w_.str((*a)["store"], "audit.store")) c.audit_store = *s;
    }
  }

 private:
  std::string file(const std::string& p) const {
    return std::filesystem::path(p).is_absolute() || base_.empty() ? p : base_ + "/" + p;
  }

  void directory(const Node& n, DirectoryConfig& dc) {
    auto d = w_.map(n, "directory", kDirectoryKeys);
    if (!d) return;
    bool starttls = false;
    if (auto v = w_.boolean((*d)["starttls"], "directory.starttls")) starttls = *v;
    if (auto s = w_.str((*d)["site"], "directory.site")) dc.site = *s;
    const Node servers = (*d)["servers"];
    if (servers.IsDefined()) {
      auto items = w_.seq(servers, "directory.servers");
      if (items.empty() && (servers.IsNull() || servers.IsSequence()))
        w_.error(servers, "directory.servers",
                 std::string("expected a non-empty list of directory servers, found ") +
                     (servers.IsNull() ? "null" : "an empty sequence"));
      std::vector<std::string> urls, sites;
      bool ok = true;
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string p = indexPath("directory.servers", i);
        std::optional<std::string> url;
        std::string site;
        if (items[i].IsMap()) {
          auto s = w_.map(items[i], p, kServerKeys);
          if (s) {
            url = w_.str((*s)["url"], p + ".url");
            if (auto v = w_.str((*s)["site"], p + ".site"))
              site = *v;
            else if (s->has("site"))
              ok = false;
          }
        } else {
          url = w_.str(items[i], p);
        }
        if (!url) {
          ok = false;
          continue;
        }
        urls.push_back(*url);
        sites.push_back(site);
      }
      if (ok && !urls.empty()) {
        auto parsed = serversFromUrls(urls, sites, starttls, dc.site);
        if (!parsed)
          w_.error(servers, "directory.servers", parsed.error().message);
        else
          dc.servers = *parsed;
      }
    }
    if (auto ca = w_.str((*d)["ca_file"], "directory.ca_file")) {
      dc.tls.ca_file = file(*ca);
      if (!std::filesystem::exists(dc.tls.ca_file))
        w_.error((*d)["ca_file"], "directory.ca_file", "no such file: " + dc.tls.ca_file);
    }
    if (auto v = w_.str((*d)["client_cert"], "directory.client_cert")) dc.tls.cert_file = file(*v);
    if (auto v = w_.str((*d)["client_key"], "directory.client_key")) dc.tls.key_file = file(*v);
    if (auto v = w_.integer((*d)["timeout_ms"], "directory.timeout_ms", 100, 60000))
      dc.tls.timeout = std::chrono::milliseconds(*v);
    if (auto v = w_.integer((*d)["retry_after_ms"], "directory.retry_after_ms", 0, 600000))
      dc.pool.retry_after = std::chrono::milliseconds(*v);
    if (auto bind = w_.str((*d)["bind"], "directory.bind")) {
      if (bind->find("{user}") == std::string::npos)
        w_.error((*d)["bind"], "directory.bind",
                 "expected a template containing {user}, found " + yaml::quote(*bind));
      else
        dc.bind_template = *bind;
    }
    if (d->has("user_filter")) {
      if (auto f = w_.str((*d)["user_filter"], "directory.user_filter")) dc.user_filter = *f;
      if (!d->has("user_base"))
        w_.error(n, "directory", "expected key \"user_base\" (with user_filter), found none");
      else if (auto b = w_.str((*d)["user_base"], "directory.user_base"))
        dc.user_base = *b;
    } else if (!dc.bind_template.empty() && dc.bind_template.find('=') == std::string::npos) {
      w_.error(n, "directory.user_filter",
               "needed when bind is not a DN template (e.g. a user principal name)");
    }
    if (auto v = w_.oneOf((*d)["nested"], "directory.nested", {"memberof", "in-chain"}))
      dc.nested = *v == "memberof" ? NestedMode::kMemberOf : NestedMode::kInChain;
    if (dc.nested == NestedMode::kMemberOf) {
      if (!d->has("group_base"))
        w_.error(n, "directory", "expected key \"group_base\" (with nested: memberof), found none");
      else if (auto g = w_.str((*d)["group_base"], "directory.group_base"))
        dc.group_base = *g;
    }
    if (auto v = w_.integer((*d)["group_ttl_s"], "directory.group_ttl_s", 1, 86400))
      dc.group_ttl = std::chrono::seconds(*v);
  }

  Walker& w_;
  std::string base_;
};

}  // namespace

core::Result<AuthdConfig> parseAuthdConfig(const std::string& yaml, const std::string& name,
                                           const std::string& base_dir) {
  AuthdConfig c;
  auto r = yaml::readDocument(
      yaml, name, [&](Walker& w, const Node& root) { Reader(w, base_dir).read(root, c); });
  if (!r) return r.error();
  return c;
}

core::Result<AuthdConfig> loadAuthdConfig(const std::string& path) {
  auto text = yaml::readFileText(path);
  if (!text) return text.error();
  return parseAuthdConfig(*text, path, std::filesystem::absolute(path).parent_path().string());
}

}  // namespace ccsec::identity
