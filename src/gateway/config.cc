#include "gateway/config.h"

#include <filesystem>
#include <set>

#include "yaml/walker.h"

namespace ccsec::gateway {
namespace {

bool isUnspecified(const net::Endpoint& e) {
  const std::string h = e.host();
  return h == "0.0.0.0" || h == "::";
}

using yaml::indexPath;
using yaml::keyPath;
using yaml::KeyTable;
using yaml::Node;
using yaml::Walker;

// ---- the schema (config.h): one key table per mapping ----------------------------------
const KeyTable kRootKeys{{"listeners", true}, {"audit"}, {"metrics"}, {"limits"}};
const KeyTable kListenerKeys{{"name", true}, {"mode", true}, {"listen", true}, {"forward", true},
                             {"protocol"},   {"tls", true},  {"ktls"}};
const KeyTable kTlsKeys{
    {"cert", true},          {"key", true},  {"ca", true},    {"crl", true},
    {"allowed_peers", true}, {"legacy_tls"}, {"min_version"}, {"allow_insecure_key_permissions"},
    {"session_cache"}};
const KeyTable kAuditKeys{{"store"}};
const KeyTable kMetricsKeys{{"listen"}};
const KeyTable kLimitsKeys{{"max_connections"}, {"handshake_timeout_ms"}, {"idle_timeout_ms"},
                           {"accept_rate"},     {"per_peer_rate"},        {"drain_timeout_ms"}};
constexpr std::int64_t kU32Max = 0xFFFFFFFF;

// Reads the config through the strict YAML walker (yaml/walker.h): every mistake is a
// diagnostic "FILE:LINE:COL: key.path: expected …, found …", all of them reported at once.
class Reader {
 public:
  Reader(Walker& w, std::string base_dir) : w_(w), base_(std::move(base_dir)) {}

  void read(const Node& root, GatewayConfig& c) {
    c.base_dir = base_;
    auto f = w_.map(root, "", kRootKeys);
    if (!f) return;
    listeners((*f)["listeners"], c);
    if (const Node a = (*f)["audit"]; a.IsDefined()) audit(a, c);
    if (c.audit_store == "sqlite:audit.db") c.audit_store = "sqlite:" + resolve("audit.db");
    if (const Node m = (*f)["metrics"]; m.IsDefined()) {
      if (auto mf = w_.map(m, "metrics", kMetricsKeys))
        if (auto e = endpoint((*mf)["listen"], "metrics.listen")) c.metrics_listen = *e;
    }
    if (const Node l = (*f)["limits"]; l.IsDefined()) limits(l, c.limits);
  }

 private:
  std::optional<net::Endpoint> endpoint(const Node& n, const std::string& path) {
    auto s = w_.str(n, path);
    if (!s) return std::nullopt;
    auto e = net::Endpoint::parse(*s);
    if (!e) {
      w_.error(n, path, e.error().message);
      return std::nullopt;
    }
    return *e;
  }

  std::string resolve(const std::string& p) const {
    std::filesystem::path fp(p);
    if (fp.is_relative() && !base_.empty()) fp = std::filesystem::path(base_) / fp;
    return fp.lexically_normal().string();
  }

  std::optional<std::string> file(const Node& n, const std::string& path) {
    auto s = w_.str(n, path);
    if (!s) return std::nullopt;
    std::string r = resolve(*s);
    if (!std::filesystem::is_regular_file(r)) {
      w_.error(n, path, "file not found: " + r);
      return std::nullopt;
    }
    return r;
  }

  void listeners(const Node& ls, GatewayConfig& c) {
    if (!ls.IsDefined()) return;  // missing: reported by map()
    auto items = w_.seq(ls, "listeners");
    if (items.empty() && (ls.IsNull() || ls.IsSequence()))
      w_.error(ls, "listeners",
               std::string("expected a non-empty list of listeners, found ") +
                   (ls.IsNull() ? "null" : "an empty sequence"));
    std::set<std::string> names;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = indexPath("listeners", i);
      auto f = w_.map(items[i], path, kListenerKeys);
      if (!f) continue;
      ListenerConfig l;
      if (!listener(*f, path, l)) continue;
      if (!names.insert(l.name).second) {
        w_.error((*f)["name"], path + ".name", "duplicate listener name '" + l.name + "'");
        continue;
      }
      // One listener per address: two sockets on one address would share connections, so a
      // peer allowed on one listener would be relayed by the other (port 0 = a fresh port each).
      bool clash = false;
      for (const auto& other : c.listeners) {
        if (l.listen.port() == 0 || other.listen.port() != l.listen.port()) continue;
        const bool any = isUnspecified(l.listen) || isUnspecified(other.listen);
        if (other.listen.host() == l.listen.host() || any) {
          w_.error((*f)["listen"], path + ".listen",
                   l.listen.str() + " is already the address of listener '" + other.name + "'" +
                       (other.listen.host() == l.listen.host() ? std::string()
                                                               : " (" + other.listen.str() + ")"));
          clash = true;
          break;
        }
      }
      if (!clash) c.listeners.push_back(std::move(l));
    }
  }

