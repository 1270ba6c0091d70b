#pragma once
// Logging: spdlog to stderr, as text for a terminal, JSON lines for a SIEM, or the systemd
// journal with native fields. Contract: callers never pass key material, passwords or personal
// data (caller numbers, digits, call variables) to a log call; modules that handle such data
// redact before logging (see gateway/redact.h, media key handling).

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ccsec::core {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

/// text: "TIME LEVEL message" on stderr. json: one object per line on stderr with the keys
/// time (RFC 3339 UTC, ms), level, component (the logger's name), message. journald: native
/// journal fields (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=ccsec, CCSEC_COMPONENT).
enum class LogFormat { kText, kJson, kJournald };

/// "text" | "json" | "journald"; nullopt otherwise.
std::optional<LogFormat> parseLogFormat(std::string_view name);

/// The format to use when none is asked for: journald when stderr is connected to the journal
/// (systemd sets JOURNAL_STREAM to its device:inode), text otherwise.
LogFormat defaultLogFormat();

/// Configures the process-wide logging (level and format). Idempotent; later calls replace the
/// sinks of every component logger.
void initLogging(LogLevel level, LogFormat format = LogFormat::kText);
/// Changes the level only (the format chosen at start stays).
void setLogLevel(LogLevel level);
/// Changes the format only.
void setLogFormat(LogFormat format);

/// The logger of one component ("gateway", "media", …), sharing the process-wide sinks.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

}  // namespace ccsec::core
