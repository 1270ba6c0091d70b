// `ccsec render INV --out DIR [--target ...]`: the enforcement bundle (src/render/).
#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "core/text.h"
#include "inventory/graph.h"
#include "render/bundle.h"
#include "render/registry.h"

namespace ccsec::cli {

void registerRender(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "render",
      "Render host firewalls, perimeter rules, IPsec policies and hardening (SQL Server,\n"
      "PostgreSQL store, antivirus) from an inventory\n"
      "Example: ccsec render examples/reference.yaml --out bundle --target nftables,strongswan");
  struct Opts {
    std::string inventory, out, ca_subject;
    std::vector<std::string> targets;
    bool list = false;
  };
  auto opts = std::make_shared<Opts>();
  sub->add_option("inventory", opts->inventory, "Inventory YAML file");
  sub->add_option("--out,-o", opts->out, "Output directory (created if missing)");
  sub->add_option("--target,-t", opts->targets,
                  "Targets, comma separated: nftables, windows-firewall, asa, strongswan, "
                  "windows-ipsec, sql-server, postgresql, antivirus (default: all)")
      ->delimiter(',');
  sub->add_option("--ca-subject", opts->ca_subject,
                  "Issuing CA distinguished name for Windows IPsec (default: issuer of each "
                  "host's certificate file)");
  sub->add_flag("--list-targets", opts->list, "List the targets and what each renders");
  sub->callback([opts, &exit_code] {
    if (opts->list) {
      for (const auto* g : render::allGenerators()) {
        std::cout << g->name() << "\n";
        const render::FeatureSet fs = g->features();
        if (fs.none())
          std::cout << "  - hardening (rendered from the inventory, no policy tables)\n";
        for (std::size_t i = 0; i < fs.size(); ++i)
          if (fs.test(i)) std::cout << "  - " << render::toString(render::Feature(i)) << "\n";
      }
      exit_code = kExitClean;
      return;
    }
    if (opts->inventory.empty() || opts->out.empty()) {
      std::cerr << "ccsec render: INVENTORY and --out are required (see --help)\n";
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
    render::RenderOptions ro{opts->ca_subject};
    auto bundle = render::renderBundle(*model, catalog, graph, policy, opts->targets, ro);
    if (!bundle) {
      exit_code = reportError("render", bundle.error());
      return;
    }
    auto written = render::writeBundle(*bundle, opts->out);
    if (!written) {
      exit_code = reportError("render", written.error());
      return;
    }
    std::size_t rules = 0;
    for (const auto& f : bundle->files) rules += f.rules.size();
    std::cout << "rendered " << bundle->files.size() << " files (" << rules << " rules) to "
              << opts->out << "\n";
    for (const auto& f : bundle->files) std::cout << "  " << f.path << "\n";
    exit_code = checkStdout("render", kExitClean);
  });
}

}  // namespace ccsec::cli
