#pragma once
// The rule catalogue (docs/design.md §3): every rule ccsec checks, in a fixed order, plus the meta
// rule CCS-POL-001 ("waiver matches nothing") that the engine evaluates itself. Static data,
// safe to read from any thread.

#include <string_view>
#include <vector>

#include "policy/rule.h"

namespace ccsec::policy {

/// The 45 checked rules, in catalogue order (by layer, then ID).
const std::vector<Rule>& checkedRules();
/// checkedRules() followed by the meta rules (CCS-POL-001): what `ccsec rules` lists.
const std::vector<Rule>& catalogue();
/// The live rules CCS-PRB-* evaluated by `ccsec probe` (rules_probe.cc); not part of
/// catalogue() so that `check` reports and their SARIF/JUnit rule lists are unchanged.
const std::vector<Rule>& probeRules();
/// A rule of catalogue() or probeRules() by ID; nullptr when unknown.
const Rule* findRule(std::string_view id);

inline constexpr std::string_view kWaiverMatchesNothing = "CCS-POL-001";

}  // namespace ccsec::policy
