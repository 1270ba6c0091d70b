#pragma once
// The rendered policy as data: one Table per enforcement point (a host firewall or a site
// perimeter) holding ordered first-match rules, and one IpsecHost per host that runs IPsec.
// Every generator renders text from this model and `ccsec reach` evaluates this model, so the
// answer of `reach` is the behaviour of the rendered files (tested against real nftables in
// test/integration/render_netns).
//
// The model says what is enforced where, not in which file: each generator names its own files
// (Generator::fileFor). Built once per render by buildPolicy(); immutable afterwards; safe to
// share across threads.
// Deterministic: tables sorted by device name, rules in graph edge order after baseline rules.

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"

namespace ccsec::render {

enum class Proto : std::uint8_t { kAny, kTcp, kUdp, kEsp };
enum class Action : std::uint8_t { kAccept, kDrop };
/// Special matches that are not address/port tuples.
enum class Special : std::uint8_t { kNone, kEstablished, kLoopback, kIcmpv6Nd };

const char* toString(Proto p);
const char* toString(Action a);

/// A named group of prefixes (nftables named set, ASA object-group, list of addresses).
struct AddressSet {
  std::string name;               // identifier-safe, unique within its table
  std::vector<core::Cidr> cidrs;  // sorted, deduplicated
};

/// One first-match rule. An empty address list means "any".
struct Rule {
  std::string label{};  // "r1", "r2", ... unique within the table, in order
  Action action = Action::kAccept;
  Special special = Special::kNone;
  Proto proto = Proto::kAny;
  std::vector<core::Cidr> src{};  // resolved prefixes (copied from the set when src_set is named)
  std::string src_set{};          // AddressSet name the generator should reference; empty: literal
  bool src_negated = false;       // match sources NOT in src (perimeter "from outside")
  std::string src_label{};        // human name: host, zone, endpoint group, "outside", "any"
  std::vector<core::Cidr> dst{};  // perimeter rules: destination prefixes; host rules: empty
  std::string dst_label{};
  std::uint16_t port_lo = 0;  // destination port range; 0/0 = any port
  std::uint16_t port_hi = 0;
  bool require_ipsec = false;  // only traffic that arrived inside an IPsec SA
  std::string origin{};        // edge id, or "baseline", "perimeter.allow", "site_link", ...
  int line = 0;                // inventory line of the origin (0 = synthesised)
  std::string note{};          // short free text for comments (reason, purpose)
};

enum class TableKind : std::uint8_t { kHost, kPerimeter };

struct Table {
  TableKind kind = TableKind::kHost;
  std::string device;  // host name or site name
  std::string site;
  inventory::Os os = inventory::Os::kLinux;                                   // hosts only
  inventory::PerimeterVendor vendor = inventory::PerimeterVendor::kNftables;  // perimeters only
  std::vector<std::string> contexts;  // ASA contexts (perimeters only)
  std::vector<AddressSet> sets;       // sorted by name
  std::vector<Rule> rules;            // first match wins
  Action default_action = Action::kDrop;
  int line = 0;  // host or perimeter line

  const AddressSet* findSet(std::string_view name) const;
};

enum class IpsecPeerMode : std::uint8_t { kTransport, kTunnel };

struct IpsecPeer {
  std::string name;  // peer host name
  core::IpAddress address;
  std::string identity;                            // peer's certificate identity (dns_name or name)
  IpsecPeerMode mode = IpsecPeerMode::kTransport;  // tunnel across an ipsec site link
  std::vector<std::string> edges;                  // edge ids carried, sorted
  int line = 0;                                    // first edge's inventory line
};

struct IpsecBoundary {
  std::string name;  // boundary host, zone or domain controller as named in the inventory
  std::vector<core::Cidr> cidrs;
  bool domain_controller = false;
  int line = 0;
};

struct IpsecHost {
  std::string host;
  std::string site;
  inventory::Os os = inventory::Os::kLinux;
  inventory::IpsecMode mode = inventory::IpsecMode::kNone;
  core::IpAddress address;
  std::string identity;                   // own certificate identity
  std::string certificate_path;           // as written in the inventory ("" when by fingerprint)
  std::vector<IpsecPeer> peers;           // sorted by name
  std::vector<IpsecBoundary> boundaries;  // sorted by name
  int line = 0;

  const IpsecPeer* findPeer(std::string_view name) const;
};

struct PolicyModel {
  std::vector<Table> hosts;       // linux and windows hosts, sorted by name
  std::vector<Table> perimeters;  // sites with a perimeter, sorted by name
  std::vector<IpsecHost> ipsec;   // hosts with ipsec != none, sorted by name

  const Table* hostTable(std::string_view host) const;
  const Table* perimeterTable(std::string_view site) const;
  const IpsecHost* ipsecHost(std::string_view host) const;
};

/// Ports the perimeter always blocks from outside (docs/design.md CCS-NET-003, reference §1.8).
inline constexpr std::uint16_t kBlockedTcp[] = {135, 139, 445, 593};
inline constexpr std::uint16_t kBlockedUdp[] = {135, 137, 138, 445};
/// Windows RPC dynamic port range (used only for listeners the catalog marks rpc_dynamic).
inline constexpr std::uint16_t kRpcDynamicLo = 49152;
inline constexpr std::uint16_t kRpcDynamicHi = 65535;

PolicyModel buildPolicy(const inventory::Model& model, const inventory::Catalog& catalog,
                        const inventory::ChannelGraph& graph);

/// "a-b.c" → "a_b_c": a name usable as an nftables set or ASA object name.
std::string identifier(std::string_view name);

}  // namespace ccsec::render
