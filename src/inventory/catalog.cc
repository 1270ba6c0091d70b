#include "inventory/catalog.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ccsec/paths.h"
#include "yaml/walker.h"

namespace ccsec::inventory {

namespace {

using yaml::indexPath;
using yaml::keyPath;
using yaml::KeyTable;
using yaml::Node;
using yaml::Walker;

constexpr std::size_t kCatalogMaxNodes = 100000;
constexpr std::array kAllTransports{Transport::kTcp, Transport::kUdp};
constexpr std::array kAllEndpointKinds{EndpointKind::kIpPhone, EndpointKind::kSoftphone,
                                       EndpointKind::kMobileAgent};

int shifted(int base, std::optional<char> side, int side_b_offset, int instance, bool inst) {
  int p = base;
  if (side && *side == 'b') p += side_b_offset;
  if (inst) p += 40 * instance;
  return std::clamp(p, 0, 65535);
}

const KeyTable kCatalogKeys{{"version", true}, {"roles", true}, {"channels", true}};
const KeyTable kRoleKeys{{"name", true}, {"description"}, {"core"}, {"sql"}, {"listeners"}};
const KeyTable kCatalogListenerKeys{{"name", true},    {"channel", true},   {"proto", true},
                                    {"port", true},    {"port_end"},        {"tls_port"},
                                    {"side_b_offset"}, {"instance_offset"}, {"rpc_dynamic"}};
const KeyTable kCatalogChannelKeys{{"name", true},
                                   {"description"},
                                   {"server_roles"},
                                   {"client_roles"},
                                   {"client_endpoints"},
                                   {"pairs"},
                                   {"endpoint_server_roles"},
                                   {"personal_data"},
                                   {"default_tls"},
                                   {"core_link"},
                                   {"scope"}};
const KeyTable kPairKeys{{"server", true}, {"client", true}};

struct CatalogReader {
  explicit CatalogReader(Walker& walker) : w(walker) {}
  Walker& w;
  Catalog::Parts parts;

  void read(const Node& root) {
    auto f = w.map(root, "", kCatalogKeys);
    if (!f) return;
    if (f->has("version")) {
      auto v = w.integer((*f)["version"], "version", 1, 1);
      (void)v;
    }
    auto roles = w.seq((*f)["roles"], "roles");
    for (std::size_t i = 0; i < roles.size(); ++i) readRole(roles[i], indexPath("roles", i));
    auto channels = w.seq((*f)["channels"], "channels");
    for (std::size_t i = 0; i < channels.size(); ++i)
      readChannel(channels[i], indexPath("channels", i));
    crossCheck();
  }

  void readRole(const Node& n, const std::string& path) {
    auto f = w.map(n, path, kRoleKeys);
    if (!f) return;
    RoleSpec r;
    r.loc = w.loc(n);
    if (auto s = w.str((*f)["name"], keyPath(path, "name"))) r.name = *s;
    if (f->has("description"))
      if (auto s = w.str((*f)["description"], keyPath(path, "description"))) r.description = *s;
    if (f->has("core"))
      if (auto b = w.boolean((*f)["core"], keyPath(path, "core"))) r.core = *b;
    if (f->has("sql"))
      if (auto b = w.boolean((*f)["sql"], keyPath(path, "sql"))) r.sql = *b;
    auto ls = w.seq((*f)["listeners"], keyPath(path, "listeners"));
    for (std::size_t i = 0; i < ls.size(); ++i) {
      std::string lp = indexPath(keyPath(path, "listeners"), i);
      auto lf = w.map(ls[i], lp, kCatalogListenerKeys);
      if (!lf) continue;
      CatalogListener l;
      if (auto s = w.str((*lf)["name"], keyPath(lp, "name"))) l.name = *s;
      if (auto s = w.str((*lf)["channel"], keyPath(lp, "channel"))) l.channel = *s;
      if (auto t = w.enumeration((*lf)["proto"], keyPath(lp, "proto"), kAllTransports))
        l.proto = *t;
      if (auto p = w.port((*lf)["port"], keyPath(lp, "port"))) l.port = *p;
      l.port_end = l.port;
      if (lf->has("port_end"))
        if (auto p = w.port((*lf)["port_end"], keyPath(lp, "port_end"))) {
          if (*p < l.port)
            w.error(
                (*lf)["port_end"], keyPath(lp, "port_end"),
                "expected a port >= " + std::to_string(l.port) + ", found " + std::to_string(*p));
          else
            l.port_end = *p;
        }
      if (lf->has("tls_port"))
        if (auto p = w.port((*lf)["tls_port"], keyPath(lp, "tls_port"))) l.tls_port = *p;
      if (lf->has("side_b_offset"))
        if (auto v = w.integer((*lf)["side_b_offset"], keyPath(lp, "side_b_offset"), 0, 10000))
          l.side_b_offset = static_cast<int>(*v);
      if (lf->has("instance_offset"))
        if (auto b = w.boolean((*lf)["instance_offset"], keyPath(lp, "instance_offset")))
          l.instance_offset = *b;
      if (lf->has("rpc_dynamic"))
        if (auto b = w.boolean((*lf)["rpc_dynamic"], keyPath(lp, "rpc_dynamic")))
          l.rpc_dynamic = *b;
      r.listeners.push_back(std::move(l));
      listener_nodes.push_back({(*lf)["channel"], keyPath(lp, "channel")});
    }
    parts.roles.push_back(std::move(r));
    role_nodes.push_back({n, path});
  }

