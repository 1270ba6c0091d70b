#include <cstdio>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "store/audit_store.h"

namespace ccsec::cli {

void registerGateway(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "gateway",
      "Run the mutual-TLS channel gateway (server mode: TLS in, plaintext to a local service;\n"
      "client mode: plaintext in, TLS out). SIGHUP reloads certificates, CA and CRL; SIGTERM drains.\n"
      "Example: ccsec gateway --config gw.yaml --workers 2");
  struct Opts {
    std::string config;
    std::string store;
    unsigned workers = 0;
    bool verbose = false;
  };
  auto opts = std::make_shared<Opts>();
  sub->add_option("--config", opts->config, "Gateway YAML config (listeners, audit, metrics, limits)")->required();
  sub->add_option("--store", opts->store, "Audit store URI, overrides audit.store (sqlite:PATH or postgresql://…)");
  sub->add_option("--workers", opts->workers, "Event-loop threads (default: number of cores)");
  sub->add_flag("--verbose", opts->verbose, "Log every handshake failure and session (redacted)");
  sub->callback([opts, &exit_code] {
    if (opts->verbose) core::initLogging(core::LogLevel::kInfo);
    auto cfg = gateway::loadGatewayConfig(opts->config);
    if (!cfg) {
      std::cerr << "ccsec gateway: " << cfg.error().message << "\n";
      if (!cfg.error().detail.empty()) std::cerr << cfg.error().detail << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (!opts->store.empty()) cfg->audit_store = opts->store;
    auto store = store::openAuditStore(cfg->audit_store, cfg->base_dir);
    if (!store) {
      std::cerr << "ccsec gateway: " << store.error().message << "\n";
      exit_code = kExitRuntime;
      return;
    }
    unsigned workers = opts->workers != 0 ? opts->workers : std::max(1u, std::thread::hardware_concurrency());
    std::string store_name = (*store)->describe();
    auto gw = gateway::Gateway::create(std::move(*cfg), workers, std::move(*store));
    if (!gw) {
      std::cerr << "ccsec gateway: " << gw.error().message << "\n";
      if (!gw.error().detail.empty()) std::cerr << gw.error().detail << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto& g = **gw;
    auto r = g.run([&] {
      std::string line = "ccsec gateway ready:";
      auto eps = g.listenEndpoints();
      for (std::size_t i = 0; i < eps.size(); ++i) line += " " + g.config().listeners[i].name + "=" + eps[i].str();
      if (auto m = g.metricsEndpoint()) line += " metrics=" + m->str();
      line += " workers=" + std::to_string(g.workers()) + " audit=" + store_name;
      std::cout << line << std::endl;
    });
    if (!r) {
      std::cerr << "ccsec gateway: " << r.error().message << "\n";
      exit_code = kExitRuntime;
      return;
    }
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
