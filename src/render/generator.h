#pragma once
// The generator interface of the render module (docs/adding-a-generator.md).
//
// A generator turns the inventory (Model + ChannelGraph) into the text files of one enforcement
// target (nftables, Windows host firewall, Cisco ASA, strongSwan, Windows IPsec). Every
// generator renders from the same PolicyModel (policy_model.h), so that `ccsec reach` evaluates
// exactly the rules that were rendered, whatever the target syntax.
//
// Contract:
//   * A generator owns its output: fileFor() names the file that enforces a table or an IPsec
//     host, "" when the target does not render it. render() writes exactly those paths; the
//     bundle rejects two generators writing one path.
//   * features() declares, as typed bits, what the target can express. check() (in this base,
//     not virtual) fails closed: every table or IPsec host this generator renders that uses a
//     feature it did not declare is an error naming the feature and the target. checkTarget()
//     adds target-specific limits (a context name, a missing certificate file). Both run before
//     anything is rendered or written; an empty result means render() will succeed.
//   * render() is a pure function of its input: deterministic (sorted input, no timestamps,
//     no randomness), paths relative to the output directory, '/' separated.
//   * Generators hold no state; one instance may be used from several threads.

#include <bitset>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"
#include "render/policy_model.h"

namespace ccsec::render {

/// Options that are not part of the inventory.
struct RenderOptions {
  /// Distinguished name of the CA that issues the hosts' IPsec certificates (Windows
  /// `-Authority`). Empty: read from the issuer of the hosts' certificate files.
  std::string ca_subject;
};

/// Everything a generator may read. All references outlive the call.
struct RenderInput {
  const inventory::Model& model;
  const inventory::Catalog& catalog;
  const inventory::ChannelGraph& graph;
  const PolicyModel& policy;
  const RenderOptions& options;
};

/// Where a rendered rule came from: the edge id (or a baseline/perimeter label) and the line of
/// the inventory element that produced it.
struct RuleRef {
  std::string rule;    // the rule's label inside its file (e.g. "r12")
  std::string origin;  // edge id "kind:server<-client", or "baseline", "perimeter.allow", ...
  int line = 0;        // 1-based inventory line; 0 when synthesised (baseline rules)
};

struct RenderedFile {
  std::string path;     // relative to the output directory, e.g. "hosts/rgr-a.nft"
  std::string content;  // exact bytes to write
  std::vector<RuleRef> rules;
};

/// An inventory feature a target cannot express. str(): "TARGET: FEATURE at WHERE (line N): MSG".
struct CheckError {
  std::string target;
  std::string feature;
  std::string where;  // host, site or edge
  int line = 0;
  std::string message;
  std::string str() const;
};

/// A feature of the policy model that a target may or may not be able to express.
enum class Feature : std::uint8_t {
  kHostFirewall,      // a host table: default drop, one rule per derived edge
  kPerimeter,         // a site perimeter table (forwarded traffic, default drop)
  kSecurityContexts,  // perimeter.contexts (ASA security contexts)
  kIpv6,              // an IPv6 prefix in a table, or an IPv6 IPsec host or peer
  kIpsecOnlyRules,    // rules that match only traffic that arrived inside IPsec (require_ipsec)
  kNegatedSource,     // "from outside": sources not in a set (src_negated)
  kPortRanges,        // a rule over a port range (RPC dynamic range)
  kIpsecTransport,    // IPsec transport mode between hosts of one site
  kIpsecTunnel,       // IPsec tunnel mode across an ipsec site link
  kIpsecBoundary,     // isolation boundary exceptions (peers reached without IPsec)
  kCount
};
using FeatureSet = std::bitset<static_cast<std::size_t>(Feature::kCount)>;

/// Stable spelling for errors, `--list-targets` and docs ("ipsec-only rules").
std::string_view toString(Feature f);
/// The set of `list`.
FeatureSet featureSet(std::initializer_list<Feature> list);
/// The features a table or an IPsec host uses.
FeatureSet featuresOf(const Table& t);
FeatureSet featuresOf(const IpsecHost& h);

class Generator {
 public:
  virtual ~Generator() = default;
  /// Target name as used by `--target` ("nftables", "windows-firewall", ...).
  virtual std::string_view name() const = 0;
  /// What this target can express; for the fail-closed check and `ccsec render --list-targets`.
  virtual FeatureSet features() const = 0;
  /// The file (relative, '/'-separated) this target renders for a host or perimeter table, or
  /// "" when the table is not this target's (another OS or vendor).
  virtual std::string fileFor(const Table& t) const;
  /// The file this target renders for an IPsec host, or "" when not this target's.
  virtual std::string fileFor(const IpsecHost& h) const;

  /// Fail closed: one error per table/IPsec host this target renders that uses an undeclared
  /// feature, then checkTarget()'s errors. Empty: render() will succeed.
  std::vector<CheckError> check(const RenderInput& in) const;
  virtual std::vector<RenderedFile> render(const RenderInput& in) const = 0;

 protected:
  /// Target-specific limits beyond the feature set (default: none).
  virtual std::vector<CheckError> checkTarget(const RenderInput& in) const;
};

}  // namespace ccsec::render
