#include "cli/inventory_arg.h"

#include <ostream>

#include "inventory/loader.h"

namespace ccsec::cli {

std::optional<inventory::Model> loadInventoryOrReport(const std::string& path, std::ostream& err) {
  auto r = inventory::loadFile(path);
  if (r.ok()) return std::move(r.model);
  for (const auto& d : r.diagnostics) err << d.str() << "\n";
  if (r.truncated)
    err << path << ": more than " << inventory::kMaxDiagnostics
        << " problems; fix these and run again to see the rest\n";
  err << path << ": " << r.diagnostics.size() << (r.truncated ? "+" : "")
      << " problem(s); inventory rejected\n";
  return std::nullopt;
}

}  // namespace ccsec::cli
