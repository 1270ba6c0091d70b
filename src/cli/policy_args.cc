#include "cli/policy_args.h"

#include <iostream>

#include "core/date.h"

namespace ccsec::cli {

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
