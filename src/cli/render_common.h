#pragma once
// Shared by `ccsec render` and `ccsec reach`: load an inventory, print its diagnostics.

#include <iostream>
#include <optional>
#include <string>

#include "inventory/loader.h"

namespace ccsec::cli {

/// Loads `path`; on failure prints every diagnostic to stderr and returns nullopt.
inline std::optional<inventory::Model> loadInventoryOrReport(const std::string& path) {
  auto res = inventory::loadFile(path);
  if (!res.ok()) {
    std::cerr << "ccsec: " << path << ": inventory has " << res.diagnostics.size()
              << (res.truncated ? "+" : "") << " problem(s)\n";
    for (const auto& d : res.diagnostics) std::cerr << d.str() << "\n";
    return std::nullopt;
  }
  return std::move(*res.model);
}

}  // namespace ccsec::cli
