// Phase breakdown of `ccsec check` on one inventory: load+validate, derive the channel graph,
// run the rules (with certificates and waivers), format JSON. Tells which part dominates when
// run.sh reports a slow or non-linear total.
// Usage: bench_check_phases INV.yaml
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "inventory/graph.h"
#include "inventory/loader.h"
#include "policy/engine.h"
#include "policy/output.h"

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Peak resident set so far (VmHWM), MiB; 0 if /proc is unavailable.
double peakMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ccsec;
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_check_phases INV.yaml\n");
    return 2;
  }
  const auto& catalog = inventory::Catalog::builtin();
  auto t0 = std::chrono::steady_clock::now();
  inventory::LoadResult r = inventory::loadFile(argv[1], catalog);
  const double load = since(t0);
  const double load_peak = peakMiB();
  if (!r.ok()) {
    for (const auto& d : r.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 2;
  }
  t0 = std::chrono::steady_clock::now();
  const inventory::ChannelGraph graph = inventory::deriveGraph(*r.model, catalog);
  const double derive = since(t0);
  const double derive_peak = peakMiB();

  policy::Options options;
  options.as_of = *core::Date::parse("2026-11-28");
  t0 = std::chrono::steady_clock::now();
  const auto certs = policy::readCertificates(
      *r.model, std::filesystem::path(r.model->source_file).parent_path().string());
  const policy::Context ctx{*r.model, graph, catalog, options, certs};
  std::vector<policy::Finding> findings = policy::runRules(ctx);
  policy::applyWaivers(findings, r.model->waivers, options.as_of);
  const double rules = since(t0);
  const double rules_peak = peakMiB();

  t0 = std::chrono::steady_clock::now();
  const std::string json = policy::formatJson(findings);
  const double format = since(t0);
  std::printf(
      "hosts %zu edges %zu findings %zu | load %.3f s  derive %.3f s  rules %.3f s  "
      "json %.3f s | peak RSS after load %.0f MiB, derive %.0f, rules %.0f, json %.0f\n",
      r.model->hosts.size(), graph.edges.size(), findings.size(), load, derive, rules, format,
      load_peak, derive_peak, rules_peak, peakMiB());
  return json.empty() ? 1 : 0;
}
