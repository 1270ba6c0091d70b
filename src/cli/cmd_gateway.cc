#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "gateway_plan/gateway_plan.h"
#include "store/audit_store.h"

namespace ccsec::cli {

void registerGateway(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "gateway",
      "Run the mutual-TLS channel gateway (server mode: TLS in, plaintext to a local service;\n"
      "client mode: plaintext in, TLS out). SIGHUP reloads certificates, CA and CRL; SIGTERM "
      "drains.\n"
      "Example: ccsec gateway --config gw.yaml --workers 2\n"
      "         ccsec gateway --inventory inv.yaml --host pg-a --pki pki/ --print-config");
  struct Opts {
    std::string config;
    std::string store;
    std::string inventory;
    std::string host;
    std::string pki;
    std::string metrics;
    unsigned workers = 0;
    bool verbose = false;
    bool print_config = false;
  };
  auto opts = std::make_shared<Opts>();
  auto* config = sub->add_option("--config", opts->config,
                                 "Gateway YAML config (listeners, audit, metrics, limits)");
  auto* inv = sub->add_option("--inventory", opts->inventory,
                              "Derive listeners from this inventory (with --host)");
  config->excludes(inv);
  sub->add_option("--host", opts->host, "Inventory host whose personal-data channels to front")
      ->needs(inv);
  sub->add_option("--pki", opts->pki,
                  "ccsec pki directory (ca.pem, crl.pem, hosts/NAME.pem|.key); default: pki/ next "
                  "to the inventory")
      ->needs(inv);
  sub->add_option("--metrics", opts->metrics,
                  "Prometheus listen address ADDR:PORT (inventory mode)")
      ->needs(inv);
  sub->add_flag("--print-config", opts->print_config,
                "Print the derived listeners as gateway YAML and exit")
      ->needs(inv);
  sub->add_option("--store", opts->store,
                  "Audit store URI, overrides audit.store (sqlite:PATH or postgresql://…)");
  sub->add_option("--workers", opts->workers, "Event-loop threads (default: number of cores)");
  sub->add_flag("--verbose", opts->verbose, "Log every handshake failure and session (redacted)");
  sub->callback([opts, &exit_code] {
    if (opts->verbose) core::setLogLevel(core::LogLevel::kInfo);
    core::Result<gateway::GatewayConfig> cfg =
        core::makeError("one of --config or --inventory is required");
    if (!opts->inventory.empty()) {
      if (opts->host.empty()) {
        std::cerr << "ccsec gateway: --inventory needs --host NAME\n";
        exit_code = kExitUsage;
        return;
      }
      auto model = loadInventoryOrReport(opts->inventory, std::cerr);
      if (!model) {
        exit_code = kExitUsage;
        return;
      }
      std::string inv_dir = std::filesystem::absolute(opts->inventory).parent_path().string();
      std::string pki =
          opts->pki.empty() ? inv_dir + "/pki" : std::filesystem::absolute(opts->pki).string();
      auto derived = gateway_plan::deriveGateway(*model, inventory::Catalog::builtin(), opts->host,
                                                 pki, inv_dir);
      if (!derived) {
        exit_code = reportError("gateway", derived.error());
        return;
      }
      for (const auto& s : derived->skipped) std::cerr << "ccsec gateway: skipped " << s << "\n";
      if (opts->print_config) {
        std::cout << gateway_plan::gatewayConfigYaml(derived->config);
        exit_code = kExitClean;
        return;
      }
      derived->config.audit_store = "sqlite:" + std::filesystem::absolute("audit.db").string();
      if (!opts->metrics.empty()) {
        auto m = net::Endpoint::parse(opts->metrics);
        if (!m) {
          exit_code = reportError("gateway", core::withContext("--metrics: ", m.error()));
          return;
        }
        derived->config.metrics_listen = *m;
      }
      cfg = std::move(derived->config);
    } else if (!opts->config.empty()) {
      cfg = gateway::loadGatewayConfig(opts->config);
    }
    if (!cfg) {
      exit_code = reportError("gateway", cfg.error());
      return;
    }
    if (!opts->store.empty()) cfg->audit_store = opts->store;
    auto store = store::openAuditStore(cfg->audit_store, cfg->base_dir);
    if (!store) {
      exit_code = reportError("gateway", store.error());
      return;
    }
    unsigned workers =
        opts->workers != 0 ? opts->workers : std::max(1u, std::thread::hardware_concurrency());
    std::string store_name = (*store)->describe();
    auto gw = gateway::Gateway::create(std::move(*cfg), workers, std::move(*store));
    if (!gw) {
      exit_code = reportError("gateway", gw.error());
      return;
    }
    auto& g = **gw;
    core::ServiceNotifier notifier;
    auto r = g.run(
        [&] {
          std::string line = "ccsec gateway ready:";
          auto eps = g.listenEndpoints();
          for (std::size_t i = 0; i < eps.size(); ++i)
            line += " " + g.config().listeners[i].name + "=" + eps[i].str();
          if (auto m = g.metricsEndpoint()) line += " metrics=" + m->str();
          line += " workers=" + std::to_string(g.workers()) + " audit=" + store_name;
          std::cout << line << std::endl;
        },
        &notifier);
    if (!r) {
      exit_code = reportError("gateway", r.error());
      return;
    }
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
