#pragma once
// Logging: spdlog to stderr. Contract: callers never pass key material, passwords or personal
// data (caller numbers, digits, call variables) to a log call; modules that handle such data
// redact before logging (see gateway/redact.h, media key handling).

#include <spdlog/spdlog.h>

namespace ccsec::core {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

/// Configures the process-wide logger (stderr, "[time] [level] message"). Idempotent.
void initLogging(LogLevel level);

}  // namespace ccsec::core