  void readChannel(const Node& n, const std::string& path) {
    auto f = w.map(n, path, kCatalogChannelKeys);
    if (!f) return;
    ChannelKindSpec c;
    c.loc = w.loc(n);
    if (auto s = w.str((*f)["name"], keyPath(path, "name"))) c.name = *s;
    if (f->has("description"))
      if (auto s = w.str((*f)["description"], keyPath(path, "description"))) c.description = *s;
    c.server_roles = w.strList((*f)["server_roles"], keyPath(path, "server_roles"));
    c.client_roles = w.strList((*f)["client_roles"], keyPath(path, "client_roles"));
    c.endpoint_server_roles =
        w.strList((*f)["endpoint_server_roles"], keyPath(path, "endpoint_server_roles"));
    auto eps = w.seq((*f)["client_endpoints"], keyPath(path, "client_endpoints"));
    for (std::size_t i = 0; i < eps.size(); ++i)
      if (auto k = w.enumeration(eps[i], indexPath(keyPath(path, "client_endpoints"), i),
                                 kAllEndpointKinds))
        c.client_endpoints.push_back(*k);
    auto pairs = w.seq((*f)["pairs"], keyPath(path, "pairs"));
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      std::string pp = indexPath(keyPath(path, "pairs"), i);
      auto pf = w.map(pairs[i], pp, kPairKeys);
      if (!pf) continue;
      auto s = w.str((*pf)["server"], keyPath(pp, "server"));
      auto cl = w.str((*pf)["client"], keyPath(pp, "client"));
      if (!s || !cl) continue;
      c.pairs.push_back({*s, *cl});
      pair_nodes.push_back({(*pf)["server"], keyPath(pp, "server"), *s});
      pair_nodes.push_back({(*pf)["client"], keyPath(pp, "client"), *cl});
      auto add = [](std::vector<std::string>& v, const std::string& x) {
        if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
      };
      add(c.server_roles, *s);
      add(c.client_roles, *cl);
    }
    if (c.endpoint_server_roles.empty()) c.endpoint_server_roles = c.server_roles;
    auto flag = [&](const char* key, bool& out) {
      if (f->has(key))
        if (auto b = w.boolean((*f)[key], keyPath(path, key))) out = *b;
    };
    flag("personal_data", c.personal_data);
    flag("default_tls", c.default_tls);
    flag("core_link", c.core_link);
    if (f->has("scope")) {
      if (auto s = w.oneOf((*f)["scope"], keyPath(path, "scope"),
                           {"deployment", "site", "linked", "cross-side", "domain"})) {
        if (*s == "deployment") c.scope = ChannelScope::kDeployment;
        if (*s == "site") c.scope = ChannelScope::kSite;
        if (*s == "linked") c.scope = ChannelScope::kLinked;
        if (*s == "cross-side") c.scope = ChannelScope::kCrossSide;
        if (*s == "domain") c.scope = ChannelScope::kDomain;
      }
    }
    role_refs.push_back({(*f)["server_roles"], keyPath(path, "server_roles"), c.server_roles});
    role_refs.push_back({(*f)["client_roles"], keyPath(path, "client_roles"), c.client_roles});
    role_refs.push_back({(*f)["endpoint_server_roles"], keyPath(path, "endpoint_server_roles"),
                         c.endpoint_server_roles});
    parts.channels.push_back(std::move(c));
    channel_nodes.push_back({n, path});
  }

