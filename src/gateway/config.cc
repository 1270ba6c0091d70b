#include "gateway/config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/text.h"

namespace ccsec::gateway {
namespace {

bool isUnspecified(const net::Endpoint& e) {
  const std::string h = e.host();
  return h == "0.0.0.0" || h == "::";
}

class Parser {
 public:
  Parser(std::string name, std::string base_dir)
      : name_(std::move(name)), base_(std::move(base_dir)) {}

  core::Error error(const YAML::Node& node, const std::string& path,
                    const std::string& what) const {
    const YAML::Mark m = node.Mark();
    std::string where = name_;
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    return core::makeError(where + ": " + path + ": " + what);
  }

  core::Result<void> checkKeys(const YAML::Node& map, const std::string& path,
                               const std::vector<std::string>& allowed) const {
    if (!map.IsMap()) return error(map, path, "expected a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string hint = core::closestMatch(key, allowed);
      return error(
          kv.first, path.empty() ? key : path + "." + key,
          "unknown key" + (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)"));
    }
    return {};
  }

  core::Result<std::string> string(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar() || n.Scalar().empty()) return error(n, path, "expected a non-empty string");
    return n.Scalar();
  }

  core::Result<bool> boolean(const YAML::Node& n, const std::string& path) const {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    return error(n, path, "expected true or false");
  }

  core::Result<std::uint32_t> count(const YAML::Node& n, const std::string& path) const {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (!s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos) {
        unsigned long long v = std::stoull(s);
        if (v <= 0xFFFFFFFFull) return static_cast<std::uint32_t>(v);
      }
    }
    return error(n, path, "expected a non-negative integer");
  }

  core::Result<net::Endpoint> endpoint(const YAML::Node& n, const std::string& path) const {
    auto s = string(n, path);
    if (!s) return s.error();
    auto e = net::Endpoint::parse(*s);
    if (!e) return error(n, path, e.error().message);
    return e;
  }

  std::string resolve(const std::string& p) const {
    std::filesystem::path fp(p);
    if (fp.is_relative() && !base_.empty()) fp = std::filesystem::path(base_) / fp;
    return fp.lexically_normal().string();
  }

  core::Result<std::string> file(const YAML::Node& n, const std::string& path) const {
    auto s = string(n, path);
    if (!s) return s.error();
    std::string r = resolve(*s);
    if (!std::filesystem::is_regular_file(r)) return error(n, path, "file not found: " + r);
    return r;
  }

  core::Result<void> tls(const YAML::Node& n, const std::string& path, ListenerConfig& l) const {
    if (auto r = checkKeys(n, path,
                           {"cert", "key", "ca", "crl", "allowed_peers", "legacy_tls",
                            "min_version", "allow_insecure_key_permissions", "session_cache"});
        !r)
      return r;
    auto& t = l.tls;
    struct F {
      const char* key;
      std::string* dst;
    };
    for (F f : {F{"cert", &t.cert_file}, F{"key", &t.key_file}, F{"ca", &t.ca_file},
                F{"crl", &t.crl_file}}) {
      if (!n[f.key]) return error(n, path, std::string("missing required key '") + f.key + "'");
      auto v = file(n[f.key], path + "." + f.key);
      if (!v) return v.error();
      *f.dst = *v;
    }
    if (n["allow_insecure_key_permissions"]) {
      auto v =
          boolean(n["allow_insecure_key_permissions"], path + ".allow_insecure_key_permissions");
      if (!v) return v.error();
      t.allow_insecure_key_permissions = *v;
    }
    if (n["session_cache"]) {  // sessions kept for resumption; 0 = stateless tickets
      auto v = count(n["session_cache"], path + ".session_cache");
      if (!v) return v.error();
      t.session_cache = *v;
    }
    if (!t.allow_insecure_key_permissions)
      if (auto r = tls::checkKeyFileMode(t.key_file); !r)
        return error(n["key"], path + ".key", r.error().message);
    const YAML::Node peers = n["allowed_peers"];
    if (!peers) return error(n, path, "missing required key 'allowed_peers'");
    if (!peers.IsSequence() || peers.size() == 0)
      return error(peers, path + ".allowed_peers", "expected a non-empty list of host names");
    for (std::size_t i = 0; i < peers.size(); ++i) {
      auto v = string(peers[i], path + ".allowed_peers[" + std::to_string(i) + "]");
      if (!v) return v.error();
      t.allowed_peers.push_back(*v);
    }
    if (n["legacy_tls"]) {
      auto v = boolean(n["legacy_tls"], path + ".legacy_tls");
      if (!v) return v.error();
      t.policy.legacy_tls = *v;
    }
    if (n["min_version"]) {
      auto s = string(n["min_version"], path + ".min_version");
      if (!s) return s.error();
      auto v = tls::parseVersion(*s);
      if (!v) return error(n["min_version"], path + ".min_version", v.error().message);
      t.policy.min_version = *v;
    }
    if (auto v = tls::validatePolicy(t.policy); !v)
      return error(n["min_version"] ? n["min_version"] : n, path + ".min_version",
                   v.error().message);
    return {};
  }

