#pragma once
// The one mapping from a failure to the README's exit codes, and the one way a verb reports it:
//   0 clean, 1 findings at/above --fail-on, 2 usage or input error, 3 runtime failure.
// A core::Error carries its class (core/result.h); verbs never pick 2 or 3 for an Error themselves.

#include <iostream>
#include <string_view>

#include "cli/command.h"
#include "core/result.h"

namespace ccsec::cli {

/// kExitRuntime for an environment failure (bind, I/O, database), kExitUsage for bad input.
inline int exitCodeFor(const core::Error& e) {
  return e.cls == core::ErrorClass::kRuntime ? kExitRuntime : kExitUsage;
}

/// Writes "ccsec WHO: message" (and the indented detail) to `err`; returns exitCodeFor(e).
inline int reportError(std::string_view who, const core::Error& e, std::ostream& err = std::cerr) {
  err << "ccsec " << who << ": " << e.message << "\n";
  std::string_view rest = e.detail;  // every detail line indented by two spaces
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    err << "  " << rest.substr(0, nl) << "\n";
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  return exitCodeFor(e);
}

/// After writing a report to stdout: kExitRuntime (with a message) when stdout failed, else `rc`.
inline int checkStdout(std::string_view who, int rc) {
  std::cout << std::flush;
  if (!std::cout) {
    std::cerr << "ccsec " << who << ": cannot write the report to stdout\n";
    return kExitRuntime;
  }
  return rc;
}

}  // namespace ccsec::cli
