#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "core/log.h"
#include "identity/authd.h"

namespace ccsec::cli {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// "corp.example.com" -> "DC=corp,DC=example,DC=com"
std::string domainDn(const std::string& domain) {
  std::string out;
  std::stringstream ss(domain);
  std::string part;
  while (std::getline(ss, part, '.')) out += (out.empty() ? "DC=" : ",DC=") + part;
  return out;
}

// The authd configuration the inventory implies for the collaboration platform (AD, in-chain
// groups, the domain controllers of the platform's site first).
int printConfig(const inventory::Model& m, std::ostream& out, std::ostream& err) {
  if (!m.collaboration) {
    err << "ccsec authd: the inventory has no collaboration: section\n";
    return kExitUsage;
  }
  const auto& c = *m.collaboration;
  if (c.authentication != inventory::CollabAuth::kActiveDirectory) {
    err << "ccsec authd: collaboration.authentication is not active-directory (CCS-CCP-002)\n";
    return kExitUsage;
  }
  if (!c.allowed_group) {
    err << "ccsec authd: collaboration.allowed_group is not set (CCS-CCP-001)\n";
    return kExitUsage;
  }
  const inventory::Host* ccp = m.findHost(c.host);
  std::string site = ccp != nullptr ? ccp->site : std::string();
  std::string domain = ccp != nullptr && ccp->domain ? *ccp->domain : std::string();
  struct Dc {
    std::string fqdn, site;
  };
  std::vector<Dc> dcs;
  std::set<std::string> seen;
  for (const auto& dc : m.directory.controllers) {
    if (domain.empty()) domain = dc.domain;
    if (dc.domain != domain) continue;
    std::string fqdn = dc.name.find('.') != std::string::npos ? dc.name : dc.name + "." + dc.domain;
    if (seen.insert(fqdn).second) dcs.push_back({fqdn, dc.site});
  }
  for (const auto& h : m.hosts) {
    if (!h.hasRole("domain-controller") || !h.domain || *h.domain != domain) continue;
    std::string fqdn = h.dns_name ? *h.dns_name : h.name + "." + *h.domain;
    if (seen.insert(fqdn).second) dcs.push_back({fqdn, h.site});
  }
  if (dcs.empty()) {
    err << "ccsec authd: no domain controller of " << (domain.empty() ? "any domain" : domain)
        << " in the inventory\n";
    return kExitUsage;
  }
  std::stable_partition(dcs.begin(), dcs.end(), [&](const Dc& d) { return d.site == site; });
  out << "# ccsec authd configuration derived from " << m.source_file << "\n"
      << "# collaboration host " << c.host << " (site " << site << ")\n"
      << "listen: 127.0.0.1:9180\n"
      << "realm: " << quote("collaboration") << "\n"
      << "directory:\n"
      << "  site: " << quote(site) << "\n"
      << "  servers:\n";
  for (const auto& d : dcs)
    out << "    - {url: " << quote("ldaps://" + d.fqdn + ":636") << ", site: " << quote(d.site)
        << "}\n";
  out << "  ca_file: ca.pem   # the CA that issued the domain controllers' certificates\n"
      << "  bind: " << quote("{user}@" + domain) << "\n"
      << "  user_base: " << quote(domainDn(domain)) << "\n"
      << "  user_filter: " << quote("(userPrincipalName={user}@" + domain + ")") << "\n"
      << "  nested: in-chain\n"
      << "allowed_group: " << quote(*c.allowed_group) << "\n"
      << "blocked_urls:";
  if (c.blocked_urls.empty()) out << " []";
  out << "\n";
  for (const auto& u : c.blocked_urls) out << "  - " << quote(u) << "\n";
  out << "cache: {ttl_s: 60, max_entries: 10000}\n"
      << "throttle: {user_failures: 3, address_failures: 20, window_s: 300}\n"
      << "audit: {store: " << quote("sqlite:authd-audit.db") << "}\n";
  return kExitClean;
}

int runAuthd(const std::string& path) {
  auto cfg = identity::loadAuthdConfig(path);
  if (!cfg) return reportError("authd", cfg.error());  // every config mistake, one a line
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started below
  std::signal(SIGPIPE, SIG_IGN);              // libldap writes to sockets servers may close
  const std::string store = cfg->audit_store;
  const std::size_t nservers = cfg->directory.servers.size();
  auto authd = identity::Authd::create(std::move(*cfg));
  if (!authd) {
    return reportError("authd", authd.error());
  }
  auto& a = **authd;
  std::thread loop([&] {
    auto r = a.run([&] {
      std::cout << "ccsec authd ready: listen=" << a.endpoint().str() << " servers=" << nservers
                << " audit=" << store << std::endl;
    });
    if (!r) std::cerr << "ccsec authd: " << r.error().message << "\n";
  });
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto next = identity::loadAuthdConfig(path);
      if (!next) {
        std::cerr << "ccsec authd: reload refused, keeping the running configuration: "
                  << next.error().message << std::endl;
        continue;
      }
      (void)a.reload(std::move(*next));
      std::cerr << "ccsec authd: reloaded " << path << std::endl;
      continue;
    }
    break;
  }
  a.stop();
  loop.join();
  authd->reset();
  std::cout << "ccsec authd stopped" << std::endl;
  return kExitClean;
}

}  // namespace

void registerAuthd(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "authd",
      "HTTP auth_request backend (nginx and other proxies): HTTP Basic -> directory bind over\n"
      "TLS -> allowed group (nested) -> URL blocklists -> 204/401/403, 503 when no directory\n"
      "server answers. SIGHUP reloads the configuration. See docs/authd.md.\n"
      "Example: ccsec authd --config authd.yaml\n"
      "         ccsec authd --inventory inv.yaml --print-config > authd.yaml");
  struct Opts {
    std::string config, inventory;
    bool print_config = false;
    bool verbose = false;
  };
  auto opts = std::make_shared<Opts>();
  auto* config = sub->add_option("--config", opts->config, "authd YAML configuration");
  auto* inv = sub->add_option("--inventory", opts->inventory,
                              "Derive the configuration from this inventory (with --print-config)");
  config->excludes(inv);
  sub->add_flag("--print-config", opts->print_config,
                "Print the configuration derived from --inventory and exit")
      ->needs(inv);
  sub->add_flag("--verbose", opts->verbose, "Log directory failures and reloads");
  sub->callback([opts, &exit_code] {
    if (opts->verbose) core::initLogging(core::LogLevel::kInfo);
    if (!opts->inventory.empty()) {
      if (!opts->print_config) {
        std::cerr << "ccsec authd: --inventory needs --print-config\n";
        exit_code = kExitUsage;
        return;
      }
      auto model = loadInventoryOrReport(opts->inventory, std::cerr);
      if (!model) {
        exit_code = kExitUsage;
        return;
      }
      exit_code = printConfig(*model, std::cout, std::cerr);
      return;
    }
    if (opts->config.empty()) {
      std::cerr << "ccsec authd: one of --config or --inventory --print-config is required\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = runAuthd(opts->config);
  });
}

}  // namespace ccsec::cli
