#pragma once
// Derives `ccsec gateway` listeners for one host from the inventory's channel graph:
//   * every personal-data edge the host serves with TLS → a server-mode listener on the host's
//     address and the edge's TLS port, forwarding to the plaintext variant on 127.0.0.1
//     (e.g. GED-188: TLS 42030 in front of plaintext CTI on 42027), allowing the edge's clients;
//   * every personal-data edge the host opens with TLS → a client-mode listener on
//     127.0.0.1:<the server's plaintext port>, forwarding to the server's address and TLS port,
//     allowing the server's name.
// Certificates follow the `ccsec pki` layout under pki_dir: hosts/NAME.pem|.key, ca.pem, crl.pem
// (a host's `certificate.path` overrides its certificate; the key is the same path with .key).
// Edges whose listener has no separate TLS port cannot be fronted on the same host; they are
// returned in `skipped` with the reason.

#include <string>
#include <vector>

#include "core/result.h"
#include "gateway/config.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"

namespace ccsec::gateway_plan {

struct DerivedGateway {
  gateway::GatewayConfig config;
  std::vector<std::string> skipped;  // "ged-125:cvp-1<-pg-a: listener has no separate TLS port"
};

core::Result<DerivedGateway> deriveGateway(const inventory::Model& model,
                                           const inventory::Catalog& catalog,
                                           const std::string& host, const std::string& pki_dir,
                                           const std::string& inventory_dir);

/// The derived config as gateway YAML (for --print-config), deterministic.
std::string gatewayConfigYaml(const gateway::GatewayConfig& config);

}  // namespace ccsec::gateway_plan
