#pragma once
// The channel graph: every edge (who talks to whom, over which channel kind and port) derived
// from the hosts' roles and sites through the catalog, with its effective protection:
//   1. defaults: personal-data channels and desktop-https use TLS; sip uses TLS when the
//      security model is `signaling` or higher; the rest are plaintext;
//   2. then the inventory's `channels:` settings (which may also add edges);
//   3. then the hosts' IPsec: an edge is IPsec-protected when both ends are in `isolation`,
//      or both are in `peer` mode and the edge is listed in `channels:`.
// The graph is a pure function of (Model, Catalog): deterministic order (kind, server, client).

#include <cstdint>
#include <string>
#include <vector>

#include "inventory/catalog.h"
#include "inventory/model.h"

namespace ccsec::inventory {

struct Edge {
  std::string kind;    // channel kind
  std::string server;  // host name
  std::string client;  // host name, or endpoint-group name when client_is_endpoint
  bool client_is_endpoint = false;
  Transport proto = Transport::kTcp;
  std::uint16_t port = 0;      // effective listener port on the server (TLS variant if tls)
  std::uint16_t port_end = 0;  // == port unless a range
  bool personal_data = false;
  bool tls = false;
  bool legacy_tls = false;
  std::string min_version;  // effective minimum TLS version when tls ("1.2" by default)
  bool fallback = false;    // plaintext fallback allowed (CCS-TLS-003)
  bool ipsec = false;
  bool added = false;       // added by a channels: entry rather than derived from the catalog
  bool tls_stated = false;  // a channels: entry states `tls` (else `tls` is the default)
  SourceLoc loc;            // the channels: entry that set or added it, else the server host

  /// "kind:server<-client", the target string of findings and waivers.
  std::string id() const;
};

struct ChannelGraph {
  std::vector<Edge> edges;  // sorted by (kind, server, client, port)

  const Edge* find(std::string_view kind, std::string_view server, std::string_view client) const;
  std::vector<const Edge*> into(std::string_view server_host) const;  // edges this host serves
  std::vector<const Edge*> from(std::string_view client) const;       // edges it opens
};

/// Derives the graph. The model is already validated, so this cannot fail on references;
/// `channels:` entries that add an edge of an unknown kind were rejected by the loader.
ChannelGraph deriveGraph(const Model& model, const Catalog& catalog);

}  // namespace ccsec::inventory
