#pragma once
// The component catalog (catalog/components.yaml): data, not code. For each role its listeners
// (port, plaintext/TLS variant, side-B and instance offsets) and for each channel kind which
// roles serve it, which open it, whether it carries personal data and whether TLS is the default.
// Facts and sources: the port and protocol sources listed in docs/inventory.md ("Sources"). The
// catalog is loaded once and is immutable; the loader validates it as strictly as an inventory
// (FILE:LINE:COL errors).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/model.h"

namespace ccsec::inventory {

struct CatalogListener {
  std::string name;     // e.g. "cti-server-ged188"
  std::string channel;  // channel kind it serves, e.g. "ged-188"
  Transport proto = Transport::kTcp;
  std::uint16_t port = 0;                 // side A, instance 0, plaintext variant
  std::uint16_t port_end = 0;             // == port unless a range (e.g. RTP)
  std::optional<std::uint16_t> tls_port;  // TLS variant (side A, instance 0), if any
  int side_b_offset = 0;                  // added when the host is side b
  bool instance_offset = true;            // add 40 * deployment.instance
  bool rpc_dynamic = false;               // needs the Windows RPC dynamic range (host firewall)

  /// Effective port for a host: side and instance applied; `tls` picks the TLS variant when
  /// the listener has one (otherwise the plaintext port carries TLS too).
  std::uint16_t portFor(std::optional<char> side, int instance, bool tls) const;
  std::uint16_t portEndFor(std::optional<char> side, int instance, bool tls) const;
};

struct RoleSpec {
  std::string name;
  std::string description;
  bool core = false;  // core roles never sit in a DMZ (CCS-NET-001)
  bool sql = false;   // runs SQL Server (CCS-HST-004)
  std::vector<CatalogListener> listeners;
  SourceLoc loc;
};

/// How the clients of a channel kind are paired with its servers when deriving edges.
enum class ChannelScope {
  kDeployment,  // every client host with a client role talks to every server host
  kSite,        // only hosts in the same site
  kCrossSide,   // same role, opposite sides, anywhere (private links)
  kDomain,      // servers are the domain controllers of each client host's domain (directory)
  kLinked,      // servers in the client's site or duplex group (sites joined by the two sides
                // of duplexed components), else every server: site_links play no part
};

/// One (server role, client role) pairing of a channel kind whose clients differ per server.
struct RolePair {
  std::string server;
  std::string client;
};

struct ChannelKindSpec {
  std::string name;  // "ged-188", "dmp", "desktop-https", ...
  std::string description;
  std::vector<std::string> server_roles;
  std::vector<std::string> client_roles;
  std::vector<EndpointKind> client_endpoints;  // endpoint groups that open it (e.g. desktops)
  /// When non-empty, only these (server role, client role) pairs derive edges; server_roles and
  /// client_roles then hold their union. Empty: every server role pairs with every client role.
  std::vector<RolePair> pairs;
  /// Roles whose hosts serve the endpoint groups (default: server_roles). Endpoint groups use
  /// the servers in their own site, or all of them when the site has none.
  std::vector<std::string> endpoint_server_roles;
  bool personal_data = false;
  bool default_tls = false;  // before channels: overrides (sip: decided by the security model)
  bool core_link = false;    // server-to-server link governed by CCS-IPS-002
  ChannelScope scope = ChannelScope::kDeployment;
  SourceLoc loc;
};

class Catalog {
 public:
  /// Loads and validates a catalog file. Errors name FILE:LINE:COL.
  static core::Result<Catalog> loadFile(const std::string& path);
  /// The catalog shipped with ccsec: $CCSEC_CATALOG_DIR/components.yaml, else the installed
  /// copy, else the source tree's catalog/. Loaded once per process; aborts with a clear
  /// message if the shipped catalog is broken (that is a packaging bug, not user input).
  static const Catalog& builtin();

  const RoleSpec* role(std::string_view name) const;
  const ChannelKindSpec* channel(std::string_view name) const;
  const std::vector<RoleSpec>& roles() const { return roles_; }
  const std::vector<ChannelKindSpec>& channels() const { return channels_; }
  std::vector<std::string> roleNames() const;
  std::vector<std::string> channelNames() const;

  /// Assembles a catalog from already-validated parts (used by loadFile; tests may build one).
  struct Parts {
    std::vector<RoleSpec> roles;
    std::vector<ChannelKindSpec> channels;
  };
  static core::Result<Catalog> fromParts(Parts parts);

 private:
  std::vector<RoleSpec> roles_;
  std::vector<ChannelKindSpec> channels_;
};

}  // namespace ccsec::inventory