  void crossCheck() {
    std::vector<std::string> role_names, channel_names;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < parts.roles.size(); ++i) {
      const auto& r = parts.roles[i];
      if (!seen.insert(r.name).second)
        w.error(role_nodes[i].first, keyPath(role_nodes[i].second, "name"),
                "expected a unique role name, found " + yaml::quote(r.name) + " again");
      role_names.push_back(r.name);
    }
    seen.clear();
    for (std::size_t i = 0; i < parts.channels.size(); ++i) {
      const auto& c = parts.channels[i];
      if (!seen.insert(c.name).second)
        w.error(channel_nodes[i].first, keyPath(channel_nodes[i].second, "name"),
                "expected a unique channel name, found " + yaml::quote(c.name) + " again");
      channel_names.push_back(c.name);
    }
    for (const auto& [node, path] : listener_nodes) {
      if (node.IsScalar() && !seen.count(std::string(node.Scalar())))
        w.error(node, path,
                "expected a channel kind of this catalog (" + core::join(channel_names, "|") +
                    "), found " + yaml::quote(node.Scalar()));
    }
    std::set<std::string> roles(role_names.begin(), role_names.end());
    for (const auto& ref : role_refs) {
      for (const auto& r : ref.names)
        if (!roles.count(r))
          w.error(ref.node, ref.path,
                  "expected role names from " + core::join(role_names, "|") + ", found " +
                      yaml::quote(r));
    }
    for (const auto& p : pair_nodes)
      if (!roles.count(p.name))
        w.error(
            p.node, p.path,
            "expected one of " + core::join(role_names, "|") + ", found " + yaml::quote(p.name));
  }

  struct RoleRef {
    Node node;
    std::string path;
    std::vector<std::string> names;
  };
  struct PairRef {
    Node node;
    std::string path;
    std::string name;
  };
  std::vector<std::pair<Node, std::string>> role_nodes, channel_nodes, listener_nodes;
  std::vector<RoleRef> role_refs;
  std::vector<PairRef> pair_nodes;
};

std::string exeDir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return p.parent_path().string();
}

}  // namespace

std::uint16_t CatalogListener::portFor(std::optional<char> side, int instance, bool tls) const {
  int base = (tls && tls_port) ? *tls_port : port;
  return static_cast<std::uint16_t>(shifted(base, side, side_b_offset, instance, instance_offset));
}

std::uint16_t CatalogListener::portEndFor(std::optional<char> side, int instance, bool tls) const {
  int base = (tls && tls_port) ? *tls_port + (port_end - port) : port_end;
  return static_cast<std::uint16_t>(shifted(base, side, side_b_offset, instance, instance_offset));
}

core::Result<Catalog> Catalog::fromParts(Parts parts) {
  Catalog c;
  c.roles_ = std::move(parts.roles);
  c.channels_ = std::move(parts.channels);
  return c;
}

core::Result<Catalog> Catalog::loadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError(path + ": cannot open the component catalog");
  std::stringstream ss;
  ss << in.rdbuf();
  Parts parts;
  yaml::DocumentLimits limits;
  limits.max_bytes = 16u << 20;
  limits.max_depth = 64;
  limits.max_nodes = kCatalogMaxNodes;
  auto read = yaml::readDocument(
      ss.str(), path,
      [&parts](Walker& w, const Node& root) {
        CatalogReader reader(w);
        reader.read(root);
        parts = std::move(reader.parts);
      },
      limits);
  if (!read) return read.error();
  return fromParts(std::move(parts));
}

const Catalog& Catalog::builtin() {
  static const Catalog catalog = [] {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("CCSEC_CATALOG_DIR"); env && *env) dirs.emplace_back(env);
    if (auto d = exeDir(); !d.empty()) dirs.push_back(d + "/../share/ccsec/catalog");
    dirs.emplace_back(CCSEC_SOURCE_DIR "/catalog");
    for (const auto& d : dirs) {
      std::string file = d + "/components.yaml";
      if (!std::filesystem::exists(file)) continue;
      auto c = loadFile(file);
      if (!c) {
        std::fprintf(stderr, "ccsec: the shipped component catalog is broken: %s\n%s",
                     c.error().message.c_str(), c.error().detail.c_str());
        std::abort();
      }
      return std::move(c).value();
    }
    std::fprintf(stderr,
                 "ccsec: component catalog not found (set CCSEC_CATALOG_DIR); looked in:\n");
    for (const auto& d : dirs) std::fprintf(stderr, "  %s\n", d.c_str());
    std::abort();
  }();
  return catalog;
}

const RoleSpec* Catalog::role(std::string_view name) const {
  for (const auto& r : roles_)
    if (r.name == name) return &r;
  return nullptr;
}

const ChannelKindSpec* Catalog::channel(std::string_view name) const {
  for (const auto& c : channels_)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<std::string> Catalog::roleNames() const {
  std::vector<std::string> out;
  for (const auto& r : roles_) out.push_back(r.name);
  return out;
}

std::vector<std::string> Catalog::channelNames() const {
  std::vector<std::string> out;
  for (const auto& c : channels_) out.push_back(c.name);
  return out;
}

}  // namespace ccsec::inventory
