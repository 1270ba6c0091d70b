#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "identity/authd.h"

namespace ccsec::identity {
namespace {

class Parser {
 public:
  Parser(std::string name, std::string base) : name_(std::move(name)), base_(std::move(base)) {}

  core::Error error(const YAML::Node& node, const std::string& path,
                    const std::string& what) const {
    const YAML::Mark m = node.Mark();
    std::string where = name_;
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1);
    return core::makeError(where + ": " + path + ": " + what);
  }
  core::Result<void> keys(const YAML::Node& map, const std::string& path,
                          const std::vector<std::string>& allowed) const {
    if (!map.IsMap()) return error(map, path, "expected a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string hint = core::closestMatch(key, allowed);
      return error(kv.first, path.empty() ? key : path + "." + key,
                   "unknown key" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    return {};
  }
  core::Result<std::string> str(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar() || n.Scalar().empty()) return error(n, path, "expected a non-empty string");
    return n.Scalar();
  }
  core::Result<std::uint32_t> num(const YAML::Node& n, const std::string& path, std::uint32_t min,
                                  std::uint32_t max) const {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (!s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos) {
        const auto v = static_cast<std::uint32_t>(std::stoul(s));
        if (v >= min && v <= max) return v;
      }
    }
    return error(n, path,
                 "expected a whole number " + std::to_string(min) + ".." + std::to_string(max));
  }
  core::Result<std::vector<std::string>> list(const YAML::Node& n, const std::string& path) const {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) return error(n, path, "expected a list");
    for (std::size_t i = 0; i < n.size(); ++i) {
      auto s = str(n[i], path + "[" + std::to_string(i) + "]");
      if (!s) return s.error();
      out.push_back(*s);
    }
    return out;
  }
  std::string file(const std::string& p) const {
    return std::filesystem::path(p).is_absolute() || base_.empty() ? p : base_ + "/" + p;
  }

