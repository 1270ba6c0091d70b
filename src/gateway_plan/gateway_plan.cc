#include "gateway_plan/gateway_plan.h"

#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

namespace ccsec::gateway_plan {
namespace {

struct Ports {
  std::uint16_t tls = 0;
  std::uint16_t plain = 0;
};

// The listener of `server` that carries `edge` (its TLS port equals edge.port).
std::optional<Ports> listenerPorts(const inventory::Model& m, const inventory::Catalog& cat,
                                   const inventory::Host& server, const inventory::Edge& edge) {
  for (const auto& role : server.roles) {
    const auto* spec = cat.role(role);
    if (spec == nullptr) continue;
    for (const auto& l : spec->listeners) {
      if (l.channel != edge.kind) continue;
      std::uint16_t tls = l.portFor(server.side, m.deployment.instance, true);
      if (tls != edge.port) continue;
      return Ports{tls, l.portFor(server.side, m.deployment.instance, false)};
    }
  }
  for (const auto& l : server.listeners) {
    if (l.channel != edge.kind) continue;
    std::uint16_t tls = l.tls_port.value_or(l.port);
    if (tls == edge.port) return Ports{tls, l.port};
  }
  return std::nullopt;
}

std::vector<std::string> peerNames(const inventory::Host& h) {
  std::vector<std::string> names{h.name};
  if (h.dns_name && *h.dns_name != h.name) names.push_back(*h.dns_name);
  return names;
}

std::string endpoint(const core::IpAddress& a, std::uint16_t port) {
  return a.isV6() ? "[" + a.str() + "]:" + std::to_string(port)
                  : a.str() + ":" + std::to_string(port);
}

}  // namespace

core::Result<DerivedGateway> deriveGateway(const inventory::Model& model,
                                           const inventory::Catalog& catalog,
                                           const std::string& host_name, const std::string& pki_dir,
                                           const std::string& inventory_dir) {
  const inventory::Host* host = model.findHost(host_name);
  if (host == nullptr) return core::makeError("host '" + host_name + "' is not in the inventory");
  auto graph = inventory::deriveGraph(model, catalog);
  DerivedGateway out;
  auto& cfg = out.config;
  cfg.base_dir = inventory_dir;

  std::string cert = pki_dir + "/hosts/" + host->name + ".pem";
  if (host->certificate && host->certificate->path) {
    std::filesystem::path p(*host->certificate->path);
    if (p.is_relative()) p = std::filesystem::path(inventory_dir) / p;
    cert = p.string();
  }
  std::string key =
      cert.ends_with(".pem") ? cert.substr(0, cert.size() - 4) + ".key" : cert + ".key";
  auto tlsFor = [&](tls::Role role, const inventory::Edge& e, std::vector<std::string> peers) {
    tls::ContextConfig t;
    t.role = role;
    t.cert_file = cert;
    t.key_file = key;
    t.ca_file = pki_dir + "/ca.pem";
    t.crl_file = pki_dir + "/crl.pem";
    t.allowed_peers = std::move(peers);
    t.policy.legacy_tls = e.legacy_tls;
    if (auto v = tls::parseVersion(e.min_version.empty() ? "1.2" : e.min_version))
      t.policy.min_version = *v;
    return t;
  };

  // Server side: group the edge's clients per TLS port.
  std::map<std::uint16_t, gateway::ListenerConfig> servers;
  for (const auto* e : graph.into(host->name)) {
    if (!e->personal_data || !e->tls || e->client_is_endpoint) continue;
    auto ports = listenerPorts(model, catalog, *host, *e);
    if (!ports || ports->plain == ports->tls) {
      out.skipped.push_back(e->id() + ": listener has no separate TLS port to front");
      continue;
    }
    const auto* client = model.findHost(e->client);
    std::vector<std::string> names =
        client ? peerNames(*client) : std::vector<std::string>{e->client};
    auto it = servers.find(ports->tls);
    if (it == servers.end()) {
      gateway::ListenerConfig l;
      l.name = e->kind + "-in-" + std::to_string(ports->tls);
      l.mode = gateway::Mode::kServer;
      auto listen = net::Endpoint::parse(endpoint(host->address, ports->tls));
      auto fwd = net::Endpoint::parse("127.0.0.1:" + std::to_string(ports->plain));
      if (!listen || !fwd) return core::makeError("cannot form endpoints for " + e->id());
      l.listen = *listen;
      l.forward = *fwd;
      l.protocol = e->kind == "ged-188" ? gateway::Protocol::kGed188 : gateway::Protocol::kRaw;
      l.tls = tlsFor(tls::Role::kServer, *e, names);
      servers.emplace(ports->tls, std::move(l));
    } else {
      for (auto& n : names) it->second.tls.allowed_peers.push_back(n);
    }
  }
  for (auto& [port, l] : servers) cfg.listeners.push_back(std::move(l));

  // Client side: one listener per (server, TLS port).
  for (const auto* e : graph.from(host->name)) {
    if (!e->personal_data || !e->tls) continue;
    const auto* server = model.findHost(e->server);
    if (server == nullptr) continue;
    auto ports = listenerPorts(model, catalog, *server, *e);
    if (!ports || ports->plain == ports->tls) {
      out.skipped.push_back(e->id() + ": listener has no separate TLS port to front");
      continue;
    }
    gateway::ListenerConfig l;
    l.name = e->kind + "-out-" + e->server;
    l.mode = gateway::Mode::kClient;
    auto listen = net::Endpoint::parse("127.0.0.1:" + std::to_string(ports->plain));
    auto fwd = net::Endpoint::parse(endpoint(server->address, ports->tls));
    if (!listen || !fwd) return core::makeError("cannot form endpoints for " + e->id());
    l.listen = *listen;
    l.forward = *fwd;
    l.protocol = e->kind == "ged-188" ? gateway::Protocol::kGed188 : gateway::Protocol::kRaw;
    l.tls = tlsFor(tls::Role::kClient, *e, peerNames(*server));
    cfg.listeners.push_back(std::move(l));
  }
  if (cfg.listeners.empty()) {
    std::string detail;
    for (const auto& sk : out.skipped)
      detail += (detail.empty() ? "" : "\n") + std::string("skipped ") + sk;
    return core::makeError(
        "host '" + host_name +
            "' serves or opens no personal-data TLS channel the gateway can front",
        detail);
  }
  return out;
}

std::string gatewayConfigYaml(const gateway::GatewayConfig& c) {
  std::ostringstream o;
  o << "listeners:\n";
  for (const auto& l : c.listeners) {
    o << "  - name: " << l.name << "\n"
      << "    mode: " << (l.mode == gateway::Mode::kServer ? "server" : "client") << "\n"
      << "    listen: \"" << l.listen.str() << "\"\n"
      << "    forward: \"" << l.forward.str() << "\"\n"
      << "    protocol: " << (l.protocol == gateway::Protocol::kGed188 ? "ged-188" : "raw") << "\n"
      << "    tls:\n"
      << "      cert: " << l.tls.cert_file << "\n"
      << "      key: " << l.tls.key_file << "\n"
      << "      ca: " << l.tls.ca_file << "\n"
      << "      crl: " << l.tls.crl_file << "\n"
      << "      allowed_peers: [";
    for (std::size_t i = 0; i < l.tls.allowed_peers.size(); ++i)
      o << (i ? ", " : "") << l.tls.allowed_peers[i];
    o << "]\n"
      << "      legacy_tls: " << (l.tls.policy.legacy_tls ? "true" : "false") << "\n"
      << "      min_version: \"" << tls::versionName(l.tls.policy.min_version) << "\"\n";
  }
  return o.str();
}

}  // namespace ccsec::gateway_plan
