#include <iostream>

#include "cli/command.h"

namespace ccsec::cli {

void registerVersion(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("version", "Print the ccsec version");
  sub->callback([&exit_code] {
    std::cout << "ccsec " << CCSEC_VERSION << "\n";
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
