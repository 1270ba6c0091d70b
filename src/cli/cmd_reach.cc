// `ccsec reach INV --from X --to HOST:PORT[/proto]` and `ccsec reach INV --shadowed`.
#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "inventory/graph.h"
#include "render/reach.h"
#include "render/registry.h"

namespace ccsec::cli {

void registerReach(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "reach",
      "Is a connection allowed by the rendered host and perimeter policy? Names the deciding rule\n"
      "Example: ccsec reach examples/reference.yaml --from east-agents --to cg-a:42030/tcp\n"
      "Exit: 0 allowed, 1 denied, 2 usage or input error");
  struct Opts {
    std::string inventory, from, to;
    bool shadowed = false;
  };
  auto opts = std::make_shared<Opts>();
  sub->add_option("inventory", opts->inventory, "Inventory YAML file")->required();
  sub->add_option("--from", opts->from, "Source: host, domain controller, zone or endpoint group");
  sub->add_option("--to", opts->to, "Destination HOST:PORT[/tcp|udp] (default tcp)");
  sub->add_flag("--shadowed", opts->shadowed, "List rendered rules that can never match");
  sub->callback([opts, &exit_code] {
    if (!opts->shadowed && (opts->from.empty() || opts->to.empty())) {
      std::cerr << "ccsec reach: give --from and --to, or --shadowed (see --help)\n";
      exit_code = kExitUsage;
      return;
    }
    auto model = loadInventoryOrReport(opts->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    const auto& catalog = inventory::Catalog::builtin();
    auto graph = inventory::deriveGraph(*model, catalog);
    auto policy = render::buildPolicy(*model, catalog, graph);
    if (opts->shadowed) {
      auto sh = render::shadowedRules(policy);
      for (const auto& s : sh) {
        std::cout << render::renderedFile(*s.table) << " " << s.rule->label << " ("
                  << s.rule->origin;
        if (s.rule->line > 0) std::cout << ", inventory line " << s.rule->line;
        std::cout << ") is shadowed by " << s.by->label << " (" << s.by->origin << ")\n";
      }
      std::cout << sh.size() << " shadowed rule(s)\n";
      exit_code = checkStdout("reach", kExitClean);
      return;
    }
    auto flow = render::makeFlow(*model, opts->from, opts->to);
    if (!flow) {
      exit_code = reportError("reach", flow.error());
      return;
    }
    auto res = render::reach(*model, policy, *flow);
    std::cout << (res.allowed ? "allowed" : "denied") << ": " << opts->from << " -> "
              << flow->dst_host << ":" << flow->port << "/" << render::toString(flow->proto)
              << (res.ipsec ? " (inside IPsec)" : "") << "\n";
    for (std::size_t i = 0; i < res.layers.size(); ++i) {
      std::cout << (i == res.deciding ? "  * " : "    ") << render::describe(res.layers[i]) << "\n";
    }
    exit_code = checkStdout("reach", res.allowed ? kExitClean : kExitFindings);
  });
}

}  // namespace ccsec::cli
