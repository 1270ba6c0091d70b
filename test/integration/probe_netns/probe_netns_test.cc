// `ccsec probe --from internet` against real filtering in network namespaces.
//
//   out (198.51.100.10, the external zone) ─┬─ per-f (router, `ccsec render`'s lab perimeter
//                                           │          nftables applied) ── rgr-a 10.1.1.10
//                                           └─ per-o (router, forwarding, no filter) ──
//                                           rgr-b 10.1.1.11
//
// rgr-a and rgr-b both listen (and answer) on every perimeter-blocked port (TCP 135, 139, 445,
// 593; UDP 135, 137, 138, 445), so a difference can only come from the perimeter. Expected:
// CCS-PRB-014 critical on each of rgr-b's eight ports (reachable; the UDP ones answered), on
// rgr-a no TCP finding (dropped: filtered) and the UDP ports only at low severity (silence:
// open|filtered, cannot be shown closed). Needs root; skips otherwise. Everything it creates
// (namespaces, processes by pid, files) is removed at the end.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "ccsec/paths.h"
#include "common/process.h"

namespace {

namespace fs = std::filesystem;
using ccsec::testing::Process;
using ccsec::testing::waitFor;

/// Runs `cmd`; its stdout (and stderr too unless `stderr_too` is false).
std::pair<int, std::string> run(const std::string& cmd, bool stderr_too = true) {
  std::string out;
  FILE* p = ::popen((cmd + (stderr_too ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (p == nullptr) return {-1, {}};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class ProbeNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces and nftables";
    for (const char* tool : {"/usr/sbin/nft", "/usr/sbin/ip", "/usr/bin/python3"})
      if (!fs::exists(tool)) GTEST_SKIP() << "missing " << tool << " (run scripts/setup)";
    dir_ = fs::temp_directory_path() / ("ccsec-probe-netns-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    prefix_ = "ccsec-pn-" + std::to_string(::getpid()) + "-";
    ASSERT_EQ(build(), "");
  }
  void TearDown() override {
    procs_.clear();  // each stopped by its pid
    for (const auto& ns : namespaces_) run("ip netns del " + ns);
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  std::string sh(const std::string& cmd) {
    auto [rc, out] = run(cmd);
    return rc == 0 ? std::string() : cmd + ": " + out;
  }
  std::string ns(const std::string& name) { return prefix_ + name; }
  std::string addNs(const std::string& name) {
    if (auto e = sh("ip netns add " + ns(name)); !e.empty()) return e;
    namespaces_.push_back(ns(name));
    return sh("ip -n " + ns(name) + " link set lo up");
  }
  /// A veth pair between two namespaces with an address on each end.
  std::string link(const std::string& a, const std::string& a_if, const std::string& a_addr,
                   const std::string& b, const std::string& b_if, const std::string& b_addr) {
    for (const std::string& c : {"ip link add " + a_if + " netns " + ns(a) +
                                     " type veth peer name " + b_if + " netns " + ns(b),
                                 "ip -n " + ns(a) + " addr add " + a_addr + " dev " + a_if,
                                 "ip -n " + ns(b) + " addr add " + b_addr + " dev " + b_if,
                                 "ip -n " + ns(a) + " link set " + a_if + " up",
                                 "ip -n " + ns(b) + " link set " + b_if + " up"}) {
      if (auto e = sh(c); !e.empty()) return e;
    }
    return {};
  }

  std::string build() {
    // The perimeter as `ccsec render` writes it for the lab's site.
    const std::string bundle = (dir_ / "bundle").string();
    if (auto e = sh(std::string(CCSEC_BIN) + " render " + CCSEC_SOURCE_DIR +
                    "/examples/lab.yaml --target nftables --out " + bundle);
        !e.empty())
      return e;
    for (const char* n : {"out", "per-f", "per-o", "rgr-a", "rgr-b"})
      if (auto e = addNs(n); !e.empty()) return e;
    for (const auto& e :
         {link("out", "to-f", "172.30.1.2/30", "per-f", "ext", "172.30.1.1/30"),
          link("out", "to-o", "172.30.2.2/30", "per-o", "ext", "172.30.2.1/30"),
          link("per-f", "in", "10.1.1.1/24", "rgr-a", "eth0", "10.1.1.10/24"),
          link("per-o", "in", "10.1.1.1/24", "rgr-b", "eth0", "10.1.1.11/24"),
          sh("ip -n " + ns("out") + " route add 10.1.1.10/32 via 172.30.1.1"),
          sh("ip -n " + ns("out") + " route add 10.1.1.11/32 via 172.30.2.1"),
          sh("ip -n " + ns("rgr-a") + " route add default via 10.1.1.1"),
          sh("ip -n " + ns("rgr-b") + " route add default via 10.1.1.1"),
          sh("ip netns exec " + ns("per-f") + " sysctl -qw net.ipv4.ip_forward=1"),
          sh("ip netns exec " + ns("per-o") + " sysctl -qw net.ipv4.ip_forward=1"),
          sh("ip netns exec " + ns("per-f") + " nft -f " + bundle + "/sites/lab.perimeter.nft")}) {
      if (!e.empty()) return e;
    }
    // Every perimeter port listens and answers on both hosts (the render_netns helper).
    const std::string netcheck =
        std::string(CCSEC_SOURCE_DIR) + "/test/integration/render_netns/netcheck.py";
    for (const char* h : {"rgr-a", "rgr-b"}) {
      const std::string ready = (dir_ / (std::string(h) + ".ready")).string();
      std::vector<std::string> argv = {"ip",      "netns",  "exec",  ns(h),
                                       "python3", netcheck, "serve", ready};
      for (int p : {135, 139, 445, 593}) argv.push_back("tcp:0.0.0.0:" + std::to_string(p));
      for (int p : {135, 137, 138, 445}) argv.push_back("udp:0.0.0.0:" + std::to_string(p));
      procs_.push_back(std::make_unique<Process>(argv, dir_ / (std::string(h) + ".log")));
      if (!waitFor([&] { return fs::exists(ready); }, std::chrono::seconds(10)))
        return std::string(h) + ": listeners did not start";
    }
    return {};
  }

  fs::path dir_;
  std::string prefix_;
  std::vector<std::string> namespaces_;
  std::vector<std::unique_ptr<Process>> procs_;
};

TEST_F(ProbeNetns, PerimeterBlockedPortsReachableOnlyBehindTheUnfilteredRouter) {
  auto [rc, out] =
      run("ip netns exec " + ns("out") + " " + CCSEC_BIN + " probe " + CCSEC_SOURCE_DIR +
              "/examples/lab.yaml --from internet --host rgr-a --host rgr-b --only ports "
              "--timeout 1500 --no-store --format json",
          false);
  auto report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  std::map<std::string, std::string> perimeter;  // target → severity
  for (const auto& f : report["findings"])
    if (f["rule"] == "CCS-PRB-014") perimeter[f["target"]] = f["severity"];
  std::map<std::string, std::string> expected;
  for (const char* p : {"135", "139", "445", "593"})
    expected[std::string("rgr-b:") + p] = "critical";
  for (const char* p : {"135", "137", "138", "445"}) {
    expected[std::string("rgr-b:") + p + "/udp"] = "critical";
    expected[std::string("rgr-a:") + p + "/udp"] = "low";
  }
  EXPECT_EQ(perimeter, expected) << out.substr(0, 6000);
  EXPECT_EQ(rc, 1);  // critical findings at the default --fail-on
}

}  // namespace
