// `ccsec wizard [--answers FILE] [--out INV]`: the guided walk-through (cli/wizard.h). On a
// terminal the lines are read with libedit's readline-compatible API (line editing, history
// within the session; BSD licence, see docs/dependencies.md); otherwise plain lines from stdin.
#include <editline/readline.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/wizard.h"

namespace ccsec::cli {

namespace {

std::optional<std::string> readTerminalLine(const std::string& prompt) {
  char* raw = ::readline(prompt.c_str());
  if (raw == nullptr) return std::nullopt;
  std::string line(raw);
  std::free(raw);
  if (!line.empty()) ::add_history(line.c_str());
  return line;
}

std::optional<std::string> readPlainLine(const std::string& prompt) {
  std::cout << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

}  // namespace

void registerWizard(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "wizard",
      "Guided set-up: security model, sites and zones, hosts from a CSV, firewall and\n"
      "isolation, SQL hardening; writes an inventory, checks it and offers to render\n"
      "Example: ccsec wizard --answers answers.yaml --out inventory.yaml");
  auto opts = std::make_shared<wizard::Options>();
  sub->add_option("--answers,-a", opts->answers_file,
                  "Answer every question from FILE (YAML mapping, or key = value lines) instead "
                  "of asking");
  sub->add_option("--out,-o", opts->out,
                  "Inventory file to write (else asked; default inventory.yaml)");
  sub->add_flag("--yes,-y", opts->assume_yes, "Overwrite an existing inventory without asking");
  sub->callback([opts, &exit_code] {
    const bool tty = ::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0;
    wizard::Input input = tty ? wizard::Input(readTerminalLine) : wizard::Input(readPlainLine);
    exit_code = wizard::run(*opts, input, std::cout, std::cerr);
    std::cout.flush();
  });
}

}  // namespace ccsec::cli
