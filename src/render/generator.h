#pragma once
// The generator interface of the render module (docs/adding-a-generator.md).
//
// A generator turns the inventory (Model + ChannelGraph) into the text files of one enforcement
// target (nftables, Windows host firewall, Cisco ASA, strongSwan, Windows IPsec). Every
// generator renders from the same PolicyModel (policy_model.h), so that `ccsec reach` evaluates
// exactly the rules that were rendered, whatever the target syntax.
//
// Contract:
//   * check() runs before anything is rendered or written; it returns one CheckError per
//     inventory feature this target cannot express (fail closed). An empty vector means render()
//     will succeed.
//   * render() is a pure function of its input: deterministic (sorted input, no timestamps,
//     no randomness), paths relative to the output directory, '/' separated.
//   * Generators hold no state; one instance may be used from several threads.

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

class Generator {
 public:
  virtual ~Generator() = default;
  /// Target name as used by `--target` ("nftables", "windows-firewall", ...).
  virtual std::string_view name() const = 0;
  /// Inventory features this target renders, for `ccsec render --list-targets` and the docs.
  virtual std::vector<std::string> features() const = 0;
  virtual std::vector<CheckError> check(const RenderInput& in) const = 0;
  virtual std::vector<RenderedFile> render(const RenderInput& in) const = 0;
};

}  // namespace ccsec::render
