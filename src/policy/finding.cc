#include "policy/finding.h"

#include <fmt/format.h>

namespace ccsec::policy {

const char* toString(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> parseSeverity(std::string_view text) {
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (text == toString(s)) return s;
  }
  return std::nullopt;
}

std::string Summary::line() const {
  return fmt::format("{} finding{}: {} critical, {} high, {} medium, {} low, {} info ({} waived)",
                     total, total == 1 ? "" : "s", critical, high, medium, low, info, waived);
}

Summary summarize(const std::vector<Finding>& findings) {
  Summary s;
  for (const Finding& f : findings) {
    if (f.waived) {
      ++s.waived;
      continue;
    }
    ++s.total;
    switch (f.severity) {
      case Severity::kCritical:
        ++s.critical;
        break;
      case Severity::kHigh:
        ++s.high;
        break;
      case Severity::kMedium:
        ++s.medium;
        break;
      case Severity::kLow:
        ++s.low;
        break;
      case Severity::kInfo:
        ++s.info;
        break;
    }
  }
  return s;
}

bool anyAtOrAbove(const std::vector<Finding>& findings, Severity threshold) {
  for (const Finding& f : findings) {
    if (!f.waived && f.severity >= threshold) return true;
  }
  return false;
}

}  // namespace ccsec::policy
