// `ccsec accounts check|fix INV --out DIR`, `ccsec accounts report INV RESULTS` and
// `ccsec users INV`: decoupled authorization.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "identity/accounts.h"
#include "policy/engine.h"
#include "policy/live_rules.h"
#include "policy/output.h"

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

  struct ReportArgs {
    std::string inventory, results, format = "text", fail_on = "high", as_of;
  };
  auto r = std::make_shared<ReportArgs>();
  auto* rep = acc->add_subcommand(
      "report",
      "Read back the JSON lines the check scripts printed (one per host, '-' for stdin) as\n"
      "findings CCS-ACC-* and the Service Account Manager's view (healthy / unhealthy).\n"
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.\n"
      "Example: ccsec accounts report inv.yaml results.jsonl --format junit");
  rep->add_option("inventory", r->inventory, "Inventory YAML file")->required();
  rep->add_option("results", r->results, "JSON lines of the check scripts ('-': stdin)")
      ->required();
  rep->add_option("--format", r->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}));
  rep->add_option("--fail-on", r->fail_on, "Exit 1 at or above this severity");
  rep->add_option("--as-of", r->as_of, "Date used as today for waiver expiry (YYYY-MM-DD)");
  rep->callback([r, &exit_code] {
    auto fail_on = parseFailOn(r->fail_on);
    auto options = parsePolicyOptions(r->as_of, {});
    if (!fail_on || !options) {
      exit_code = kExitUsage;
      return;
    }
    auto model = loadInventoryOrReport(r->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    auto hosts = identity::expectedLocalGroups(*model);
    if (!hosts) {
      std::cerr << "ccsec accounts report: " << hosts.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::ostringstream text;
    if (r->results == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(r->results, std::ios::binary);
      if (!in) {
        std::cerr << "ccsec accounts report: cannot read " << r->results << "\n";
        exit_code = kExitUsage;
        return;
      }
      text << in.rdbuf();
    }
    auto report = identity::reportAccounts(*model, *hosts, text.str());
    if (!report) {
      std::cerr << "ccsec accounts report: " << report.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::vector<inventory::Waiver> waivers;  // only the CCS-ACC waivers concern this report
    for (const auto& w : model->waivers)
      if (w.rule.rfind("CCS-ACC-", 0) == 0) waivers.push_back(w);
    policy::applyWaivers(report->findings, waivers, options->as_of);
    const auto& rules = policy::liveAccountRules();
    std::string out;
    if (r->format == "json")
      out = policy::formatJson(report->findings);
    else if (r->format == "sarif")
      out = policy::formatSarif(report->findings, r->inventory, rules);
    else if (r->format == "junit")
      out = policy::formatJunit(report->findings, rules, "ccsec accounts report", *fail_on);
    else
      out = report->view + "\n" + policy::formatText(report->findings, isatty(STDOUT_FILENO) == 1);
    std::cout << out << std::flush;
    exit_code = policy::anyAtOrAbove(report->findings, *fail_on) ? kExitFindings : kExitClean;
  });
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