  core::Result<ListenerConfig> listener(const YAML::Node& n, const std::string& path) const {
    if (auto r =
            checkKeys(n, path, {"name", "mode", "listen", "forward", "protocol", "tls", "ktls"});
        !r)
      return r.error();
    ListenerConfig l;
    for (const char* req : {"name", "mode", "listen", "forward", "tls"})
      if (!n[req]) return error(n, path, std::string("missing required key '") + req + "'");
    auto name = string(n["name"], path + ".name");
    if (!name) return name.error();
    if (name->find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
        std::string::npos)
      return error(n["name"], path + ".name", "use letters, digits, '_', '.', '-' only");
    l.name = *name;
    auto mode = string(n["mode"], path + ".mode");
    if (!mode) return mode.error();
    if (*mode == "server")
      l.mode = Mode::kServer;
    else if (*mode == "client")
      l.mode = Mode::kClient;
    else
      return error(n["mode"], path + ".mode", "expected server or client, got '" + *mode + "'");
    auto listen = endpoint(n["listen"], path + ".listen");
    if (!listen) return listen.error();
    l.listen = *listen;
    auto fwd = endpoint(n["forward"], path + ".forward");
    if (!fwd) return fwd.error();
    l.forward = *fwd;
    if (n["protocol"]) {
      auto p = string(n["protocol"], path + ".protocol");
      if (!p) return p.error();
      if (*p == "raw")
        l.protocol = Protocol::kRaw;
      else if (*p == "ged-188")
        l.protocol = Protocol::kGed188;
      else
        return error(n["protocol"], path + ".protocol",
                     "expected raw or ged-188, got '" + *p + "'");
    }
    if (n["ktls"]) {
      auto k = boolean(n["ktls"], path + ".ktls");
      if (!k) return k.error();
      l.tls.ktls = *k;
    }
    l.tls.role = l.mode == Mode::kServer ? tls::Role::kServer : tls::Role::kClient;
    if (auto r = tls(n["tls"], path + ".tls", l); !r) return r.error();
    return l;
  }

  core::Result<GatewayConfig> parse(const YAML::Node& root) const {
    GatewayConfig c;
    c.base_dir = base_;
    if (auto r = checkKeys(root, "", {"listeners", "audit", "metrics", "limits"}); !r)
      return r.error();
    const YAML::Node ls = root["listeners"];
    if (!ls) return error(root, "listeners", "missing required key 'listeners'");
    if (!ls.IsSequence() || ls.size() == 0)
      return error(ls, "listeners", "expected a non-empty list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      std::string path = "listeners[" + std::to_string(i) + "]";
      auto l = listener(ls[i], path);
      if (!l) return l.error();
      if (!names.insert(l->name).second)
        return error(ls[i]["name"], path + ".name", "duplicate listener name '" + l->name + "'");
      // One listener per address: two sockets on one address would share connections, so a peer
      // allowed on one listener would be relayed by the other (port 0 = a fresh port each).
      for (const auto& other : c.listeners) {
        if (l->listen.port() == 0 || other.listen.port() != l->listen.port()) continue;
        const bool any = isUnspecified(l->listen) || isUnspecified(other.listen);
        if (other.listen.host() == l->listen.host() || any)
          return error(
              ls[i]["listen"], path + ".listen",
              l->listen.str() + " is already the address of listener '" + other.name + "'" +
                  (other.listen.host() == l->listen.host() ? std::string()
                                                           : " (" + other.listen.str() + ")"));
      }
      c.listeners.push_back(std::move(*l));
    }
    if (const YAML::Node a = root["audit"]) {
      if (auto r = checkKeys(a, "audit", {"store"}); !r) return r.error();
      if (a["store"]) {
        auto s = string(a["store"], "audit.store");
        if (!s) return s.error();
        std::string v = *s;
        if (v.starts_with("sqlite:"))
          v = "sqlite:" + resolve(v.substr(7));
        else if (!v.starts_with("postgresql://") && !v.starts_with("postgres://"))
          return error(a["store"], "audit.store", "expected sqlite:PATH or postgresql://…");
        c.audit_store = v;
      }
    }
    if (c.audit_store == "sqlite:audit.db") c.audit_store = "sqlite:" + resolve("audit.db");
    if (const YAML::Node m = root["metrics"]) {
      if (auto r = checkKeys(m, "metrics", {"listen"}); !r) return r.error();
      if (m["listen"]) {
        auto e = endpoint(m["listen"], "metrics.listen");
        if (!e) return e.error();
        c.metrics_listen = *e;
      }
    }
    if (const YAML::Node lim = root["limits"]) {
      struct F {
        const char* key;
        std::uint32_t* dst;
      };
      std::vector<std::string> keys;
      std::vector<F> fields{{"max_connections", &c.limits.max_connections},
                            {"handshake_timeout_ms", &c.limits.handshake_timeout_ms},
                            {"idle_timeout_ms", &c.limits.idle_timeout_ms},
                            {"accept_rate", &c.limits.accept_rate},
                            {"per_peer_rate", &c.limits.per_peer_rate},
                            {"drain_timeout_ms", &c.limits.drain_timeout_ms}};
      for (auto& f : fields) keys.emplace_back(f.key);
      if (auto r = checkKeys(lim, "limits", keys); !r) return r.error();
      for (auto& f : fields) {
        if (!lim[f.key]) continue;
        auto v = count(lim[f.key], std::string("limits.") + f.key);
        if (!v) return v.error();
        *f.dst = *v;
      }
      if (c.limits.max_connections == 0)
        return error(lim["max_connections"], "limits.max_connections", "must be at least 1");
      if (c.limits.handshake_timeout_ms == 0)
        return error(lim["handshake_timeout_ms"], "limits.handshake_timeout_ms",
                     "must be at least 1");
    }
    return c;
  }

 private:
  std::string name_;
  std::string base_;
};

}  // namespace

core::Result<GatewayConfig> parseGatewayConfig(const std::string& text, const std::string& name,
                                               const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::makeError(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  Parser p(name, base_dir);
  try {
    return p.parse(root);
  } catch (const YAML::Exception& e) {
    return core::makeError(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

core::Result<GatewayConfig> loadGatewayConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::makeError("cannot read gateway config " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string base = std::filesystem::absolute(path).parent_path().string();
  return parseGatewayConfig(ss.str(), path, base);
}

}  // namespace ccsec::gateway
