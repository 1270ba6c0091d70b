// `ccsec directory check INV --ldap URL…`: the live directory against the inventory (CCS-DIR-*).
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "cli/run_store.h"
#include "identity/authorizer.h"
#include "identity/directory_check.h"
#include "identity/provision.h"
#include "policy/engine.h"
#include "policy/live_rules.h"
#include "policy/output.h"

namespace ccsec::cli {

void registerDirectory(CLI::App& app, int& exit_code) {
  auto* dir = app.add_subcommand("directory", "Live Active Directory checks");
  dir->require_subcommand(1);
  struct Args {
    std::string inventory, ca, site, bind_dn, password_file, cert, key, format = "text",
                                                                        fail_on = "high", as_of;
    std::string domain_nc, config_nc, root_nc;
    std::vector<std::string> urls;
    bool starttls = false, sasl_external = false;
    StoreArgs store;
  };
  auto a = std::make_shared<Args>();
  auto* check = dir->add_subcommand(
      "check",
      "Read the live directory (partitions, sites and domain controllers, global catalogs,\n"
      "computer objects, service accounts, foreign security principals) and report drift\n"
      "against the inventory as CCS-DIR-* findings. LDAPS or StartTLS only.");
  check->footer(
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 the\n"
      "directory could not be read.\n"
      "Each run is recorded in the findings store (--store; default\n"
      "sqlite:$XDG_STATE_HOME/ccsec/findings.db; --no-store records nothing).\n\n"
      "Examples:\n"
      "  ccsec directory check inv.yaml --ldap ldaps://dc1.corp.example.com --ca ca.pem \\\n"
      "      --bind-dn svc-ccsec@corp.example.com --password-file pw.txt\n"
      "  ccsec directory check inv.yaml --ldap ldaps://dc1 --ca ca.pem --sasl-external \\\n"
      "      --cert ccsec.pem --key ccsec.key --format json");
  check->add_option("inventory", a->inventory, "Inventory YAML file")->required();
  check
      ->add_option("--ldap", a->urls,
                   "Directory server URL (ldaps://, or ldap:// with "
                   "--starttls); repeatable, own --site first")
      ->required();
  check->add_flag("--starttls", a->starttls, "ldap:// URLs use (mandatory) StartTLS");
  check->add_option("--ca", a->ca, "CA file the servers' certificates must chain to")->required();
  check->add_option("--site", a->site, "Own AD site: its servers are tried first");
  auto* bind = check->add_option("--bind-dn", a->bind_dn, "Simple bind name (DN or UPN), over TLS");
  auto* pwf = check->add_option("--password-file", a->password_file,
                                "File with the bind password (first line)");
  auto* ext =
      check->add_flag("--sasl-external", a->sasl_external, "SASL EXTERNAL bind with --cert/--key");
  bind->needs(pwf);
  pwf->needs(bind);
  ext->excludes(bind);
  check->add_option("--cert", a->cert, "Client certificate (SASL EXTERNAL)");
  check->add_option("--key", a->key, "Client key (SASL EXTERNAL)");
  check->add_option("--domain-nc", a->domain_nc, "Domain naming context (default: root DSE)");
  check->add_option("--config-nc", a->config_nc,
                    "Configuration naming context (default: root DSE)");
  check->add_option("--root-nc", a->root_nc, "Forest root domain NC (default: root DSE)");
  check->add_option("--format", a->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}));
  check->add_option("--fail-on", a->fail_on, "Exit 1 at or above this severity");
  check->add_option("--as-of", a->as_of, "Date used as today for waiver expiry (YYYY-MM-DD)");
  addStoreOptions(check, a->store, true);
  check->callback([a, &exit_code] {
    auto fail_on = parseFailOn(a->fail_on);
    auto options = parsePolicyOptions(a->as_of, {});
    if (!fail_on || !options) {
      exit_code = kExitUsage;
      return;
    }
    if (!a->sasl_external && a->bind_dn.empty()) {
      std::cerr << "ccsec directory check: give --bind-dn and --password-file, or "
                   "--sasl-external\n";
      exit_code = kExitUsage;
      return;
    }
    auto model = loadInventoryOrReport(a->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    identity::DirectoryCheckOptions o;
    auto servers = identity::serversFromUrls(a->urls, {}, a->starttls, a->site);
    if (!servers) {
      std::cerr << "ccsec directory check: " << servers.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    o.servers = *servers;
    o.tls.ca_file = a->ca;
    o.tls.cert_file = a->cert;
    o.tls.key_file = a->key;
    o.bind_dn = a->bind_dn;
    o.sasl_external = a->sasl_external;
    o.domain_nc = a->domain_nc;
    o.config_nc = a->config_nc;
    o.root_nc = a->root_nc;
    if (!a->password_file.empty()) {
      std::ifstream in(a->password_file);
      if (!in || !std::getline(in, o.password) || o.password.empty()) {
        std::cerr << "ccsec directory check: cannot read a password from " << a->password_file
                  << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    std::signal(SIGPIPE, SIG_IGN);
    auto findings = identity::checkDirectory(*model, o);
    std::fill(o.password.begin(), o.password.end(), '\0');
    if (!findings) {
      exit_code = reportError("directory check", findings.error());
      return;
    }
    std::vector<inventory::Waiver> waivers;  // only the live rules' waivers concern this run
    for (const auto& w : model->waivers)
      if (w.rule.rfind("CCS-DIR-", 0) == 0) waivers.push_back(w);
    policy::applyWaivers(*findings, waivers, options->as_of);
    std::string out;
    if (a->format == "json")
      out = policy::formatJson(*findings);
    else if (a->format == "sarif")
      out = policy::formatSarif(*findings, a->inventory, policy::liveDirectoryRules());
    else if (a->format == "junit")
      out = policy::formatJunit(*findings, policy::liveDirectoryRules(), "ccsec directory check",
                                *fail_on);
    else
      out = policy::formatText(*findings, isatty(STDOUT_FILENO) == 1);
    std::cout << out << std::flush;
    if (auto rec = recordRun(a->store, "directory check", a->inventory, *findings); !rec) {
      exit_code = reportError("directory check", rec.error());
      return;
    }
    exit_code = policy::anyAtOrAbove(*findings, *fail_on) ? kExitFindings : kExitClean;
  });

  struct ProvArgs {
    std::string inventory, out, root;
  };
  auto pa = std::make_shared<ProvArgs>();
  auto* prov = dir->add_subcommand(
      "provision",
      "Render the OU hierarchy and the domain-local groups per instance and function (the\n"
      "Domain Manager's job) as LDIF and PowerShell, one pair per domain, both idempotent.\n"
      "Example: ccsec directory provision inv.yaml --out provision/ "
      "--root \"OU=CCE,DC=corp,DC=example,DC=com\"");
  prov->add_option("inventory", pa->inventory, "Inventory YAML file")->required();
  prov->add_option("--out", pa->out, "Output directory")->required();
  prov->add_option("--root", pa->root, "Root OU (default OU=CCE,<domain DN>)");
  prov->callback([pa, &exit_code] {
    auto model = loadInventoryOrReport(pa->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    auto files = identity::renderProvision(*model, pa->root);
    if (!files) {
      std::cerr << "ccsec directory provision: " << files.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(pa->out, ec);
    for (const auto& f : *files) {
      const auto path = std::filesystem::path(pa->out) / f.name;
      std::ofstream o(path, std::ios::binary);
      o << f.text;
      if (!o) {
        std::cerr << "ccsec directory provision: cannot write " << path.string() << "\n";
        exit_code = kExitRuntime;
        return;
      }
      std::cout << path.string() << "\n";
    }
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
