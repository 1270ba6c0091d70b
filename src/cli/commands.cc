#include "cli/command.h"

namespace ccsec::cli {

// One line per verb, in the order `ccsec --help` lists them.
void registerCheck(CLI::App& app, int& exit_code);
void registerRules(CLI::App& app, int& exit_code);
void registerExplain(CLI::App& app, int& exit_code);
void registerDiff(CLI::App& app, int& exit_code);
void registerHistory(CLI::App& app, int& exit_code);
void registerReport(CLI::App& app, int& exit_code);
void registerGraph(CLI::App& app, int& exit_code);
void registerRender(CLI::App& app, int& exit_code);
void registerReach(CLI::App& app, int& exit_code);
void registerPki(CLI::App& app, int& exit_code);
void registerGateway(CLI::App& app, int& exit_code);
void registerAudit(CLI::App& app, int& exit_code);
void registerMedia(CLI::App& app, int& exit_code);
void registerAuthd(CLI::App& app, int& exit_code);
void registerDirectory(CLI::App& app, int& exit_code);
void registerAccounts(CLI::App& app, int& exit_code);
void registerUsers(CLI::App& app, int& exit_code);
void registerProbe(CLI::App& app, int& exit_code);
void registerWizard(CLI::App& app, int& exit_code);
void registerVersion(CLI::App& app, int& exit_code);

void registerCommands(CLI::App& app, int& exit_code) {
  registerCheck(app, exit_code);
  registerRules(app, exit_code);
  registerExplain(app, exit_code);
  registerDiff(app, exit_code);
  registerHistory(app, exit_code);
  registerReport(app, exit_code);
  registerGraph(app, exit_code);
  registerRender(app, exit_code);
  registerReach(app, exit_code);
  registerPki(app, exit_code);
  registerGateway(app, exit_code);
  registerAudit(app, exit_code);
  registerMedia(app, exit_code);
  registerAuthd(app, exit_code);
  registerDirectory(app, exit_code);
  registerAccounts(app, exit_code);
  registerUsers(app, exit_code);
  registerProbe(app, exit_code);
  registerWizard(app, exit_code);
  registerVersion(app, exit_code);
}

}  // namespace ccsec::cli
