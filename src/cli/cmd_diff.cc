// `ccsec diff OLD NEW`: findings added and removed between two inventories.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "inventory/catalog.h"
#include "policy/baseline.h"
#include "policy/engine.h"

namespace ccsec::cli {

void registerDiff(CLI::App& app, int& exit_code) {
  struct Args {
    std::string old_path, new_path;
    std::string fail_on = "high";
    std::string as_of;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("diff", "Findings added and removed between two inventories");
  sub->footer(
      "Lines start with + (added in NEW) or - (removed since OLD). Exit 1 when an added, "
      "unwaived finding is at or above --fail-on.\n\n"
      "Example:\n"
      "  ccsec diff inv-before.yaml inv-after.yaml --as-of 2026-11-28");
  sub->add_option("old", args->old_path, "Inventory before the change")->required();
  sub->add_option("new", args->new_path, "Inventory after the change")->required();
  sub->add_option("--fail-on", args->fail_on, "Severity of added findings that fails")
      ->default_str("high");
  sub->add_option("--as-of", args->as_of, "Date used as today (YYYY-MM-DD)");
  sub->add_option("--set", args->sets, "Threshold key=value (repeatable)");
  sub->callback([args, &exit_code] {
    auto fail_on = parseFailOn(args->fail_on);
    auto options = parsePolicyOptions(args->as_of, args->sets);
    if (!fail_on || !options) {
      exit_code = kExitUsage;
      return;
    }
    auto old_model = loadInventoryOrReport(args->old_path, std::cerr);
    auto new_model = loadInventoryOrReport(args->new_path, std::cerr);
    if (!old_model || !new_model) {
      exit_code = kExitUsage;
      return;
    }
    const auto& catalog = inventory::Catalog::builtin();
    policy::Diff d = policy::diff(policy::check(*old_model, catalog, *options),
                                  policy::check(*new_model, catalog, *options));
    auto print = [](char sign, const policy::Finding& f) {
      std::cout << fmt::format("{} {:<8} {:<11} {}  {}{}\n", sign, policy::toString(f.severity),
                               f.rule, f.target, f.waived ? "[waived] " : "", f.message);
    };
    for (const auto& f : d.added) print('+', f);
    for (const auto& f : d.removed) print('-', f);
    std::cout << fmt::format("{} added, {} removed\n", d.added.size(), d.removed.size());
    exit_code =
        checkStdout("diff", policy::anyAtOrAbove(d.added, *fail_on) ? kExitFindings : kExitClean);
  });
}

}  // namespace ccsec::cli
