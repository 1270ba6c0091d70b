// `ccsec diff OLD NEW`: findings added and removed between two inventories;
// `ccsec diff --run A --run B`: the same between two runs recorded in the findings store.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "cli/run_store.h"
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
    std::vector<std::int64_t> runs;
    StoreArgs store;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand(
      "diff", "Findings added and removed between two inventories or two stored runs");
  sub->footer(
      "Lines start with + (added in NEW / run B) or - (removed since OLD / run A). Exit 1 when "
      "an added,\nunwaived finding is at or above --fail-on. `ccsec history` lists the run ids.\n\n"
      "Examples:\n"
      "  ccsec diff inv-before.yaml inv-after.yaml --as-of 2026-11-28\n"
      "  ccsec diff --run 3 --run 7");
  sub->add_option("old", args->old_path, "Inventory before the change");
  sub->add_option("new", args->new_path, "Inventory after the change");
  sub->add_option("--run", args->runs, "Stored run id (give two: --run A --run B)");
  addStoreOptions(sub, args->store, false);
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
    const bool by_run = !args->runs.empty();
    const bool by_inventory = !args->old_path.empty() || !args->new_path.empty();
    if (by_run == by_inventory || (by_run && args->runs.size() != 2) ||
        (by_inventory && (args->old_path.empty() || args->new_path.empty()))) {
      std::cerr << "ccsec diff: give two inventories (OLD NEW) or two stored runs (--run A --run "
                   "B)\n";
      exit_code = kExitUsage;
      return;
    }
    policy::Diff d;
    std::string what;
    if (by_run) {
      auto s = openRunStore(args->store);
      if (!s) {
        exit_code = reportError("diff", s.error());
        return;
      }
      std::vector<policy::Finding> side[2];
      for (int i = 0; i < 2; ++i) {
        auto f = (*s)->findings(args->runs[static_cast<std::size_t>(i)]);
        if (!f) {
          exit_code = reportError("diff", f.error());
          return;
        }
        side[i] = fromStored(*f);
      }
      d = policy::diff(side[0], side[1]);
      what = fmt::format(" between run {} and run {}", args->runs[0], args->runs[1]);
    } else {
      auto old_model = loadInventoryOrReport(args->old_path, std::cerr);
      auto new_model = loadInventoryOrReport(args->new_path, std::cerr);
      if (!old_model || !new_model) {
        exit_code = kExitUsage;
        return;
      }
      const auto& catalog = inventory::Catalog::builtin();
      d = policy::diff(policy::check(*old_model, catalog, *options),
                       policy::check(*new_model, catalog, *options));
    }
    auto print = [](char sign, const policy::Finding& f) {
      std::cout << fmt::format("{} {:<8} {:<11} {}  {}{}\n", sign, policy::toString(f.severity),
                               f.rule, f.target, f.waived ? "[waived] " : "", f.message);
    };
    for (const auto& f : d.added) print('+', f);
    for (const auto& f : d.removed) print('-', f);
    std::cout << fmt::format("{} added, {} removed{}\n", d.added.size(), d.removed.size(), what);
    exit_code =
        checkStdout("diff", policy::anyAtOrAbove(d.added, *fail_on) ? kExitFindings : kExitClean);
  });
}

}  // namespace ccsec::cli
