#pragma once
// Test fixtures for policy tests: a small inventory that follows the design (no finding at
// all), mutated per test through yaml-cpp and loaded with inventory::loadString.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

#include "inventory/loader.h"
#include "policy/engine.h"

namespace ccsec::policy::testing {

/// The clean base inventory as a YAML tree (fresh copy each call).
YAML::Node baseInventory();
/// The host node named `name` (asserts it exists).
YAML::Node hostNode(YAML::Node doc, const std::string& name);
/// Serialises the tree.
std::string emit(const YAML::Node& doc);

/// Loads `doc` (failing the test with the diagnostics if the loader rejects it) and runs the
/// whole check with as_of 2026-11-28 plus `sets` ("key=value").
std::vector<Finding> checkDoc(const YAML::Node& doc, const std::vector<std::string>& sets = {},
                              const std::string& file_name = "fixture.yaml");
/// Same for an inventory file on disk (certificate paths resolve next to it).
std::vector<Finding> checkFile(const std::string& path, const std::vector<std::string>& sets = {});

Options testOptions(const std::vector<std::string>& sets = {});

/// Findings of one rule.
std::vector<Finding> ofRule(const std::vector<Finding>& all, std::string_view rule);

}  // namespace ccsec::policy::testing
