// ccsec: one CLI over the ccsec libraries. The only code the tests do not link.
#include <iostream>

#include "cli/command.h"
#include "core/log.h"

int main(int argc, char** argv) {
  CLI::App app{
      "ccsec: a security plane for contact centers.\n"
      "Checks a deployment inventory against the security design, renders what enforces it,\n"
      "runs the protected data paths and proves what is live.\n\n"
      "Example: ccsec check examples/reference.yaml"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ccsec ") + CCSEC_VERSION);
  int exit_code = ccsec::cli::kExitClean;
  app.fallthrough();  // before the subcommands exist: they inherit it (global options after them)
  ccsec::cli::registerCommands(app, exit_code);
  // Applied the moment it is parsed (before a daemon subcommand starts); accepted before or
  // after the subcommand's name.
  app.add_option_function<std::string>(
         "--log-format",
         [](const std::string& name) {
           ccsec::core::setLogFormat(*ccsec::core::parseLogFormat(name));
         },
         "Log lines as text, json (one object per line) or journald (native fields); "
         "default: journald when stderr is the journal, else text")
      ->check(CLI::IsMember({"text", "json", "journald"}))
      ->trigger_on_parse();
  ccsec::core::initLogging(ccsec::core::LogLevel::kWarn, ccsec::core::defaultLogFormat());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? ccsec::cli::kExitClean : ccsec::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ccsec: " << e.what() << "\n";
    return ccsec::cli::kExitRuntime;
  }
  return exit_code;
}