  core::Result<AuthdConfig> parse(const YAML::Node& root) const {
    AuthdConfig c;
    c.base_dir = base_;
    if (auto r = keys(root, "",
                      {"listen", "realm", "workers", "max_connections", "directory",
                       "allowed_group", "blocked_urls", "groups", "cache", "throttle",
                       "trusted_proxies", "uri_header", "audit", "session"});
        !r)
      return r.error();
    auto listen = str(root["listen"], "listen");
    if (!listen) return listen.error();
    auto ep = net::Endpoint::parse(*listen);
    if (!ep) return error(root["listen"], "listen", ep.error().message);
    c.listen = *ep;
    if (root["realm"]) {
      auto r = str(root["realm"], "realm");
      if (!r) return r.error();
      if (r->find_first_of("\"\\\r\n") != std::string::npos)
        return error(root["realm"], "realm", "no quotes, backslashes or line breaks");
      c.realm = *r;
    }
    if (root["workers"]) {
      auto w = num(root["workers"], "workers", 1, 64);
      if (!w) return w.error();
      c.workers = *w;
    }
    if (root["max_connections"]) {
      auto w = num(root["max_connections"], "max_connections", 1, 100000);
      if (!w) return w.error();
      c.max_connections = *w;
    }
    if (auto r = directory(root["directory"], c); !r) return r.error();
    // Each worker holds one pooled connection while it binds: keep one idle per worker, or every
    // bind beyond max_idle would open (and close) a TLS connection of its own.
    c.directory.pool.max_idle = std::max<std::size_t>(c.directory.pool.max_idle, c.workers);
    auto allowed = str(root["allowed_group"], "allowed_group");
    if (!allowed) return allowed.error();
    c.allowed_group = *allowed;
    auto blocked = list(root["blocked_urls"], "blocked_urls");
    if (!blocked) return blocked.error();
    c.blocked_urls = *blocked;
    if (const auto g = root["groups"]) {
      if (!g.IsSequence()) return error(g, "groups", "expected a list");
      for (std::size_t i = 0; i < g.size(); ++i) {
        const std::string p = "groups[" + std::to_string(i) + "]";
        if (auto r = keys(g[i], p, {"group", "blocked_urls"}); !r) return r.error();
        GroupRule rule;
        auto dn = str(g[i]["group"], p + ".group");
        if (!dn) return dn.error();
        rule.group = *dn;
        auto b = list(g[i]["blocked_urls"], p + ".blocked_urls");
        if (!b) return b.error();
        rule.blocked_urls = *b;
        c.groups.push_back(std::move(rule));
      }
    }
    if (const auto n = root["cache"]) {
      if (auto r = keys(n, "cache", {"ttl_s", "max_entries"}); !r) return r.error();
      if (n["ttl_s"]) {
        auto v = num(n["ttl_s"], "cache.ttl_s", 0, 86400);
        if (!v) return v.error();
        c.cache_ttl = std::chrono::seconds(*v);
      }
      if (n["max_entries"]) {
        auto v = num(n["max_entries"], "cache.max_entries", 0, 10000000);
        if (!v) return v.error();
        c.cache_max = *v;
      }
    }
    if (const auto n = root["throttle"]) {
      if (auto r = keys(n, "throttle", {"user_failures", "address_failures", "window_s"}); !r)
        return r.error();
      if (n["user_failures"]) {
        auto v = num(n["user_failures"], "throttle.user_failures", 1, 1000);
        if (!v) return v.error();
        c.user_failures = *v;
      }
      if (n["address_failures"]) {
        auto v = num(n["address_failures"], "throttle.address_failures", 1, 100000);
        if (!v) return v.error();
        c.address_failures = *v;
      }
      if (n["window_s"]) {
        auto v = num(n["window_s"], "throttle.window_s", 1, 86400);
        if (!v) return v.error();
        c.throttle_window = std::chrono::seconds(*v);
      }
    }
    auto proxies = list(root["trusted_proxies"], "trusted_proxies");
    if (!proxies) return proxies.error();
    if (!root["trusted_proxies"]) *proxies = {"127.0.0.0/8", "::1/128"};
    for (const auto& p : *proxies) {
      auto cidr = core::Cidr::parse(p);
      if (!cidr) return error(root["trusted_proxies"], "trusted_proxies", "not a CIDR: " + p);
      c.trusted_proxies.push_back(*cidr);
    }
    if (root["uri_header"]) {
      auto h = str(root["uri_header"], "uri_header");
      if (!h) return h.error();
      c.uri_header = *h;
    }
    if (const auto n = root["session"]) {
      if (auto r = keys(n, "session", {"ttl_s", "cookie"}); !r) return r.error();
      auto v = num(n["ttl_s"], "session.ttl_s", 1, 86400);
      if (!v) return v.error();
      c.session_ttl = std::chrono::seconds(*v);
      if (n["cookie"]) {
        auto name = str(n["cookie"], "session.cookie");
        if (!name) return name.error();
        if (name->find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos)
          return error(n["cookie"], "session.cookie", "letters, digits, _ and - only");
        c.session_cookie = *name;
      }
    }
    if (const auto a = root["audit"]) {
      if (auto r = keys(a, "audit", {"store"}); !r) return r.error();
      auto s = str(a["store"], "audit.store");
      if (!s) return s.error();
      c.audit_store = *s;
    } else {
      c.audit_store = "sqlite:authd-audit.db";
    }
    return c;
  }

