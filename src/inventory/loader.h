#pragma once
// Loading an inventory: YAML (libyaml events into yaml/tree.h, read by the strict yaml/walker.h;
// anchors and aliases work) → validated Model.
//
// Every problem becomes a Diagnostic "FILE:LINE:COL: key.path: expected …, found …". All
// problems of a file are collected (up to kMaxDiagnostics) before giving up, so a user fixes
// them in one pass. Empty files, binary garbage, deep nesting and oversized files produce one
// clear diagnostic, never a crash or a hang. Limits: kMaxFileBytes, kMaxDepth.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/catalog.h"
#include "inventory/model.h"
#include "yaml/diagnostic.h"

namespace ccsec::inventory {

using yaml::kMaxDiagnostics;
inline constexpr std::size_t kMaxFileBytes = 64u * 1024u * 1024u;
inline constexpr int kMaxDepth = 64;

using Diagnostic = yaml::Diagnostic;  // "FILE:LINE:COL: key.path: message"

struct LoadResult {
  std::optional<Model> model;  // set only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  bool truncated = false;  // more than kMaxDiagnostics problems
  bool ok() const { return model.has_value(); }
};

/// Upper bound on YAML nodes visited while validating: kMaxNodes plus two per input byte
/// (aliases count each time they are reached), so that an alias bomb ends in one diagnostic
/// instead of exhausting memory or time, while any alias-free inventory stays below it.
inline constexpr std::size_t kMaxNodes = 2'000'000;

/// The bounds above, injectable so that tests can exercise them on small inputs.
struct LoadLimits {
  std::size_t max_nodes = kMaxNodes;  // plus two per input byte
};

LoadResult loadFile(const std::string& path, const Catalog& catalog = Catalog::builtin());
/// `name` is used as FILE in diagnostics.
LoadResult loadString(std::string_view yaml, const std::string& name,
                      const Catalog& catalog = Catalog::builtin());
LoadResult loadString(std::string_view yaml, const std::string& name, const Catalog& catalog,
                      const LoadLimits& limits);

/// The keys the loader accepts for each kind of object, by the object's name in
/// schema/inventory.v1.json ("root" for the top level, then its `$defs` names: "deployment",
/// "host", "protection", ...). Used to keep the JSON Schema and the loader in step.
struct AcceptedKeys {
  std::string object;
  std::vector<std::string> keys;      // every key the loader accepts, in schema order
  std::vector<std::string> required;  // the keys it requires
};
const std::vector<AcceptedKeys>& acceptedKeys();

}  // namespace ccsec::inventory
