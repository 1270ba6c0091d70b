#pragma once
// Running a helper program as a filter: bytes in on its stdin, its stdout back, bounded in time
// and output size (e.g. Graphviz `dot -Tsvg` for `ccsec report`). No shell: argv[0] is looked up
// on PATH. On timeout or overflow the child is killed (SIGKILL, by its pid) and reaped; its
// stderr is kept (first 4 KiB) for the error message.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ccsec::core {

struct FilterLimits {
  std::chrono::milliseconds timeout{30000};
  std::size_t max_output = 64u << 20;  // bytes of stdout
};

/// Runs `argv` with `input` on stdin; returns its stdout when it exits 0. A program that cannot
/// be started, exits non-zero, is killed by a signal, runs past the timeout or writes more than
/// max_output fails with a runtime error naming argv[0] (and its first stderr line).
Result<std::string> runFilter(const std::vector<std::string>& argv, std::string_view input,
                              const FilterLimits& limits = {});

}  // namespace ccsec::core
