#include "cli/policy_args.h"

#include <iostream>

#include "inventory/loader.h"

namespace ccsec::cli {

std::optional<inventory::Model> loadInventoryOrReport(const std::string& path) {
  inventory::LoadResult r = inventory::loadFile(path);
  if (r.ok()) return std::move(*r.model);
  std::cerr << "ccsec: " << path << ": invalid inventory (" << r.diagnostics.size()
            << (r.truncated ? "+" : "") << " problem" << (r.diagnostics.size() == 1 ? "" : "s")
            << ")\n";
  for (const inventory::Diagnostic& d : r.diagnostics) std::cerr << d.str() << "\n";
  if (r.truncated) std::cerr << "(more problems not shown)\n";
  return std::nullopt;
}

std::optional<policy::Options> parsePolicyOptions(const std::string& as_of,
                                                  const std::vector<std::string>& sets) {
  policy::Options options;
  if (!as_of.empty()) {
    auto d = core::Date::parse(as_of);
    if (!d) {
      std::cerr << "ccsec: --as-of: expected YYYY-MM-DD, found \"" << as_of << "\"\n";
      return std::nullopt;
    }
    options.as_of = *d;
  }
  for (const std::string& s : sets) {
    auto r = options.set(s);
    if (!r) {
      std::cerr << "ccsec: " << r.error().message << "\n";
      if (!r.error().detail.empty()) std::cerr << r.error().detail << "\n";
      return std::nullopt;
    }
  }
  return options;
}

std::optional<policy::Severity> parseFailOn(const std::string& text) {
  auto s = policy::parseSeverity(text);
  if (!s) {
    std::cerr << "ccsec: --fail-on: expected one of critical|high|medium|low|info, found \""
              << text << "\"\n";
  }
  return s;
}

}  // namespace ccsec::cli
