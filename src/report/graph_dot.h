#pragma once
// The channel graph (inventory::deriveGraph, the one derivation) as Graphviz DOT: the plain form
// `ccsec graph --format dot` prints, and the topology of `ccsec report` (sites and zones as
// clusters, edges coloured by protection, hosts and edges with findings marked). Texts shared
// with `ccsec graph --format text`: port and protection spellings.

#include <string>
#include <vector>

#include "inventory/graph.h"
#include "inventory/model.h"
#include "policy/finding.h"

namespace ccsec::report {

/// "5061", "16384-32767", "-" (no port).
std::string portText(const inventory::Edge& e);
/// "tls1.2+ipsec", "tls1.1(legacy)", "plaintext" …
std::string protectionText(const inventory::Edge& e);

/// How an edge is protected, for colours and legends.
enum class Protection { kBoth, kTls, kIpsec, kPlaintext };
Protection protectionOf(const inventory::Edge& e);
const char* toString(Protection p);  // "tls+ipsec", "tls", "ipsec", "plaintext"
const char* colourOf(Protection p);  // "#6a1b9a", "#2e7d32", "#1565c0", "#c62828"

/// `ccsec graph --format dot`.
std::string plainDot(const inventory::Model& m, const inventory::ChannelGraph& g);

/// The report's topology: clusters per site and zone (hosts, endpoint groups), domain controllers
/// that are not hosts apart; edges coloured by protectionOf(), dashed when plaintext; a node or
/// edge that is the target of an unwaived finding is drawn thick with a count. SVG element ids:
/// "host-<n>" per host (model order), "group-<n>" per endpoint group, "edge-<n>" per edge.
std::string topologyDot(const inventory::Model& m, const inventory::ChannelGraph& g,
                        const std::vector<policy::Finding>& findings);

}  // namespace ccsec::report
