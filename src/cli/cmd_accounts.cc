// `ccsec accounts check|fix INV --out DIR` and `ccsec users INV`: decoupled authorization.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/inventory_arg.h"
#include "identity/accounts.h"

namespace ccsec::cli {

void registerAccounts(CLI::App& app, int& exit_code) {
  struct Args {
    std::string inventory, out;
  };
  auto a = std::make_shared<Args>();
  auto* acc = app.add_subcommand(
      "accounts",
      "Per host PowerShell for local group membership (setup users: Administrators; config\n"
      "users and service accounts: UcceService; nothing else) and ADSecurityGroupUpdate.\n"
      "check prints one JSON line per host; fix sets what is missing and removes the rest.\n"
      "Example: ccsec accounts check inv.yaml --out accounts/");
  acc->require_subcommand(1);
  for (const bool fix : {false, true}) {
    auto* sub = acc->add_subcommand(fix ? "fix" : "check",
                                    fix ? "Render the scripts that set the memberships"
                                        : "Render the scripts that report the memberships");
    sub->add_option("inventory", a->inventory, "Inventory YAML file")->required();
    sub->add_option("--out", a->out, "Output directory (one HOST.ps1 per host)")->required();
    sub->callback([a, fix, &exit_code] {
      auto model = loadInventoryOrReport(a->inventory, std::cerr);
      if (!model) {
        exit_code = kExitUsage;
        return;
      }
      auto hosts = identity::expectedLocalGroups(*model);
      if (!hosts) {
        std::cerr << "ccsec accounts: " << hosts.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
      std::error_code ec;
      std::filesystem::create_directories(a->out, ec);
      for (const auto& h : *hosts) {
        const auto path = std::filesystem::path(a->out) / (h.host + ".ps1");
        std::ofstream o(path, std::ios::binary);
        o << identity::renderAccountsScript(h, model->directory.security_group_update, fix);
        if (!o) {
          std::cerr << "ccsec accounts: cannot write " << path.string() << "\n";
          exit_code = kExitRuntime;
          return;
        }
        std::cout << path.string() << "\n";
      }
      exit_code = kExitClean;
    });
  }
}

void registerUsers(CLI::App& app, int& exit_code) {
  auto inv = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
      "users", "Accounts and the local groups they need per host.\nExample: ccsec users inv.yaml");
  sub->add_option("inventory", *inv, "Inventory YAML file")->required();
  sub->callback([inv, &exit_code] {
    auto model = loadInventoryOrReport(*inv, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    auto hosts = identity::expectedLocalGroups(*model);
    if (!hosts) {
      std::cerr << "ccsec users: " << hosts.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << identity::usersTable(*hosts);
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
