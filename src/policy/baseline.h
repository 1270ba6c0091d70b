#pragma once
// Baselines and diffs. Findings are identified by (rule, target): messages may change wording
// between releases, severities may change with thresholds, the key does not.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "policy/finding.h"

namespace ccsec::policy {

using FindingKey = std::pair<std::string, std::string>;  // (rule, target)

/// Keys of a saved `ccsec check --format json` report. Errors name the file and what is wrong.
core::Result<std::set<FindingKey>> loadBaseline(const std::string& path);
/// Same, from the JSON text (`name` is used in errors).
core::Result<std::set<FindingKey>> parseBaseline(std::string_view json, const std::string& name);

/// The findings whose key is not in the baseline (order kept).
std::vector<Finding> newSince(const std::vector<Finding>& findings,
                              const std::set<FindingKey>& baseline);

struct Diff {
  std::vector<Finding> added;    // in new, not in old (new's order)
  std::vector<Finding> removed;  // in old, not in new (old's order)
};

/// Compares two finding lists by key. Waived findings take part like the others.
Diff diff(const std::vector<Finding>& old_findings, const std::vector<Finding>& new_findings);

}  // namespace ccsec::policy