  // False when any part of the listener is wrong (already reported).
  bool listener(const yaml::Fields& f, const std::string& path, ListenerConfig& l) {
    const std::size_t before = w_.diagnostics.size();
    if (auto name = w_.str(f["name"], path + ".name")) {
      if (name->find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string::npos)
        w_.error(f["name"], path + ".name",
                 "expected letters, digits, '_', '.', '-' only, found " + yaml::quote(*name));
      else
        l.name = *name;
    }
    if (auto mode = w_.oneOf(f["mode"], path + ".mode", {"server", "client"}))
      l.mode = *mode == "server" ? Mode::kServer : Mode::kClient;
    if (auto e = endpoint(f["listen"], path + ".listen")) l.listen = *e;
    if (auto e = endpoint(f["forward"], path + ".forward")) l.forward = *e;
    if (auto p = w_.oneOf(f["protocol"], path + ".protocol", {"raw", "ged-188"}))
      l.protocol = *p == "raw" ? Protocol::kRaw : Protocol::kGed188;
    if (auto k = w_.boolean(f["ktls"], path + ".ktls")) l.tls.ktls = *k;
    l.tls.role = l.mode == Mode::kServer ? tls::Role::kServer : tls::Role::kClient;
    if (f.has("tls")) tlsSettings(f["tls"], path + ".tls", l.tls);
    return w_.diagnostics.size() == before && !w_.aborted();
  }

  void tlsSettings(const Node& n, const std::string& path, tls::ContextConfig& t) {
    auto f = w_.map(n, path, kTlsKeys);
    if (!f) return;
    struct F {
      const char* key;
      std::string* dst;
    };
    bool key_ok = false;
    for (F k : {F{"cert", &t.cert_file}, F{"key", &t.key_file}, F{"ca", &t.ca_file},
                F{"crl", &t.crl_file}}) {
      if (!f->has(k.key)) continue;  // reported by map()
      if (auto v = file((*f)[k.key], keyPath(path, k.key))) {
        *k.dst = *v;
        if (k.dst == &t.key_file) key_ok = true;
      }
    }
    if (auto v = w_.boolean((*f)["allow_insecure_key_permissions"],
                            path + ".allow_insecure_key_permissions"))
      t.allow_insecure_key_permissions = *v;
    // Sessions kept for resumption; 0 = stateless tickets.
    if (auto v = w_.integer((*f)["session_cache"], path + ".session_cache", 0, kU32Max))
      t.session_cache = static_cast<std::uint32_t>(*v);
    if (key_ok && !t.allow_insecure_key_permissions)
      if (auto r = tls::checkKeyFileMode(t.key_file); !r)
        w_.error((*f)["key"], path + ".key", r.error().message);
    if (const Node peers = (*f)["allowed_peers"]; peers.IsDefined()) {
      auto items = w_.seq(peers, path + ".allowed_peers");
      if (items.empty() && (peers.IsNull() || peers.IsSequence()))
        w_.error(peers, path + ".allowed_peers",
                 std::string("expected a non-empty list of host names, found ") +
                     (peers.IsNull() ? "null" : "an empty sequence"));
      for (std::size_t i = 0; i < items.size(); ++i)
        if (auto v = w_.str(items[i], indexPath(path + ".allowed_peers", i)))
          t.allowed_peers.push_back(*v);
    }
    if (auto v = w_.boolean((*f)["legacy_tls"], path + ".legacy_tls")) t.policy.legacy_tls = *v;
    bool version_ok = true;
    if (auto s = w_.str((*f)["min_version"], path + ".min_version")) {
      auto v = tls::parseVersion(*s);
      if (v) {
        t.policy.min_version = *v;
      } else {
        w_.error((*f)["min_version"], path + ".min_version", v.error().message);
        version_ok = false;
      }
    }
    if (!version_ok) return;
    if (auto v = tls::validatePolicy(t.policy); !v)
      w_.error(f->has("min_version") ? (*f)["min_version"] : n, path + ".min_version",
               v.error().message);
  }

  void audit(const Node& a, GatewayConfig& c) {
    auto f = w_.map(a, "audit", kAuditKeys);
    if (!f) return;
    auto s = w_.str((*f)["store"], "audit.store");
    if (!s) return;
    if (s->starts_with("sqlite:"))
      c.audit_store = "sqlite:" + resolve(s->substr(7));
    else if (s->starts_with("postgresql://") || s->starts_with("postgres://"))
      c.audit_store = *s;
    else
      w_.error((*f)["store"], "audit.store",
               "expected sqlite:PATH or postgresql://…, found " + yaml::quote(*s));
  }

  void limits(const Node& n, Limits& lim) {
    auto f = w_.map(n, "limits", kLimitsKeys);
    if (!f) return;
    struct F {
      const char* key;
      std::uint32_t* dst;
      std::int64_t min;
    };
    for (F k : {F{"max_connections", &lim.max_connections, 1},
                F{"handshake_timeout_ms", &lim.handshake_timeout_ms, 1},
                F{"idle_timeout_ms", &lim.idle_timeout_ms, 0},
                F{"accept_rate", &lim.accept_rate, 0}, F{"per_peer_rate", &lim.per_peer_rate, 0},
                F{"drain_timeout_ms", &lim.drain_timeout_ms, 0}}) {
      if (auto v = w_.integer((*f)[k.key], std::string("limits.") + k.key, k.min, kU32Max))
        *k.dst = static_cast<std::uint32_t>(*v);
    }
  }

  Walker& w_;
  std::string base_;
};

}  // namespace

core::Result<GatewayConfig> parseGatewayConfig(const std::string& text, const std::string& name,
                                               const std::string& base_dir) {
  GatewayConfig c;
  auto r = yaml::readDocument(
      text, name, [&](Walker& w, const Node& root) { Reader(w, base_dir).read(root, c); });
  if (!r) return r.error();
  return c;
}

core::Result<GatewayConfig> loadGatewayConfig(const std::string& path) {
  auto text = yaml::readFileText(path);
  if (!text) return core::makeError("cannot read gateway config " + path, text.error().message);
  std::string base = std::filesystem::absolute(path).parent_path().string();
  return parseGatewayConfig(*text, path, base);
}

}  // namespace ccsec::gateway
