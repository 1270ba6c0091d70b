#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>

namespace ccsec::core {

namespace {

// One JSON object per line on stderr. nlohmann escapes control characters, so a message can
// never break the line structure a SIEM parses.
class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto t = std::chrono::system_clock::to_time_t(msg.time);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    const auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::json j{{"time", stamp},
                     {"level", std::string(level.data(), level.size())},
                     {"component", std::string(msg.logger_name.data(), msg.logger_name.size())},
                     {"message", std::string(msg.payload.data(), msg.payload.size())}};
    const std::string line =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

// Native journal fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=ccsec and CCSEC_COMPONENT, so
// `journalctl CCSEC_COMPONENT=gateway` selects one component. A journal that cannot be reached
// loses the line rather than stopping the daemon.
class JournaldSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    static constexpr int kPriority[] = {LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_WARNING,
                                        LOG_ERR,   LOG_CRIT,  LOG_INFO};
    const int prio = kPriority[static_cast<int>(msg.level)];
    (void)sd_journal_send("MESSAGE=%.*s", static_cast<int>(msg.payload.size()), msg.payload.data(),
                          "PRIORITY=%d", prio, "SYSLOG_IDENTIFIER=ccsec", "CCSEC_COMPONENT=%.*s",
                          static_cast<int>(msg.logger_name.size()), msg.logger_name.data(),
                          nullptr);
  }
  void flush_() override {}
};

std::mutex gMu;
std::vector<spdlog::sink_ptr> gSinks;
spdlog::level::level_enum gLevel = spdlog::level::warn;

std::vector<spdlog::sink_ptr> makeSinks(LogFormat format) {
  switch (format) {
    case LogFormat::kJson:
      return {std::make_shared<JsonLinesSink>()};
    case LogFormat::kJournald:
      return {std::make_shared<JournaldSink>()};
    case LogFormat::kText:
      break;
  }
  auto s = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  s->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v",
                                                               spdlog::pattern_time_type::utc));
  return {s};
}

}  // namespace

std::optional<LogFormat> parseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  if (name == "journald") return LogFormat::kJournald;
  return std::nullopt;
}

LogFormat defaultLogFormat() {
  // JOURNAL_STREAM is "DEV:INODE" of the journal stream systemd connected; it applies only when
  // stderr is still that stream (not redirected by a wrapper).
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return LogFormat::kText;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return LogFormat::kText;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return LogFormat::kText;
  return (static_cast<unsigned long long>(st.st_dev) == dev &&
          static_cast<unsigned long long>(st.st_ino) == ino)
             ? LogFormat::kJournald
             : LogFormat::kText;
}

namespace {
spdlog::level::level_enum toSpd(LogLevel level) {
  static constexpr spdlog::level::level_enum kMap[] = {spdlog::level::trace, spdlog::level::debug,
                                                       spdlog::level::info,  spdlog::level::warn,
                                                       spdlog::level::err,   spdlog::level::off};
  return kMap[static_cast<int>(level)];
}

// Holds gMu. Gives every registered logger the current sinks and level.
void applyLocked() {
  auto main = spdlog::get("ccsec");
  if (!main) {
    main = std::make_shared<spdlog::logger>("ccsec", gSinks.begin(), gSinks.end());
    spdlog::register_logger(main);
    spdlog::set_default_logger(main);
  }
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks() = gSinks;
    l->set_level(gLevel);
  });
}
}  // namespace

void initLogging(LogLevel level, LogFormat format) {
  std::lock_guard lock(gMu);
  gSinks = makeSinks(format);
  gLevel = toSpd(level);
  applyLocked();
}

void setLogLevel(LogLevel level) {
  std::lock_guard lock(gMu);
  if (gSinks.empty()) gSinks = makeSinks(LogFormat::kText);
  gLevel = toSpd(level);
  applyLocked();
}

void setLogFormat(LogFormat format) {
  std::lock_guard lock(gMu);
  gSinks = makeSinks(format);
  applyLocked();
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard lock(gMu);
  if (auto l = spdlog::get(component)) return l;
  if (gSinks.empty()) gSinks = makeSinks(LogFormat::kText);
  auto l = std::make_shared<spdlog::logger>(component, gSinks.begin(), gSinks.end());
  l->set_level(gLevel);
  spdlog::register_logger(l);
  return l;
}

}  // namespace ccsec::core
