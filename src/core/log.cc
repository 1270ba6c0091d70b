#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace ccsec::core {

void initLogging(LogLevel level) {
  auto logger = spdlog::get("ccsec");
  if (!logger) {
    logger = spdlog::stderr_color_mt("ccsec");
    spdlog::set_default_logger(logger);
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  static constexpr spdlog::level::level_enum kMap[] = {
      spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
      spdlog::level::warn,  spdlog::level::err,   spdlog::level::off};
  spdlog::set_level(kMap[static_cast<int>(level)]);
}

}  // namespace ccsec::core
