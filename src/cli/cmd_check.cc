// `ccsec check INV`: the rule catalogue over one inventory.
#include <unistd.h>

#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "cli/run_store.h"
#include "inventory/catalog.h"
#include "policy/baseline.h"
#include "policy/engine.h"
#include "policy/output.h"

namespace ccsec::cli {

void registerCheck(CLI::App& app, int& exit_code) {
  struct Args {
    std::string inventory;
    ReportFlags report;
    std::string min_severity = "info";
    std::vector<std::string> rules;
    bool verbose = false;
    StoreArgs store;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("check", "Check an inventory against the security design");
  sub->footer(
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 runtime "
      "failure.\n"
      "Thresholds for --set: aw_per_site (2), patch_age_days (30), cert_warn_days (30),\n"
      "  av_definitions_age_days (1), agents_per_ipsec_host (1000), av_busy_hours "
      "(07:00-19:00).\n\n"
      "Examples:\n"
      "  ccsec check examples/reference.yaml\n"
      "  ccsec check inv.yaml --format sarif --as-of 2026-11-28 > ccsec.sarif\n"
      "  ccsec check inv.yaml --fail-on medium --set patch_age_days=14\n"
      "  ccsec check inv.yaml --rule CCS-TLS --rule CCS-IPS-001 --min-severity medium\n"
      "  ccsec check inv.yaml --format json > base.json; ccsec check inv.yaml --baseline "
      "base.json\n\n"
      "Every run is recorded (all findings, before --baseline/--min-severity/--rule) in the\n"
      "findings store for `ccsec history`, `ccsec diff --run A --run B` and `ccsec report`:\n"
      "by default sqlite:$XDG_STATE_HOME/ccsec/findings.db (~/.local/state/ccsec/findings.db).\n"
      "--no-store records nothing (CI jobs, tests); --store URL picks another store.");
  sub->add_option("inventory", args->inventory, "Inventory YAML file")->required();
  addReportFlags(*sub, args->report, "check",
                 "Date used as today (YYYY-MM-DD) for date-based rules",
                 "Threshold key=value (repeatable)");
  sub->add_option("--min-severity", args->min_severity,
                  "Report only findings at or above this severity (critical|high|medium|low|info)")
      ->default_str("info");
  sub->add_option("--rule", args->rules,
                  "Report only rules with this ID or ID prefix, e.g. CCS-TLS (repeatable)");
  sub->add_flag("--verbose", args->verbose,
                "Text: list each low \"not stated\" finding instead of one line per rule");
  addStoreOptions(sub, args->store, true);
  sub->callback([args, &exit_code] {
    auto min_severity = policy::parseSeverity(args->min_severity);
    if (!min_severity) {
      std::cerr << "ccsec: --min-severity: expected one of critical|high|medium|low|info, found \""
                << args->min_severity << "\"\n";
    }
    auto setup = parseReportFlags(args->report, "check", exit_code);
    if (!setup) return;  // reported, exit_code set
    if (!min_severity) {
      exit_code = kExitUsage;
      return;
    }
    auto model = loadInventoryOrReport(args->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    policy::Report report =
        policy::checkReport(*model, inventory::Catalog::builtin(), setup->options);
    std::vector<policy::Finding> findings = std::move(report.findings);
    const std::vector<policy::Finding> all = findings;
    if (setup->baseline) findings = policy::newSince(findings, *setup->baseline);
    findings = policy::filterFindings(std::move(findings), *min_severity, args->rules);
    ReportFormat how;
    how.options.colour = isatty(STDOUT_FILENO) == 1;
    how.options.verbose = args->verbose;
    how.options.file = args->inventory;
    how.options.assumed = std::move(report.assumed);
    std::cout << formatFindings(args->report.format, findings, args->inventory, setup->fail_on,
                                how);
    if (auto rec = recordRun(args->store, "check", args->inventory, all); !rec) {
      std::cout << std::flush;
      exit_code = reportError("check", rec.error());
      return;
    }
    exit_code = checkStdout("check", findingsExitCode(findings, setup->fail_on));
  });
}

}  // namespace ccsec::cli
