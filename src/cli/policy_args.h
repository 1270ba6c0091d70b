#pragma once
// Shared by the policy verbs (check, diff): loading an inventory with diagnostics on stderr and
// turning --as-of/--set/--fail-on strings into policy::Options.

#include <optional>
#include <string>
#include <vector>

#include "inventory/model.h"
#include "policy/finding.h"
#include "policy/rule.h"

namespace ccsec::cli {

/// Loads and validates `path`; on failure prints every diagnostic to stderr and returns nullopt.
std::optional<inventory::Model> loadInventoryOrReport(const std::string& path);

/// Builds Options from the flags; on a bad value prints one line to stderr and returns nullopt.
std::optional<policy::Options> parsePolicyOptions(const std::string& as_of,
                                                  const std::vector<std::string>& sets);

/// Parses --fail-on; prints to stderr and returns nullopt on a bad value.
std::optional<policy::Severity> parseFailOn(const std::string& text);

}  // namespace ccsec::cli
