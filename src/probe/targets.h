#pragma once
// What `ccsec probe` looks at, derived from the inventory: every server endpoint of the channel
// graph (host, port, expected protection), the plaintext variants that must be closed once a
// channel is secured, the catalog's other known ports on each host (must not be open), and —
// when probing from an external zone — the ports the perimeter blocks.
//
// Contract: targets are a pure function of (Model, Catalog, TargetOptions); every address comes
// from the inventory (host or domain-controller address), or from an explicit --resolve mapping
// of an inventory host. Nothing else is ever probed. Deterministic order (host, port, purpose).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"

namespace ccsec::probe {

enum class Purpose {
  kListener,     // a declared server endpoint: must answer (and speak TLS when expected)
  kPlainClosed,  // plaintext variant of a secured channel: must be closed
  kUndeclared,   // a catalog port the host's roles do not declare: must be closed
  kPerimeter,    // a perimeter-blocked port probed from an external zone: must be closed
};
const char* toString(Purpose p);

enum class PayloadKind { kGed188, kHttp, kSip, kLdap, kNone };

struct Target {
  std::string host;                // inventory host or domain-controller name
  std::string address;             // inventory address (textual)
  std::string dns_name;            // name expected in the certificate (dns_name, else host name)
  std::string connect_address;     // address actually dialled (after --resolve)
  std::uint16_t port = 0;          // inventory port
  std::uint16_t connect_port = 0;  // port actually dialled (after a --resolve port offset)
  inventory::Transport proto = inventory::Transport::kTcp;
  Purpose purpose = Purpose::kListener;
  std::string kind;  // channel kind ("ged-188"), empty for undeclared/perimeter ports
  bool tls = false;  // TLS expected on this listener
  bool personal_data = false;
  bool mutual_tls = false;      // client certificate must be demanded (personal-data TLS)
  bool legacy_tls = false;      // the inventory allows versions below 1.2 here
  std::string min_version;      // "1.2" by default
  bool ldap = false;            // directory listener (StartTLS on the plaintext port)
  bool global_catalog = false;  // directory global catalog port
  std::string ldap_base;        // "dc=lab,dc=example,dc=com" of the controller's domain
  PayloadKind payload = PayloadKind::kNone;
  inventory::SourceLoc loc;

  /// "host:port" (tcp) or "host:port/udp": the finding target of endpoint verdicts.
  std::string id() const;
};

struct Resolve {
  std::string address;  // textual IP
  int port_offset = 0;  // added to every port of the host
};

struct TargetOptions {
  std::vector<std::string> hosts;   // --host (empty: all)
  std::optional<std::string> from;  // --from ZONE|SITE
  bool tls = true;                  // --only tls|ports|ldap selects
  bool ports = true;
  bool ldap = true;
  std::map<std::string, Resolve, std::less<>> resolve;  // host → lab address
};

/// Parses "HOST=ADDR[:PORT_OFFSET]" (ADDR an IPv4/IPv6 literal; offset may be negative).
core::Result<std::pair<std::string, Resolve>> parseResolve(std::string_view text);

/// The targets. Fails (usage error) when --host or --resolve names something the inventory does
/// not declare, when --from names no zone or site, or when an offset pushes a port out of range.
core::Result<std::vector<Target>> deriveTargets(const inventory::Model& model,
                                                const inventory::Catalog& catalog,
                                                const inventory::ChannelGraph& graph,
                                                const TargetOptions& options);

}  // namespace ccsec::probe
