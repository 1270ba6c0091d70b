// `ccsec report INV --out report.html`: the self-contained HTML report (docs/report.md).
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "cli/run_store.h"
#include "core/date.h"
#include "core/subprocess.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "policy/call_legs.h"
#include "policy/engine.h"
#include "report/graph_dot.h"
#include "report/html.h"

namespace ccsec::cli {

namespace {

// SOURCE_DATE_EPOCH (reproducible-builds convention) fixes the generation time; else now.
std::optional<std::string> generationTime() {
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0') {
    char* end = nullptr;
    const long long v = std::strtoll(e, &end, 10);
    if (end == nullptr || *end != '\0' || v < 0) return std::nullopt;
    return core::utcTimestamp(static_cast<std::time_t>(v));
  }
  return core::utcTimestamp(std::time(nullptr));
}

}  // namespace

void registerReport(CLI::App& app, int& exit_code) {
  struct Args {
    std::string inventory;
    std::string out;
    std::int64_t probe_run = 0;
    std::string as_of;
    std::vector<std::string> sets;
    std::string dot = "dot";
    int dot_timeout_s = 60;
    StoreArgs store;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand(
      "report",
      "Write a self-contained HTML report (summary, trend, findings, topology, call legs)");
  sub->footer(
      "One HTML file with inline CSS, JS and SVG and a policy that forbids every fetch: it opens\n"
      "offline and from a mail attachment. The topology is laid out by Graphviz (`dot`, Debian\n"
      "package graphviz); without it the report says so and carries everything else. The trend\n"
      "shows the stored check runs of this inventory, same path or same content (--store; the "
      "default store of `ccsec "
      "check`;\n"
      "--no-store: none). --probe-run ID adds observed-vs-declared per endpoint from a stored\n"
      "`ccsec probe` run. SOURCE_DATE_EPOCH fixes the generation time (reproducible output).\n"
      "Filter links: report.html#severity=high&q=cg-a&waived=hide.\n\n"
      "Examples:\n"
      "  ccsec report examples/reference.yaml --out report.html\n"
      "  ccsec report inv.yaml --probe-run 12 --out report.html --as-of 2026-11-28");
  sub->add_option("inventory", args->inventory, "Inventory YAML file")->required();
  sub->add_option("--out", args->out, "HTML file to write")->required();
  sub->add_option("--probe-run", args->probe_run, "Stored probe run to show (ccsec history)");
  sub->add_option("--as-of", args->as_of, "Date used as today (YYYY-MM-DD) for date-based rules");
  sub->add_option("--set", args->sets, "Threshold key=value (repeatable)");
  sub->add_option("--dot", args->dot, "Graphviz dot program (default: dot on PATH)");
  sub->add_option("--dot-timeout", args->dot_timeout_s, "Seconds dot may take (default 60)")
      ->check(CLI::Range(1, 3600));
  addStoreOptions(sub, args->store, false);
  sub->add_flag("--no-store", args->store.no_store,
                "Read no findings store (no trend, no --probe-run)");
  sub->callback([args, &exit_code] {
    auto options = parsePolicyOptions(args->as_of, args->sets);
    const auto generated = generationTime();
    if (!generated) std::cerr << "ccsec report: SOURCE_DATE_EPOCH is not a number of seconds\n";
    if (!options || !generated) {
      exit_code = kExitUsage;
      return;
    }
    auto model = loadInventoryOrReport(args->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    const auto& catalog = inventory::Catalog::builtin();
    const auto graph = inventory::deriveGraph(*model, catalog);
    policy::Report checked = policy::checkReport(*model, catalog, *options);
    report::ReportInput in(*model, graph);
    in.findings = std::move(checked.findings);
    in.assumed = std::move(checked.assumed);
    in.inventory_path = args->inventory;
    in.inventory_hash = inventoryHash(args->inventory);
    in.tool_version = CCSEC_VERSION;
    in.generated = *generated;
    in.legs = policy::callLegs(*model, graph);

    if (!args->store.no_store) {
      auto s = openRunStore(args->store);
      if (!s) {
        exit_code = reportError("report", s.error());
        return;
      }
      in.store = (*s)->describe();
      auto runs = (*s)->runs();
      if (!runs) {
        exit_code = reportError("report", runs.error());
        return;
      }
      for (auto& r : *runs)
        if (r.command == "check" &&
            (r.inventory == args->inventory || r.inventory_hash == in.inventory_hash))
          in.trend.push_back(std::move(r));
      if (args->probe_run != 0) {
        auto run = (*s)->run(args->probe_run);
        auto found = run ? (*s)->findings(args->probe_run)
                         : core::Result<std::vector<store::StoredFinding>>(run.error());
        if (!found) {
          exit_code = reportError("report", found.error());
          return;
        }
        auto p = report::probeSection(*run, *found);
        if (!p) {
          exit_code = reportError("report", p.error());
          return;
        }
        std::time_t t = static_cast<std::time_t>(run->time_ms / 1000);
        p->time = core::utcTimestamp(t);
        in.probe = std::move(p.value());
      }
    } else if (args->probe_run != 0) {
      std::cerr << "ccsec report: --probe-run reads the store; drop --no-store\n";
      exit_code = kExitUsage;
      return;
    }

    core::FilterLimits limits;
    limits.timeout = std::chrono::seconds(args->dot_timeout_s);
    auto svg = core::runFilter({args->dot, "-Tsvg"},
                               report::topologyDot(*model, graph, in.findings), limits);
    if (svg) {
      auto inl = report::inlineSvg(*svg);
      if (inl)
        in.topology_svg = std::move(inl.value());
      else
        in.topology_error = inl.error().message;
    } else {
      in.topology_error = svg.error().message + " (install Graphviz: apt-get install graphviz)";
      std::cerr << "ccsec report: warning: no topology diagram: " << svg.error().message << "\n";
    }

    const std::string html = report::renderHtml(in);
    const std::filesystem::path out(args->out);
    const std::filesystem::path tmp = out.string() + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << html;
      f.close();
      if (!f) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        exit_code = reportError("report", core::runtimeError("cannot write " + tmp.string()));
        return;
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, out, ec);
    if (ec) {
      std::filesystem::remove(tmp, ec);
      exit_code = reportError("report", core::runtimeError("cannot write " + out.string()));
      return;
    }
    const policy::Summary sum = policy::summarize(in.findings);
    std::cerr << fmt::format("report: {} ({} bytes): {}{}\n", out.string(), html.size(), sum.line(),
                             in.topology_svg.empty() ? "; no topology" : "");
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
