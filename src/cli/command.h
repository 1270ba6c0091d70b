#pragma once
// Subcommand registration. Each verb lives in its own cmd_<verb>.cc and exposes one
// register function, listed once in commands.cc (explicit registry, no static self-registration).
// A verb's callback stores its exit code in `exit_code`:
//   0 clean, 1 findings at/above --fail-on, 2 usage or input error, 3 runtime failure.

#include <CLI/CLI.hpp>

namespace ccsec::cli {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

void registerCommands(CLI::App& app, int& exit_code);

}  // namespace ccsec::cli
