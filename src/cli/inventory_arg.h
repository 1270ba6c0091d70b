#pragma once
// Shared by every verb that takes an inventory: load and validate it, or print the loader's
// diagnostics (one "FILE:LINE:COL: key.path: message" per line) to `err` and let the verb exit
// with kExitUsage (2).

#include <iosfwd>
#include <optional>
#include <string>

#include "inventory/model.h"

namespace ccsec::cli {

/// The validated model, or nullopt after the diagnostics were written to `err`.
std::optional<inventory::Model> loadInventoryOrReport(const std::string& path, std::ostream& err);

}  // namespace ccsec::cli
