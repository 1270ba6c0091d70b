#pragma once
// `ccsec gateway` configuration (YAML). Schema (every key below; anything else is an error):
//
//   listeners:                       # one or more
//     - name: cti                    # unique, [A-Za-z0-9_.-]
//       mode: server                 # server: TLS in, plaintext forward | client: plaintext in,
//       TLS out listen: 127.0.0.1:42030      # ADDR:PORT or [ADDR6]:PORT forward: 127.0.0.1:42027
//       protocol: ged-188            # raw (default) | ged-188
//       ktls: true                   # default true: kernel TLS when the kernel offers it
//       tls: {cert: …, key: …, ca: …, crl: …, allowed_peers: [finesse-a], legacy_tls: false,
//             min_version: "1.2",    # min_version below 1.2 only with legacy_tls: true
//             allow_insecure_key_permissions: false}  # default: a key group/others can read is
//             refused
//   audit: {store: "sqlite:audit.db"}          # or postgresql://…; default sqlite:audit.db
//   metrics: {listen: 127.0.0.1:9464}          # optional
//   limits: {max_connections: 10000, handshake_timeout_ms: 10000, idle_timeout_ms: 600000,
//            accept_rate: 2000, per_peer_rate: 200, drain_timeout_ms: 30000}
//   Two listeners may not share a listen address (port 0 excepted: a fresh port each).
//
// Relative paths (tls files, sqlite store) are relative to the config file's directory.
// Errors read "FILE:LINE:COL: key.path: what is wrong".

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/socket.h"
#include "tls/context.h"

namespace ccsec::gateway {

enum class Mode { kServer, kClient };
enum class Protocol { kRaw, kGed188 };

struct ListenerConfig {
  std::string name;
  Mode mode = Mode::kServer;
  net::Endpoint listen;
  net::Endpoint forward;
  Protocol protocol = Protocol::kRaw;
  tls::ContextConfig tls;  // role follows mode (server mode: TLS server; client mode: TLS client)
};

struct Limits {
  std::uint32_t max_connections = 10000;
  std::uint32_t handshake_timeout_ms = 10000;
  std::uint32_t idle_timeout_ms = 600000;
  std::uint32_t accept_rate = 2000;  // new connections per second, whole process (0 = unlimited)
  std::uint32_t per_peer_rate =
      200;  // new connections per second from one peer address (0 = unlimited)
  std::uint32_t drain_timeout_ms = 30000;
};

struct GatewayConfig {
  std::vector<ListenerConfig> listeners;
  std::string audit_store = "sqlite:audit.db";  // relative sqlite paths already resolved
  std::optional<net::Endpoint> metrics_listen;
  Limits limits;
  std::string base_dir;  // directory of the config file
};

core::Result<GatewayConfig> loadGatewayConfig(const std::string& path);
/// Same, from text; `name` is used in error messages, relative paths resolve against base_dir.
core::Result<GatewayConfig> parseGatewayConfig(const std::string& text, const std::string& name,
                                               const std::string& base_dir);

}  // namespace ccsec::gateway
