#include "cli/command.h"

namespace ccsec::cli {

// One line per verb, in the order `ccsec --help` lists them.
void registerVersion(CLI::App& app, int& exit_code);
void registerMedia(CLI::App& app, int& exit_code);

void registerCommands(CLI::App& app, int& exit_code) {
  registerVersion(app, exit_code);
  registerMedia(app, exit_code);
}

}  // namespace ccsec::cli
