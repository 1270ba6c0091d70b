#pragma once
// Shared by the policy verbs (check, diff): turning --as-of/--set/--fail-on strings into
// policy::Options. Inventories are loaded with cli/inventory_arg.h.

#include <optional>
#include <string>
#include <vector>

#include "policy/finding.h"
#include "policy/rule.h"

namespace ccsec::cli {

/// Builds Options from the flags; on a bad value prints one line to stderr and returns nullopt.
std::optional<policy::Options> parsePolicyOptions(const std::string& as_of,
                                                  const std::vector<std::string>& sets);

/// Parses --fail-on; prints to stderr and returns nullopt on a bad value.
std::optional<policy::Severity> parseFailOn(const std::string& text);

}  // namespace ccsec::cli
