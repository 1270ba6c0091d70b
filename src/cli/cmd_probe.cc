// `ccsec probe INV`: prove what is live. Every server endpoint the inventory declares is probed
// concurrently (TLS versions, suites, groups, certificate, client-certificate demand, plaintext
// refusal, closed plaintext and undeclared ports, LDAP), and drift is reported as CCS-PRB
// findings in the formats of `check`, stored with a run id.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "cli/policy_args.h"
#include "cli/run_store.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "policy/baseline.h"
#include "policy/engine.h"
#include "policy/output.h"
#include "policy/registry.h"
#include "probe/report.h"
#include "probe/scanner.h"
#include "probe/targets.h"
#include "probe/verdicts.h"
#include "store/audit_store.h"
#include "store/findings_store.h"

namespace ccsec::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onSigint(int) { g_interrupted.store(true); }

}  // namespace

void registerProbe(CLI::App& app, int& exit_code) {
  struct Args {
    std::string inventory;
    std::optional<std::string> from;
    std::vector<std::string> hosts;
    std::vector<std::string> only;
    int concurrency = 256;
    int per_host = 16;
    double rate = 100;
    int timeout_ms = 3000;
    int deadline_s = 300;
    std::vector<std::string> resolve;
    ReportFlags report;
    StoreArgs store;
    std::vector<std::string> ca;
    std::string pki_dir;
    std::string facts;
    std::int64_t diff_run = 0;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand(
      "probe", "Probe the live deployment: TLS, ports, LDAP, drift from the inventory");
  sub->footer(
      "Probes only addresses the inventory declares (hosts and domain controllers); --resolve maps "
      "an\n"
      "inventory host to a lab address (and shifts its ports by PORT_OFFSET). Findings use the\n"
      "CCS-PRB rules (`ccsec rules`, `ccsec explain CCS-PRB-003`); waivers and --baseline work as "
      "in\n"
      "check. Each run is stored with a run id in the findings store (--store; default\n"
      "sqlite:$XDG_STATE_HOME/ccsec/findings.db, else ~/.local/state/ccsec/findings.db;\n"
      "--no-store records nothing).\n"
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 runtime\n"
      "failure or interrupted run (what was established is still printed).\n\n"
      "Examples:\n"
      "  ccsec probe inv.yaml --ca pki/ca.pem\n"
      "  ccsec probe inv.yaml --host pg-a --only tls --format json\n"
      "  ccsec probe lab.yaml --resolve pg-a=127.0.0.1:10000 --resolve pg-b=127.0.0.1:20000\n"
      "  ccsec probe inv.yaml --from internet            (perimeter-blocked ports from outside)\n"
      "  ccsec probe inv.yaml --diff-run 12              (drift since run 12)\n"
      "  ccsec probe inv.yaml --dry-run                  (the targets as JSON; nothing probed)");
  sub->add_option("inventory", args->inventory, "Inventory YAML file")->required();
  sub->add_option("--from", args->from,
                  "Zone or site the probe runs from (external zone: perimeter ports too)");
  sub->add_option("--host", args->hosts, "Probe only this inventory host (repeatable)");
  sub->add_option("--only", args->only, "Only these checks: tls, ports, ldap (repeatable)")
      ->check(CLI::IsMember({"tls", "ports", "ldap"}));
  sub->add_option("--concurrency", args->concurrency, "Connections in flight (default 256)")
      ->check(CLI::Range(1, 65536));
  sub->add_option("--per-host", args->per_host, "Connections in flight per host (default 16)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--rate", args->rate,
                  "New connections per second per host, never exceeded (default 100)")
      ->check(CLI::Range(0.1, 100000.0));
  sub->add_option("--timeout", args->timeout_ms, "Per-attempt timeout in ms (default 3000)")
      ->check(CLI::Range(10, 600000));
  sub->add_option("--deadline", args->deadline_s, "Whole-run deadline in seconds (default 300)")
      ->check(CLI::Range(1, 86400));
  sub->add_option("--resolve", args->resolve, "HOST=ADDR[:PORT_OFFSET] lab mapping (repeatable)");
  addStoreOptions(sub, args->store, true);
  addReportFlags(*sub, args->report, "probe",
                 "Date used as today (YYYY-MM-DD) for certificate expiry",
                 "Threshold key=value (cert_warn_days)");
  sub->add_option("--ca", args->ca,
                  "Deployment CA certificate(s) served chains must lead to (repeatable)");
  sub->add_option("--pki", args->pki_dir, "`ccsec pki` directory: its ca.pem is the deployment CA");
  sub->add_option("--facts", args->facts,
                  "Write the observed facts with their evidence (JSON) to FILE");
  sub->add_option("--diff-run", args->diff_run,
                  "Show findings added and removed since stored run ID");
  sub->add_flag("--dry-run", args->dry_run,
                "Print the targets (facts JSON, reach \"not probed\") and exit; nothing is probed "
                "or stored");
  sub->callback([args, &exit_code] {
    auto setup = parseReportFlags(args->report, "probe", exit_code);
    if (!setup) return;  // reported, exit_code set
    const policy::Options& options = setup->options;
    auto model = loadInventoryOrReport(args->inventory, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    probe::TargetOptions topt;
    topt.hosts = args->hosts;
    topt.from = args->from;
    if (!args->only.empty()) {
      auto has = [&](std::string_view w) {
        return std::find(args->only.begin(), args->only.end(), w) != args->only.end();
      };
      topt.tls = has("tls");
      topt.ports = has("ports");
      topt.ldap = has("ldap");
    }
    for (const auto& r : args->resolve) {
      auto p = probe::parseResolve(r);
      if (!p) {
        std::cerr << "ccsec: probe: " << p.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
      topt.resolve[p->first] = p->second;
    }
    const auto& catalog = inventory::Catalog::builtin();
    auto graph = inventory::deriveGraph(*model, catalog);
    auto targets = probe::deriveTargets(*model, catalog, graph, topt);
    if (!targets) {
      std::cerr << "ccsec: probe: " << targets.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (args->dry_run) {
      // The plan: what would be dialled and what each endpoint must look like, in the facts
      // schema (every observation empty, reach "not probed").
      std::vector<probe::Observation> plan(targets->size());
      for (std::size_t i = 0; i < plan.size(); ++i) plan[i].target = (*targets)[i];
      std::cout << probe::factsJson(plan);
      exit_code = checkStdout("probe", kExitClean);
      return;
    }
    probe::ScanOptions sopt;
    sopt.concurrency = args->concurrency;
    sopt.per_host = args->per_host;
    sopt.rate = args->rate;
    sopt.timeout = std::chrono::milliseconds(args->timeout_ms);
    sopt.deadline = std::chrono::seconds(args->deadline_s);
    sopt.ca_files = args->ca;
    if (!args->pki_dir.empty()) sopt.ca_files.push_back(args->pki_dir + "/ca.pem");
    for (const auto& f : sopt.ca_files) {
      if (!std::filesystem::exists(f)) {
        std::cerr << "ccsec: probe: CA file " << f << " does not exist\n";
        exit_code = kExitUsage;
        return;
      }
    }
    std::vector<policy::Finding> old_findings;
    if (args->diff_run != 0) {
      auto fstore = openRunStore(args->store);
      if (!fstore) {
        exit_code = reportError("probe", fstore.error());
        return;
      }
      auto f = (*fstore)->findings(args->diff_run);
      if (!f) {
        std::cerr << "ccsec: probe: --diff-run: " << f.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
      old_findings = fromStored(*f);
    }
    const bool tty = isatty(STDERR_FILENO) == 1;
    const auto t0 = std::chrono::steady_clock::now();
    if (tty) {
      sopt.progress = [t0](std::size_t done, std::size_t total) {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double rate = s > 0 ? static_cast<double>(done) / s : 0;
        double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
        std::cerr << fmt::format("\r\033[Kprobe: {}/{} endpoints, {:.0f}/s, ETA {:.0f}s", done,
                                 total, rate, eta)
                  << std::flush;
      };
    }
    g_interrupted.store(false);
    sopt.stop = &g_interrupted;
    auto previous = std::signal(SIGINT, onSigint);
    // OpenSSL writes with write(2): a peer that closes mid-handshake must not kill the probe.
    std::signal(SIGPIPE, SIG_IGN);
    probe::ScanStats stats;
    auto observations = probe::scan(*targets, sopt, &stats);
    std::signal(SIGINT, previous);
    if (tty) std::cerr << "\r\033[K" << std::flush;
    if (!observations) {
      std::cerr << "ccsec: probe: " << observations.error().message << "\n";
      exit_code = kExitRuntime;
      return;
    }
    std::vector<policy::Finding> findings = probe::judge(*observations, options);
    policy::applyWaivers(findings, model->waivers, options.as_of);
    // Waivers for check rules are not this command's business: drop their "matches nothing".
    std::erase_if(findings, [&](const policy::Finding& f) {
      if (f.rule != policy::kWaiverMatchesNothing) return false;
      return f.message.find("CCS-PRB-") == std::string::npos;
    });
    if (setup->baseline) findings = policy::newSince(findings, *setup->baseline);
    std::string facts_json = probe::factsJson(*observations);
    if (!args->facts.empty()) {
      std::ofstream out(args->facts, std::ios::binary | std::ios::trunc);
      out << facts_json;
      if (!out) {
        std::cerr << "ccsec: probe: cannot write " << args->facts << "\n";
        exit_code = kExitRuntime;
        return;
      }
    }
    std::int64_t run_id = 0;
    if (auto rec = recordRun(args->store, "probe", args->inventory, findings, facts_json); !rec) {
      exit_code = reportError("probe", rec.error());
      return;
    } else if (*rec) {
      run_id = **rec;
    }
    std::string out;
    if (args->diff_run != 0) {
      policy::Diff d = policy::diff(old_findings, findings);
      if (args->report.format == "json") {
        auto list = [](const std::vector<policy::Finding>& v) {
          nlohmann::ordered_json a = nlohmann::ordered_json::array();
          for (const auto& f : v)
            a.push_back({{"rule", f.rule},
                         {"severity", policy::toString(f.severity)},
                         {"target", f.target},
                         {"message", f.message},
                         {"waived", f.waived}});
          return a;
        };
        nlohmann::ordered_json j{{"run", run_id},
                                 {"since", args->diff_run},
                                 {"added", list(d.added)},
                                 {"removed", list(d.removed)}};
        out = j.dump(2) + "\n";
      } else {
        for (const auto& f : d.added)
          out += fmt::format("+ {:<8} {:<11} {}  {}{}\n", policy::toString(f.severity), f.rule,
                             f.target, f.waived ? "[waived] " : "", f.message);
        for (const auto& f : d.removed)
          out += fmt::format("- {:<8} {:<11} {}  {}{}\n", policy::toString(f.severity), f.rule,
                             f.target, f.waived ? "[waived] " : "", f.message);
        out += fmt::format("{} added, {} removed since run {}\n", d.added.size(), d.removed.size(),
                           args->diff_run);
      }
      findings = d.added;
    } else {
      ReportFormat how;
      how.rules = &policy::probeRules();
      how.suite = "ccsec probe";
      how.text = [&observations](const std::vector<policy::Finding>& f) {
        return probe::factsTable(*observations) + "\n" +
               policy::formatText(f, isatty(STDOUT_FILENO) == 1);
      };
      out = formatFindings(args->report.format, findings, args->inventory, setup->fail_on, how);
    }
    std::cout << out;
    if (checkStdout("probe", kExitClean) != kExitClean) {
      exit_code = kExitRuntime;
      return;
    }
    std::cerr << fmt::format(
        "probe: {} endpoints, {} connections ({} TLS handshakes) in {:.2f} s{}{}\n",
        observations->size(), stats.attempts, stats.handshakes, stats.wall_ms / 1000.0,
        run_id != 0 ? fmt::format(", stored as run {}", run_id) : std::string(),
        stats.interrupted ? "; INTERRUPTED: results are incomplete" : "");
    if (stats.interrupted) {
      exit_code = kExitRuntime;
      return;
    }
    exit_code = findingsExitCode(findings, setup->fail_on);
  });
}

}  // namespace ccsec::cli
