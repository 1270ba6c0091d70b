#pragma once
// Reachability over the rendered policy (policy_model.h): "can FROM open a connection to
// HOST:PORT/PROTO?" evaluated layer by layer, as the packet would meet them:
//   1. the destination site's perimeter, when the source is outside that site (another site or
//      a zone of kind `external`);
//   2. the destination host's firewall (nftables or Windows), including rules that require the
//      traffic to arrive inside an IPsec SA (the flow is protected when the rendered IPsec
//      policy of both hosts names the other as a peer).
// A vos appliance has no rendered host firewall: that layer is reported as "not enforced".
//
// Sources: a host or domain controller (its address), or a zone or endpoint group (its CIDR;
// a rule matches a zone only when it covers the whole zone; for an `external` zone, "any
// address outside the site"). First-match semantics; unmatched traffic meets the table's
// default action. Pure functions; thread-safe over an immutable PolicyModel.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/model.h"
#include "render/policy_model.h"

namespace ccsec::render {

struct Flow {
  std::vector<core::Cidr> src;  // one host prefix, or a zone prefix
  bool src_outside = false;     // source is an external zone: matches "not inside" sets only
  std::string src_label;
  std::string src_site;  // site of the source ("" when unknown)
  std::string src_host;  // set when the source is a host (for IPsec)
  std::string dst_host;
  core::IpAddress dst;
  Proto proto = Proto::kTcp;
  std::uint16_t port = 0;
};

struct LayerDecision {
  std::string file;    // rendered file ("hosts/x.nft"); "" for a layer without a file
  std::string device;  // host or site
  bool enforced = true;
  Action action = Action::kDrop;
  const Rule* rule = nullptr;  // deciding rule; nullptr = table default (or not enforced)
  std::string why;             // one line for people
};

struct ReachResult {
  bool allowed = false;
  bool ipsec = false;  // flow protected by the rendered IPsec policy
  std::vector<LayerDecision> layers;
  /// Index into layers of the deciding layer: the first that denies, else the last.
  std::size_t deciding = 0;
};

/// Resolves FROM (host, controller, zone or endpoint group) and TO ("host:port[/tcp|udp]").
core::Result<Flow> makeFlow(const inventory::Model& model, std::string_view from,
                            std::string_view to);

ReachResult reach(const inventory::Model& model, const PolicyModel& policy, const Flow& flow);

/// Evaluates one table (first match). Exposed for tests.
LayerDecision evaluate(const Table& table, const Flow& flow, bool ipsec_protected);

struct ShadowedRule {
  const Table* table = nullptr;
  const Rule* rule = nullptr;
  const Rule* by = nullptr;  // the earlier rule that matches everything this one matches
};

/// Rules that can never match because an earlier rule of the same table covers them.
std::vector<ShadowedRule> shadowedRules(const PolicyModel& policy);

/// "file rule (origin, line N)" for people.
std::string describe(const LayerDecision& d);

}  // namespace ccsec::render
