// Render benchmark: every target for a synthetic 1,000-host inventory (gen_inventory.py), and
// `reach` queries on the resulting policy. Targets (issue 4): render < 2 s on one core,
// reach < 10 ms. The inventory path comes from CCSEC_BENCH_INVENTORY, else it is generated
// into the temp directory with python3.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "inventory/graph.h"
#include "inventory/loader.h"
#include "render/bundle.h"
#include "render/reach.h"

namespace {

using namespace ccsec;

struct Fixture {
  inventory::Model model;
  inventory::ChannelGraph graph;
  render::PolicyModel policy;
  std::string path;
};

std::string inventoryPath() {
  if (const char* p = std::getenv("CCSEC_BENCH_INVENTORY")) return p;
  auto path = std::filesystem::temp_directory_path() /
              ("ccsec-bench-1000-" + std::to_string(getpid()) + ".yaml");
  std::string cmd =
      std::string("python3 ") + CCSEC_BENCH_DIR + "/gen_inventory.py 1000 > " + path.string();
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "cannot generate the synthetic inventory: " << cmd << "\n";
    std::exit(3);
  }
  return path.string();
}

Fixture& fixture() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    fx->path = inventoryPath();
    auto r = inventory::loadFile(fx->path);
    if (!r.ok()) {
      std::cerr << r.diagnostics.front().str() << "\n";
      std::exit(3);
    }
    fx->model = std::move(*r.model);
    fx->graph = inventory::deriveGraph(fx->model, inventory::Catalog::builtin());
    fx->policy = render::buildPolicy(fx->model, inventory::Catalog::builtin(), fx->graph);
    std::cerr << "inventory " << fx->path << ": " << fx->model.hosts.size() << " hosts, "
              << fx->graph.edges.size() << " edges\n";
    return fx;
  }();
  return *f;
}

/// Policy model + every generator + manifest (what `ccsec render` does after loading).
void BM_RenderAllTargets(benchmark::State& state) {
  auto& f = fixture();
  render::RenderOptions opts;
  opts.ca_subject = "CN=bench CA";
  std::size_t files = 0, bytes = 0;
  for (auto _ : state) {
    auto policy = render::buildPolicy(f.model, inventory::Catalog::builtin(), f.graph);
    auto b =
        render::renderBundle(f.model, inventory::Catalog::builtin(), f.graph, policy, {}, opts);
    if (!b) state.SkipWithError(b.error().message.c_str());
    files = b->files.size();
    bytes = 0;
    for (const auto& file : b->files) bytes += file.content.size();
    benchmark::DoNotOptimize(b);
  }
  state.counters["files"] = static_cast<double>(files);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_RenderAllTargets)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

/// Load + graph + render: `ccsec render` end to end except writing files.
void BM_LoadGraphRender(benchmark::State& state) {
  auto& f = fixture();
  render::RenderOptions opts;
  opts.ca_subject = "CN=bench CA";
  for (auto _ : state) {
    auto r = inventory::loadFile(f.path);
    auto g = inventory::deriveGraph(*r.model, inventory::Catalog::builtin());
    auto policy = render::buildPolicy(*r.model, inventory::Catalog::builtin(), g);
    auto b = render::renderBundle(*r.model, inventory::Catalog::builtin(), g, policy, {}, opts);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_LoadGraphRender)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

/// One reach query on the rendered policy (edge allowed over IPsec, through the host table).
void BM_ReachAllowed(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto flow = render::makeFlow(f.model, "pg-east-0", "rgr-east-a:40002/tcp");
    auto r = render::reach(f.model, f.policy, *flow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReachAllowed)->Unit(benchmark::kMicrosecond);

/// Worst case: from outside, through the perimeter, to the default drop of the busiest host.
void BM_ReachDeniedFullScan(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto flow = render::makeFlow(f.model, "west-ext", "rgr-east-a:9/udp");
    auto r = render::reach(f.model, f.policy, *flow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReachDeniedFullScan)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
