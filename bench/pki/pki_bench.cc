// What a fleet operation costs: one host key + certificate (keygen, sign, write 0600 files, index
// update) per key type, and verifying a fleet of N hosts (chain + CRL + names + uniqueness).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "pki/ca.h"
#include "pki/verify.h"

namespace {

std::string tempDir() {
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = base + "/ccsec-pki-bench-XXXXXX";
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

void issueHosts(benchmark::State& state) {
  const auto type = static_cast<ccsec::pki::KeyType>(state.range(0));
  const std::string dir = tempDir();
  auto ca = ccsec::pki::CaDirectory::init(dir + "/pki", type, "Bench CA", 3650);
  if (!ca) {
    state.SkipWithError(ca.error().message.c_str());
    return;
  }
  int n = 0;
  for (auto _ : state) {
    auto issued = ca->issue({"host-" + std::to_string(n++), {}, {"10.0.0.1"}, 30, {}});
    if (!issued) state.SkipWithError(issued.error().message.c_str());
  }
  state.SetLabel(ccsec::pki::toString(type));
  std::filesystem::remove_all(dir);
}
BENCHMARK(issueHosts)
    ->Arg(static_cast<int>(ccsec::pki::KeyType::kEcdsaP256))
    ->Arg(static_cast<int>(ccsec::pki::KeyType::kEcdsaP384))
    ->Arg(static_cast<int>(ccsec::pki::KeyType::kRsa3072))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

void verifyFleet(benchmark::State& state) {
  const std::string dir = tempDir();
  auto ca = ccsec::pki::CaDirectory::init(dir + "/pki", ccsec::pki::KeyType::kEcdsaP256, "Bench CA",
                                          3650);
  if (!ca) {
    state.SkipWithError(ca.error().message.c_str());
    return;
  }
  std::vector<ccsec::pki::FleetHost> fleet;
  for (int i = 0; i < state.range(0); ++i) {
    std::string name = "host-" + std::to_string(i);
    std::string ip = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    auto issued = ca->issue({name, {}, {ip}, 30, {}});
    if (!issued) {
      state.SkipWithError(issued.error().message.c_str());
      return;
    }
    fleet.push_back({name, std::nullopt, ip, issued->cert_path, std::nullopt});
  }
  if (!ca->revoke("host-0", ccsec::pki::RevocationReason::kKeyCompromise) || !ca->writeCrl(7)) {
    state.SkipWithError("cannot write the CRL");
    return;
  }
  ccsec::pki::VerifyOptions options;
  options.ca_files = {dir + "/pki/ca.pem"};
  options.crl_file = dir + "/pki/crl.pem";
  options.now = std::time(nullptr);
  for (auto _ : state) {
    auto report = ccsec::pki::verifyFleet(fleet, options);
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(dir);
}
BENCHMARK(verifyFleet)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