  core::Result<void> directory(const YAML::Node& d, AuthdConfig& c) const {
    if (!d) return error(d, "directory", "missing");
    if (auto r = keys(d, "directory",
                      {"servers", "site", "starttls", "ca_file", "client_cert", "client_key",
                       "timeout_ms", "retry_after_ms", "bind", "user_base", "user_filter", "nested",
                       "group_base", "group_ttl_s"});
        !r)
      return r;
    DirectoryConfig& dc = c.directory;
    bool starttls = false;
    if (d["starttls"]) {
      const std::string s = d["starttls"].IsScalar() ? d["starttls"].Scalar() : "";
      if (s != "true" && s != "false")
        return error(d["starttls"], "directory.starttls", "expected true or false");
      starttls = s == "true";
    }
    if (d["site"]) {
      auto s = str(d["site"], "directory.site");
      if (!s) return s.error();
      dc.site = *s;
    }
    const auto servers = d["servers"];
    if (!servers || !servers.IsSequence() || servers.size() == 0)
      return error(d, "directory.servers", "expected a non-empty list");
    std::vector<std::string> urls, sites;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      const std::string p = "directory.servers[" + std::to_string(i) + "]";
      if (servers[i].IsScalar()) {
        urls.push_back(servers[i].Scalar());
        sites.emplace_back();
        continue;
      }
      if (auto r = keys(servers[i], p, {"url", "site"}); !r) return r;
      auto u = str(servers[i]["url"], p + ".url");
      if (!u) return u.error();
      urls.push_back(*u);
      sites.push_back(servers[i]["site"] ? servers[i]["site"].Scalar() : std::string());
    }
    auto parsed = serversFromUrls(urls, sites, starttls, dc.site);
    if (!parsed) return error(servers, "directory.servers", parsed.error().message);
    dc.servers = *parsed;
    auto ca = str(d["ca_file"], "directory.ca_file");
    if (!ca) return ca.error();
    dc.tls.ca_file = file(*ca);
    if (!std::filesystem::exists(dc.tls.ca_file))
      return error(d["ca_file"], "directory.ca_file", "no such file: " + dc.tls.ca_file);
    if (d["client_cert"]) dc.tls.cert_file = file(d["client_cert"].Scalar());
    if (d["client_key"]) dc.tls.key_file = file(d["client_key"].Scalar());
    if (d["timeout_ms"]) {
      auto v = num(d["timeout_ms"], "directory.timeout_ms", 100, 60000);
      if (!v) return v.error();
      dc.tls.timeout = std::chrono::milliseconds(*v);
    }
    if (d["retry_after_ms"]) {
      auto v = num(d["retry_after_ms"], "directory.retry_after_ms", 0, 600000);
      if (!v) return v.error();
      dc.pool.retry_after = std::chrono::milliseconds(*v);
    }
    auto bind = str(d["bind"], "directory.bind");
    if (!bind) return bind.error();
    if (bind->find("{user}") == std::string::npos)
      return error(d["bind"], "directory.bind", "must contain {user}");
    dc.bind_template = *bind;
    if (d["user_filter"]) {
      auto f = str(d["user_filter"], "directory.user_filter");
      if (!f) return f.error();
      dc.user_filter = *f;
      auto b = str(d["user_base"], "directory.user_base");
      if (!b) return b.error();
      dc.user_base = *b;
    } else if (dc.bind_template.find('=') == std::string::npos) {
      return error(d, "directory.user_filter",
                   "needed when bind is not a DN template (e.g. a user principal name)");
    }
    if (d["nested"]) {
      const std::string n = d["nested"].Scalar();
      if (n == "memberof")
        dc.nested = NestedMode::kMemberOf;
      else if (n == "in-chain")
        dc.nested = NestedMode::kInChain;
      else
        return error(d["nested"], "directory.nested", "expected memberof or in-chain");
    }
    if (dc.nested == NestedMode::kMemberOf) {
      auto g = str(d["group_base"], "directory.group_base");
      if (!g) return g.error();
      dc.group_base = *g;
    }
    if (d["group_ttl_s"]) {
      auto v = num(d["group_ttl_s"], "directory.group_ttl_s", 1, 86400);
      if (!v) return v.error();
      dc.group_ttl = std::chrono::seconds(*v);
    }
    return {};
  }

 private:
  std::string name_;
  std::string base_;
};

}  // namespace

core::Result<AuthdConfig> parseAuthdConfig(const std::string& yaml, const std::string& name,
                                           const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return core::makeError(name + ": " + e.what());
  }
  try {
    return Parser(name, base_dir).parse(root);
  } catch (const YAML::Exception& e) {
    // A required key that is absent: yaml-cpp throws when its (invalid) node is inspected.
    return core::makeError(name + ": " + e.what());
  }
}

core::Result<AuthdConfig> loadAuthdConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::makeError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parseAuthdConfig(ss.str(), path, std::filesystem::absolute(path).parent_path().string());
}

}  // namespace ccsec::identity
